"""A step with a list of things to gather (``items:``), read one at a time. Pure.

The list is read within the existing command vocabulary, so no new phrase changes what the
recognizer listens for: at such a step "next step" reads the next thing and, after the last
one, moves on as usual; "repeat" says the current thing again and "go back" the one before
(from the first, the step itself). ``State.item`` is the thing last read, or None.
"""

from __future__ import annotations

from dataclasses import replace

from voiceguide.core.procedure import Step
from voiceguide.core.session_types import Effects, Mode, Say, State


def announce(step: Step) -> str:
    """Added after the step's text when it is said."""
    count = len(step.items)
    things = "thing" if count == 1 else "things"
    said = (
        f'There {"is" if count == 1 else "are"} {count} {things}. Say "next step" to hear them one at a time'
    )
    return f'{said}, or "skip step" if you have them all.' if step.skippable else f"{said}."


def reading(step: Step, state: State) -> bool:
    """True while the step's list is being read (a plain step mode with items)."""
    return bool(step.items) and state.mode is Mode.STEP


def next_item(step: Step, state: State) -> tuple[State, Effects] | None:
    """The next thing, or None when the last one has been read (the step is done)."""
    following = 0 if state.item is None else state.item + 1
    if not reading(step, state) or following >= len(step.items):
        return None
    return replace(state, item=following), [Say(_item(step, following))]


def repeat_item(step: Step, state: State) -> Effects | None:
    """The current thing again, or None before the first one."""
    if not reading(step, state) or state.item is None:
        return None
    return [Say(_item(step, state.item))]


def previous_item(step: Step, state: State) -> tuple[State, Effects] | None:
    """The thing before the current one; None before the first (go back as usual) or at the
    first (the caller says the step again)."""
    if not reading(step, state) or not state.item:
        return None
    return replace(state, item=state.item - 1), [Say(_item(step, state.item - 1))]


def where(step: Step, state: State) -> str:
    """ ", thing 3 of 7" while the list is being read, else ""."""
    if not reading(step, state) or state.item is None:
        return ""
    return f", thing {state.item + 1} of {len(step.items)}"


def hint(step: Step, state: State) -> str | None:
    if not reading(step, state):
        return None
    last = state.item is not None and state.item + 1 >= len(step.items)
    if last:
        return 'That was the last thing. Say "next step" when you have everything, or "go back".'
    return 'Say "next step" to hear the next thing, or "repeat".'


def _item(step: Step, index: int) -> str:
    return f"{index + 1} of {len(step.items)}: {step.items[index]}"
