"""The numpy log-Mel front end against faster-whisper's, when it is installed (bit-identical
features are what keep the transcripts identical)."""

from __future__ import annotations

import numpy as np
import pytest

from voiceguide.engines.log_mel import N_MELS, log_mel


def test_one_frame_per_10_ms_and_80_bands():
    audio = np.zeros(16000, np.float32)
    assert log_mel(audio, padding=0).shape == (N_MELS, 100)
    assert log_mel(audio).shape == (N_MELS, 101)


def test_bit_identical_to_faster_whisper():
    extractor = pytest.importorskip("faster_whisper.feature_extractor").FeatureExtractor()
    rng = np.random.default_rng(7)
    for size in (1600, 48000, 112123):
        audio = (0.1 * rng.standard_normal(size)).astype(np.float32)
        for padding in (0, 160):
            assert np.array_equal(log_mel(audio, padding), extractor(audio, padding=padding))
