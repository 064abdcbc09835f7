"""How often a procedure has been completed, read from the session records (the journal
files under ``<data dir>/sessions``). Read only; used to choose the "auto" verbosity."""

from __future__ import annotations

from pathlib import Path

from voiceguide.events import EventType
from voiceguide.journal import read_journal
from voiceguide.paths import data_dir

FIRST_SESSIONS = 3
"""Completed sessions of a procedure that are guided in detail before prompts become brief."""


def completed_sessions(procedure_id: str, root: Path | None = None) -> int:
    """Sessions of ``procedure_id`` (not rehearsals) whose record ends "completed"."""
    folder = (root or data_dir()) / "sessions"
    if not folder.is_dir():
        return 0
    count = 0
    for path in folder.glob("*.jsonl"):
        if procedure_id not in path.name:
            continue
        try:
            events, _bad = read_journal(path)
        except OSError:
            continue
        started = [e for e in events if e.type is EventType.SESSION_STARTED]
        ended = [e for e in events if e.type is EventType.SESSION_ENDED]
        if (started and started[0].data.get("procedure") == procedure_id
                and not started[0].data.get("rehearsal") and ended
                and ended[-1].data.get("outcome") == "completed"):
            count += 1
    return count


def auto_verbosity(procedure_id: str, root: Path | None = None) -> str:
    return "brief" if completed_sessions(procedure_id, root) >= FIRST_SESSIONS else "detailed"
