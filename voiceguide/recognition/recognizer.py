"""The one recognition path: audio heard at a listening moment -> Heard with its decided intent.

Live listening and ``voiceguide recognize`` both go through ``Recognizer.decode``, so what a
WAV file gives on the command line is what the same sound gives in a session. The command
model and the engine report evidence; ``recognition.decide`` makes the one call, which
``Heard`` carries (its ``intent`` and ``reason``), so the session runner never matches voice
text again. ``open_recognizer`` builds the product's.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from voiceguide.audio.wav import read_wav
from voiceguide.core.checkin_phrases import answer_phrases
from voiceguide.core.intents import Intent, Moment, phrases_for
from voiceguide.core.ports import Engine, Heard
from voiceguide.recognition.command_model import CommandModel
from voiceguide.recognition.decide import Decision, Evidence, decide
from voiceguide.recognition.fusion import MODEL_MOMENTS, Fusion
from voiceguide.recognition.policy import DEFAULT_POLICY, RecognitionPolicy

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class CommandEvidence:
    """The command model, the encoder that feeds it and the weights that weigh its answer with
    the transcript (``fusion.Fusion``)."""

    encoder: Any
    """Gives the model's input of an utterance: ``features(audio)`` (``CommandEncoder``)."""
    model: CommandModel
    fusion: Fusion

    def posteriors(self, audio: np.ndarray, moment: Moment) -> dict[Intent | str, float]:
        return self.model.posteriors(self.encoder.features(audio), moment)


class Recognizer:
    """Decodes audio at a listening moment and lets ``decide`` make the call under ``policy``:
    ``engine``'s transcript, told which phrases the moment allows, and, at the moments the
    command model answers (``fusion.MODEL_MOMENTS``) with ``commands`` given, the model's
    posteriors, weighed by ``commands.fusion``."""

    def __init__(
        self,
        engine: Engine,
        *,
        policy: RecognitionPolicy = DEFAULT_POLICY,
        commands: CommandEvidence | None = None,
    ):
        self.engine = engine
        self.policy = policy
        self.commands = commands

    def decode(self, audio: np.ndarray, moment: Moment) -> tuple[Heard, Intent | None]:
        """(what was heard, with the decided intent and why; that intent or None) for mono
        float32 16 kHz audio."""
        started = time.perf_counter()
        answers = answer_phrases(moment)
        phrases = sorted(phrases_for(moment)) + list(answers)
        commands = self.commands if moment in MODEL_MOMENTS else None
        posteriors = commands.posteriors(audio, moment) if commands is not None else None
        read = self.engine.transcribe(audio, phrases, free=bool(answers))
        fusion = commands.fusion if commands is not None else None
        decision = decide(Evidence(read, posteriors), moment, self.policy, fusion)
        return self._heard(decision, moment, (time.perf_counter() - started) * 1000.0)

    def _heard(self, decision: Decision, moment: Moment, decode_ms: float) -> tuple[Heard, Intent | None]:
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


def open_recognizer(
    name: str, model_dir: str | Path | None = None, policy: RecognitionPolicy = DEFAULT_POLICY
) -> Recognizer:
    """The product's recognizer for engine ``name`` (``engines.make_engine``); for Whisper with
    the command model and its decision weights (verified, shipped in the package), its encoder
    sharing the engine's model. Raises what ``make_engine`` raises, and ModelError when the
    command model's files are damaged."""
    from voiceguide.recognition.engines import make_engine

    engine = make_engine(name, model_dir, policy)
    if name != "whisper":
        return Recognizer(engine, policy=policy)
    commands = CommandEvidence(engine.command_encoder(), CommandModel.load(), Fusion.load())
    return Recognizer(engine, policy=policy, commands=commands)
