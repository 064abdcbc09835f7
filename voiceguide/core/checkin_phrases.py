"""The check-in's spoken answers: effects after an injection and what people say for each.

Pure data, kept apart from the command vocabulary (intents.py): these are answers, not
commands, heard only at the check-in moment (``Moment.CHECKIN``). The recognizer is prompted
with them there; ``parse_effects`` matches a whole answer, never a fragment of a sentence.
Expected and concerning effects follow the reference document's monitoring advice. When an
answer could be either (plain "pain", "swelling"), it counts as concerning: the safe side is
to tell the user to contact their clinician. Phrases were kept when espeak-ng voices decoded
through Whisper came back right (scripts/bench_checkin_phrases.py); "none", "bruising",
"worse swelling" and "bad pain" were dropped ("none" came back as "Unwell.").
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from voiceguide.core.intents import Moment, normalise


@dataclass(frozen=True)
class Effect:
    name: str
    label: str
    """How it is said back and shown in records."""
    concerning: bool
    phrases: tuple[str, ...]
    """What people say; the first is taught."""


EFFECTS: tuple[Effect, ...] = (
    Effect("none", "no problems", False, ("no problems", "nothing", "all fine", "fine")),
    Effect("soreness", "soreness", False, ("soreness", "a bit sore", "sore")),
    Effect("redness", "mild redness", False, ("redness", "some redness", "a bit red")),
    Effect("bruise", "a small bruise", False, ("small bruise", "a small bruise", "a bruise", "bruise")),
    Effect("swelling", "worsening swelling", True, ("swelling", "swelling getting worse")),
    Effect("pain", "severe or lasting pain", True, ("severe pain", "lasting pain", "pain")),
    Effect("infection", "signs of infection", True, ("signs of infection", "infection")),
    Effect("unwell", "feeling unwell", True, ("feeling unwell", "unwell", "i feel unwell")),
)
BY_NAME = {effect.name: effect for effect in EFFECTS}
_PHRASES = {phrase: effect.name for effect in EFFECTS for phrase in effect.phrases}
_JOINS = re.compile(r",|\band\b", re.IGNORECASE)


def answer_phrases(moment: Moment) -> tuple[str, ...]:
    """Answers (not commands) the recognizer is prompted with at ``moment``."""
    return tuple(_PHRASES) if moment is Moment.CHECKIN else ()


def parse_effects(text: str) -> tuple[str, ...] | None:
    """Effect names in an answer such as "soreness and redness", or None unless every part
    is one known phrase ("none" only on its own)."""
    parts = [said for part in _JOINS.split(text) if (said := normalise(part))]
    if not parts:
        return None
    names: list[str] = []
    for part in parts:
        name = _PHRASES.get(part)
        if name is None:
            return None
        if name not in names:
            names.append(name)
    if "none" in names and len(names) > 1:
        return None
    return tuple(names)


def only_listed_phrases(text: str) -> bool:
    """Every part of ``text`` is a listed phrase (even when together they make no answer,
    such as "no problems and pain")."""
    parts = [said for part in _JOINS.split(text) if (said := normalise(part))]
    return bool(parts) and all(part in _PHRASES for part in parts)


def labels(names: tuple[str, ...] | list[str]) -> str:
    """ "soreness and mild redness" """
    words = [BY_NAME[name].label if name in BY_NAME else name for name in names]
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]
