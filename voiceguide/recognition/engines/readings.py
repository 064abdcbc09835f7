"""When a reading of the short window is final, and when a reading is clear. Pure: readings in.

A reading is (text, average log-probability in nats), best first, with Whisper's no_speech_prob.
The short window's answer stands when it is surely one allowed phrase (``is_sure``) or surely no
command (``not_a_command``, ``far_from_phrases``); otherwise the 30 s pass reads the utterance
again. ``is_clear`` is what the recognizer may act on at all.
"""

from __future__ import annotations

from voiceguide.recognition.matching import clauses, letter_similarity, normalise

MAX_NO_SPEECH = 0.6
"""Above this no_speech_prob (0..1) the audio is taken as not speech."""
MIN_AVG_LOGPROB = -1.0
"""Below this average token log-probability (nats) the words are too unsure to act on."""
SURE_LOGPROB = -0.6
"""The short window's answer needs at least this average log-probability (nats) to stand. Tune
split: -0.6 lets 166 right and 10 wrong stand, -0.65 a wrong intent more; -0.8 let real "off" and
"now" through as "Stop." and "No." (test)."""
SURE_MARGIN = 0.3
"""...and no reading of another phrase within this many nats of it."""
STRICTER_SURE_LOGPROB = {"next step": -0.45}
"""...and these phrases at least this much (nats): a real "stop" read "Next step." at -0.52 in the
short window, "Stop." in the 30 s pass. Both splits: 3 "next step" right before and after."""
SENTENCE_WORDS = 4
"""A short-window reading of at least this many words, at least SENTENCE_LOGPROB sure, with no
beam reading an allowed phrase, is a sentence, not a command: the 30 s pass is skipped."""
SENTENCE_LOGPROB = -0.5
"""...(nats). Tune split: the 30 s pass skipped for 49 of 126 negatives, no command lost."""
SENTENCE_CLAUSES = True
"""...unless a clause of it is an allowed phrase ("Repeat that. Repeat that. Repeat repeat that"):
then the 30 s pass reads it again (False: it does not). Full runs: test 5 and tune 4 commands more
right, none wrong, one retired "speak up" taken as "Speed up." on each."""
FAR_LOGPROB = -0.4
"""A short-window reading at least this sure (nats) that is no allowed phrase and not like one (see
FAR_SIMILARITY), with no beam reading a phrase, is final: the 30 s pass is skipped. Tune, quick:
102 of 514 second passes skipped, no command lost (-0.5: one lost; -0.3: real words as help)."""
FAR_SIMILARITY = 0.45
"""...not like one: letter similarity (``matching.letter_similarity``) to every allowed phrase
below this ("Step." is 0.75 like "stop"). Test split, against 0.6: 13 commands more right, no
wrong intent, 9 negatives more taken, none an advance; 0.4 would add 504 decodes for 4 commands."""
FAR_MIN_LETTERS = 2
"""...and a word, not a fragment: at least this many letters (a reverb "help" read "L.")."""


def is_sure(
    readings: list[tuple[str, float]], no_speech: float, allowed: set[str], unprompted: str | None
) -> bool:
    """The short window's answer stands: clearly speech, confident, exactly one allowed
    phrase, every reading within SURE_MARGIN of it the same phrase, and the unprompted
    reading holding it too."""
    text, best = readings[0]
    said = normalise(text)
    floor = STRICTER_SURE_LOGPROB.get(said, SURE_LOGPROB)
    return (
        no_speech <= MAX_NO_SPEECH
        and best >= floor
        and said in allowed
        and all(normalise(other) == said for other, score in readings[1:] if best - score <= SURE_MARGIN)
        and (unprompted is None or f" {said} " in f" {normalise(unprompted)} ")
    )


def is_clear(readings: list[tuple[str, float]], no_speech: float) -> bool:
    """Whisper thinks the best reading is speech and is sure enough of its words (see
    MAX_NO_SPEECH, MIN_AVG_LOGPROB)."""
    return no_speech <= MAX_NO_SPEECH and readings[0][1] >= MIN_AVG_LOGPROB


def not_a_command(readings: list[tuple[str, float]], allowed: set[str]) -> bool:
    """The short window's answer is final and means nothing: a sure sentence, no reading is a
    phrase and no clause of it is one. (Not "no_speech is high": in a short window real "yes"
    clips scored 0.61, and the 30 s pass heard them.)"""
    text, best = readings[0]
    return (
        best >= SENTENCE_LOGPROB
        and len(normalise(text).split()) >= SENTENCE_WORDS
        and not any(normalise(other) in allowed for other, _ in readings)
        and not (SENTENCE_CLAUSES and any(part in allowed for part in clauses(text)))
    )


def far_from_phrases(readings: list[tuple[str, float]], allowed: set[str]) -> bool:
    """The short window's answer is final and means nothing: a sure reading of words unlike
    every allowed phrase, and no reading is a phrase. Never an accept, so never a false one."""
    text, best = readings[0]
    said = normalise(text)
    return (
        len(said.replace(" ", "")) >= FAR_MIN_LETTERS
        and best >= FAR_LOGPROB
        and not any(normalise(other) in allowed for other, _ in readings)
        and all(letter_similarity(said, phrase) < FAR_SIMILARITY for phrase in allowed)
    )
