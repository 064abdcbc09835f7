"""What a mistaken command costs, per intent: the one risk table the decision reads. Pure.

A rule that guards against a costly mistake names the risk it guards (an advance, an answer),
not a hand-kept list of intents.
"""

from __future__ import annotations

from enum import Enum

from voiceguide.core.intents import Intent


class Risk(str, Enum):
    """How bad it is to act on this intent when the user did not ask for it."""

    ADVANCE = "advance"
    """Moves the session on (next, skip, resume): a mistake can skip a safety step."""
    ANSWER = "answer"
    """Answers a critical check "yes": a false one passes the check."""
    STOP = "stop"
    """Cuts speech and pauses: always works, never taken as anything else."""
    RETREAT = "retreat"
    """Changes where the session is without passing anything (go back, end session)."""
    DECLINE = "decline"
    """Answers a check "no": the check's guidance follows, then the safe exit (go back or end).
    Passes nothing; a false one costs a turn."""
    HARMLESS = "harmless"
    """Only speaks or holds (repeat, pause, help, where): a mistake costs a turn."""
    SETTING = "setting"
    """A voice setting (slower, faster, louder, quieter): it stays until undone."""


RISK: dict[Intent, Risk] = {
    Intent.NEXT: Risk.ADVANCE,
    Intent.SKIP: Risk.ADVANCE,
    Intent.RESUME: Risk.ADVANCE,
    Intent.YES: Risk.ANSWER,
    Intent.NO: Risk.DECLINE,
    Intent.STOP: Risk.STOP,
    Intent.BACK: Risk.RETREAT,
    Intent.END: Risk.RETREAT,
    Intent.REPEAT: Risk.HARMLESS,
    Intent.PAUSE: Risk.HARMLESS,
    Intent.HELP: Risk.HARMLESS,
    Intent.WHERE: Risk.HARMLESS,
    Intent.SLOWER: Risk.SETTING,
    Intent.FASTER: Risk.SETTING,
    Intent.LOUDER: Risk.SETTING,
    Intent.QUIETER: Risk.SETTING,
}


def of(*risks: Risk) -> frozenset[Intent]:
    """The intents of ``risks`` (``of(Risk.HARMLESS)``: repeat, pause, help, where)."""
    return frozenset(intent for intent, risk in RISK.items() if risk in risks)


def moves_on(intent: Intent | None) -> bool:
    """True for an intent that moves the session on or passes a check (an advance, or "yes"):
    the mistakes that can skip a safety step, so a close rival reading refuses them."""
    return intent is not None and (RISK[intent] is Risk.ADVANCE or intent is Intent.YES)


HARMLESS = of(Risk.HARMLESS)
ADVANCING = frozenset(intent for intent in RISK if moves_on(intent))
"""next, skip, resume and yes."""
