"""The one recognition path: audio heard at a listening moment -> Heard and maybe an Intent.

Live listening and ``voiceguide recognize`` both go through ``Recognizer.decode``, so what a
WAV file gives on the command line is what the same sound gives in a session. The session
runner matches ``Heard.text`` again when ``Heard.clear``; every refusal here therefore marks
the utterance unclear, so both always agree.
"""

from __future__ import annotations

import logging
import math
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np

from voiceguide.audio.wav import read_wav
from voiceguide.core.checkin_phrases import answer_phrases
from voiceguide.core.intents import Intent, Moment, phrases_for
from voiceguide.core.ports import Engine, Heard, Transcript
from voiceguide.recognition import matching
from voiceguide.recognition.matching import (
    background_check_wanted,
    cross_check_wanted,
    gated_agrees,
    match,
    near_tie,
    normalise,
    passes_agree,
    passes_alike,
    second_opinion,
    spelling_tie,
    whole_agrees,
)

log = logging.getLogger(__name__)


class Recognizer:
    """Decodes audio with ``engine``, told which phrases the moment allows, and matches the
    transcript to an intent only when the engine heard it clearly and, for an intent that moves
    the session on, no close second reading of the same sound means something else. When
    that leaves no intent but the readings all but heard a command (or several, none of them
    stop), ``checker`` (a larger model, or None) decodes the same audio through the same
    rules, and its answer is taken only when it is that command (one of them:
    ``matching.cross_check_wanted``). Over a talking background (a TV) it is asked even when
    the readings named no command, and its answer is taken when it is one of
    ``matching.BACKGROUND_CHECKED`` (``background_check_wanted``). Over a talking background
    the engine reads the loud part of the utterance alone, and an advance read there stands
    only when the whole utterance asks for it too (``matching.whole_agrees``). An unsure
    answer the engine's first pass wrote as something else entirely is refused
    (``matching.passes_alike``), but not the checker's: its answer is already held to what
    the readings named or to a few intents, and there the rule cost right answers (tune
    split: 7 commands over a TV, for 3 sound-alikes heard as "Repeat.")."""

    def __init__(self, engine: Engine, checker: Engine | None = None, *, alike_passes: bool = True):
        self.engine = engine
        self.alike_passes = alike_passes
        self.checker = None if checker is None else Recognizer(checker, alike_passes=False)

    def decode(self, audio: np.ndarray, moment: Moment) -> tuple[Heard, Intent | None]:
        """(what was heard, the intent it asks for or None) for mono float32 16 kHz audio."""
        heard, intent, transcript = self._own(audio, moment)
        if intent is None and self.checker is not None:
            gated = transcript.gated.texts() if transcript.gated is not None else []
            texts = transcript.texts() + gated
            wanted = cross_check_wanted(texts, moment)
            background = not wanted and background_check_wanted(
                texts,
                moment,
                transcript.talking_background,
                transcript.readings[0] if transcript.readings else None,
            )
            if wanted or background:
                checked, answer = self.checker.decode(audio, moment)
                log.debug(
                    "cross-check at %s for %s: the larger model heard %r -> %s",
                    moment.value,
                    "/".join(sorted(i.value for i in wanted)) or "any command (no reading named one)",
                    checked.text,
                    answer.value if answer else None,
                )
                decode_ms = heard.decode_ms + checked.decode_ms
                taken = answer in (matching.BACKGROUND_CHECKED if background else wanted)
                if answer is not None and taken:
                    return replace(checked, decode_ms=decode_ms), answer
                heard = replace(heard, decode_ms=decode_ms)
        return heard, intent

    def _own(self, audio: np.ndarray, moment: Moment) -> tuple[Heard, Intent | None, Transcript]:
        """``decode`` with this recognizer's engine alone, and the transcript it matched."""
        phrases = sorted(phrases_for(moment)) + list(answer_phrases(moment))
        read = self.engine.transcribe(audio, phrases)
        transcript = _tie_settled(_agreed(read, moment), moment)
        intent = match(transcript.text, moment) if transcript.clear else None
        clear = transcript.clear
        if intent is not None and not second_opinion(
            intent, transcript.readings, moment, unprompted=transcript.unprompted
        ):
            log.debug(
                "%r refused at %s: another reading disagrees: %s, unprompted %r",
                transcript.text,
                moment.value,
                transcript.readings,
                transcript.unprompted,
            )
            intent, clear = None, False
        if intent is not None and not passes_agree(intent, transcript.first, moment):
            log.debug(
                "%r refused at %s: the first reading %r asked for something else",
                transcript.text,
                moment.value,
                transcript.first,
            )
            intent, clear = None, False
        if (
            intent is not None
            and self.alike_passes
            and not passes_alike(intent, _scored(transcript), transcript.first)
        ):
            log.debug(
                "%r refused at %s: unsure, and the first reading %r was unlike it",
                transcript.text,
                moment.value,
                transcript.first,
            )
            intent, clear = None, False
        whole = None if read.whole is None else read.whole.text if read.whole.clear else ""
        if intent is not None and not whole_agrees(intent, whole, moment, normalise(transcript.text)):
            log.debug("%r refused at %s: the whole utterance read %r", transcript.text, moment.value, whole)
            intent, clear = None, False
        heard = Heard(
            text=transcript.text,
            confidence=transcript.confidence,
            clear=clear,
            source="voice",
            moment=moment,
            decode_ms=transcript.decode_ms,
        )
        log.debug(
            "%s heard %r at %s -> %s",
            self.engine.name,
            transcript.text,
            moment.value,
            intent.value if intent else None,
        )
        return heard, intent, transcript

    def recognize_file(self, path: str | Path, moment: Moment) -> dict[str, Any]:
        """The JSON object ``voiceguide recognize`` prints for one WAV file:
        {"file", "intent" (value or None), "text", "confidence" (0..1), "decode_ms"}."""
        heard, intent = self.decode(read_wav(path), moment)
        return {
            "file": str(path),
            "intent": intent.value if intent else None,
            "text": heard.text,
            "confidence": round(heard.confidence, 3),
            "decode_ms": round(heard.decode_ms, 1),
        }


def _agreed(transcript: Transcript, moment: Moment) -> Transcript:
    """``transcript``, or its gated reading (background turned down) when that is one allowed
    phrase the untouched reading also heard among other words (``matching.gated_agrees``)."""
    gated = transcript.gated
    if gated is None or match(transcript.text, moment) is not None:
        return transcript
    if not gated_agrees(gated.text, transcript.texts(), moment):
        log.debug(
            "gated reading %r refused at %s: the untouched readings %s do not agree",
            gated.text,
            moment.value,
            transcript.texts(),
        )
        return transcript
    return gated


def _tie_settled(transcript: Transcript, moment: Moment) -> Transcript:
    """``transcript``, or the same with a close second reading as its text when that reading
    is a harmless command and the best one is no command (``matching.near_tie``), or is
    "resume" or "skip step" and the best one a near-spelling of it (``matching.spelling_tie``:
    that reading goes first, so that rule 4 judges the other readings against the phrase)."""
    if not transcript.clear:
        return transcript
    texts = transcript.texts()
    tie, kind = near_tie(transcript.readings, texts, moment), "a near tie"
    readings = transcript.readings
    if tie is None and (tie := spelling_tie(readings, texts, moment)) is not None:
        kind = "a near-spelling tie"
        taken = readings.index(tie, 1)
        readings = (readings[taken], *readings[:taken], *readings[taken + 1 :])
    if tie is None:
        return transcript
    text, score = tie
    log.debug("%r taken at %s for the best reading %r: %s", text, moment.value, transcript.text, kind)
    return replace(transcript, text=text, confidence=min(1.0, math.exp(score)), readings=readings)


def _scored(transcript: Transcript) -> tuple[str, float]:
    """(text, average log-probability) of the reading ``transcript`` answers with: its own
    among ``readings`` (a near tie's may be any of them), else its confidence's logarithm."""
    for text, score in transcript.readings:
        if text == transcript.text:
            return text, score
    return transcript.text, math.log(max(transcript.confidence, 1e-9))
