"""Speech rate and volume as the user changes them by voice ("slow down", "louder"): a
handler per command for the session's table, each within limits. Pure."""

from __future__ import annotations

from dataclasses import replace

from voiceguide.core.events import EventType, event
from voiceguide.core.session_types import Effects, Emit, Say, SetVoice, State

RATE_STEP, RATE_MIN, RATE_MAX = 25, 100, 260
"""Speech rate change per command and limits, words per minute."""
VOLUME_STEP, VOLUME_MIN, VOLUME_MAX = 0.2, 0.2, 1.0
"""Volume change per command and limits, fraction of full scale."""


def voice_change(name: str, delta: float):
    """A handler that changes the speech rate or volume by ``delta``, within limits."""

    def change(session: object, state: State, now: float) -> tuple[State, Effects]:
        if name == "rate":
            value = int(min(RATE_MAX, max(RATE_MIN, state.rate + delta)))
            new, same = replace(state, rate=value), value == state.rate
        else:
            value = round(min(VOLUME_MAX, max(VOLUME_MIN, state.volume + delta)), 2)
            new, same = replace(state, volume=value), value == state.volume
        if same:
            return state, [Say("That is already the limit.")]
        words = {
            ("rate", True): "Slower.",
            ("rate", False): "Faster.",
            ("volume", True): "Quieter.",
            ("volume", False): "Louder.",
        }[(name, delta < 0)]
        return new, [
            SetVoice(new.rate, new.volume),
            Emit(event(EventType.SETTING_CHANGED, name=name, value=value)),
            Say(words),
        ]

    return change
