"""The one recognition path: audio heard at a listening moment -> Heard with its decided intent.

Live listening and ``voiceguide recognize`` both go through ``Recognizer.decode``, so what a
WAV file gives on the command line is what the same sound gives in a session. The engines
report evidence; ``recognition.decide`` makes the one call, which ``Heard`` carries (its
``intent`` and ``reason``), so the session runner never matches voice text again.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import numpy as np

from voiceguide.audio.wav import read_wav
from voiceguide.core.checkin_phrases import answer_phrases
from voiceguide.core.intents import Intent, Moment, phrases_for
from voiceguide.core.ports import Engine, Heard
from voiceguide.recognition.decide import Evidence, decide
from voiceguide.recognition.policy import DEFAULT_POLICY, RecognitionPolicy

log = logging.getLogger(__name__)


class Recognizer:
    """Decodes audio with ``engine``, told which phrases the moment allows, and lets
    ``decide`` judge the transcript under ``policy``. When that gives no intent but names
    commands the larger model may settle (``Decision.may_settle``), ``checker`` (a larger
    model, or None) decodes the same audio and ``decide`` judges both transcripts together."""

    def __init__(
        self, engine: Engine, checker: Engine | None = None, *, policy: RecognitionPolicy = DEFAULT_POLICY
    ):
        self.engine = engine
        self.checker = checker
        self.policy = policy

    def decode(self, audio: np.ndarray, moment: Moment) -> tuple[Heard, Intent | None]:
        """(what was heard, with the decided intent and why; that intent or None) for mono
        float32 16 kHz audio."""
        phrases = sorted(phrases_for(moment)) + list(answer_phrases(moment))
        read = self.engine.transcribe(audio, phrases)
        decision = decide(Evidence(read), moment, self.policy)
        decode_ms = read.decode_ms
        if decision.may_settle and self.checker is not None:
            log.debug(
                "cross-check at %s: the larger model may settle %s",
                moment.value,
                "/".join(sorted(i.value for i in decision.may_settle)),
            )
            checked = self.checker.transcribe(audio, phrases)
            decode_ms += checked.decode_ms
            decision = decide(Evidence(read, checked), moment, self.policy)
        log.debug(
            "%s heard %r at %s -> %s (%s)",
            self.engine.name,
            decision.text,
            moment.value,
            decision.intent.value if decision.intent else None,
            decision.reason,
        )
        heard = Heard(
            text=decision.text,
            confidence=decision.confidence,
            clear=decision.clear,
            source="voice",
            moment=moment,
            decode_ms=decode_ms,
            intent=decision.intent,
            reason=decision.reason,
        )
        return heard, decision.intent

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
