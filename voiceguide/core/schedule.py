"""When the next dose is due, from the profile's interval and the last recorded dose (a session
that passed the dose step, whatever its outcome).

Pure: ``today`` is passed in. It never makes a catch-up plan: an overdue dose is referred to
the clinician.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

CATCH_UP = "Contact your clinician for the right catch-up plan."


@dataclass(frozen=True)
class Due:
    last: date | None
    """The day of the last recorded (real) dose."""
    next: date | None
    today: date

    @property
    def overdue(self) -> bool:
        return self.next is not None and self.today > self.next


def due(last_dose: date | None, interval_days: int | None, today: date) -> Due:
    next_day = last_dose + timedelta(days=interval_days) if last_dose and interval_days else None
    return Due(last_dose, next_day, today)


SAME_DAY_S = 24 * 3600
"""Without a dose interval, a dose recorded this recently still warns before a new session."""


def too_soon(last_dose_at: float, interval_days: int | None, now: float) -> bool:
    """True when a new dose at ``now`` (seconds since the epoch) would come before the
    profile's interval since the last recorded dose (within a day when no interval is set)."""
    window = interval_days * 24 * 3600 if interval_days else SAME_DAY_S
    return now - last_dose_at < window


def day(value: date) -> str:
    return f"{value:%A} {value.day} {value:%B %Y}"


def describe(found: Due, interval_days: int | None, unfinished_after: date | None = None) -> list[str]:
    """Sentences for ``history`` and the report."""
    lines = []
    if not interval_days:
        lines.append(
            "No dose interval is set: give --profile FILE (with 'interval_days') to see "
            "when the next dose is due."
        )
    elif found.last is None:
        lines.append(
            "No dose is on record, so there is no next due date yet. "
            "Ask your clinician when your next dose is due."
        )
    elif found.overdue:
        late = (found.today - found.next).days
        lines.append(
            f"Your next dose was due on {day(found.next)} ({late} day{'s' * (late != 1)} ago). " + CATCH_UP
        )
    else:
        left = (found.next - found.today).days
        when = "today" if left == 0 else f"in {left} day{'s' * (left != 1)}"
        lines.append(
            f"Next dose due: {day(found.next)} ({when}), {interval_days} days after your "
            f"last recorded dose on {day(found.last)}."
        )
    if unfinished_after is not None:
        lines.append(
            f"Your last session, on {day(unfinished_after)}, did not finish. If you are not sure "
            "whether you had your dose, contact your clinician."
        )
    return lines
