"""The barge-in rule, one place for the session and the short exchanges around it: while a
prompt plays, or when the microphone heard a voice over it (its echo may still be coming
back), a voice counts only when it says "stop". A key press is deliberate and always counts.
Pure."""

from __future__ import annotations

from voiceguide.core.intents import Intent
from voiceguide.core.ports import Heard


def counts(heard: Heard, intent: Intent | None, *, speaking: bool) -> bool:
    """True when ``heard`` (matched as ``intent``, None if it matched nothing) may be acted on
    now; ``speaking``: a prompt is playing."""
    over_prompt = speaking or heard.over_prompt
    return heard.source != "voice" or not over_prompt or intent is Intent.STOP
