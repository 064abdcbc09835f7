"""The numpy log-Mel front end against faster-whisper's (bit-identical features are what keep
the transcripts identical): against features faster-whisper 1.2.1 computed once
(tests/data/faster_whisper_reference.npz, written once with it installed), and live
when it is installed."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from voiceguide.recognition.engines.log_mel import N_MELS, log_mel

pytestmark = pytest.mark.unit


def test_one_frame_per_10_ms_and_80_bands():
    audio = np.zeros(16000, np.float32)
    assert log_mel(audio, padding=0).shape == (N_MELS, 100)
    assert log_mel(audio).shape == (N_MELS, 101)


REFERENCE = Path(__file__).parent / "data" / "faster_whisper_reference.npz"


def test_same_features_as_faster_whisper_recorded():
    recorded = np.load(REFERENCE)
    audio = recorded["pcm"].astype(np.float32) / 32768
    for size in (1600, 16000):
        for padding in (0, 160):
            expected = recorded[f"mel_{size}_{padding}"]
            # exact here; a tolerance only for another numpy's FFT rounding elsewhere
            np.testing.assert_allclose(log_mel(audio[:size], padding), expected, rtol=0, atol=1e-5)


def test_bit_identical_to_faster_whisper():
    extractor = pytest.importorskip("faster_whisper.feature_extractor").FeatureExtractor()
    rng = np.random.default_rng(7)
    for size in (1600, 48000, 112123):
        audio = (0.1 * rng.standard_normal(size)).astype(np.float32)
        for padding in (0, 160):
            assert np.array_equal(log_mel(audio, padding), extractor(audio, padding=padding))
