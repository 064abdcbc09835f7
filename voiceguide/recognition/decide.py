"""Evidence in, one decision out: what an utterance asks for at a listening moment, and why.

The command model reports its posteriors, the engines what they measured (``Transcript``:
readings with their average log-probabilities, no_speech, the first pass's reading, the
unprompted, gated and whole readings, whether the background talks); ``decide`` alone turns
that into an intent or none: with the posteriors by the calibrated score of ``fusion``, without
them by the transcript rules under the thresholds of a ``RecognitionPolicy``. Pure: no I/O, no
clock, no module state.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import NamedTuple

from voiceguide.core.intents import Intent, Moment
from voiceguide.core.ports import Transcript
from voiceguide.recognition.command_model import OTHER
from voiceguide.recognition.fusion import Fusion
from voiceguide.recognition.matching import (
    background_check_wanted,
    cross_check_wanted,
    gated_agrees,
    match,
    near_tie,
    normalise,
    passes_agree,
    passes_alike,
    reading_clear,
    second_opinion,
    spelling_tie,
    whole_agrees,
)
from voiceguide.recognition.policy import RecognitionPolicy
from voiceguide.recognition.risk import RISK


@dataclass(frozen=True)
class Evidence:
    """What the engines measured of one utterance."""

    own: Transcript
    """The recognizer's engine's transcript (tiny.en)."""
    checker: Transcript | None = None
    """The larger model's transcript of the same audio (None: not asked). It is worth asking
    only when ``decide`` without it gives no intent and names what it ``may_settle``."""
    posteriors: Mapping[Intent | str, float] | None = None
    """The command model's posteriors at the moment (``CommandModel.posteriors``; None: not
    asked). With them, ``own`` is the short window's reading and ``fusion`` weighs both."""


@dataclass(frozen=True)
class Decision:
    """The one call on an utterance."""

    intent: Intent | None
    """The command to act on, or None (a re-prompt; never a step change)."""
    reason: str
    """Why, in a few words (for the log and the bench)."""
    text: str
    """The reading the decision stands on (a tie's or the larger model's may replace the best)."""
    confidence: float
    """0..1, of ``text``."""
    clear: bool
    """False when the utterance was not clearly heard or a rule refused its command."""
    may_settle: frozenset[Intent] = frozenset()
    """With no intent and no larger model's transcript yet: the intents its answer may be taken
    as (empty: not worth asking it)."""


def heard_clearly(transcript: Transcript, policy: RecognitionPolicy) -> bool:
    """The engine wrote something it judges heard, and its best reading is speech and sure
    enough of its words (``max_no_speech``, ``min_avg_logprob``; Vosk: ``min_word_confidence``)."""
    if not transcript.clear:
        return False
    if transcript.word_confidence is not None and transcript.word_confidence < policy.min_word_confidence:
        return False
    return not transcript.readings or reading_clear(transcript.readings, transcript.no_speech, policy)


def decide(
    evidence: Evidence, moment: Moment, policy: RecognitionPolicy, fusion: Fusion | None = None
) -> Decision:
    """The intent ``evidence`` asks for at ``moment``, or None, and why.

    With the command model's posteriors, ``fusion`` weighs them with the short reading
    (``_fused``). Otherwise the engine's readings give a command when, after the gated reading and the ties
    (``_settled``), the reading is exactly one allowed phrase, clear, and no rule refuses it
    (``_judged``). When that gives none and the readings all but heard a command (or several,
    none of them stop: ``cross_check_wanted``), or named none at all (``background_check_wanted``),
    the larger model's reading is taken when it is, by the same rules (without ``passes_alike``:
    its answer is already held to a few intents), one of the commands it may settle."""
    if evidence.posteriors is not None:
        if fusion is None:
            raise ValueError("the command model's posteriors need the fusion weights to be weighed")
        return _fused(evidence.own, evidence.posteriors, moment, policy, fusion)
    own = _judged(evidence.own, moment, policy, alike_passes=True)
    if own.decision.intent is not None:
        return own.decision
    may = _may_settle(own.transcript, moment, policy)
    if evidence.checker is None or not may:
        return replace(own.decision, may_settle=may)
    checked = _judged(evidence.checker, moment, policy, alike_passes=False).decision
    if checked.intent in may:
        return replace(checked, reason=f"the larger model heard {checked.text!r}: {checked.reason}")
    taken = checked.intent.value if checked.intent else "no command"
    return replace(own.decision, reason=f"{own.decision.reason}; the larger model heard {taken}")


def _fused(
    read: Transcript,
    posteriors: Mapping[Intent | str, float],
    moment: Moment,
    policy: RecognitionPolicy,
    fusion: Fusion,
) -> Decision:
    """The candidate with the highest calibrated probability (``fusion.Fusion.scores``), when
    that probability reaches its risk class's operating point; else none."""
    scores = fusion.scores(posteriors, read, moment)
    model_top = max(posteriors, key=posteriors.__getitem__) if posteriors else OTHER
    said = f"model {getattr(model_top, 'value', model_top)} {posteriors.get(model_top, 0.0):.2f}, read {read.text!r}"
    if scores:
        intent, probability = scores[0]
        point = fusion.accept[RISK[intent]]
        if probability >= point:
            reason = f"{said}: {intent.value} at {probability:.3f} (needs {point:.3f})"
            return Decision(intent, reason, read.text, probability, True)
        said = f"{said}: {intent.value} only at {probability:.3f} (needs {point:.3f})"
    return Decision(None, said, read.text, read.confidence, heard_clearly(read, policy))


class _Judged(NamedTuple):
    decision: Decision
    transcript: Transcript
    """The transcript the decision stands on (the gated one, or a tie's reading first)."""


def _judged(read: Transcript, moment: Moment, policy: RecognitionPolicy, *, alike_passes: bool) -> _Judged:
    """One engine's readings judged: exactly one allowed phrase, clear, for an advance no close
    rival (``second_opinion``), the two passes agreeing (``passes_agree``, ``passes_alike``)
    and over a talking background the whole utterance too (``whole_agrees``)."""
    transcript = _agreed(read, moment)
    clear = heard_clearly(transcript, policy)
    transcript, tie = _settled(transcript, clear, moment, policy)
    intent = match(transcript.text, moment) if clear else None
    reason = (
        "not clearly heard"
        if not clear
        else f"{tie}{'an allowed phrase' if intent is not None else 'no allowed phrase'}"
    )
    refused = None
    if intent is not None and not second_opinion(
        intent, transcript.readings, moment, unprompted=transcript.unprompted, policy=policy
    ):
        refused = f"another reading disagrees: {transcript.readings}, unprompted {transcript.unprompted!r}"
    elif intent is not None and not passes_agree(intent, transcript.first, moment):
        refused = f"the first reading {transcript.first!r} asked for something else"
    elif (
        intent is not None
        and alike_passes
        and not passes_alike(intent, _scored(transcript), transcript.first, policy)
    ):
        refused = f"unsure, and the first reading {transcript.first!r} was unlike it"
    if intent is not None and refused is None:
        whole = None if read.whole is None else read.whole.text if heard_clearly(read.whole, policy) else ""
        if not whole_agrees(intent, whole, moment, normalise(transcript.text), policy):
            refused = f"the whole utterance read {whole!r}"
    if refused is not None:
        intent, clear, reason = None, False, f"{transcript.text!r} refused: {refused}"
    decision = Decision(intent, reason, transcript.text, transcript.confidence, clear)
    return _Judged(decision, transcript)


def _agreed(transcript: Transcript, moment: Moment) -> Transcript:
    """``transcript``, or its gated reading (background turned down) when that is one allowed
    phrase the untouched reading also heard among other words (``matching.gated_agrees``)."""
    gated = transcript.gated
    if gated is None or match(transcript.text, moment) is not None:
        return transcript
    return gated if gated_agrees(gated.text, transcript.texts(), moment) else transcript


def _settled(
    transcript: Transcript, clear: bool, moment: Moment, policy: RecognitionPolicy
) -> tuple[Transcript, str]:
    """(``transcript``, or the same with a close second reading as its text when that reading
    is a harmless command and the best one is no command (``matching.near_tie``), or is
    "resume" or "skip step" and the best one a near-spelling of it (``matching.spelling_tie``:
    that reading goes first, so that ``second_opinion`` judges the others against the phrase);
    which tie, as the start of a reason)."""
    if not clear:
        return transcript, ""
    texts = transcript.texts()
    readings = transcript.readings
    tie, kind = near_tie(readings, texts, moment, policy), "a near tie: "
    if tie is None and (tie := spelling_tie(readings, texts, moment, policy)) is not None:
        kind = "a near-spelling tie: "
        taken = readings.index(tie, 1)
        readings = (readings[taken], *readings[:taken], *readings[taken + 1 :])
    if tie is None:
        return transcript, ""
    text, score = tie
    return replace(transcript, text=text, confidence=min(1.0, math.exp(score)), readings=readings), kind


def _may_settle(transcript: Transcript, moment: Moment, policy: RecognitionPolicy) -> frozenset[Intent]:
    """The commands the larger model's answer may be taken as, for readings that gave none:
    those the readings all but named (``cross_check_wanted``), else, when they named none,
    ``background_checked`` (``background_check_wanted``); empty: not worth asking."""
    gated = transcript.gated.texts() if transcript.gated is not None else []
    texts = transcript.texts() + gated
    wanted = cross_check_wanted(texts, moment, policy)
    if wanted:
        return wanted
    best = transcript.readings[0] if transcript.readings else None
    if background_check_wanted(texts, moment, transcript.talking_background, best, policy):
        return policy.background_checked
    return frozenset()


def _scored(transcript: Transcript) -> tuple[str, float]:
    """(text, average log-probability) of the reading ``transcript`` answers with: its own
    among ``readings`` (a near tie's may be any of them), else its confidence's logarithm."""
    for text, score in transcript.readings:
        if text == transcript.text:
            return text, score
    return transcript.text, math.log(max(transcript.confidence, 1e-9))
