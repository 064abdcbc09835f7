"""What the journals say: one summary per session, the check-ins, and how many entries were
partial. Reading only; ``history``, ``report``, resume and site rotation build on this.

Sessions are summarised from their events alone (pure: ``summarise``); ``load_records`` reads
every journal file in ``<data dir>/sessions``, with the fallback files of what could not be
written (``records.unsaved``). An event with a value of the wrong kind (``"at": "yesterday"``,
``"index": "x"``) is skipped and counted like a torn line, never a traceback.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path

from voiceguide.core.events import Event, EventType
from voiceguide.errors import DataDirError
from voiceguide.paths import data_dir
from voiceguide.records import unsaved
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
    dose_step: str | None = None
    """The id of the procedure's dose step (None: it has none)."""
    dose_known: bool = True
    """False for a journal written before dose steps were recorded."""
    dose_at: float | None = None
    """When the user moved past the dose step (the ``dose_given`` event of the guided session)."""
    dose_before: bool = False
    """It resumed a session that had passed the dose step already."""
    ended_with_dose: bool = False
    """Its ``session_ended`` event says the dose was given."""
    declined: tuple[str, ...] = ()
    """The checks answered "no", by step title (even when later answered "yes")."""

    @property
    def completed(self) -> bool:
        return self.outcome == "completed"

    @property
    def dose(self) -> str:
        """ "yes", "no" or "unknown": whether the dose was given in the guided session (or the one
        it carried on)."""
        if self.rehearsal:
            return "no"
        if self.dose_at is not None or self.dose_before or self.ended_with_dose:
            return "yes"
        if not self.dose_known:  # an older journal: a completed session with a site was a dose
            return "yes" if self.completed and self.site else "unknown"
        if self.dose_step is None:  # the procedure marks no dose step: completing it is its dose
            return "yes" if self.completed else "no"
        if self.outcome in RESUMABLE and self.step_id == self.dose_step:
            return "unknown"  # it stopped at the dose step itself: nobody can tell
        return "no"

    @property
    def dose_time(self) -> float | None:
        """When the dose was recorded (the session start for an older journal)."""
        return self.dose_at if self.dose_at is not None else self.started

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
        if self.step <= 0:
            return f"stopped before the first step ({why})"
        name = f": {self.step_title}" if self.step_title else ""
        return f"stopped at step {self.step} of {self.total}{name} ({why})"


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
        """The real session of ``procedure`` whose dose was recorded last (a dose counts
        whatever the outcome: completed, ended, interrupted or crashed after the dose step)."""
        done = [s for s in self.real(procedure) if s.dose == "yes"]
        return max(done, key=lambda s: s.dose_time or 0.0) if done else None

    def partial_note(self) -> str | None:
        if not self.partial:
            return None
        entries = "1 entry was" if self.partial == 1 else f"{self.partial} entries were"
        return (
            f"Note: {entries} partial (cut off when the computer stopped) and could not be read; "
            "everything else is shown."
        )


def summarise(events: list[Event], path: str = "") -> tuple[SessionRecord | None, list[Checkin], int]:
    """The session in one journal file (None for a check-in-only file), its check-ins, and
    the number of events skipped because a value was of the wrong kind."""
    record: SessionRecord | None = None
    checkins: list[Checkin] = []
    titles: dict[str, str] = {}
    bad = 0
    for item in events:
        if item.type is EventType.SESSION_STARTED and record is None:
            record, wrong = _started(item)
            bad += wrong
            continue
        try:
            record = _apply(record, item, checkins, titles)
        except (ValueError, TypeError, KeyError, AttributeError):
            bad += 1
    return (replace(record, path=path) if record else None), checkins, bad


def _apply(
    record: SessionRecord | None, item: Event, checkins: list[Checkin], titles: dict[str, str]
) -> SessionRecord | None:
    data, kind = item.data, item.type
    if kind is EventType.CHECKIN:
        effects = data.get("effects", ())
        concerning = data.get("concerning", ())
        if not all(isinstance(name, str) for name in [*effects, *concerning]):
            raise ValueError("check-in effects are not names")
        about = _text_or_none(data.get("about")) or (record.session if record else None)
        checkins.append(
            Checkin(item.at, tuple(effects), tuple(concerning), about, _text_or_none(data.get("said")))
        )
        return record
    if record is None:
        return None
    if kind is EventType.STEP_STARTED:
        step_id, title = _text_or_none(data.get("step")), _text_or_none(data.get("title"))
        if step_id and title:
            titles[step_id] = title
        return replace(
            record,
            step=_count(data.get("index", 0)),
            step_id=step_id,
            step_title=title,
            total=_count(data.get("total", record.total)),
        )
    if kind is EventType.SITE_CHOSEN:
        return replace(record, site=_text_or_none(data.get("site")))
    if kind is EventType.DOSE_GIVEN:
        site = _text_or_none(data.get("site")) or record.site
        return replace(record, dose_at=item.at if item.at is not None else record.started, site=site)
    if kind is EventType.CHECK_ANSWERED and data.get("answer") == "no":
        step = _text(data.get("step", ""))
        name = titles.get(step, step)
        return record if name in record.declined else replace(record, declined=record.declined + (name,))
    if kind is EventType.SESSION_ENDED:
        return replace(
            record,
            outcome=_text_or_none(data.get("outcome")),
            step=_count(data.get("step", record.step)),
            ended_with_dose=data.get("dose_given") is True,
        )
    return record


def _started(item: Event) -> tuple[SessionRecord, int]:
    """The session's opening event read field by field, so one bad value never hides the
    session: (its record, 1 if any value was of the wrong kind, else 0)."""
    data, wrong = item.data, 0

    def pick(convert, key, default):
        nonlocal wrong
        try:
            return convert(data.get(key, default))
        except (ValueError, TypeError):
            wrong = 1
            return convert(default)

    record = SessionRecord(
        session=pick(_text, "session", ""),
        procedure=pick(_text, "procedure", ""),
        title=pick(_text, "title", ""),
        started=item.at,
        rehearsal=bool(data.get("rehearsal")),
        outcome=None,
        total=pick(lambda v: _count(v or 0), "steps", 0),
        resumes=pick(_text_or_none, "resumes", None),
        digest=pick(_text_or_none, "digest", None),
        dose_step=pick(_text_or_none, "dose_step", None),
        dose_known="dose_step" in data,
        dose_before=data.get("dose_given") is True,
    )
    return record, wrong


def _text(value: object) -> str:
    if not isinstance(value, str):
        raise ValueError(f"not text: {value!r}")
    return value


def _text_or_none(value: object) -> str | None:
    return None if value is None else _text(value)


def _count(value: object) -> int:
    """A whole number >= 0 from the journal (never a bool, never "x")."""
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ValueError(f"not a count: {value!r}")
    return value


def load_records(root: Path | None = None, fallback: list[Path] | None = None) -> Records:
    """Every journal under ``<root>/sessions`` (default: the data dir), oldest first, each
    with its fallback file in ``fallback`` (default: ``unsaved.fallback_dirs``), if any."""
    folder = (root or data_dir()) / "sessions"
    records = Records()
    checkins: list[Checkin] = []
    if not folder.is_dir():
        return records
    kept = unsaved.found(fallback)
    for path in sorted(folder.glob("*.jsonl")):
        try:
            events, bad = read_journal(path, kept.get(path.name, []))
        except OSError as error:
            raise DataDirError(
                f"cannot read the session record {path}: {error.strerror or error}. Check its permissions."
            ) from None
        record, found, wrong = summarise(events, str(path))
        records.partial += bad + wrong
        if record is not None:
            records.sessions.append(record)
        checkins.extend(found)
    records.sessions.sort(key=lambda s: s.started or 0.0)
    by_id = {s.session: s for s in records.sessions}
    # a resumed session carries on with the site its predecessor confirmed
    # and with the time of the dose it passed
    for index, record in enumerate(records.sessions):
        before = by_id.get(record.resumes or "")
        if before is not None and (record.site is None or (record.dose_before and record.dose_at is None)):
            record = replace(
                record,
                site=record.site or before.site,
                dose_at=before.dose_at if record.dose_before and record.dose_at is None else record.dose_at,
            )
            records.sessions[index] = by_id[record.session] = record
    for checkin in checkins:
        target = by_id.get(checkin.about or "")
        if target is None:
            records.loose_checkins.append(checkin)
        else:
            by_id[target.session] = replace(target, checkins=target.checkins + (checkin,))
    records.sessions = [by_id[s.session] for s in records.sessions]
    return records
