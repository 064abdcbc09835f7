"""A step's timer while it runs: when the next tick is due, the notice of the time left, the
spoken final countdown, and "time is up". Pure: ``now`` is passed in."""

from __future__ import annotations

from dataclasses import replace

from voiceguide.core.events import EventType, event
from voiceguide.core.procedure import Step
from voiceguide.core.session_types import Effects, Emit, Mode, Say, State

TIMER_NOTICE_AT_S = 10
"""A running timer says how long is left when this many seconds remain (if longer than 15 s)."""
COUNTDOWN_FROM = 5
"""The last seconds of a timer longer than this are counted aloud: 5, 4, 3, 2, 1."""


def ready_prompt(seconds: int) -> str:
    """What a timer step says after its instruction: the timer waits for the user."""
    length = f"{seconds}-second" if seconds < 120 or seconds % 60 else f"{seconds // 60}-minute"
    return f'Say "next step" when it is done, and I will start the {length} timer.'


def start_timer(state: State, step: Step) -> tuple[State, Effects]:
    """The action before ``step``'s timer is done: the timer starts, and says so (it counts
    from when this has been said)."""
    started = Emit(event(EventType.TIMER_STARTED, step=step.id, seconds=step.timer.seconds))
    return replace(state, mode=Mode.TIMER), [
        started,
        Say(f"The timer has started. {step.timer.say or ''}".strip()),
    ]


def timer_deadline(state: State, seconds: int) -> float | None:
    """When the running timer (of ``seconds`` in all) next needs a tick; None before it runs."""
    if state.timer_end is None:
        return None
    if _wants_notice(state, seconds):
        return state.timer_end - TIMER_NOTICE_AT_S
    count = _next_count(state, seconds)
    return state.timer_end - count if count else state.timer_end


def timer_tick(state: State, step: Step, now: float) -> tuple[State, Effects]:
    """The timer of ``step`` at ``now``: the time left, the next count, or "time is up"."""
    left = round(state.timer_end - now)
    if left > 0 and _wants_notice(state, step.timer.seconds):
        return replace(state, timer_noticed=True), [Say(f"{left} seconds left.")]
    if 0 < left < (state.timer_counted or COUNTDOWN_FROM + 1) and left <= COUNTDOWN_FROM:
        return replace(state, timer_noticed=True, timer_counted=left), [Say(f"{left}.")]
    if left > 0:  # a late tick that would repeat a number: wait for the next one
        return replace(state, timer_noticed=True), []
    done = step.timer.done or "Time is up."
    state = replace(
        state, mode=Mode.STEP, timer_end=None, timer_noticed=False, timer_counted=None, quiet_since=None
    )
    return state, [
        Emit(event(EventType.TIMER_FINISHED, step=step.id)),
        Say(f'{done} Say "next step" when you are ready.'),
    ]


def time_left(state: State, seconds: int, now: float) -> str:
    """What "repeat" says while a timer of ``seconds`` runs or is paused."""
    left = (
        state.timer_end - now
        if state.timer_end is not None
        else (state.timer_left if state.timer_left is not None else seconds)
    )
    return f"{max(1, round(left))} seconds left."


def _wants_notice(state: State, seconds: int) -> bool:
    return not state.timer_noticed and seconds > 15


def _next_count(state: State, seconds: int) -> int | None:
    """The next number of the final countdown to say, or None when it is over (or the timer
    is too short to count)."""
    if seconds <= COUNTDOWN_FROM:
        return None
    nxt = (state.timer_counted or COUNTDOWN_FROM + 1) - 1
    return nxt if nxt >= 1 else None
