"""What the command model reads: tiny.en's encoder on a short window around the utterance,
pooled into one vector.

The utterance's loud part (``utterance.speech_span``) is put at the start of a WINDOW_S window
of silence (longer speech is cut), turned into log-Mel features (``log_mel``) and encoded by
the pinned tiny.en model (CTranslate2, int8: the same model and arithmetic as the Whisper
engine). The encoder's frames (one per 20 ms, 384 values each) are pooled with each 20 ms
frame's level (``command_model.pool``): the mean weighted by power, the mean and the max over
the loud frames, and the mean over the whole window: 1,536 values.
"""

from __future__ import annotations

import logging
import time
from pathlib import Path

import numpy as np

from voiceguide.core.ports import SAMPLE_RATE
from voiceguide.errors import EngineUnavailable, ModelError
from voiceguide.recognition.command_model import pool
from voiceguide.recognition.engines import install_hint
from voiceguide.recognition.engines.cleanup import frame_levels
from voiceguide.recognition.engines.encoder import WindowEncoder
from voiceguide.recognition.engines.utterance import speech_span
from voiceguide.recognition.engines.whisper_model import locate_whisper_model

log = logging.getLogger(__name__)

WINDOW_S = 3
"""Seconds of audio the encoder reads (the short window; 150 encoder frames)."""
COMPUTE_TYPE = "int8"
"""CTranslate2's arithmetic, as the Whisper engine's."""


def short_window(audio: np.ndarray) -> np.ndarray:
    """``audio``'s loud part at the start of WINDOW_S seconds of silence (float32)."""
    start, end = speech_span(np.asarray(audio, np.float32))
    speech = np.asarray(audio[start:end], np.float32)
    window = np.zeros(WINDOW_S * SAMPLE_RATE, np.float32)
    window[: min(speech.size, window.size)] = speech[: window.size]
    return window


class CommandEncoder:
    """tiny.en's encoder, loaded from the verified model, giving the command model's input."""

    def __init__(
        self, model_dir: str | Path | None = None, threads: int = 2, encoder: WindowEncoder | None = None
    ):
        """``model_dir``: another verified copy of tiny.en (default: the installed wheel's);
        ``encoder``: the Whisper engine's encoder (its loaded model) to share instead."""
        if encoder is not None:
            self._encoder, self.load_ms = encoder, 0.0
            return
        try:
            import ctranslate2
        except ImportError as exc:
            raise EngineUnavailable(
                f"the command features need ctranslate2: {install_hint('whisper')}"
            ) from exc
        path = locate_whisper_model(model_dir)
        started = time.perf_counter()
        try:
            model = ctranslate2.models.Whisper(
                str(path), device="cpu", compute_type=COMPUTE_TYPE, intra_threads=threads, inter_threads=1
            )
        except (RuntimeError, ValueError, OSError) as exc:
            raise ModelError(f"the Whisper model at {path} could not be loaded: {exc}") from exc
        self._encoder = WindowEncoder(model)
        self.load_ms = (time.perf_counter() - started) * 1000.0
        log.info("command features: tiny.en encoder loaded from %s in %.0f ms", path, self.load_ms)

    def encode(self, window: np.ndarray) -> np.ndarray:
        """(frames, 384) encoder output of a WINDOW_S window of 16 kHz audio."""
        return np.array(self._encoder.encode(window), dtype=np.float32)[0]

    def features(self, audio: np.ndarray) -> np.ndarray:
        """The pooled 1,536-value vector of an utterance (``command_model.pool``)."""
        window = short_window(audio)
        return pool(self.encode(window), frame_levels(window))
