"""The recognizer's front end on synthetic signals: a quiet room is left alone, steady noise is
subtracted, background that comes and goes is turned down away from the speech."""

from __future__ import annotations

import numpy as np
import pytest

from voiceguide.core.ports import SAMPLE_RATE
from voiceguide.recognition.engines import cleanup
from voiceguide.recognition.engines.cleanup import clean_up, denoise, frame_levels, gate, steady_background

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
    # a soft consonant-like stretch right after the loud part: the gate must not touch it
    audio[int(1.4 * S) : int(1.7 * S)] += 0.01 * rng.standard_normal(int(0.3 * S))
    np.testing.assert_allclose(clean_up(audio), audio, atol=1e-4)
    np.testing.assert_array_equal(gate(audio), audio)


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


def test_background_that_comes_and_goes_is_gated_away_from_the_speech():
    rng = np.random.default_rng(3)
    speech = _speech(0.8, rng)
    audio = _utterance(_babble(2.5, rng, 0.02), speech, 0.8)
    assert not steady_background(audio)
    out = clean_up(audio, gating=True)
    hold = cleanup.GATE_HOLD_S
    far = slice(0, int((0.8 - hold - 0.05) * S))
    assert _db(out[far]) == pytest.approx(_db(audio[far]) - cleanup.GATE_DEPTH_DB, abs=1.5)
    near = slice(int(0.8 * S), int(1.6 * S))  # the speech itself is untouched
    np.testing.assert_array_equal(out[near], audio[near])


def test_a_short_gap_between_words_stays_open():
    rng = np.random.default_rng(4)
    first, second = _speech(0.4, rng), _speech(0.4, rng)
    audio = _utterance(
        _utterance(_babble(2.5, rng, 0.02), first, 0.6), second, 0.6 + 0.4 + 0.35
    )  # a 0.35 s pause: hold 0.1 s from each side, 0.15 left
    out = gate(audio)
    gap = slice(int(1.0 * S), int(1.35 * S))
    np.testing.assert_array_equal(out[gap], audio[gap])


def test_the_gate_makes_no_click():
    rng = np.random.default_rng(5)
    audio = _utterance(_babble(2.0, rng, 0.02), _speech(0.6, rng), 0.7)
    ratio = gate(audio) / np.where(audio == 0, 1, audio)
    steps = np.abs(np.diff(ratio[audio != 0]))
    assert steps.max() < 1.0 / cleanup.FRAME * 1.01  # the gain moves at most 0->1 over a frame


def test_switches_turn_each_part_off():
    rng = np.random.default_rng(6)
    steady = _utterance((0.05 * rng.standard_normal(2 * S)).astype(np.float32), _speech(0.8, rng), 0.6)
    babble = _utterance(_babble(2.0, rng, 0.02), _speech(0.6, rng), 0.7)
    np.testing.assert_array_equal(clean_up(steady, denoising=False, gating=False), steady)
    np.testing.assert_array_equal(clean_up(babble, denoising=False, gating=False), babble)


def test_without_noise_the_spectral_path_gives_back_the_input():
    rng = np.random.default_rng(7)
    audio = _utterance(np.zeros(S, np.float32), _speech(0.5, rng), 0.3)
    np.testing.assert_allclose(denoise(audio), audio, atol=1e-5)


def test_tiny_audio_passes_through():
    tiny = np.ones(30, np.float32) * 0.1
    for step in (clean_up, gate, denoise):
        np.testing.assert_array_equal(step(tiny), tiny)
    assert frame_levels(tiny).size == 0


def test_steady_noise_far_under_the_speech_is_left_alone():
    rng = np.random.default_rng(8)
    speech = _speech(0.8, rng)
    noise = (0.002 * rng.standard_normal(2 * S)).astype(np.float32)  # ~35 dB under the speech
    audio = _utterance(noise, speech, 0.6)
    assert steady_background(audio)
    np.testing.assert_array_equal(clean_up(audio), audio)
