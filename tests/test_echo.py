"""The echo canceller on plain numbers: a reference, its delayed echo, and a voice on top."""

from __future__ import annotations

import numpy as np
import pytest

from voiceguide.audio.echo import EchoCanceller, PlaybackReference, _least_squares_taps
from voiceguide.audio.endpointing import level_dbfs

pytestmark = pytest.mark.unit

SR = 16_000
FRAME = 320


def speechlike(seconds: float, seed: int) -> np.ndarray:
    """Noise shaped into syllables (4 Hz bursts): what a prompt looks like to a canceller."""
    rng = np.random.default_rng(seed)
    t = np.arange(int(seconds * SR)) / SR
    envelope = 0.5 * (1 + np.sin(2 * np.pi * 4 * t)) ** 2
    return (0.1 * rng.standard_normal(t.size) * envelope).astype(np.float32)


def feed(canceller: EchoCanceller, mic: np.ndarray, ref: np.ndarray) -> list[tuple[np.ndarray, float]]:
    out = []
    for i in range(0, mic.size - FRAME + 1, FRAME):
        residual, echo_db, _ = canceller.process(mic[i : i + FRAME], ref[i : i + FRAME])
        out.append((residual, echo_db))
    return out


def echo_of(ref: np.ndarray, delay: int, gain: float = 0.5) -> np.ndarray:
    return gain * np.concatenate([np.zeros(delay, np.float32), ref[:-delay]])


def test_a_steady_echo_is_taken_out():
    ref = speechlike(3.0, 1)
    mic = echo_of(ref, 3000)
    frames = feed(EchoCanceller(), mic, ref)
    tail = np.concatenate([r for r, _ in frames[-50:]])
    assert level_dbfs(mic[-50 * FRAME :]) - level_dbfs(tail) > 30


def test_a_voice_over_the_echo_stays_and_is_not_explained():
    ref = speechlike(4.0, 2)
    voice = np.zeros_like(ref)
    voice[int(3.0 * SR) : int(3.5 * SR)] = speechlike(0.5, 3)
    canceller = EchoCanceller()
    frames = feed(canceller, echo_of(ref, 2000) + voice, ref)
    during = np.concatenate([r for r, _ in frames[150:175]])  # 3.0 .. 3.5 s
    assert abs(level_dbfs(during) - level_dbfs(voice[int(3.0 * SR) : int(3.5 * SR)])) < 3
    explained, cleaned = canceller.explained(int(1.0 * SR))  # the last second: 3.0 .. 4.0 s
    assert explained < 8.0
    assert abs(canceller.last_echo_correlation) < 0.3


def test_the_echo_alone_is_explained_and_a_moved_echo_is_found_again():
    ref = speechlike(4.0, 4)
    mic = np.concatenate([echo_of(ref, 2000)[: 2 * SR], echo_of(ref, 2800)[2 * SR :]])
    canceller = EchoCanceller()
    feed(canceller, mic[: 2 * SR], ref[: 2 * SR])
    first_lag = canceller.fit.lag
    feed(canceller, mic[2 * SR : int(2.6 * SR)], ref[2 * SR : int(2.6 * SR)])
    assert canceller.realign()
    assert canceller.fit.lag - first_lag == 800
    explained, _ = canceller.explained(int(0.5 * SR))
    assert explained > 20


def test_without_any_echo_the_microphone_is_left_alone():
    ref = speechlike(4.0, 5)
    quiet = np.full_like(ref, 1e-5)
    canceller = EchoCanceller()
    frames = feed(canceller, quiet, ref)
    assert canceller.echo_free  # headphones: "stop" over a prompt must still be heard
    assert np.allclose(frames[-1][0], quiet[-FRAME:])


def test_the_playback_reference_places_what_was_played_in_time():
    now = [100.0]
    reference = PlaybackReference(clock=lambda: now[0])
    samples = np.ones(16_000, np.float32)
    segment = reference.begin(samples, 16_000, 0)
    now[0] = 100.5
    reference.end(segment, 8_000)  # cut half-way
    window = reference.window(99.9, 16_000)  # 99.9 .. 100.9 s
    assert window[:1600].max() == 0 and window[1600:9600].min() == 1 and window[9600:].max() == 0
    assert reference.playing_between(100.2, 100.3) and not reference.playing_between(100.6, 101)
    reference.hold(1.0)
    assert reference.held
    now[0] = 101.6
    assert not reference.held  # a hold never silences for good


def test_the_taps_are_the_least_squares_ones_and_a_tap_without_reference_is_zero():
    """The normal equations give what an SVD least-squares solve gives, at any lag, including
    taps whose stretch of reference is not all there (they get 0, as an all-zero column)."""
    rng = np.random.default_rng(7)
    ref = speechlike(1.8, seed=3).astype(np.float64)
    n, count = 12800, 24
    for first in (-5, 0, 2000, len(ref) - n - count + 1, len(ref) - n - 3):
        columns = [
            ref[first + k : first + k + n] if 0 <= first + k and first + k + n <= len(ref) else np.zeros(n)
            for k in range(count)
        ]
        x = np.stack(columns, axis=1)
        mic = x @ rng.normal(0, 0.3, count) + rng.normal(0, 1e-3, n)
        expected, *_ = np.linalg.lstsq(x, mic, rcond=None)
        taps, erle = _least_squares_taps(ref, first, mic, count)
        assert np.allclose(taps, expected, atol=1e-6)
        assert not taps[[not c.any() for c in columns]].any()
        residual = mic - x @ expected
        assert erle == pytest.approx(10 * np.log10(np.sum(mic**2) / np.sum(residual**2)), abs=0.01)
