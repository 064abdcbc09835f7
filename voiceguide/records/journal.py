"""The session journal: one JSON event per line, written and fsynced as it happens, readable
by the user only (files 0600, folders 0700). A crash loses at most the event being written:
``read_journal`` skips a torn line and counts it, so callers can say one entry was partial.
"""

from __future__ import annotations

import json
import logging
import os
import secrets
import time
from pathlib import Path

from voiceguide.core.events import Event
from voiceguide.errors import DataDirError
from voiceguide.paths import data_dir

log = logging.getLogger(__name__)

PROBE_BYTES = 64 * 1024
"""Bytes written (and removed) before a session starts, to prove the records folder takes
writes: a read-only or full disk is reported then, not half-way through the session."""


class FileJournal:
    """Appends events to ``<data dir>/sessions/<time>-<procedure>-<id>.jsonl``.

    The file is created (and the directory checked) in ``__init__``, so an unwritable data
    directory is reported before the session starts, not half-way.
    """

    def __init__(self, procedure_id: str, root: Path | None = None):
        folder = (root or data_dir()) / "sessions"
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
        self._file = os.fdopen(fd, "a", encoding="utf-8")

    def record(self, item: Event) -> None:
        line = json.dumps({"session": self.session_id, **item.to_dict()}, ensure_ascii=False)
        try:
            self._file.write(line + "\n")
            self._file.flush()
            os.fsync(self._file.fileno())
        except OSError as error:  # disk full mid-session: keep guiding, say why records stop
            log.error("could not write the session record %s: %s", self.path, error)

    def close(self) -> None:
        try:
            self._file.close()
        except OSError as error:
            log.error("could not close %s: %s", self.path, error)

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


def read_journal(path: Path) -> tuple[list[Event], int]:
    """Events in ``path`` and the number of lines that could not be read (a torn last line
    after a power cut is expected: it is skipped with a warning, every other line is kept).
    Each event's ``session`` id is kept in its data."""
    events, bad = [], 0
    for line in Path(path).read_text(encoding="utf-8", errors="replace").splitlines():
        if not line.strip():
            continue
        try:
            events.append(Event.from_dict(json.loads(line)))
        except (ValueError, KeyError, TypeError, AttributeError):
            bad += 1
    if bad:
        log.warning("%s: %d partial or unreadable entr%s skipped", path, bad, "y" if bad == 1 else "ies")
    return events, bad
