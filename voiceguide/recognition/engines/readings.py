"""When a reading of the short window is final: the engine's one choice, whether to decode again.
Pure: readings and the injected policy in.

A reading is (text, average log-probability in nats), best first, with Whisper's no_speech_prob.
The short window's answer stands when it is surely one allowed phrase (``is_sure``) or surely no
command (``not_a_command``, ``far_from_phrases``); otherwise the 30 s pass reads the utterance
again. Whether a reading is a command is decided afterwards, once, by ``recognition.decide``.
"""

from __future__ import annotations

from voiceguide.recognition.matching import clauses, letter_similarity, normalise, reading_clear
from voiceguide.recognition.policy import DEFAULT_POLICY, RecognitionPolicy

__all__ = ["far_from_phrases", "is_sure", "not_a_command", "reading_clear"]


def is_sure(
    readings: list[tuple[str, float]],
    no_speech: float,
    allowed: set[str],
    unprompted: str | None,
    policy: RecognitionPolicy = DEFAULT_POLICY,
) -> bool:
    """The short window's answer stands: clearly speech, confident, exactly one allowed
    phrase, every reading within ``sure_margin`` of it the same phrase, and the unprompted
    reading holding it too."""
    text, best = readings[0]
    said = normalise(text)
    floor = policy.stricter_sure_logprob.get(said, policy.sure_logprob)
    return (
        no_speech <= policy.max_no_speech
        and best >= floor
        and said in allowed
        and all(
            normalise(other) == said for other, score in readings[1:] if best - score <= policy.sure_margin
        )
        and (unprompted is None or f" {said} " in f" {normalise(unprompted)} ")
    )


def not_a_command(
    readings: list[tuple[str, float]], allowed: set[str], policy: RecognitionPolicy = DEFAULT_POLICY
) -> bool:
    """The short window's answer is final and means nothing: a sure sentence, no reading is a
    phrase and no clause of it is one. (Not "no_speech is high": in a short window real "yes"
    clips scored 0.61, and the 30 s pass heard them.)"""
    text, best = readings[0]
    return (
        best >= policy.sentence_logprob
        and len(normalise(text).split()) >= policy.sentence_words
        and not any(normalise(other) in allowed for other, _ in readings)
        and not (policy.sentence_clauses and any(part in allowed for part in clauses(text)))
    )


def far_from_phrases(
    readings: list[tuple[str, float]], allowed: set[str], policy: RecognitionPolicy = DEFAULT_POLICY
) -> bool:
    """The short window's answer is final and means nothing: a sure reading of words unlike
    every allowed phrase, and no reading is a phrase. Never an accept, so never a false one."""
    text, best = readings[0]
    said = normalise(text)
    return (
        len(said.replace(" ", "")) >= policy.far_min_letters
        and best >= policy.far_logprob
        and not any(normalise(other) in allowed for other, _ in readings)
        and all(letter_similarity(said, phrase) < policy.far_similarity for phrase in allowed)
    )
