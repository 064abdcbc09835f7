"""The session journal: one JSON event per line, written and fsynced as it happens, readable
by the user only (files 0600, folders 0700). A crash loses at most the event being written:
``read_journal`` skips a torn line and counts it, so callers can say one entry was partial.

A write that fails (a full disk) is cut back to whole lines and kept in memory, and at once
copied to a private fallback file (``records.unsaved``) that the next run merges back;
``problem`` says why (the runner says it aloud). Every later ``record`` (and ``retry``) writes
what is kept first, so the journal catches up, in order, as soon as the disk takes writes
again, and the fallback file is then removed.
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
        self._mirrored = 0  # bytes of _unwritten already in the fallback file
        self.kept: Path | None = None
        """The fallback file holding what is not written yet, if any."""
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
        """Write what is kept, as whole lines; True when nothing is left unwritten."""
        if self._fd is None or not self._unwritten:
            return not self._unwritten
        size = None
        try:
            size = os.fstat(self._fd).st_size
            left = memoryview(self._unwritten)
            while left:
                left = left[self._write(self._fd, left) :]
            os.fsync(self._fd)
        except OSError as error:  # disk full mid-session: keep guiding, keep the events
            self._cut_back(size)
            if self.problem is None:
                log.error("could not write the session record %s: %s", self.path, error)
            self.problem = unsaved.plain(error)
            self._keep_elsewhere()
            return False
        if self.problem is not None:
            log.warning("the session record %s is being written again", self.path)
        self._unwritten, self._mirrored, self.problem = b"", 0, None
        if self.kept is not None:  # all of it is in the journal now (a reader skips doubles)
            self.kept.unlink(missing_ok=True)
            self.kept = None
        return True

    def _cut_back(self, size: int | None) -> None:
        """Remove the part of a line a failed write left, so the journal holds whole lines."""
        if size is None:
            return
        try:
            os.ftruncate(self._fd, size)
        except OSError as error:
            log.error("could not cut %s back to whole lines: %s", self.path, error)

    def _keep_elsewhere(self) -> None:
        """Copy what is not written yet, and not copied yet, to the fallback file at once, so
        a crash while the disk is full loses nothing either."""
        new = self._unwritten[self._mirrored :]
        if not new:
            return
        kept = unsaved.keep(self.path.name, new, self._fallback)
        if kept is not None:
            self.kept, self._mirrored = kept, len(self._unwritten)

    def close(self) -> None:
        if self._fd is None:
            return
        if not self.retry():
            if self._mirrored == len(self._unwritten):
                log.error("%d bytes of the session record were kept in %s", self.unwritten, self.kept)
            else:
                log.error("%d bytes of the session record could not be kept anywhere", self.unwritten)
        try:
            os.close(self._fd)
        except OSError as error:
            log.error("could not close %s: %s", self.path, error)
        self._fd = None

    @property
    def lost(self) -> int:
        """Bytes neither in the journal nor in a fallback file."""
        return len(self._unwritten) - self._mirrored

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
    lines = Path(path).read_bytes().decode("utf-8", errors="replace").splitlines()
    seen = set(lines)
    for more in extra:  # what did not reach the journal; a line it holds already is skipped
        try:
            text = more.read_bytes().decode("utf-8", errors="replace")
        except OSError as error:
            log.warning("cannot read the unsaved records %s: %s", more, error)
            continue
        for line in text.splitlines():
            if line not in seen:
                lines.append(line)
                seen.add(line)
    events, bad = [], 0
    for line in lines:
        if not line.strip():
            continue
        try:
            events.append(Event.from_dict(json.loads(line)))
        except (ValueError, KeyError, TypeError, AttributeError):
            bad += 1
    if bad:
        log.warning("%s: %d partial or unreadable entr%s skipped", path, bad, "y" if bad == 1 else "ies")
    return events, bad
