"""The Whisper engine: faster-whisper running the pinned tiny.en model on the CPU.

The recipe was measured on synthesized command phrases and is kept as it is: English only,
beam search of 5 (on 180 espeak-ng phrases: 5 misses against 7 with greedy decoding, at about
the same latency, ~0.45 s on 2 cores, since the encoder dominates), the allowed phrases as the
initial prompt, no timestamps, no conditioning on earlier text, no VAD, temperature 0 only.
An utterance is unclear when Whisper thinks it is not speech (no_speech_prob > 0.6), when it
is unsure of its words (avg_logprob < -1.0), or when it wrote nothing.
"""

from __future__ import annotations

import importlib.util
import logging
import math
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from voiceguide.engines import install_hint
from voiceguide.engines.whisper_model import locate_whisper_model
from voiceguide.errors import EngineUnavailable, ModelError
from voiceguide.ports import SAMPLE_RATE, Transcript

log = logging.getLogger(__name__)

MIN_SECONDS = 0.1
"""Audio shorter than this (seconds) is not decoded: it is unclear."""
MAX_NO_SPEECH = 0.6
"""Above this no_speech_prob (0..1) the audio is taken as not speech."""
MIN_AVG_LOGPROB = -1.0
"""Below this average token log-probability (nats) the words are too unsure to act on."""


def is_available() -> bool:
    """True when the faster-whisper package can be imported."""
    return importlib.util.find_spec("faster_whisper") is not None


def build_prompt(phrases: Sequence[str]) -> str:
    """The initial prompt: the allowed phrases as short sentences ("Done. Next step.")."""
    return " ".join(f"{p[:1].upper()}{p[1:]}." for p in phrases if p)


class WhisperEngine:
    """Speech to text with Whisper tiny.en; see the module docstring for the recipe."""

    name = "whisper"

    def __init__(self, model_dir: str | Path | None = None, threads: int = 2,
                 beam_size: int = 5):
        """``model_dir``: another verified copy of the model (default: the installed wheel);
        ``threads``: CPU threads for decoding; ``beam_size``: 1 is greedy decoding."""
        if not is_available():
            raise EngineUnavailable(f"the whisper engine needs faster-whisper: "
                                    f"{install_hint('whisper')}")
        path = locate_whisper_model(model_dir)
        started = time.perf_counter()
        from faster_whisper import WhisperModel

        try:
            self._model = WhisperModel(str(path), device="cpu", compute_type="int8",
                                       cpu_threads=threads, num_workers=1,
                                       local_files_only=True)
        except (RuntimeError, ValueError, OSError) as exc:
            raise ModelError(f"the Whisper model at {path} could not be loaded: {exc}") from exc
        self.beam_size = beam_size
        self.model_dir = path
        self.load_ms = (time.perf_counter() - started) * 1000.0
        """Milliseconds spent loading the model (hash check excluded)."""
        log.info("Whisper tiny.en loaded from %s in %.0f ms", path, self.load_ms)

    def transcribe(self, audio: np.ndarray, phrases: Sequence[str]) -> Transcript:
        """Decode mono float32 ``audio`` at 16 kHz, prompted with ``phrases``."""
        samples = np.asarray(audio, dtype=np.float32)
        if samples.ndim != 1:
            raise ValueError(f"audio must be mono (1-D), got shape {samples.shape}")
        if samples.size < MIN_SECONDS * SAMPLE_RATE:
            return Transcript("", 0.0, False, 0.0)
        started = time.perf_counter()
        segments, _info = self._model.transcribe(
            samples,
            language="en",
            beam_size=self.beam_size,
            initial_prompt=build_prompt(phrases) or None,
            without_timestamps=True,
            condition_on_previous_text=False,
            vad_filter=False,
            temperature=0.0,
        )
        segments = list(segments)
        decode_ms = (time.perf_counter() - started) * 1000.0
        text = " ".join(s.text.strip() for s in segments).strip()
        if not segments or not text:
            log.debug("whisper heard nothing (%.0f ms)", decode_ms)
            return Transcript("", 0.0, False, decode_ms)
        no_speech = max(s.no_speech_prob for s in segments)
        avg_logprob = min(s.avg_logprob for s in segments)
        confidence = min(1.0, max(0.0, math.exp(avg_logprob)))
        clear = no_speech <= MAX_NO_SPEECH and avg_logprob >= MIN_AVG_LOGPROB
        log.debug("whisper heard %r: no_speech=%.2f avg_logprob=%.2f clear=%s (%.0f ms)",
                  text, no_speech, avg_logprob, clear, decode_ms)
        return Transcript(text, confidence, clear, decode_ms)
