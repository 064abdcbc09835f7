"""The recognizer's own decisions over scripted evidence (tier 1: a scripted engine and command
model; the real engine and model are in tests/test_fused_recognition.py and the benchmark):
where the command model is asked, and that the runner takes exactly what was decided."""

from __future__ import annotations

import numpy as np
import pytest

from voiceguide.core.intents import Intent, Moment
from voiceguide.core.ports import Transcript
from voiceguide.recognition.command_model import OTHER
from voiceguide.recognition.fusion import MODEL_MOMENTS, Fusion
from voiceguide.recognition.matching import heard_intent
from voiceguide.recognition.policy import DEFAULT_POLICY
from voiceguide.recognition.recognizer import Recognizer
from voiceguide.recognition.risk import Risk

pytestmark = pytest.mark.unit

AUDIO = np.zeros(16000, np.float32)


class ReadingsEngine:
    """Gives one transcript, whatever it hears."""

    name = "scripted"

    def __init__(self, transcript: Transcript):
        self.transcript = transcript

    def transcribe(self, audio, phrases, free=False):
        return self.transcript


class ScriptedCommands:
    """A command model that hears ``intent`` at ``p`` whatever it hears, counting its calls,
    weighed by a score that trusts the model alone (weight 10 on its log-odds)."""

    def __init__(self, intent: Intent, p: float):
        self.intent, self.p, self.asked = intent, p, []
        weights = {r: (0.0, 10.0) + (0.0,) * 9 for r in Risk}
        self.fusion = Fusion(weights, {r: 0.5 for r in Risk})

    def posteriors(self, audio, moment):
        self.asked.append(moment)
        return {self.intent: self.p, OTHER: 1.0 - self.p}


def _transcript(text: str, clear: bool = True, logprob: float = -0.2) -> Transcript:
    return Transcript(text, 0.5, clear, avg_logprob=logprob if text else None)


def test_without_the_model_a_clear_allowed_phrase_is_the_command_the_runner_takes():
    heard, intent = Recognizer(ReadingsEngine(_transcript("Wait."))).decode(AUDIO, Moment.STEP)
    assert intent is Intent.PAUSE and heard.intent is Intent.PAUSE and heard.clear
    assert heard_intent(heard, Moment.STEP) is intent  # what the session runner does
    heard, intent = Recognizer(ReadingsEngine(_transcript("Wait.", clear=False))).decode(AUDIO, Moment.STEP)
    assert intent is None and not heard.clear


def test_the_model_answers_at_its_moments_and_the_transcript_at_the_check_in():
    commands = ScriptedCommands(Intent.STOP, 0.9)
    recognizer = Recognizer(ReadingsEngine(_transcript("Soreness.")), commands=commands)
    for moment in MODEL_MOMENTS:
        heard, intent = recognizer.decode(AUDIO, moment)
        assert intent is Intent.STOP and heard_intent(heard, moment) is Intent.STOP, moment
    assert set(commands.asked) == set(MODEL_MOMENTS)
    heard, intent = recognizer.decode(AUDIO, Moment.CHECKIN)
    assert intent is None and heard.text == "Soreness." and heard.clear  # an answer, no command
    assert Moment.CHECKIN not in commands.asked


def test_a_model_answer_below_its_operating_point_is_no_command():
    commands = ScriptedCommands(Intent.NEXT, 0.4)
    heard, intent = Recognizer(ReadingsEngine(_transcript("Next step.")), commands=commands).decode(
        AUDIO, Moment.STEP
    )
    assert intent is None and heard_intent(heard, Moment.STEP) is None
    assert f"needs {DEFAULT_POLICY.accept_advance:.3f}" in heard.reason
