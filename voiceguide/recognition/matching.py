"""Turn a transcript into an intent, or into nothing.

The whole normalised utterance must equal one phrase allowed at this moment: "I'm not done yet"
is not "done". Pure, no I/O.
"""

from __future__ import annotations

import difflib

from voiceguide.core.intents import ALLOWED, Intent, Moment, key_intent, normalise, phrases_for
from voiceguide.core.ports import Heard
from voiceguide.recognition.policy import DEFAULT_POLICY, RecognitionPolicy

__all__ = ["heard_intent", "known_elsewhere", "letter_similarity", "match", "normalise", "reading_clear"]


def match(text: str, moment: Moment, *, keys: bool = False) -> Intent | None:
    """The intent ``text`` asks for at ``moment``, or None when it is not exactly one allowed
    phrase. ``keys`` also honours single keys (n, r, b, s, y, h, ...) typed on a keyboard."""
    said = normalise(text)
    intent = _intent_of(said, moment, keys) if said else None
    return intent if intent in ALLOWED[moment] else None


def known_elsewhere(text: str, *, keys: bool = False) -> Intent | None:
    """The intent ``text`` would be at some moment (to say "not now" rather than "pardon")."""
    return _intent_of(normalise(text), Moment.ALL, keys)


def _intent_of(said: str, moment: Moment, keys: bool) -> Intent | None:
    """The intent of normalised ``said`` among ``moment``'s phrases and, with ``keys``, the
    keyboard's words; not yet checked against ``ALLOWED``."""
    intent = phrases_for(moment).get(said)
    return key_intent(said, moment) if intent is None and keys else intent


def letter_similarity(said: str, other: str) -> float:
    """How alike two normalised texts are spelled, 0..1 (difflib's ratio): "refume" against
    "resume" 0.83, "step" against "stop" 0.75."""
    return difflib.SequenceMatcher(None, said, other).ratio()


def reading_clear(avg_logprob: float, no_speech: float, policy: RecognitionPolicy = DEFAULT_POLICY) -> bool:
    """Whisper thinks the reading is speech (``max_no_speech``) and is sure enough of its words
    (``min_avg_logprob``)."""
    return no_speech <= policy.max_no_speech and avg_logprob >= policy.min_avg_logprob


def heard_intent(heard: Heard, moment: Moment) -> Intent | None:
    """The command ``heard`` asks for at ``moment``: for voice, the one the recognizer decided
    (``Heard.intent``), never matched again; typed text is matched here, single keys included."""
    if not heard.clear:
        return None
    if heard.source == "voice":
        return heard.intent if heard.intent in ALLOWED[moment] else None
    return match(heard.text, moment, keys=True)
