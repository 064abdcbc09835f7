"""The second-dose guard (safety rule 6): before step 1 of a real session, when the last
recorded dose of this procedure is within the profile's interval, or the last session passed
(or stopped at) the dose step and never ended, it is said, and the session goes on only on an
explicit "yes" and then "confirm" (typed: "yes" then "y"). A rehearsal, and a procedure
without a dose step, are never guarded.

``warning`` decides (pure: the records, the interval and the time are passed in); ``guard``
asks.
"""

from __future__ import annotations

import logging
import time
from datetime import date, timedelta

from voiceguide.app.asking import Conversation
from voiceguide.app.resume import when
from voiceguide.core.intents import Intent, Moment
from voiceguide.core.procedure import Procedure
from voiceguide.core.profile import Profile
from voiceguide.core.schedule import day, too_soon
from voiceguide.records.sessions import Records, SessionRecord

log = logging.getLogger(__name__)

QUESTION = "Do you want to start a new session anyway?"
CONFIRM = 'To be sure, say "confirm" to start a new session, or say "no".'
NOT_STARTED = (
    "I have not started a new session. If you are not sure whether you had your dose, contact your clinician."
)


def spoken_time(at: float, now: float) -> str:
    """ "today at 14:13", "yesterday at 09:05" or "on Monday 7 December at 14:13"."""
    days = (date.fromtimestamp(now) - date.fromtimestamp(at)).days
    clock = time.strftime("%H:%M", time.localtime(at))
    if days == 0:
        return f"today at {clock}"
    if days == 1:
        return f"yesterday at {clock}"
    return when(at)


def warning(records: Records, procedure: str, interval_days: int | None, now: float) -> str | None:
    """What to say before step 1, or None when no recorded dose stands in the way."""
    last = records.last_real(procedure)
    unfinished: SessionRecord | None = None
    if last is not None and not last.completed and last.dose in ("yes", "unknown"):
        unfinished = last
    dose = records.last_dose(procedure)
    recent = dose is not None and dose.dose_time is not None and too_soon(dose.dose_time, interval_days, now)
    if not recent and unfinished is None:
        return None
    parts = []
    if dose is not None and dose.dose_time is not None and (recent or unfinished is dose):
        parts.append(f"Your last dose was recorded {spoken_time(dose.dose_time, now)}.")
        if interval_days:
            due = date.fromtimestamp(dose.dose_time) + timedelta(days=interval_days)
            parts.append(
                f"Your profile says one dose every {interval_days} days, so the next one is due on {day(due)}."
            )
    if unfinished is not None and unfinished.dose == "unknown":
        parts.append(
            f"Your last session, {spoken_time(unfinished.started or now, now)}, stopped at the "
            f"injection step, {unfinished.step_title or 'the dose step'}, so it may have been given."
        )
    elif unfinished is not None and unfinished is not dose:
        parts.append("Your last session went past the injection step and did not finish.")
    parts.append("Going on could mean a second dose. If you are unsure, contact your clinician first.")
    return " ".join(parts)


def guard(talk: Conversation, text: str) -> bool:
    """Say ``text``; True only for "yes" and then "confirm" (typed: "yes" or "y")."""
    talk.say(text)
    if not talk.ask_yes_no(QUESTION):
        talk.say(NOT_STARTED)
        log.info("second-dose guard: not started")
        return False
    confirmed = talk.ask(
        CONFIRM,
        Moment.CONFIRM,
        lambda heard, command: {Intent.YES: True, Intent.NO: False}.get(command),
        hint=CONFIRM,
    )
    if not confirmed:
        talk.say(NOT_STARTED)
        return False
    talk.say("All right: a new session starts now. Your earlier dose stays on record.")
    log.info("second-dose guard: confirmed")
    return True


def starting_point(
    talk: Conversation, procedure: Procedure, profile: Profile | None, records: Records, now: float
) -> tuple[int, SessionRecord | None] | None:
    """(the 0-based first step, the unfinished session it carries on or None), or None when
    the session must not start (no answer to the resume offer, or the guard not confirmed)."""
    from voiceguide.app.resume import offer_resume

    first, point = 0, None if procedure.rehearsal else records.resume_point(procedure.id)
    if point is not None:
        first = offer_resume(talk, procedure, point)
        if first is None:
            return None
    if (
        procedure.rehearsal
        or procedure.dose_index is None
        or (first and point is not None and point.dose == "yes")
    ):
        return first, point  # a dry run, no dose step, or carrying on after the dose: no dose ahead
    text = warning(records, procedure.id, profile.interval_days if profile else None, now)
    if text is not None and not guard(talk, text):
        return None
    return first, point
