"""The Whisper engine: the pinned tiny.en model run through CTranslate2 on the CPU.

The recipe, each part kept because scripts/bench_recognition.py said so (README,
"Recognition"): English only; the loud part of the utterance is cut out of quieter
background; the encoder sees a window fitted to it (a few seconds, not Whisper's padded 30 s:
~10x less encoder work), decoded greedily (SHORT_BEAM); when that answer is not sure, the
30 s window with beam search of 5 returning its 5 hypotheses, so the recognizer can refuse an
advance when another reading is close; the allowed phrases as the prompt; no
timestamps, temperature 0; with a talking TV behind a command, a second reading with the
background turned down (``policy.gated_reading``). The engine reports evidence (readings with
their average log-probabilities, no_speech_prob, the other readings it made); the only choices it
makes are which readings to make, under the injected ``RecognitionPolicy``.
"""

from __future__ import annotations

import copy
import importlib.util
import logging
import math
import time
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np

from voiceguide.core.ports import SAMPLE_RATE, Transcript
from voiceguide.errors import EngineUnavailable, ModelError
from voiceguide.recognition.engines import install_hint
from voiceguide.recognition.engines.cleanup import clean_up, gate, talking_background
from voiceguide.recognition.engines.command_features import CommandEncoder
from voiceguide.recognition.engines.log_mel import log_mel
from voiceguide.recognition.engines.process import release_freed_memory
from voiceguide.recognition.engines.readings import far_from_phrases, is_sure, not_a_command, reading_clear
from voiceguide.recognition.engines.utterance import collapse_repeats, speech_span, window_seconds
from voiceguide.recognition.engines.whisper_model import (
    BASE_FILES,
    locate_base_model,
    locate_whisper_model,
    verify_whisper_model,
)
from voiceguide.recognition.engines.whisper_tokens import WhisperTokens
from voiceguide.recognition.matching import gated_reading_worth, normalise
from voiceguide.recognition.policy import DEFAULT_POLICY, RecognitionPolicy

log = logging.getLogger(__name__)

MIN_SECONDS = 0.1
"""Audio shorter than this (seconds) is not decoded: it is unclear."""
MIN_WINDOW_S = 3
"""Shortest encoder window, seconds."""
WINDOW_MARGIN_S = 1.0
"""Seconds of silence the window leaves after the speech."""
EXTRA_TOKENS = 3
"""Tokens Whisper may write beyond the longest allowed phrase (with its full stop). Longer
text is no command anyway, and in a short window Whisper tends to repeat what it heard until
the limit ("Stop. Stop. Stop."): the limit keeps that from costing time."""
HYPOTHESES = 5
"""Beam hypotheses returned to the recognizer (the beam size)."""
SHORT_BEAM = 1
"""Beam size of the short-window pass (1: greedy, one reading; None: the engine's beam): more short
answers stand and skip the 30 s pass, no safety line worse. Test, quick: commands 69.6 -> 70.4 %,
median decode 344-367 -> 207 ms. The 30 s pass keeps the full beam and its rival readings."""
TRIM = True
"""Cut the loud part of the utterance out of quieter background before decoding."""
SHORT_WINDOW = True
"""Try a window fitted to the utterance before the long window (see ``transcribe``)."""
LONG_WINDOW_S = 30
"""Encoder window (seconds) of the second pass, when the short window's answer is not sure.
Whisper is trained on 30 s; encoder work grows faster than the window (attention)."""
COMPUTE_TYPE = "int8"
"""CTranslate2's arithmetic for tiny.en (``--set 'engines.whisper.COMPUTE_TYPE="float32"'``). int8
turns rounding-level differences between CPUs' kernels into other readings (3 of 40); float32 did
not, but read worse (tune, quick: commands 91.9 -> 91.2 %) and peaked at 465 against 358 MB."""
BASE_COMPUTE_TYPE = "int8"
"""CTranslate2's arithmetic for Whisper base (the cross-check). float32 for both models: peak RSS
602 MB against 317 MB in int8."""
RELEASE_AFTER_DECODE = True
"""Hand the decode's freed memory back to the system before ``transcribe`` returns (about 3 ms;
``process.release_freed_memory``): the 30 s encoder briefly needs 90 MB (tiny.en) or 110 MB
(base), which the allocator would otherwise keep. Set ``process.tune_process`` up first."""


def is_available() -> bool:
    """True when CTranslate2 and tokenizers can be imported."""
    return all(importlib.util.find_spec(name) is not None for name in ("ctranslate2", "tokenizers"))


def build_prompt(phrases: Sequence[str]) -> str:
    """The initial prompt: the allowed phrases as short sentences ("Done. Next step.")."""
    return " ".join(f"{p[:1].upper()}{p[1:]}." for p in phrases if p)


class WhisperEngine:
    """Speech to text with Whisper tiny.en (or base, see ``open_base``); see the module
    docstring for the recipe."""

    name = "whisper"

    def __init__(
        self,
        model_dir: str | Path | None = None,
        threads: int = 2,
        beam_size: int | None = None,
        pinned: dict[str, str] | None = None,
        compute_type: str | None = None,
        policy: RecognitionPolicy = DEFAULT_POLICY,
    ):
        """``model_dir``: another verified copy of the model (default: the installed wheel);
        ``threads``: CPU threads; ``beam_size``: 1 is greedy decoding (default HYPOTHESES, read
        here, so the benchmarks' ``--set engines.whisper.HYPOTHESES=N`` takes effect);
        ``pinned``: the hashes ``model_dir`` must match (default: tiny.en's); ``compute_type``:
        CTranslate2's arithmetic (default COMPUTE_TYPE); ``policy``: which extra readings to
        make (the 30 s pass, unprompted, gated, whole)."""
        if not is_available():
            raise EngineUnavailable(
                f"the whisper engine needs ctranslate2 and tokenizers: {install_hint('whisper')}"
            )
        path = locate_whisper_model(model_dir) if pinned is None else verify_whisper_model(model_dir, pinned)
        started = time.perf_counter()
        import ctranslate2

        try:
            self._model = ctranslate2.models.Whisper(
                str(path),
                device="cpu",
                compute_type=compute_type or COMPUTE_TYPE,
                intra_threads=threads,
                inter_threads=1,
            )
            self._tokenizer = WhisperTokens(path / "tokenizer.json", multilingual=self._model.is_multilingual)
        except (RuntimeError, ValueError, OSError) as exc:
            raise ModelError(f"the Whisper model at {path} could not be loaded: {exc}") from exc
        self._suppress = self._tokenizer.suppressed
        self._prompts: dict[tuple[str, ...], tuple[list[int], int]] = {}
        self.beam_size = beam_size or HYPOTHESES
        self.policy = policy
        self.model_dir = path
        self.load_ms = (time.perf_counter() - started) * 1000.0
        """Milliseconds spent loading the model (hash check excluded)."""
        release_freed_memory()
        log.info("Whisper loaded from %s in %.0f ms", path, self.load_ms)

    @classmethod
    def open_base(cls, threads: int = 2, policy: RecognitionPolicy = DEFAULT_POLICY) -> WhisperEngine | None:
        """Whisper base, verified, or None when it is not installed (ModelError when damaged)."""
        path = locate_base_model()
        return (
            None
            if path is None
            else cls(path, threads=threads, pinned=BASE_FILES, compute_type=BASE_COMPUTE_TYPE, policy=policy)
        )

    def with_policy(self, policy: RecognitionPolicy) -> WhisperEngine:
        """This engine, the same loaded model, making its readings under ``policy``."""
        other = copy.copy(self)
        other.policy = policy
        return other

    def transcribe(self, audio: np.ndarray, phrases: Sequence[str]) -> Transcript:
        """Decode mono float32 ``audio`` at 16 kHz, prompted with ``phrases``.

        See ``_read``. When the background comes and goes and that reading holds an allowed
        phrase among other words, the utterance is read again with the background turned
        down (``policy.gated_reading``): the transcript's ``gated``."""
        started = time.perf_counter()
        heard_audio = self._heard_audio(audio, phrases)
        if heard_audio is None:
            return Transcript("", 0.0, False, 0.0)
        samples, cleaned, talking, prompt, longest, allowed = heard_audio
        policy = self.policy
        trimmed = talking and policy.talking_trim_db is not None
        heard = _transcript(self._read(cleaned, prompt, longest, allowed, trimmed))
        quieter = None
        if talking and policy.gated_reading and gated_reading_worth(heard.texts(), allowed):
            quieter = gate(samples)
        gated = (
            None if quieter is None else _transcript(self._read(quieter, prompt, longest, allowed, trimmed))
        )
        whole = None
        if trimmed and any(
            normalise(reading.text) in policy.whole_phrases
            for reading in (heard, gated)
            if reading is not None
        ):
            whole = _transcript(self._read(cleaned, prompt, longest, allowed))
        if RELEASE_AFTER_DECODE:
            release_freed_memory()
        decode_ms = (time.perf_counter() - started) * 1000.0
        log.debug(
            "whisper decoded in %.0f ms%s%s",
            decode_ms,
            " (with a gated reading)" if gated is not None else "",
            " (and the whole utterance)" if whole is not None else "",
        )
        if gated is not None:
            gated = replace(gated, decode_ms=decode_ms)
        return replace(heard, decode_ms=decode_ms, gated=gated, talking_background=talking, whole=whole)

    def _read(
        self, samples: np.ndarray, prompt: list[int], longest: int, allowed: set[str], close: bool = False
    ) -> _Reading:
        """Cleaned-up ``samples`` decoded: first in a short window, greedily; when that gives
        exactly one allowed phrase, surely, or surely no command (a sure sentence or words
        unlike every phrase), that is final; otherwise in Whisper's full 30 s window (slower
        but far better in noise). ``close``: trimmed to within ``policy.talking_trim_db`` of the
        peak."""
        policy = self.policy
        if TRIM:
            start, end = speech_span(samples, policy.talking_trim_db) if close else speech_span(samples)
            samples = samples[start:end]
        passes = 0
        readings = first = None
        if SHORT_WINDOW:
            readings, no_speech, encoded = self._short(samples, prompt, longest)
            unprompted = (
                self._unprompted(readings, encoded, allowed, longest)
                if is_sure(readings, no_speech, allowed, None, policy)
                else None
            )
            passes = 1
            if not (
                is_sure(readings, no_speech, allowed, unprompted, policy)
                or not_a_command(readings, allowed, policy)
                or far_from_phrases(readings, allowed, policy)
            ):
                first, readings = readings[0][0], None
        if readings is None:
            frames = max(LONG_WINDOW_S, window_seconds(samples.size, MIN_WINDOW_S, WINDOW_MARGIN_S)) * 100
            features = log_mel(samples[: frames * 160])[:, :frames]
            features = np.pad(features, ((0, 0), (0, frames - features.shape[1])))
            readings, no_speech, encoded = self._decode(features, prompt, longest)
            unprompted = (
                self._unprompted(readings, encoded, allowed, longest)
                if reading_clear(readings, no_speech, policy)
                else None
            )
            passes += 1
        return _Reading(readings, no_speech, unprompted, first, passes)

    def _heard_audio(self, audio: np.ndarray, phrases: Sequence[str]) -> _HeardAudio | None:
        """What both readings start from (``_HeardAudio``), or None when ``audio`` is too short
        to decode (under MIN_SECONDS)."""
        samples = _mono(audio)
        if samples.size < MIN_SECONDS * SAMPLE_RATE:
            return None
        prompt, longest = self._prompt(tuple(phrases))
        return _HeardAudio(
            samples,
            clean_up(samples),
            talking_background(samples),
            prompt,
            longest,
            {normalise(p) for p in phrases},
        )

    def _short(
        self, samples: np.ndarray, prompt: list[int], longest: int
    ) -> tuple[list[tuple[str, float]], float, Any]:
        """``samples`` (already cut to the utterance) decoded in a window fitted to them,
        greedily (SHORT_BEAM): (readings, no_speech_prob, encoder output)."""
        seconds = window_seconds(samples.size, MIN_WINDOW_S, WINDOW_MARGIN_S)
        window = np.zeros(seconds * SAMPLE_RATE, dtype=np.float32)
        window[: min(samples.size, window.size)] = samples[: window.size]
        features = log_mel(window, padding=0)[:, : seconds * 100]
        return self._decode(features, prompt, longest, beam_size=SHORT_BEAM)

    def read_short(self, audio: np.ndarray, phrases: Sequence[str]) -> Transcript:
        """The short window's reading alone: the utterance cleaned up and cut out as in
        ``transcribe``, read once greedily in a window fitted to it, prompted with ``phrases``,
        and read again unprompted when that reading is a phrase of ``policy.unprompted_phrases``.
        No 30 s pass, no gated or whole reading: the transcript the command model is weighed
        with (``recognition.fusion``)."""
        started = time.perf_counter()
        heard_audio = self._heard_audio(audio, phrases)
        if heard_audio is None:
            return Transcript("", 0.0, False, 0.0)
        _samples, cleaned, talking, prompt, longest, allowed = heard_audio
        trim_db = self.policy.talking_trim_db if talking else None
        start, end = speech_span(cleaned, trim_db) if trim_db is not None else speech_span(cleaned)
        readings, no_speech, encoded = self._short(cleaned[start:end], prompt, longest)
        unprompted = self._unprompted(readings, encoded, allowed, longest) if readings[0][0] else None
        heard = _transcript(_Reading(readings, no_speech, unprompted, None, 1))
        decode_ms = (time.perf_counter() - started) * 1000.0
        return replace(heard, decode_ms=decode_ms, talking_background=talking)

    def command_encoder(self) -> CommandEncoder:
        """The command model's encoder, sharing this engine's loaded model (no second copy)."""
        return CommandEncoder(model=self._model)

    def _unprompted(
        self, readings: list[tuple[str, float]], encoded: Any, allowed: set[str], longest: int
    ) -> str | None:
        """The same audio read without the phrase list as prompt, when the best reading is an
        allowed phrase that needs it (else None); greedy, reusing the encoder output.
        ``transcribe`` asks only when the reading can count: in the short window when it is
        otherwise sure (``readings.is_sure``), in the 30 s one when it is clear (the recognizer ignores
        an unclear one)."""
        said = normalise(readings[0][0])
        policy = self.policy
        if not policy.unprompted_check or said not in allowed or said not in policy.unprompted_phrases:
            return None
        plain, _, _ = self._decode(encoded, self._prompt(())[0], longest, beam_size=1)
        return plain[0][0]

    def _decode(
        self, features: Any, prompt: list[int], longest: int, beam_size: int | None = None
    ) -> tuple[list[tuple[str, float]], float, Any]:
        """([(text, average log-probability)] best first, no_speech_prob, encoder output)
        for log-Mel ``features`` of any window up to 30 s, or an encoder output."""
        limit = longest + EXTRA_TOKENS
        beam = beam_size or self.beam_size
        encoded = self._encode(features) if isinstance(features, np.ndarray) else features
        result = self._model.generate(
            encoded,
            [prompt],
            beam_size=beam,
            num_hypotheses=beam,
            max_length=len(prompt) + limit,
            return_scores=True,
            return_no_speech_prob=True,
            suppress_blank=True,
            suppress_tokens=self._suppress,
        )[0]
        readings = [
            (collapse_repeats(self._tokenizer.decode(ids), cut=len(ids) >= limit), _avg_logprob(ids, score))
            for ids, score in zip(result.sequences_ids, result.scores)
        ]
        return readings, result.no_speech_prob, encoded

    def _encode(self, features: np.ndarray) -> Any:
        """The encoder output (a CTranslate2 StorageView) of (80, frames) log-Mel features."""
        import ctranslate2

        batch = np.ascontiguousarray(np.expand_dims(features, 0))
        return self._model.encode(ctranslate2.StorageView.from_array(batch))

    def _prompt(self, phrases: tuple[str, ...]) -> tuple[list[int], int]:
        """(token ids: <|startofprev|> the phrases <|startoftranscript|> <|notimestamps|>,
        tokens in the longest phrase written as Whisper writes it: " Next step.")."""
        cached = self._prompts.get(phrases)
        if cached is None:
            tokenizer = self._tokenizer
            prompt = (
                ([tokenizer.sot_prev] if phrases else [])
                + (tokenizer.encode(" " + build_prompt(phrases)) if phrases else [])
                + [*tokenizer.sot_sequence, tokenizer.no_timestamps]
            )
            longest = max((len(tokenizer.encode(" " + build_prompt([p]))) for p in phrases), default=8)
            cached = self._prompts[phrases] = (prompt, longest)
        return cached


class _HeardAudio(NamedTuple):
    """An utterance made ready to read (``WhisperEngine._heard_audio``)."""

    samples: np.ndarray
    cleaned: np.ndarray
    """Steady background noise subtracted (``cleanup.clean_up``)."""
    talking: bool
    """The background comes and goes (``cleanup.talking_background``)."""
    prompt: list[int]
    longest: int
    allowed: set[str]
    """The allowed phrases, normalised."""


class _Reading(NamedTuple):
    """One cleaned-up version of the utterance, decoded (see ``WhisperEngine._read``)."""

    readings: list[tuple[str, float]]
    no_speech: float
    unprompted: str | None
    first: str | None
    passes: int


def _mono(audio: np.ndarray) -> np.ndarray:
    samples = np.asarray(audio, dtype=np.float32)
    if samples.ndim != 1:
        raise ValueError(f"audio must be mono (1-D), got shape {samples.shape}")
    return samples


def _transcript(reading: _Reading) -> Transcript:
    """The Transcript of ``reading`` (no decode time yet); unclear only when Whisper wrote
    nothing: whether it is speech and sure enough is ``decide``'s call (``no_speech``)."""
    text, avg_logprob = reading.readings[0]
    if not text:
        log.debug("whisper heard nothing")
        return Transcript("", 0.0, False)
    confidence = min(1.0, max(0.0, math.exp(avg_logprob)))
    log.debug(
        "whisper heard %r in %d pass(es): no_speech=%.2f avg_logprob=%.2f; readings %s; unprompted %r",
        text,
        reading.passes,
        reading.no_speech,
        avg_logprob,
        reading.readings,
        reading.unprompted,
    )
    return Transcript(
        text,
        confidence,
        True,
        readings=tuple(reading.readings),
        no_speech=reading.no_speech,
        unprompted=reading.unprompted,
        first=reading.first,
    )


def _avg_logprob(ids: list[int], score: float) -> float:
    """faster-whisper's average log-probability from CTranslate2's length-normalised score
    (the end-of-text token counts too)."""
    return score * len(ids) / (len(ids) + 1)
