"""Critical checks in a session: "yes" (a spoken one confirmed with "confirm"), "no" (the
next trained site, or the safe guidance; after the dose, the check's own guidance and on to
the aftercare), and the question as it stands. Handlers for the session's table. Pure."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from voiceguide.core import dose, prompts
from voiceguide.core.events import EventType, event
from voiceguide.core.intents import CONFIRM_PHRASE, normalise
from voiceguide.core.session_types import Command, Effects, Emit, Mode, Say, State

if TYPE_CHECKING:
    from voiceguide.core.session import Session


def ask_confirm(session: Session, state: State) -> tuple[State, Effects]:
    """A spoken "yes" to a check: sound-alikes are heard as "Yes." too often to pass it alone."""
    return replace(state, mode=Mode.CONFIRM), [
        Emit(event(EventType.CONFIRM_ASKED, step=session.step(state).id)),
        Say(f'I heard "yes". To be sure, say "{CONFIRM_PHRASE}" to go on, or "no".'),
    ]


def yes(session: Session, state: State, now: float) -> tuple[State, Effects]:
    if state.saving_check:
        state, answered = dose.unsaved_answered(state, yes=True)
        state, effects = session._enter(state, state.index)
        return state, [answered, *effects]
    step = session.step(state)
    answered = [Emit(event(EventType.CHECK_ANSWERED, step=step.id, answer="yes"))]
    if step.site_choice:
        site = step.site_choice.sites[state.site_pick]
        answered.append(Emit(event(EventType.SITE_CHOSEN, step=step.id, site=site)))
        state = replace(state, site=site)
    state, effects = session._next(state, now)
    return state, [*answered, *effects]


def no(session: Session, state: State, now: float) -> tuple[State, Effects]:
    step = session.step(state)
    if state.saving_check:
        state, answered = dose.unsaved_answered(state, yes=False)
        return state, [answered, safe_guidance(session, state)]
    if state.dose_given:  # the dose is in: guidance for this check, then on to the aftercare
        return dose.no_after_dose(session.procedure, state)
    answered = Emit(event(EventType.CHECK_ANSWERED, step=step.id, answer="no"))
    choice = step.site_choice
    if choice and state.site_pick + 1 < len(choice.sites):  # offer the next trained site
        state = replace(state, site_pick=state.site_pick + 1)
        asked = question(session, state)
        return state, [
            answered,
            Emit(event(EventType.CHECK_ASKED, step=step.id, question=asked)),
            Say(f'{asked} Please answer "yes" or "no".'),
        ]
    return replace(state, mode=Mode.SAFE_EXIT), [answered, safe_guidance(session, state)]


def not_confirmed(session: Session, state: State, now: float) -> tuple[State, Effects]:
    """ "no" instead of "confirm": the "yes" may have been misheard, so the check is asked
    again (a "no" to it then leads to the safe guidance)."""
    asked = question(session, state)
    return replace(state, mode=Mode.CHECK), [
        Emit(event(EventType.CHECK_ASKED, step=session.step(state).id, question=asked)),
        Say(f'All right. {asked} Please answer "yes" or "no".'),
    ]


def question(session: Session, state: State) -> str:
    if state.saving_check:
        return dose.UNSAVED_QUESTION
    step = session.step(state)
    if step.site_choice:
        return step.site_choice.question(state.site_pick)
    return step.check.question if step.check else ""


def safe_guidance(session: Session, state: State) -> Say:
    if state.saving_check:
        return Say(f"{dose.UNSAVED_NO} {prompts.SAFE_EXIT_HINT}")
    guidance = session.step(state).check.if_no or "Do not inject. Contact your clinician for advice."
    return Say(f"{guidance} {prompts.SAFE_EXIT_HINT}")


def needs_confirming(heard: Command) -> bool:
    """A "yes" to a check that was spoken, and not as the confirm word itself."""
    return heard.spoken and normalise(heard.text) != CONFIRM_PHRASE
