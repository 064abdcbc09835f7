"""Turn a transcript into an intent, or into nothing.

The whole normalised utterance must equal one phrase allowed at this moment: "I'm not done
yet" is not "done". Pure, no I/O.
"""

from __future__ import annotations

import re

from voiceguide.intents import ALLOWED, KEYS, Intent, Moment, phrases_for

_NOT_WORD = re.compile(r"[^a-z' ]+")
_SPACES = re.compile(r"\s+")


def normalise(text: str) -> str:
    """Lower case, punctuation and hyphens to spaces, apostrophes kept, spaces collapsed."""
    lowered = text.lower().replace("-", " ").replace("’", "'")
    return _SPACES.sub(" ", _NOT_WORD.sub(" ", lowered)).strip(" '")


def match(text: str, moment: Moment, *, keys: bool = False) -> Intent | None:
    """The intent ``text`` asks for at ``moment``, or None when it is not exactly one allowed
    phrase. ``keys`` also honours single keys (n, r, b, s, y, h, ...) typed on a keyboard."""
    said = normalise(text)
    if not said:
        return None
    intent = phrases_for(moment).get(said)
    if intent is None and keys:
        intent = KEYS.get(said)
    if intent is None:
        return None
    return intent if intent in ALLOWED[moment] else None


def known_elsewhere(text: str, *, keys: bool = False) -> Intent | None:
    """The intent ``text`` would be at some moment (to say "not now" rather than "pardon")."""
    said = normalise(text)
    found = phrases_for(Moment.ALL).get(said)
    if found is None and keys:
        found = KEYS.get(said)
    return found

