"""The dose as a fact of its own (safety rule 6), for the session state machine: moving past
the dose step records ``dose_given`` once; after it, a "no" at a check is guidance, not a
failure to start; every way a session ends carries ``dose_given``. Pure.
"""

from __future__ import annotations

from dataclasses import replace

from voiceguide.core.events import Event, EventType, event
from voiceguide.core.procedure import Procedure
from voiceguide.core.session_types import Effects, Emit, Mode, Outcome, Say, State


def saving_failed(problem: str) -> str:
    """The notice, said and shown once, when the record cannot be saved."""
    return (
        f"I can't save your record: {problem}. I am keeping everything that happens and will "
        "save it as soon as I can. You can carry on."
    )


SAVING_AGAIN = "Your record is being saved again."
CARRY_ON = 'When you are ready, say "next step" and I will go on with the remaining steps.'
UNSAVED_STEP = "record-not-saved"
"""The step id journalled for the question asked before the dose step when nothing saves."""
UNSAVED_WARNING = (
    "Before the injection: I can't save your record at the moment, so if the computer stops, "
    "today's dose may not be recorded, and a later session could not warn you about it. If you "
    "go on, write down the time and the site of your injection."
)
UNSAVED_QUESTION = "Do you want to go on to the injection without a saved record?"
UNSAVED_NO = (
    "Do not inject yet. Free some space on the computer, or ask someone to; I will then try to "
    "save your record again. If you are unsure, contact your clinician."
)


def must_ask_unsaved(procedure: Procedure, state: State, index: int) -> bool:
    """Entering step ``index`` needs the "no saved record" question first."""
    return index == procedure.dose_index and state.unsaved and not state.unsaved_ok and not state.dose_given


def ask_unsaved(state: State, index: int) -> tuple[State, Effects]:
    """The question before the dose step (``index``) while nothing can be saved: an explicit
    "yes" (then "confirm") goes on; "no" is safe guidance."""
    asked = Emit(event(EventType.CHECK_ASKED, step=UNSAVED_STEP, question=UNSAVED_QUESTION))
    state = replace(state, index=index, quiet_since=None, reminders=0, resume_to=None, site_pick=0)
    return replace(state, mode=Mode.CHECK, saving_check=True), [
        asked,
        Say(f'{UNSAVED_WARNING} {UNSAVED_QUESTION} Please answer "yes" or "no".'),
    ]


def unsaved_answered(state: State, yes: bool) -> tuple[State, Emit]:
    answered = Emit(event(EventType.CHECK_ANSWERED, step=UNSAVED_STEP, answer="yes" if yes else "no"))
    if yes:
        return replace(state, saving_check=False, unsaved_ok=True), answered
    return replace(state, mode=Mode.SAFE_EXIT), answered


def passing(procedure: Procedure, state: State) -> tuple[State, Effects]:
    """Leaving step ``state.index`` forward: a ``dose_given`` event (with the site confirmed
    today) if it is the dose step and the dose is not recorded yet."""
    if state.index != procedure.dose_index or state.dose_given:
        return state, []
    step = procedure.steps[state.index]
    given = Emit(event(EventType.DOSE_GIVEN, step=step.id, site=state.site))
    return replace(state, dose_given=True), [given]


def no_after_dose(procedure: Procedure, state: State) -> tuple[State, Effects]:
    """A "no" at a check after the dose: that check's guidance, recorded, then the session
    waits for "next step" at the same step (never "try again", never the start)."""
    step = procedure.steps[state.index]
    answered = Emit(event(EventType.CHECK_ANSWERED, step=step.id, answer="no", after_dose=True))
    guidance = step.check.if_no if step.check and step.check.if_no else ""
    return replace(state, mode=Mode.STEP), [answered, Say(f"{guidance} {CARRY_ON}".strip())]


def ended_after_dose(state: State, total: int) -> str:
    return f"The session has ended at step {state.index + 1} of {total}. Your dose is recorded as given."


def ended_event(state: State, outcome: Outcome, total: int) -> Event:
    """The ``session_ended`` event for ``state`` (the runner records it too, on an interrupt)."""
    return event(
        EventType.SESSION_ENDED,
        outcome=outcome.value,
        step=state.index + 1,
        total=total,
        dose_given=state.dose_given,
    )
