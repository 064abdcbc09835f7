"""The rows ``voiceguide history`` and ``voiceguide report`` show: one per session (and one per
check-in not about a recorded session), oldest first, plus the schedule sentences.
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
from voiceguide.records.sessions import Checkin, Records

COLUMNS = ("date", "procedure", "result", "rehearsal", "site", "check-in")


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

    @property
    def day(self) -> date | None:
        return date.fromtimestamp(self.at) if self.at is not None else None

    def cells(self) -> tuple[str, ...]:
        when = time.strftime("%Y-%m-%d %H:%M", time.localtime(self.at)) if self.at is not None else "unknown"
        return (
            when,
            self.procedure,
            self.result,
            "yes" if self.rehearsal else "no",
            self.site or "-",
            self.checkin or "-",
        )


def checkin_text(checkins: tuple[Checkin, ...] | list[Checkin]) -> str:
    parts = []
    for checkin in checkins:
        if checkin.said:
            parts.append(f'"{checkin.said}" (in their words, for the clinician)')
            continue
        text = labels(checkin.effects) if checkin.effects else "not recorded"
        parts.append(f"{text} (told to contact the clinician)" if checkin.concerning else text)
    return "; ".join(parts)


def rows(records: Records, since: date | None = None) -> list[Row]:
    found = [
        Row(
            s.started,
            s.title or s.procedure,
            s.status(),
            s.rehearsal,
            s.site or "",
            checkin_text(s.checkins),
            any(c.concerning or c.said for c in s.checkins),
        )
        for s in records.sessions
    ]
    found += [
        Row(c.at, "check-in", "check-in", False, "", checkin_text([c]), bool(c.concerning or c.said))
        for c in records.loose_checkins
    ]
    found.sort(key=lambda row: row.at or 0.0)
    return [row for row in found if since is None or (row.day is not None and row.day >= since)]


def sites_used(found: list[Row], profile: Profile | None) -> list[tuple[str, int, str]]:
    """(site, times confirmed, last day used) for the profile's sites (in rotation order) and
    any other site on record."""
    counts = Counter(row.site for row in found if row.site and not row.rehearsal)
    last = {row.site: row.cells()[0][:10] for row in found if row.site and not row.rehearsal}
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
    last_day = date.fromtimestamp(dose.started) if dose and dose.started else None
    later = [
        s
        for s in records.real(procedure)
        if not s.completed
        and (s.started or 0) > (dose.started if dose else 0)
        and not (s.step_id is not None and s.step_id in before_dose)
    ]
    unfinished = date.fromtimestamp(later[-1].started) if later and later[-1].started else None
    interval = profile.interval_days if profile else None
    return describe(due(last_day, interval, today), interval, unfinished)


def steps_before_dose(procedure: Procedure | None) -> frozenset[str]:
    """Ids of the steps of ``procedure`` before its dose could have been given: those before
    the step marked ``dose`` or, without one, up to its ``site: true`` step (with the
    "Today's site" step site rotation adds before it); none when neither is there."""
    if procedure is None:
        return frozenset()
    steps = procedure.steps
    marked = [i for i, step in enumerate(steps) if getattr(step, "dose", False)]
    sites = [i for i, step in enumerate(steps) if step.site]
    end = marked[0] if marked else (sites[0] + 1 if sites else 0)
    return frozenset({step.id for step in steps[:end]} | ({SITE_STEP_ID} if end else set()))


def render_text(found: list[Row]) -> str:
    table = [COLUMNS] + [row.cells() for row in found]
    widths = [max(len(line[i]) for line in table) for i in range(len(COLUMNS))]
    out = ["  ".join(cell.ljust(width) for cell, width in zip(line, widths)).rstrip() for line in table]
    return "\n".join(out)
