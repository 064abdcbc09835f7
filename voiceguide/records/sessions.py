"""What the journals say: one summary per session, the check-ins, and how many entries were
partial. Reading only; ``history``, ``report``, resume and site rotation build on this.

Sessions are summarised from their events alone (pure: ``summarise``); ``load_records`` reads
every journal file in ``<data dir>/sessions``.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path

from voiceguide.core.events import Event, EventType
from voiceguide.errors import DataDirError
from voiceguide.paths import data_dir
from voiceguide.records.journal import read_journal

RESUMABLE = (None, "interrupted", "input_closed")
"""Outcomes of a session that did not finish by anyone's choice (None: no end was recorded,
after a crash or power cut). A session the user ended, or that ended after "no" at a check,
is never offered for resuming."""


@dataclass(frozen=True)
class Checkin:
    at: float | None
    effects: tuple[str, ...]
    """Effect names from checkin_phrases.EFFECTS ("none", "soreness", ...)."""
    concerning: tuple[str, ...]
    about: str | None
    """The session id it is about, or None."""
    said: str | None = None
    """An answer that was none of the listed phrases, recorded as said for the clinician."""


@dataclass(frozen=True)
class SessionRecord:
    session: str
    procedure: str
    title: str
    started: float | None
    """Wall-clock seconds since the epoch."""
    rehearsal: bool
    outcome: str | None
    """A session_ended outcome, or None when the journal stops without one (crash)."""
    step: int = 0
    """The last step reached, 1-based (0: none)."""
    step_id: str | None = None
    step_title: str | None = None
    total: int = 0
    site: str | None = None
    resumes: str | None = None
    """The id of the unfinished session this one carried on."""
    digest: str | None = None
    """SHA-256 of the procedure file the session ran (None in records made before it was kept)."""
    checkins: tuple[Checkin, ...] = ()
    path: str = ""

    @property
    def completed(self) -> bool:
        return self.outcome == "completed"

    @property
    def resumable(self) -> bool:
        return not self.rehearsal and self.outcome in RESUMABLE and self.step > 0

    def status(self) -> str:
        if self.completed:
            return "completed"
        why = {
            None: "no end recorded",
            "interrupted": "interrupted",
            "input_closed": "input closed",
            "ended": "ended by the user",
            "declined_check": '"no" at a check',
        }.get(self.outcome, self.outcome)
        return f"stopped at step {self.step} of {self.total} ({why})"


@dataclass
class Records:
    sessions: list[SessionRecord] = field(default_factory=list)
    """Oldest first."""
    loose_checkins: list[Checkin] = field(default_factory=list)
    """Check-ins not about a recorded session."""
    partial: int = 0
    """Journal lines that could not be read (a torn last line after a power cut)."""

    def real(self, procedure: str | None = None) -> list[SessionRecord]:
        return [
            s for s in self.sessions if not s.rehearsal and (procedure is None or s.procedure == procedure)
        ]

    def last_real(self, procedure: str) -> SessionRecord | None:
        found = self.real(procedure)
        return found[-1] if found else None

    def resume_point(self, procedure: str) -> SessionRecord | None:
        """The last real session of ``procedure`` if it did not finish (rehearsals never count)."""
        last = self.last_real(procedure)
        return last if last is not None and last.resumable else None

    def last_site(self, procedure: str) -> str | None:
        for record in reversed(self.real(procedure)):
            if record.site:
                return record.site
        return None

    def last_dose(self, procedure: str) -> SessionRecord | None:
        done = [s for s in self.real(procedure) if s.completed]
        return done[-1] if done else None

    def partial_note(self) -> str | None:
        if not self.partial:
            return None
        entries = "1 entry was" if self.partial == 1 else f"{self.partial} entries were"
        return (
            f"Note: {entries} partial (cut off when the computer stopped) and could not be read; "
            "everything else is shown."
        )


def summarise(events: list[Event], path: str = "") -> tuple[SessionRecord | None, list[Checkin]]:
    """The session in one journal file (None for a check-in-only file) and its check-ins."""
    record: SessionRecord | None = None
    checkins: list[Checkin] = []
    for item in events:
        data = item.data
        kind = item.type
        if kind is EventType.SESSION_STARTED and record is None:
            record = SessionRecord(
                session=str(data.get("session", "")),
                procedure=str(data.get("procedure", "")),
                title=str(data.get("title", "")),
                started=item.at,
                rehearsal=bool(data.get("rehearsal")),
                outcome=None,
                total=int(data.get("steps") or 0),
                resumes=data.get("resumes"),
                digest=data.get("digest"),
                path=path,
            )
        elif kind is EventType.CHECKIN:
            about = data.get("about") or (record.session if record else None)
            checkins.append(
                Checkin(
                    item.at,
                    tuple(data.get("effects", ())),
                    tuple(data.get("concerning", ())),
                    about,
                    data.get("said"),
                )
            )
        elif record is None:
            continue
        elif kind is EventType.STEP_STARTED:
            record = replace(
                record,
                step=int(data.get("index", 0)),
                step_id=data.get("step"),
                step_title=data.get("title"),
                total=int(data.get("total", record.total)),
            )
        elif kind is EventType.SITE_CHOSEN:
            record = replace(record, site=data.get("site"))
        elif kind is EventType.SESSION_ENDED:
            record = replace(record, outcome=data.get("outcome"), step=int(data.get("step", record.step)))
    return record, checkins


def load_records(root: Path | None = None) -> Records:
    """Every journal under ``<root>/sessions`` (default: the data dir), oldest first."""
    folder = (root or data_dir()) / "sessions"
    records = Records()
    checkins: list[Checkin] = []
    if not folder.is_dir():
        return records
    for path in sorted(folder.glob("*.jsonl")):
        try:
            events, bad = read_journal(path)
        except OSError as error:
            raise DataDirError(
                f"cannot read the session record {path}: {error.strerror or error}. Check its permissions."
            ) from None
        records.partial += bad
        record, found = summarise(events, str(path))
        if record is not None:
            records.sessions.append(record)
        checkins.extend(found)
    records.sessions.sort(key=lambda s: s.started or 0.0)
    by_id = {s.session: s for s in records.sessions}
    # a resumed session carries on with the site its predecessor confirmed
    for index, record in enumerate(records.sessions):
        if record.site is None and record.resumes in by_id:
            record = replace(record, site=by_id[record.resumes].site)
            records.sessions[index] = by_id[record.session] = record
    for checkin in checkins:
        target = by_id.get(checkin.about or "")
        if target is None:
            records.loose_checkins.append(checkin)
        else:
            by_id[target.session] = replace(target, checkins=target.checkins + (checkin,))
    records.sessions = [by_id[s.session] for s in records.sessions]
    return records
