"""The rows ``voiceguide history`` and ``voiceguide report`` show: one per injection attempt (a
session and the sessions that resumed it, merged), one per check-in not about a recorded
session, oldest first, plus the schedule sentences.
"""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass
from datetime import date

from voiceguide.core.checkin_phrases import labels
from voiceguide.core.procedure import Procedure
from voiceguide.core.profile import Profile
from voiceguide.core.rotation import STEP_ID as SITE_STEP_ID
from voiceguide.core.schedule import describe, due
from voiceguide.records.sessions import Checkin, Records, SessionRecord

COLUMNS = ("date", "procedure", "result", "dose given", "declined checks", "rehearsal", "site", "check-in")


@dataclass(frozen=True)
class Row:
    at: float | None
    procedure: str
    result: str
    rehearsal: bool
    site: str
    checkin: str
    concerning: bool
    """A check-in on this row named a concerning effect."""
    dose: str = "no"
    """ "yes", "no" or "unknown" (for a check-in row: "-")."""
    declined: tuple[str, ...] = ()
    """The checks answered "no" (by step title)."""
    checkins: tuple[Checkin, ...] = ()
    """Each check-in of this row, with its own time."""

    @property
    def day(self) -> date | None:
        return date.fromtimestamp(self.at) if self.at is not None else None

    def cells(self) -> tuple[str, ...]:
        return (
            stamp(self.at),
            self.procedure,
            self.result,
            self.dose,
            "; ".join(self.declined) or "-",
            "yes" if self.rehearsal else "no",
            self.site or "-",
            self.checkin or "-",
        )


def stamp(at: float | None) -> str:
    return time.strftime("%Y-%m-%d %H:%M", time.localtime(at)) if at is not None else "unknown"


def checkin_text(checkins: tuple[Checkin, ...] | list[Checkin], timed: bool = False) -> str:
    """What each check-in reported (``timed``: each after its own date and time)."""
    parts = []
    for checkin in checkins:
        if checkin.said:
            parts.append(f'"{checkin.said}" (in their words, for the clinician)')
            continue
        text = labels(checkin.effects) if checkin.effects else "not recorded"
        text = f"{text} (told to contact the clinician)" if checkin.concerning else text
        parts.append(f"{stamp(checkin.at)} {text}" if timed else text)
    return "; ".join(parts)


def attempts(records: Records) -> list[tuple[SessionRecord, ...]]:
    """The sessions grouped into injection attempts: a session and every session that carried
    it on (``resumes``), in order; attempts oldest first."""
    by_id = {s.session: s for s in records.sessions}
    groups: dict[str, list[SessionRecord]] = {}
    for record in records.sessions:  # oldest first, so a predecessor is placed before
        root, seen = record, {record.session}
        while root.resumes in by_id and root.resumes not in seen:
            root = by_id[root.resumes]
            seen.add(root.session)
        groups.setdefault(root.session, []).append(record)
    return [tuple(parts) for parts in groups.values()]


def attempt_dose(parts: tuple[SessionRecord, ...]) -> str:
    doses = [part.dose for part in parts]
    return "yes" if "yes" in doses else "unknown" if "unknown" in doses else "no"


def attempt_row(parts: tuple[SessionRecord, ...]) -> Row:
    first, last = parts[0], parts[-1]
    checkins = tuple(sorted((c for p in parts for c in p.checkins), key=lambda c: c.at or 0.0))
    declined: list[str] = []
    for part in parts:
        declined += [name for name in part.declined if name not in declined]
    result = last.status()
    if len(parts) > 1:
        result += f", resumed {len(parts) - 1} time{'s' * (len(parts) > 2)}"
    return Row(
        first.started,
        first.title or first.procedure,
        result,
        first.rehearsal,
        next((p.site for p in reversed(parts) if p.site), ""),
        checkin_text(checkins, timed=True),
        any(c.concerning or c.said for c in checkins),
        attempt_dose(parts),
        tuple(declined),
        checkins,
    )


def rows(records: Records, since: date | None = None) -> list[Row]:
    found = [attempt_row(parts) for parts in attempts(records)]
    found += [
        Row(
            c.at,
            "check-in",
            "check-in",
            False,
            "",
            checkin_text([c]),
            bool(c.concerning or c.said),
            "-",
            (),
            (c,),
        )
        for c in records.loose_checkins
    ]
    found.sort(key=lambda row: row.at or 0.0)
    return [row for row in found if since is None or (row.day is not None and row.day >= since)]


def sites_used(found: list[Row], profile: Profile | None) -> list[tuple[str, int, str]]:
    """(site, doses given there, last day used) for the profile's sites (in rotation order) and
    any other site on record. Only attempts whose dose was given count."""
    doses = [row for row in found if row.site and not row.rehearsal and row.dose == "yes"]
    counts = Counter(row.site for row in doses)
    last = {row.site: row.cells()[0][:10] for row in doses}
    order = list(profile.sites) if profile else []
    order += sorted(site for site in counts if site not in order)
    return [(site, counts.get(site, 0), last.get(site, "-")) for site in order]


def schedule(
    records: Records,
    profile: Profile | None,
    procedure: str,
    today: date,
    before_dose: frozenset[str] = frozenset(),
) -> list[str]:
    """The schedule sentences; an unfinished session after the last completed one adds "if you
    are not sure whether you had your dose" unless it stopped at a step in ``before_dose``
    (the ids of the steps before the dose could have been given)."""
    dose = records.last_dose(procedure)
    at = dose.dose_time if dose else None
    last_day = date.fromtimestamp(at) if at else None
    later = [
        s
        for s in records.real(procedure)
        if not s.completed
        and s.dose != "yes"
        and (s.started or 0) > (at or 0)
        and s.step > 0
        and not (s.step_id is not None and s.step_id in before_dose)
    ]
    unfinished = date.fromtimestamp(later[-1].started) if later and later[-1].started else None
    interval = profile.interval_days if profile else None
    return describe(due(last_day, interval, today), interval, unfinished)


def header(profile: Profile | None) -> list[tuple[str, str]]:
    """(label, value) for the report's header: who and what the record is about."""
    if profile is None:
        return []
    contact = profile.values().get("clinician")
    found = [
        ("Patient", profile.patient),
        ("Product", profile.product),
        ("Route", profile.route),
        ("Clinician", contact),
    ]
    return [(label, value) for label, value in found if value]


def steps_before_dose(procedure: Procedure | None) -> frozenset[str]:
    """Ids of the steps of ``procedure`` before its dose could have been given: those before
    the step marked ``dose`` or, without one, up to its ``site: true`` step (with the
    "Today's site" step site rotation adds before it); none when neither is there."""
    if procedure is None:
        return frozenset()
    steps = procedure.steps
    marked = [i for i, step in enumerate(steps) if step.dose]
    sites = [i for i, step in enumerate(steps) if step.site]
    end = marked[0] if marked else (sites[0] + 1 if sites else 0)
    return frozenset({step.id for step in steps[:end]} | ({SITE_STEP_ID} if end else set()))


def render_text(found: list[Row]) -> str:
    table = [COLUMNS] + [row.cells() for row in found]
    widths = [max(len(line[i]) for line in table) for i in range(len(COLUMNS))]
    out = ["  ".join(cell.ljust(width) for cell, width in zip(line, widths)).rstrip() for line in table]
    return "\n".join(out)
