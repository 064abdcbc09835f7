"""The synthesizer on the real espeak-ng, through pyttsx3 and through the espeak-ng program."""

from __future__ import annotations

import shutil

import numpy as np
import pytest

from voiceguide.audio.tts import Synthesizer

pytestmark = pytest.mark.skipif(
    not Synthesizer.is_available(), reason="no speech synthesizer (apt-get install espeak-ng)"
)
pytestmark = [pytest.mark.engine, pytestmark]

SENTENCE = "Wash your hands and put on clean gloves."


def duration(audio: tuple[np.ndarray, int]) -> float:
    samples, rate = audio
    return len(samples) / rate


def assert_speech(audio: tuple[np.ndarray, int]) -> None:
    samples, rate = audio
    assert samples.dtype == np.float32 and samples.ndim == 1
    assert 8000 <= rate <= 48000
    # An eight-word sentence lasts seconds, not milliseconds or minutes.
    assert 1.0 < duration(audio) < 8.0
    assert np.sqrt(np.mean(samples**2)) > 0.01  # not silence
    assert np.abs(samples).max() <= 1.0


@pytest.fixture(scope="module")
def synthesizer():
    synth = Synthesizer()
    yield synth
    synth.close()


def test_sentence_sounds_like_a_sentence(synthesizer):
    assert_speech(synthesizer.synthesize(SENTENCE, 160))


def test_repeated_synthesis_keeps_working(synthesizer):
    for i in range(6):
        assert_speech(synthesizer.synthesize(f"Step {i + 1}. {SENTENCE}", 160))


def test_rate_changes_duration(synthesizer):
    slow = duration(synthesizer.synthesize(SENTENCE, 110))
    fast = duration(synthesizer.synthesize(SENTENCE, 240))
    slow_again = duration(synthesizer.synthesize(SENTENCE, 110))
    assert fast < 0.75 * slow
    assert slow_again == pytest.approx(slow, rel=0.05)


def test_empty_text_is_no_audio(synthesizer):
    samples, _ = synthesizer.synthesize("   ", 160)
    assert samples.size == 0


@pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="espeak-ng program not installed")
def test_espeak_program_fallback():
    synth = Synthesizer(use_pyttsx3=False)
    try:
        assert synth.backend == "espeak-ng"
        assert_speech(synth.synthesize(SENTENCE, 160))
        slow = duration(synth.synthesize(SENTENCE, 110))
        fast = duration(synth.synthesize(SENTENCE, 240))
        assert fast < 0.75 * slow
    finally:
        synth.close()


def test_pyttsx3_backend_is_used_when_asked_for():
    pytest.importorskip("pyttsx3")
    synth = Synthesizer(use_pyttsx3=True)
    try:
        synth.synthesize("Ready.", 160)
        assert synth.backend == "pyttsx3"
    finally:
        synth.close()


def test_the_espeak_ng_program_is_preferred_when_installed(synthesizer):
    if shutil.which("espeak-ng") is None:
        pytest.skip("espeak-ng is not installed")
    assert synthesizer.backend == "espeak-ng"


def test_pyttsx3_notice_does_not_reach_stdout(synthesizer, capsys):
    synthesizer.synthesize("Quiet please.", 160)
    print("console line")
    assert capsys.readouterr().out == "console line\n"
