"""The one recognition path: audio heard at a listening moment -> Heard with its decided intent.

Live listening and ``voiceguide recognize`` both go through ``Recognizer.decode``, so what a
WAV file gives on the command line is what the same sound gives in a session. The command
model and the engines report evidence; ``recognition.decide`` makes the one call, which
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
    """Decodes audio at a listening moment and lets ``decide`` make the call under ``policy``.

    At the moments the command model answers (``fusion.MODEL_MOMENTS``), with ``commands``
    given and an engine that reads a short window alone (``read_short``): the model's
    posteriors and that reading, weighed by ``commands.fusion``. Elsewhere: ``engine``'s
    transcript, told which phrases the moment allows, judged by the transcript's rules; when
    that gives no intent but names commands the larger model may settle
    (``Decision.may_settle``), ``checker`` (a larger model, or None) decodes the same audio
    and ``decide`` judges both transcripts together."""

    def __init__(
        self,
        engine: Engine,
        checker: Engine | None = None,
        *,
        policy: RecognitionPolicy = DEFAULT_POLICY,
        commands: CommandEvidence | None = None,
    ):
        self.engine = engine
        self.checker = checker
        self.policy = policy
        self.commands = commands

    def decode(self, audio: np.ndarray, moment: Moment) -> tuple[Heard, Intent | None]:
        """(what was heard, with the decided intent and why; that intent or None) for mono
        float32 16 kHz audio."""
        phrases = sorted(phrases_for(moment)) + list(answer_phrases(moment))
        commands = self.commands
        if (
            commands is not None
            and self.policy.command_model
            and moment in MODEL_MOMENTS
            and hasattr(self.engine, "read_short")
        ):
            started = time.perf_counter()
            posteriors = commands.posteriors(audio, moment)
            read = self.engine.read_short(audio, phrases)
            decision = decide(Evidence(read, posteriors=posteriors), moment, self.policy, commands.fusion)
            return self._heard(decision, moment, (time.perf_counter() - started) * 1000.0)
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
        return self._heard(decision, moment, decode_ms)

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
    """The product's recognizer for engine ``name`` (``engines.make_engine``). For Whisper with
    ``policy.command_model``: the command model and its decision weights (verified, shipped in
    the package), its encoder sharing the engine's model, and no larger model (the moments it
    would serve are the model's); otherwise the engine and its cross-checker
    (``engines.open_engines``). Raises what ``make_engine`` raises, and ModelError when the
    command model's files are damaged."""
    from voiceguide.recognition.engines import make_engine, open_engines

    if name != "whisper" or not policy.command_model:
        return Recognizer(*open_engines(name, model_dir, policy), policy=policy)
    engine = make_engine(name, model_dir, policy)
    commands = CommandEvidence(engine.command_encoder(), CommandModel.load(), Fusion.load())
    return Recognizer(engine, policy=policy, commands=commands)
