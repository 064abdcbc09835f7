"""The recognizer's front end on synthetic signals: a quiet room is left alone, steady noise is
subtracted, background that comes and goes is told apart and left as it is."""

from __future__ import annotations

import numpy as np
import pytest

from voiceguide.core.ports import SAMPLE_RATE
from voiceguide.recognition.engines.cleanup import (
    clean_up,
    denoise,
    frame_levels,
    steady_background,
    talking_background,
)

pytestmark = pytest.mark.unit

S = SAMPLE_RATE


def _speech(seconds: float, rng: np.random.Generator) -> np.ndarray:
    """Voice-like: a 150 Hz buzz with harmonics, its loudness rising and falling (syllables)."""
    t = np.arange(int(seconds * S)) / S
    buzz = sum(np.sin(2 * np.pi * 150 * k * t + rng.uniform(0, 6)) / k for k in range(1, 12))
    return (0.3 * buzz * (0.6 + 0.4 * np.sin(2 * np.pi * 4 * t))).astype(np.float32)


def _utterance(background: np.ndarray, speech: np.ndarray, at: float) -> np.ndarray:
    out = background.copy()
    out[int(at * S) : int(at * S) + len(speech)] += speech
    return out


def _db(x: np.ndarray) -> float:
    return 10 * np.log10(np.mean(np.asarray(x, np.float64) ** 2) + 1e-20)


def _babble(seconds: float, rng: np.random.Generator, level: float) -> np.ndarray:
    """Background that comes and goes like a TV talking: noise switched on and off by
    syllable-long bursts of random loudness."""
    n = int(seconds * S)
    envelope = np.repeat(rng.choice([0.15, 0.4, 1.0], size=n // 1600 + 1), 1600)[:n]
    return (rng.standard_normal(n) * envelope * level).astype(np.float32)


def test_a_quiet_room_is_left_alone():
    rng = np.random.default_rng(1)
    audio = _utterance(
        np.zeros(2 * S, np.float32) + 1e-5 * rng.standard_normal(2 * S).astype(np.float32),
        _speech(0.8, rng),
        0.6,
    )
    # a soft consonant-like stretch right after the loud part: nothing may touch it
    audio[int(1.4 * S) : int(1.7 * S)] += 0.01 * rng.standard_normal(int(0.3 * S))
    np.testing.assert_allclose(clean_up(audio), audio, atol=1e-4)
    assert not talking_background(audio)


def test_steady_noise_is_subtracted_and_the_speech_kept():
    rng = np.random.default_rng(2)
    noise = (0.05 * rng.standard_normal(2 * S)).astype(np.float32)
    speech = _speech(0.8, rng)
    audio = _utterance(noise, speech, 0.6)
    assert steady_background(audio)
    out = clean_up(audio)
    quiet = slice(0, int(0.5 * S))
    assert _db(out[quiet]) < _db(audio[quiet]) - 5  # the noise alone: at least 5 dB down
    voiced = slice(int(0.7 * S), int(1.3 * S))
    assert abs(_db(out[voiced]) - _db(speech[int(0.1 * S) : int(0.7 * S)])) < 1.5


def test_background_that_comes_and_goes_is_talking_and_left_as_it_is():
    rng = np.random.default_rng(3)
    audio = _utterance(_babble(2.5, rng, 0.02), _speech(0.8, rng), 0.8)
    assert not steady_background(audio) and talking_background(audio)
    np.testing.assert_array_equal(clean_up(audio), audio)


def test_the_switch_turns_the_subtraction_off():
    rng = np.random.default_rng(6)
    steady = _utterance((0.05 * rng.standard_normal(2 * S)).astype(np.float32), _speech(0.8, rng), 0.6)
    np.testing.assert_array_equal(clean_up(steady, denoising=False), steady)


def test_without_noise_the_spectral_path_gives_back_the_input():
    rng = np.random.default_rng(7)
    audio = _utterance(np.zeros(S, np.float32), _speech(0.5, rng), 0.3)
    np.testing.assert_allclose(denoise(audio), audio, atol=1e-5)


def test_tiny_audio_passes_through():
    tiny = np.ones(30, np.float32) * 0.1
    for step in (clean_up, denoise):
        np.testing.assert_array_equal(step(tiny), tiny)
    assert frame_levels(tiny).size == 0


def test_steady_noise_far_under_the_speech_is_left_alone():
    rng = np.random.default_rng(8)
    speech = _speech(0.8, rng)
    noise = (0.002 * rng.standard_normal(2 * S)).astype(np.float32)  # ~35 dB under the speech
    audio = _utterance(noise, speech, 0.6)
    assert steady_background(audio)
    np.testing.assert_array_equal(clean_up(audio), audio)
