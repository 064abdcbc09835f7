"""The recognizer's own decisions over an engine's readings (tier 1: a scripted engine; the
real engine's readings behind these rules are in the benchmark and tests/test_tv_background.py)."""

from __future__ import annotations

import numpy as np

from voiceguide.intents import Intent, Moment
from voiceguide.matching import match
from voiceguide.ports import Transcript
from voiceguide.recognition import Recognizer


class ReadingsEngine:
    """Gives one transcript, whatever it hears."""

    name = "scripted"

    def __init__(self, transcript: Transcript):
        self.transcript = transcript

    def transcribe(self, audio, phrases):
        return self.transcript


def _decode(readings, clear=True, moment=Moment.STEP):
    transcript = Transcript(readings[0][0], 0.5, clear, readings=tuple(readings))
    return Recognizer(ReadingsEngine(transcript)).decode(np.zeros(16000, np.float32), moment)


def test_a_near_tie_is_what_the_recognizer_heard_so_the_runner_takes_the_same():
    heard, intent = _decode([("With.", -0.825), ("Wait.", -0.858), ("Live.", -1.035)])
    assert intent is Intent.PAUSE
    assert heard.text == "Wait." and heard.clear
    assert abs(heard.confidence - np.exp(-0.858)) < 1e-6
    assert match(heard.text, Moment.STEP) is intent  # what the session runner does


def test_an_unclear_utterance_is_never_settled_by_a_tie():
    heard, intent = _decode([("With.", -0.825), ("Wait.", -0.858)], clear=False)
    assert intent is None and heard.text == "With." and not heard.clear


def test_a_tie_with_an_advance_leaves_the_utterance_no_command():
    heard, intent = _decode([("Dawn.", -0.3), ("Done.", -0.31)])
    assert intent is None and heard.text == "Dawn."
