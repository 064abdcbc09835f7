"""The session journal: one JSON event per line, written and fsynced as it happens, readable
by the user only (files 0600, folders 0700). A crash loses at most the event being written:
``read_journal`` skips a torn line and counts it, so callers can say one entry was partial.

A write that fails (a full disk) is kept in memory, ``problem`` says why (the runner says it
aloud), and every later ``record`` retries it first, so the journal catches up as soon as the
disk takes writes again; what is still unwritten at ``close`` goes to a private fallback file
(``records.unsaved``) that the next run merges back.
"""

from __future__ import annotations

import json
import logging
import os
import secrets
import time
from collections.abc import Callable
from pathlib import Path

from voiceguide.core.events import Event
from voiceguide.errors import DataDirError
from voiceguide.paths import data_dir
from voiceguide.records import unsaved

log = logging.getLogger(__name__)

PROBE_BYTES = 64 * 1024
"""Bytes written (and removed) before a session starts, to prove the records folder takes
writes: a read-only or full disk is reported then, not half-way through the session."""


class FileJournal:
    """Appends events to ``<data dir>/sessions/<time>-<procedure>-<id>.jsonl``.

    The file is created (and the directory checked) in ``__init__``, so an unwritable data
    directory is reported before the session starts, not half-way.
    """

    problem: str | None = None
    """Why the last write failed ("the disk is full"), or None while everything is written."""

    def __init__(
        self,
        procedure_id: str,
        root: Path | None = None,
        fallback: list[Path] | None = None,
        write: Callable[[int, bytes], int] = os.write,
    ):
        """``fallback``: the folders for what cannot be written (default:
        ``unsaved.fallback_dirs``); ``write``: ``os.write`` (tests pass one that fails)."""
        self._write = write
        folder = (root or data_dir()) / "sessions"
        self._fallback = fallback
        self._unwritten = b""
        self.kept: Path | None = None
        """The fallback file written at ``close``, if any."""
        self.session_id = secrets.token_hex(4)
        stamp = time.strftime("%Y%m%dT%H%M%S")
        self.path = folder / f"{stamp}-{procedure_id}-{self.session_id}.jsonl"
        try:
            folder.mkdir(parents=True, exist_ok=True, mode=0o700)
            os.chmod(folder.parent, 0o700)
            os.chmod(folder, 0o700)
            probe_writes(folder)
            fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_APPEND | os.O_EXCL, 0o600)
        except OSError as error:
            raise records_error(folder, error) from None
        self._fd: int | None = fd

    @property
    def unwritten(self) -> int:
        """Bytes kept in memory because they could not be written yet."""
        return len(self._unwritten)

    def record(self, item: Event) -> None:
        line = json.dumps({"session": self.session_id, **item.to_dict()}, ensure_ascii=False)
        self._unwritten += (line + "\n").encode("utf-8")
        self.retry()

    def retry(self) -> bool:
        """Write what is kept; True when nothing is left unwritten."""
        if self._fd is None or not self._unwritten:
            return not self._unwritten
        try:
            while self._unwritten:
                written = self._write(self._fd, self._unwritten)
                self._unwritten = self._unwritten[written:]
            os.fsync(self._fd)
        except OSError as error:  # disk full mid-session: keep guiding, keep the events
            if self.problem is None:
                log.error("could not write the session record %s: %s", self.path, error)
            self.problem = unsaved.plain(error)
            return False
        if self.problem is not None:
            log.warning("the session record %s is being written again", self.path)
        self.problem = None
        return True

    def close(self) -> None:
        if self._fd is None:
            return
        if not self.retry():
            self.kept = unsaved.keep(self.path.name, self._unwritten, self._fallback)
            if self.kept is not None:
                log.error("%d bytes of the session record were kept in %s", self.unwritten, self.kept)
                self._unwritten = b""
            else:
                log.error("%d bytes of the session record could not be kept anywhere", self.unwritten)
        try:
            os.close(self._fd)
        except OSError as error:
            log.error("could not close %s: %s", self.path, error)
        self._fd = None

    def __enter__(self) -> FileJournal:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def probe_writes(folder: Path) -> None:
    """Write, fsync and remove a scratch file in ``folder``; raises OSError if it can't."""
    probe = folder / f".probe-{secrets.token_hex(4)}"
    try:
        fd = os.open(probe, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            os.write(fd, b"\0" * PROBE_BYTES)
            os.fsync(fd)
        finally:
            os.close(fd)
    finally:
        probe.unlink(missing_ok=True)


def records_error(folder: Path, error: OSError) -> DataDirError:
    return DataDirError(
        f"cannot write session records in {folder}: {error.strerror or error}. "
        "Free some space or fix its permissions, or set VOICEGUIDE_DATA_DIR to a "
        "writable folder."
    )


def read_journal(path: Path, extra: list[Path] = ()) -> tuple[list[Event], int]:
    """Events in ``path`` (followed by the fallback files ``extra``, the bytes that did not
    reach it) and the number of lines that could not be read (a torn last line after a power
    cut is expected: it is skipped with a warning, every other line is kept). Each event's
    ``session`` id is kept in its data."""
    data = Path(path).read_bytes()
    for more in extra:
        try:
            data += more.read_bytes()
        except OSError as error:
            log.warning("cannot read the unsaved records %s: %s", more, error)
    events, bad = [], 0
    for line in data.decode("utf-8", errors="replace").splitlines():
        if not line.strip():
            continue
        try:
            events.append(Event.from_dict(json.loads(line)))
        except (ValueError, KeyError, TypeError, AttributeError):
            bad += 1
    if bad:
        log.warning("%s: %d partial or unreadable entr%s skipped", path, bad, "y" if bad == 1 else "ies")
    return events, bad
