"""The Whisper engine: the pinned tiny.en model run through CTranslate2 on the CPU.

The recipe, each part kept because scripts/bench_recognition.py said so (docs/recognition.md):
English only; steady background noise subtracted; the loud part of the utterance cut out of
quieter background (closer to the peak over a talking background, ``policy.talking_trim_db``);
the encoder sees a window fitted to it (a few seconds, not Whisper's padded 30 s: ~10x less
encoder work), decoded greedily, prompted with the allowed phrases, no timestamps, temperature
0; a reading of "yes", "done" or "continue" read again without the prompt
(``policy.unprompted_phrases``). The engine reports evidence (the reading with its average
log-probability, no_speech_prob, the unprompted reading); ``recognition.decide`` makes the call.
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
from voiceguide.recognition.engines.cleanup import clean_up, talking_background
from voiceguide.recognition.engines.command_features import CommandEncoder
from voiceguide.recognition.engines.encoder import WindowEncoder
from voiceguide.recognition.engines.process import release_freed_memory
from voiceguide.recognition.engines.utterance import collapse_repeats, speech_span, window_seconds
from voiceguide.recognition.engines.whisper_model import (
    locate_whisper_model,
)
from voiceguide.recognition.engines.whisper_tokens import WhisperTokens
from voiceguide.recognition.matching import normalise
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
FREE_WINDOW_S = 30
"""Encoder window (seconds) of the second reading of answers in the user's own words (the
check-in): Whisper's own. Of the check-in's 78 answers (``scripts/bench_checkin_phrases.py``)
the short window alone read 64, this window 73, the surer of the two 73 and the joined
answer "swelling and feeling unwell" that the 30 s window alone missed."""
FREE_BEAM = 5
"""Beam size of that reading."""
COMPUTE_TYPE = "int8"
"""CTranslate2's arithmetic for tiny.en (``--set 'engines.whisper.COMPUTE_TYPE="float32"'``). int8
turns rounding-level differences between CPUs' kernels into other readings (3 of 40); float32 did
not, but read worse (tune, quick: commands 91.9 -> 91.2 %) and peaked at 465 against 358 MB."""


def is_available() -> bool:
    """True when CTranslate2 and tokenizers can be imported."""
    return all(importlib.util.find_spec(name) is not None for name in ("ctranslate2", "tokenizers"))


def build_prompt(phrases: Sequence[str]) -> str:
    """The initial prompt: the allowed phrases as short sentences ("Done. Next step.")."""
    return " ".join(f"{p[:1].upper()}{p[1:]}." for p in phrases if p)


class WhisperEngine:
    """Speech to text with Whisper tiny.en; see the module docstring for the recipe."""

    name = "whisper"

    def __init__(
        self,
        model_dir: str | Path | None = None,
        threads: int = 2,
        compute_type: str | None = None,
        policy: RecognitionPolicy = DEFAULT_POLICY,
    ):
        """``model_dir``: another verified copy of the model (default: the installed wheel);
        ``threads``: CPU threads; ``compute_type``: CTranslate2's arithmetic (default
        COMPUTE_TYPE); ``policy``: the trim over a talking background and which readings are
        read again unprompted."""
        if not is_available():
            raise EngineUnavailable(
                f"the whisper engine needs ctranslate2 and tokenizers: {install_hint('whisper')}"
            )
        path = locate_whisper_model(model_dir)
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
        self._encoder = WindowEncoder(self._model)
        self._prompts: dict[tuple[str, ...], tuple[list[int], int]] = {}
        self.policy = policy
        self.model_dir = path
        self.load_ms = (time.perf_counter() - started) * 1000.0
        """Milliseconds spent loading the model (hash check excluded)."""
        release_freed_memory()
        log.info("Whisper loaded from %s in %.0f ms", path, self.load_ms)

    def with_policy(self, policy: RecognitionPolicy) -> WhisperEngine:
        """This engine, the same loaded model, making its readings under ``policy``."""
        other = copy.copy(self)
        other.policy = policy
        return other

    def transcribe(self, audio: np.ndarray, phrases: Sequence[str], free: bool = False) -> Transcript:
        """Decode mono float32 ``audio`` at 16 kHz, prompted with ``phrases``: the utterance
        cleaned up and cut out, read once greedily in a window fitted to it, and read again
        unprompted when that reading is a phrase of ``policy.unprompted_phrases``. ``free``
        (answers in the user's own words): also read in Whisper's own 30 s window with a beam
        of FREE_BEAM, and the surer of the two readings is taken."""
        started = time.perf_counter()
        heard_audio = self._heard_audio(audio, phrases)
        if heard_audio is None:
            return Transcript("", 0.0, False, 0.0)
        cleaned, talking, prompt, longest, allowed = heard_audio
        trim_db = self.policy.talking_trim_db if talking else None
        start, end = speech_span(cleaned, trim_db) if trim_db is not None else speech_span(cleaned)
        (text, score), no_speech, encoded = self._read(cleaned[start:end], prompt, longest)
        if free:
            wide = self._read(cleaned[start:end], prompt, longest, free=True)
            if wide[0][1] > score:
                (text, score), no_speech, encoded = wide
            release_freed_memory()  # the 30 s encoder briefly needs about 90 MB
        unprompted = self._unprompted(text, encoded, allowed, longest) if text else None
        heard = _transcript(text, score, no_speech, unprompted)
        return replace(heard, decode_ms=(time.perf_counter() - started) * 1000.0)

    def _heard_audio(self, audio: np.ndarray, phrases: Sequence[str]) -> _HeardAudio | None:
        """What both readings start from (``_HeardAudio``), or None when ``audio`` is too short
        to decode (under MIN_SECONDS)."""
        samples = _mono(audio)
        if samples.size < MIN_SECONDS * SAMPLE_RATE:
            return None
        prompt, longest = self._prompt(tuple(phrases))
        return _HeardAudio(
            clean_up(samples), talking_background(samples), prompt, longest, {normalise(p) for p in phrases}
        )

    def _read(
        self, samples: np.ndarray, prompt: list[int], longest: int, free: bool = False
    ) -> tuple[tuple[str, float], float, Any]:
        """``samples`` (already cut to the utterance) decoded greedily in a window fitted to
        them (``free``: in the 30 s window, with a beam of FREE_BEAM): ((text, average
        log-probability), no_speech_prob, encoder output, for a second reading)."""
        seconds = FREE_WINDOW_S if free else window_seconds(samples.size, MIN_WINDOW_S, WINDOW_MARGIN_S)
        window = np.zeros(seconds * SAMPLE_RATE, dtype=np.float32)
        window[: min(samples.size, window.size)] = samples[: window.size]
        encoded = self._encoder.encode(window)
        return *self._decode(encoded, prompt, longest, FREE_BEAM if free else 1), encoded

    def command_encoder(self) -> CommandEncoder:
        """The command model's encoder, sharing this engine's loaded model (no second copy) and
        its last encoding (``encoder.WindowEncoder``)."""
        return CommandEncoder(encoder=self._encoder)

    def _unprompted(self, text: str, encoded: Any, allowed: set[str], longest: int) -> str | None:
        """The same audio read without the phrase list as prompt, when ``text`` is an allowed
        phrase of ``policy.unprompted_phrases`` (else None); greedy, reusing the encoder
        output."""
        said = normalise(text)
        if said not in allowed or said not in self.policy.unprompted_phrases:
            return None
        (plain, _), _ = self._decode(encoded, self._prompt(())[0], longest)
        return plain

    def _decode(
        self, encoded: Any, prompt: list[int], longest: int, beam: int = 1
    ) -> tuple[tuple[str, float], float]:
        """((text, average log-probability), no_speech_prob) of an encoder output
        (``WindowEncoder.encode``): its best reading with a beam of ``beam`` (1: greedy)."""
        limit = longest + EXTRA_TOKENS
        result = self._model.generate(
            encoded,
            [prompt],
            beam_size=beam,
            max_length=len(prompt) + limit,
            return_scores=True,
            return_no_speech_prob=True,
            suppress_blank=True,
            suppress_tokens=self._suppress,
        )[0]
        ids, score = result.sequences_ids[0], result.scores[0]
        text = collapse_repeats(self._tokenizer.decode(ids), cut=len(ids) >= limit)
        return (text, _avg_logprob(ids, score)), result.no_speech_prob

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

    cleaned: np.ndarray
    """Steady background noise subtracted (``cleanup.clean_up``)."""
    talking: bool
    """The background comes and goes (``cleanup.talking_background``)."""
    prompt: list[int]
    longest: int
    allowed: set[str]
    """The allowed phrases, normalised."""


def _mono(audio: np.ndarray) -> np.ndarray:
    samples = np.asarray(audio, dtype=np.float32)
    if samples.ndim != 1:
        raise ValueError(f"audio must be mono (1-D), got shape {samples.shape}")
    return samples


def _transcript(text: str, avg_logprob: float, no_speech: float, unprompted: str | None) -> Transcript:
    """The Transcript of a reading (no decode time yet); unclear only when Whisper wrote
    nothing: whether it is speech and sure enough is ``decide``'s call (``no_speech``)."""
    if not text:
        log.debug("whisper heard nothing")
        return Transcript("", 0.0, False)
    confidence = min(1.0, max(0.0, math.exp(avg_logprob)))
    log.debug(
        "whisper heard %r: no_speech=%.2f avg_logprob=%.2f; unprompted %r",
        text,
        no_speech,
        avg_logprob,
        unprompted,
    )
    return Transcript(
        text, confidence, True, avg_logprob=avg_logprob, no_speech=no_speech, unprompted=unprompted
    )


def _avg_logprob(ids: list[int], score: float) -> float:
    """faster-whisper's average log-probability from CTranslate2's length-normalised score
    (the end-of-text token counts too)."""
    return score * len(ids) / (len(ids) + 1)
