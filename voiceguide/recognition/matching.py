"""Turn a transcript into an intent, or into nothing.

The whole normalised utterance must equal one phrase allowed at this moment (or a way Whisper
writes one, ``intents.HEARD_AS``): "I'm not done yet" is not "done". Pure, no I/O.
"""

from __future__ import annotations

import difflib
import math
import re
from collections.abc import Collection, Sequence

from voiceguide.core.intents import (
    ALLOWED,
    HEARD_AS,
    Intent,
    Moment,
    key_intent,
    normalise,
    phrases_for,
)
from voiceguide.core.ports import Heard
from voiceguide.recognition.policy import DEFAULT_POLICY, RecognitionPolicy
from voiceguide.recognition.risk import HARMLESS, moves_on


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
    """The intent of normalised ``said`` among ``moment``'s phrases, the ``HEARD_AS`` forms and,
    with ``keys``, the keyboard's words; not yet checked against ``ALLOWED``."""
    intent = phrases_for(moment).get(said) or HEARD_AS.get(said)
    return key_intent(said, moment) if intent is None and keys else intent


def second_opinion(
    intent: Intent,
    readings: Sequence[tuple[str, float]],
    moment: Moment,
    margin: float | None = None,
    unprompted: str | None = None,
    policy: RecognitionPolicy = DEFAULT_POLICY,
) -> bool:
    """True when ``intent`` (taken from ``readings[0]``) may be acted on: it does not move the
    session on, or no other reading within ``margin`` of the best disagrees. A reading
    disagrees when it is another intent ("Stop." against "Next step.") or no command that
    does not even contain the best one ("Nest." against "Next.", but not "Done. Die." against
    "Done."). For next and yes, ``unprompted`` (the engine's reading without the phrase
    list as a prompt) must say exactly the same phrase, however it scored: "Yes, sir." is
    not "Yes." (see ``unprompted_agrees``)."""
    if not moves_on(intent) or not readings:
        return True
    margin = policy.second_opinion_margin if margin is None else margin
    best_text, best = readings[0]
    said = normalise(best_text)
    if (
        unprompted is not None
        and intent in policy.unprompted_intents
        and said in policy.unprompted_phrases
        and not unprompted_agrees(said, unprompted)
    ):
        return False
    rivals = [text for text, score in readings[1:] if best - score <= margin]
    for text in rivals:
        other = match(text, moment)
        if other is not None and other is not intent:
            return False
        if (
            other is None
            and f" {said} " not in f" {normalise(text)} "
            and not (said in policy.spelling_rival_phrases and spelled_alike(said, normalise(text), policy))
        ):
            return False
    return True


def letter_similarity(said: str, other: str) -> float:
    """How alike two normalised texts are spelled, 0..1 (difflib's ratio): "refume" against
    "resume" 0.83, "step" against "stop" 0.75."""
    return difflib.SequenceMatcher(None, said, other).ratio()


def spelled_alike(said: str, other: str, policy: RecognitionPolicy = DEFAULT_POLICY) -> bool:
    """True when ``other`` is a near-spelling of the phrase ``said`` (``spelling_rival_ratio``)."""
    return letter_similarity(said, other) >= policy.spelling_rival_ratio


def unprompted_agrees(said: str, unprompted: str) -> bool:
    """True when the unprompted reading is the normalised phrase ``said`` and nothing else.
    Not merely containing it: without the prompt, espeak's "yes sir" read "Yes, sir." while
    the prompted reading was "Yes." (tune split: 4 of the 13 sound-alikes taken as "yes" at a
    check, and no real or synthetic command lost)."""
    return normalise(unprompted) == said


def whole_agrees(
    intent: Intent,
    whole: str | None,
    moment: Moment,
    said: str = "",
    policy: RecognitionPolicy = DEFAULT_POLICY,
) -> bool:
    """True unless ``intent`` is one of ``whole_checked`` and ``whole``, the reading of the whole
    utterance (None: not read), does not ask for it: neither as a whole nor, with
    ``whole_clause``, with ``said`` (the normalised phrase the close reading heard) as one of its
    clauses and no other command among them."""
    if intent not in policy.whole_checked or whole is None or match(whole, moment) is intent:
        return True
    return (
        policy.whole_clause
        and said not in policy.whole_clause_not
        and said in clauses(whole)
        and named_commands([whole], moment) <= {intent}
    )


def passes_agree(intent: Intent, first: str | None, moment: Moment) -> bool:
    """True unless a first, unsure reading of the same audio ("All done.") asked for another
    intent than the final one ("Hold on."): two readings of one sound that mean different
    commands are not a clear command. Stop is exempt: it always works. Tune split: 4 of 5
    wrong intents refused, one right answer lost."""
    if first is None or intent is Intent.STOP:
        return True
    other = match(first, moment)
    return other is None or other is intent


def passes_alike(
    intent: Intent,
    final: tuple[str, float],
    first: str | None,
    policy: RecognitionPolicy = DEFAULT_POLICY,
) -> bool:
    """True unless the final reading ``final`` (text, average log-probability), decoded again
    because the first, cheaper reading of the same audio (``first``) was not sure, is itself
    unsure (``unsure_logprob``) and looks nothing like that first reading (``alike_similarity``): the
    two passes heard different things, and the answer is a guess ("Quit." -0.74 after "Red
    room." for "resume"; "Pause." -0.83 after "I'm gonna go." for "faster"). Stop is exempt:
    it always works."""
    text, score = final
    if not policy.passes_alike or first is None or intent is Intent.STOP or score >= policy.unsure_logprob:
        return True
    said = normalise(text)
    return (
        max(letter_similarity(part, said) for part in (normalise(first), *clauses(first)))
        >= policy.alike_similarity
    )


_CLAUSE_END = re.compile(r"[.!?,;:]+")


def clauses(text: str) -> list[str]:
    """The normalised sentences and clauses of ``text`` ("Next step. A less to be rather." ->
    ["next step", "a less to be rather"])."""
    return [said for part in _CLAUSE_END.split(text) if (said := normalise(part))]


def gated_reading_worth(ungated: Sequence[str], allowed: Collection[str]) -> bool:
    """True when the readings of the untouched audio hold an allowed phrase (normalised) as a
    clause but the best of them is not a phrase alone: only then can a gated reading agree
    with them and add a command (see ``gated_agrees``)."""
    if ungated and normalise(ungated[0]) in allowed:
        return False
    return any(part in allowed for text in ungated for part in clauses(text))


def gated_agrees(gated: str, ungated: Sequence[str], moment: Moment) -> bool:
    """True when ``gated``, the reading of the audio with the background turned down, is
    exactly one allowed phrase that the readings of the untouched audio (``ungated``: its
    beam and its short window's) also heard as a whole sentence or clause among the
    background's words ("Next step. A less to be rather."), and none of them, nor a clause of
    one, is another command (``asks_only_for``). Two readings that disagree are no command, a
    stop included: the untouched reading already takes a clear "stop" (sparing stop let a real
    "left" through as "Stop.")."""
    intent = match(gated, moment)
    if intent is None:
        return False
    heard = {part for text in ungated for part in clauses(text)}
    return normalise(gated) in heard and asks_only_for(intent, ungated, moment)


def named_commands(texts: Sequence[str], moment: Moment) -> set[Intent]:
    """The commands ``texts`` ask for at ``moment``, each text whole and each of its clauses
    (a whole text counts too: "Skip. Step." is "skip step")."""
    named = {match(part, moment) for text in texts for part in (text, *clauses(text))}
    named.discard(None)
    return named


def asks_only_for(intent: Intent, texts: Sequence[str], moment: Moment) -> bool:
    """True when no text, and no clause of one, asks for another command than ``intent`` at
    ``moment`` (``named_commands``)."""
    return named_commands(texts, moment) <= {intent}


def near_tie(
    readings: Sequence[tuple[str, float]],
    texts: Sequence[str],
    moment: Moment,
    policy: RecognitionPolicy = DEFAULT_POLICY,
) -> tuple[str, float] | None:
    """The reading (text, score) to take instead of the best one, or None. When the best
    reading (``readings[0]``) is no command but another reading within ``near_tie_margin`` of it
    is exactly one phrase of a harmless intent (``risk.Risk.HARMLESS``) ("Three days." -0.93 and "Repeat." -0.85),
    Whisper has all but heard that phrase. It is taken only when that is the one command among
    those close readings and no text of the utterance (``texts``: every reading and the first
    pass's, and their clauses) asks for another. Never an advance."""
    if not policy.near_tie or len(readings) < 2 or match(readings[0][0], moment) is not None:
        return None
    best = readings[0][1]
    close = [
        (reading, match(reading[0], moment))
        for reading in readings[1:]
        if best - reading[1] <= policy.near_tie_margin and reading[1] >= policy.near_tie_floor
    ]
    intents = {intent for _, intent in close if intent is not None}
    if len(intents) != 1 or (intent := intents.pop()) not in HARMLESS:
        return None
    if not asks_only_for(intent, texts, moment):
        return None
    return next(reading for reading, other in close if other is intent)


def spelling_tie(
    readings: Sequence[tuple[str, float]],
    texts: Sequence[str],
    moment: Moment,
    policy: RecognitionPolicy = DEFAULT_POLICY,
) -> tuple[str, float] | None:
    """The reading (text, score) to take instead of the best one, or None. When the best
    reading (``readings[0]``) is no command but one clause, of no more words than a phrase of
    ``spelling_rival_phrases`` and spelled like it ("Refume.", "Reume.", "Skip." for "skip
    step"), and a reading within ``second_opinion_margin`` of it, sure enough to act on
    (``near_tie_floor``), is exactly that phrase ("Resume." -0.51 under "Refume." -0.44), that
    reading is taken, unless a text of the utterance (``texts``) asks for another command.
    The advance then still needs ``second_opinion``, judged against the phrase."""
    if not policy.spelling_tie or len(readings) < 2 or match(readings[0][0], moment) is not None:
        return None
    best_text, best = readings[0]
    said = normalise(best_text)
    if len(clauses(best_text)) != 1:
        return None
    for text, score in readings[1:]:
        phrase = normalise(text)
        intent = match(text, moment)
        if (
            intent is not None
            and phrase in policy.spelling_rival_phrases
            and best - score <= policy.second_opinion_margin
            and score >= policy.near_tie_floor
            and len(said.split()) <= len(phrase.split())
            and spelled_alike(phrase, said, policy)
            and asks_only_for(intent, texts, moment)
        ):
            return text, score
    return None


def cross_check_wanted(
    texts: Sequence[str], moment: Moment, policy: RecognitionPolicy = DEFAULT_POLICY
) -> frozenset[Intent]:
    """The commands the larger model may confirm (empty: do not ask it). The recognizer took
    no intent, but its readings of the utterance (``texts``: every reading, the first pass's
    and the gated one's, and each of their clauses) ask for a command of ``cross_checked``
    ("Previous." fifth under "Pre-miss."; over a TV, "Stop." fifth under "All 9 3 4 0."), or
    for several, none of them stop (``cross_check_several``): the answer must be one of them, and
    a stop never becomes another command here."""
    if not policy.cross_check:
        return frozenset()
    asked = named_commands(texts, moment)
    if len(asked) > 1 and (not policy.cross_check_several or Intent.STOP in asked):
        return frozenset()
    return frozenset(asked & policy.cross_checked)


def background_check_wanted(
    texts: Sequence[str],
    moment: Moment,
    talking_background: bool,
    best: tuple[str, float] | None = None,
    policy: RecognitionPolicy = DEFAULT_POLICY,
) -> bool:
    """True when the larger model should hear an utterance the recognizer took no intent
    from, though none of its readings (``texts``, as for ``cross_check_wanted``), nor a clause
    of one, asks for any command: the background talks (``Transcript.talking_background``),
    or it does not and the best reading (``best``: text, average log-probability) is not a
    sure sentence (``quiet_check``), the best reading is not a short, sure one
    (``background_sure_words``), and the moment allows more than help of what base may answer
    (``background_worth``). Its answer then counts only when it is one of ``background_checked``. A
    reading that named a command leaves the decision to ``cross_check_wanted``."""
    if not policy.background_check or not ALLOWED[moment] & policy.background_worth:
        return False
    words, sure = (len(normalise(best[0]).split()), best[1]) if best else (0, -math.inf)
    if words <= policy.background_sure_words and sure >= policy.background_sure_logprob:
        return False
    sentence = words >= policy.sure_sentence_words and sure >= policy.sure_sentence_logprob
    if not talking_background and (sentence or not policy.quiet_check):
        return False
    return not named_commands(texts, moment)


def reading_clear(
    readings: Sequence[tuple[str, float]], no_speech: float, policy: RecognitionPolicy = DEFAULT_POLICY
) -> bool:
    """Whisper thinks the best reading is speech (``max_no_speech``) and is sure enough of its
    words (``min_avg_logprob``)."""
    return no_speech <= policy.max_no_speech and readings[0][1] >= policy.min_avg_logprob


def heard_intent(heard: Heard, moment: Moment) -> Intent | None:
    """The command ``heard`` asks for at ``moment``: for voice, the one the recognizer decided
    (``Heard.intent``), never matched again; typed text is matched here, single keys included."""
    if not heard.clear:
        return None
    if heard.source == "voice":
        return heard.intent if heard.intent in ALLOWED[moment] else None
    return match(heard.text, moment, keys=True)
