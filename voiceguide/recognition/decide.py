"""Evidence in, one decision out: what an utterance asks for at a listening moment, and why.

The engine reports its transcript (the reading, its average log-probability, no_speech, the
unprompted reading); the command model, where it answers, its posteriors. ``decide`` alone turns
that into an intent or none: with the posteriors by the calibrated score of ``fusion``; without
them (the check-in's free answers, an engine that has no command model) a clear transcript that
is exactly one allowed phrase. Pure: no I/O, no clock, no module state.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from voiceguide.core.intents import Intent, Moment
from voiceguide.core.ports import Transcript
from voiceguide.recognition.command_model import OTHER
from voiceguide.recognition.fusion import Fusion
from voiceguide.recognition.matching import match, reading_clear
from voiceguide.recognition.policy import RecognitionPolicy
from voiceguide.recognition.risk import RISK


@dataclass(frozen=True)
class Evidence:
    """What the engine and the command model made of one utterance."""

    transcript: Transcript
    """The engine's transcript (Whisper: the short window's reading)."""
    posteriors: Mapping[Intent | str, float] | None = None
    """The command model's posteriors at the moment (``CommandModel.posteriors``; None: not
    asked), weighed with ``transcript`` by ``fusion``."""


@dataclass(frozen=True)
class Decision:
    """The one call on an utterance."""

    intent: Intent | None
    """The command to act on, or None (a re-prompt; never a step change)."""
    reason: str
    """Why, in a few words (for the log and the bench)."""
    text: str
    """The reading the decision stands on."""
    confidence: float
    """0..1, of ``text``."""
    clear: bool
    """False when the utterance was not clearly heard."""


def heard_clearly(transcript: Transcript, policy: RecognitionPolicy) -> bool:
    """The engine wrote something it judges heard, and its reading is speech and sure enough of
    its words (``max_no_speech``, ``min_avg_logprob``; Vosk: ``min_word_confidence``)."""
    if not transcript.clear:
        return False
    if transcript.word_confidence is not None and transcript.word_confidence < policy.min_word_confidence:
        return False
    return transcript.avg_logprob is None or reading_clear(
        transcript.avg_logprob, transcript.no_speech, policy
    )


def decide(
    evidence: Evidence, moment: Moment, policy: RecognitionPolicy, fusion: Fusion | None = None
) -> Decision:
    """The intent ``evidence`` asks for at ``moment``, or None, and why.

    With the command model's posteriors, ``fusion`` weighs them with the reading (``_fused``).
    Without them the transcript gives a command when it is heard clearly and is exactly one
    phrase the moment allows."""
    read = evidence.transcript
    if evidence.posteriors is not None:
        if fusion is None:
            raise ValueError("the command model's posteriors need the fusion weights to be weighed")
        return _fused(read, evidence.posteriors, moment, policy, fusion)
    clear = heard_clearly(read, policy)
    intent = match(read.text, moment) if clear else None
    reason = "not clearly heard" if not clear else "an allowed phrase" if intent else "no allowed phrase"
    return Decision(intent, reason, read.text, read.confidence, clear)


def _fused(
    read: Transcript,
    posteriors: Mapping[Intent | str, float],
    moment: Moment,
    policy: RecognitionPolicy,
    fusion: Fusion,
) -> Decision:
    """The candidate with the highest calibrated probability (``fusion.Fusion.scores``), when
    that probability reaches its risk class's operating point (``policy``); else none."""
    scores = fusion.scores(posteriors, read, moment)
    model_top = max(posteriors, key=posteriors.__getitem__) if posteriors else OTHER
    said = f"model {getattr(model_top, 'value', model_top)} {posteriors.get(model_top, 0.0):.2f}, read {read.text!r}"
    if scores:
        intent, probability = scores[0]
        point = policy.operating_point(RISK[intent])
        if probability >= point:
            reason = f"{said}: {intent.value} at {probability:.3f} (needs {point:.3f})"
            return Decision(intent, reason, read.text, probability, True)
        said = f"{said}: {intent.value} only at {probability:.3f} (needs {point:.3f})"
    return Decision(None, said, read.text, read.confidence, heard_clearly(read, policy))
