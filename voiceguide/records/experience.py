"""How often a procedure has been completed, from the session records. Read only; used to
choose the "auto" verbosity."""

from __future__ import annotations

from pathlib import Path

from voiceguide.records.sessions import Records, load_records

FIRST_SESSIONS = 3
"""Completed sessions of a procedure that are guided in detail before prompts become brief."""


def completed_sessions(procedure_id: str, root: Path | None = None, records: Records | None = None) -> int:
    """Sessions of ``procedure_id`` (not rehearsals) whose record ends "completed" (``records``
    when the caller has already read them, else read from ``root`` or the data dir)."""
    records = records if records is not None else load_records(root)
    return sum(1 for session in records.real(procedure_id) if session.completed)


def auto_verbosity(procedure_id: str, root: Path | None = None, records: Records | None = None) -> str:
    return "brief" if completed_sessions(procedure_id, root, records) >= FIRST_SESSIONS else "detailed"
