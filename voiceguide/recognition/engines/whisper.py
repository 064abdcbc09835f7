"""The Whisper engine: the pinned tiny.en model run through CTranslate2 on the CPU.

The recipe, each part kept because scripts/bench_recognition.py said so (README,
"Recognition"): English only; the loud part of the utterance is cut out of quieter
background; the encoder sees a window fitted to it (a few seconds, not Whisper's padded 30 s:
~10x less encoder work), decoded greedily (SHORT_BEAM); when that answer is not sure, the
30 s window with beam search of 5 returning its 5 hypotheses, so the recognizer can refuse an
advance when another reading is close; the allowed phrases as the prompt; no
timestamps, temperature 0; with a talking TV behind a command, a second reading with the
background turned down (GATED_READING). An utterance is unclear when Whisper thinks it is not speech
(no_speech_prob > MAX_NO_SPEECH), when it is unsure of its words (avg_logprob <
MIN_AVG_LOGPROB), or when it wrote nothing.
"""

from __future__ import annotations

import functools
import importlib.util
import logging
import math
import os
import time
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np

from voiceguide.core.ports import SAMPLE_RATE, Transcript
from voiceguide.errors import EngineUnavailable, ModelError
from voiceguide.recognition import matching
from voiceguide.recognition.engines import install_hint
from voiceguide.recognition.engines.cleanup import clean_up, gate, talking_background
from voiceguide.recognition.engines.log_mel import log_mel
from voiceguide.recognition.engines.utterance import collapse_repeats, speech_span, window_seconds
from voiceguide.recognition.engines.whisper_model import (
    BASE_FILES,
    locate_base_model,
    locate_whisper_model,
    verify_whisper_model,
)
from voiceguide.recognition.engines.whisper_tokens import WhisperTokens
from voiceguide.recognition.matching import letter_similarity, normalise

log = logging.getLogger(__name__)

MIN_SECONDS = 0.1
"""Audio shorter than this (seconds) is not decoded: it is unclear."""
MAX_NO_SPEECH = 0.6
"""Above this no_speech_prob (0..1) the audio is taken as not speech."""
MIN_AVG_LOGPROB = -1.0
"""Below this average token log-probability (nats) the words are too unsure to act on."""
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
"""Beam size of the short-window pass (1: greedy, one reading; None: the engine's beam).
Greedy there lets more short answers stand and more clips skip the 30 s pass, and no safety
line got worse. Tune, quick: all commands 72.1 -> 73.2 % (pink 10 dB 75.7 -> 77.1, reverb
78.6 -> 80.0, TV 38.6 -> 40.0), wrong 1.1 % both. Test, quick: 69.6 -> 70.4 % (clean 94.3 ->
95.7, pink 10 dB 68.6 -> 71.4, TV 41.4 -> 40.0), wrong 0.4 % both, stop -> advance 0 of 42,
sound-alikes and real words unchanged. bench_decode_speed.py --every 4, test: median 344-367
-> 207 ms wall, 30 s passes 76 -> 63 of 172. Beam 2: the same saving per one-pass decode but
8 more 30 s passes. The 30 s pass keeps the full beam and its rival readings."""
SURE_LOGPROB = -0.6
"""The short window's answer needs at least this average log-probability (nats) to stand.
Tune split, short-window answers that would stand: -0.5: 152 right, 9 wrong; -0.6: 166 right,
10 wrong; -0.65: 169, 12 (a wrong intent, "speak up" as "Speed up."); -0.8: 177, 13. On the
test split -0.8 let real "off" through as "Stop." (-0.63) and "now" as "No." (-0.75)."""
SURE_MARGIN = 0.3
"""...and no reading of another phrase within this many nats of it."""
STRICTER_SURE_LOGPROB = {"next step": -0.45}
"""...and these phrases at least this much (nats). A real Speech Commands "stop" (tune split)
read "Next step." at -0.52 in the short window, an advance instead of a stop; the 30 s pass
reads it "Stop." (-0.10, "Next step." -1.09 under it). Tune split, every short-window "Next
step." between -0.6 and -0.4 decoded again with the 30 s pass: the stop, and 3 commands right
before and after (-0.41, -0.47, -0.58). Test split: 3 right before and after (-0.47, -0.54,
-0.58); -0.4 would also have sent a TV 10 dB "next step" (-0.43) there, and lost it. Not yes,
done, continue or confirm (tune, -0.4): there the 30 s pass took two sound-alikes ("Yes." at a
check) that the short window's unprompted reading had refused, refused one, and gave three
right answers for one."""
UNPROMPTED_CHECK = True
"""When the answer is one of ``matching.UNPROMPTED_PHRASES`` (yes, done, continue),
also read the same audio without the phrase list as prompt (the encoder output is reused; see
``Transcript.unprompted``). Other phrases are not read again: in a short window the
unprompted reading of them is often garbage ("Can form." for "Confirm."), which only sent
right answers to the slow 30 s pass."""
TRIM = True
"""Cut the loud part of the utterance out of quieter background before decoding."""
TALKING_TRIM_DB = 12.0
"""Over a talking background (``cleanup.talking_background``) the loud part is the frames
within this many dB of the loudest (None: the usual ``utterance.TRIM_BELOW_PEAK_DB``, 25),
the gate's own line between the user and the TV (``cleanup.GATE_BELOW_DB``): at 25 dB the
TV's words before and after the command stayed in and tiny.en wrote them ("Slower. Married
and more."). tiny.en alone on every third tune TV 20 dB clip, with a 0.15 s margin: 62 -> 81
of 117 (15 dB: 79).
The margin stays 0.2 s: 0.15 s cost a real "stop" its end ("Start.") and let a real "go" and
"happy" through as "Stop." and "Help.". Full recognizer, every test-split decode with a
talking background (1566; stop 21): TV 20 dB 172 -> 211 of 271, TV 10 dB 48 -> 44, TV 5 dB
9 -> 8, wrong intents 2 -> 4, "confirm" at the confirm turn 7 -> 4 of 16, sound-alikes and
the homophone "dunn" taken as an advance 7 -> 2, real recordings unchanged (with
``matching.WHOLE_CHECKED``)."""
SHORT_WINDOW = True
"""Try a window fitted to the utterance before the long window (see ``transcribe``)."""
SENTENCE_WORDS = 4
"""A short-window reading of at least this many words, at least SENTENCE_LOGPROB sure, with no
beam reading an allowed phrase, is a sentence, not a command: the 30 s pass is skipped."""
SENTENCE_LOGPROB = -0.5
"""...(nats). Tune split: the 30 s pass skipped for 49 of 126 negatives, no command lost."""
SENTENCE_CLAUSES = True
"""...unless a clause of it is an allowed phrase ("Repeat that. Repeat that. Repeat repeat
that", over a TV "No. He was not. No. He"): then the 30 s pass reads it again (False: the
rule before stop 25). Every decode of stop 24's full runs that the rule had made final that
way, decoded again with the full recognizer (a scratch probe): tune 18 decodes, 3 of 9
commands right (clean "repeat that", TV 10 dB "go back" and "no"); test 15 decodes, 2 of 4
("say that again", clean and TV 10 dB); none wrong; of the other clips 1 of 9 taken on tune
and 1 of 11 on test, each the retired "speak up" in pink 10 dB as "Speed up.". Sentences
with a command word ("No, I said the other one.", "Yes, but not now.") stayed refused. Full
runs (base reads by the same rule): test 5 commands more right (3 of them base's answers),
tune 4 (1), none wrong, the same retired "speak up" taken on each split."""
FAR_LOGPROB = -0.4
"""A short-window reading at least this sure (nats) that is no allowed phrase and not like
one (see FAR_SIMILARITY), with no beam reading a phrase, is final: the 30 s pass is skipped.
Real other words ("Down.", "Bird.") and plain sound-alikes are decoded once. Tune split, quick:
-0.4: 102 of 514 second passes skipped, no command lost; -0.5: 128 skipped, one lost
("Now get." for "louder", which the 30 s pass heard). -0.3 (stop 25, a scratch probe on the
full tune split's clip list, the 248 decodes from -0.4 to -0.3 decoded again): 1 of 5
commands more right, 3 of 168 real other words taken as help."""
FAR_SIMILARITY = 0.45
"""...not like one: the letter similarity (``matching.letter_similarity``, 0..1) of the
reading to every allowed phrase below this. "Step." is like "stop" (0.75) and "Bladder." like
"louder" (0.62): the 30 s pass heard both right; "Down." against "all done", a phrase then,
was 0.5 (against "done" it is 0.75). It was 0.6 until stop 24. Then every short-window
reading the rule had made final at a similarity from 0.45 to 0.6 was decoded again with the
30 s pass (the full recognizer; a scratch probe on stop 23's full tune run). Tune split:
14 of 33 such commands right ("Intention." -> "End session.", "Load up." -> "Louder.",
"John." -> "Done."), none wrong, 2 real "stop"s right ("Start." -> "Stop."), 8 of 54
negatives taken, none an advance (the sound-alikes "top", "shop" and "stock" as "Stop.",
"west" as "Wait."), none of 145 real other words. From 0.4 to 0.45 it would send 504 more
decodes (396 of them real other words) to the 30 s pass for 4 commands. Test split, full run
(``scripts/bench_recognition.py --split test``): 13 commands more right (clean 2, reverb 6),
no wrong intent, 9 negatives more taken (7 sound-alikes as "Stop.", none an advance)."""
FAR_MIN_LETTERS = 2
"""...and a word, not a fragment: at least this many letters. Test split: reverb "help" read
"L." in the short window, "Help." in the 30 s one."""
GATED_READING = True
"""When the background comes and goes (a TV) and the reading of the utterance holds an
allowed phrase among other words ("Next step. A less to be rather."), read it a second time
with the background turned down (``cleanup.gate``); the recognizer takes that
reading only when it agrees (``matching.gated_agrees``). With the vocabulary of 2026-12-02
(no "all done", no "speak up": both readings agreed on "Hold on." and "Speed up." for them),
``scripts/bench_recognition.py --split tune --quick``: TV at 20 dB 27 -> 37 of 50, every
other line the same (no wrong intent, stop -> advance 0 of 52, sound-alikes, real words);
retired "all done" heard as "Hold on." 20 -> 21 of 120, "speak up" as "Speed up." 15 -> 19,
never an advance. Test split, quick: TV 24 -> 31 of 50 (48 -> 62 %), no wrong intent,
every other line the same; read again for 14 of 50 TV commands, 9 retired-phrase clips and
1 of 321 real other words (load 2-6). Those clips take about twice as long."""
LONG_WINDOW_S = 30
"""Encoder window (seconds) of the second pass, when the short window's answer is not sure.
Whisper is trained on 30 s; encoder work grows faster than the window (attention)."""
MATH_KERNELS = "AVX2"
"""The widest x86 instruction set Intel MKL (inside CTranslate2's wheels) may use for the
model's int8 arithmetic (``MKL_ENABLE_INSTRUCTIONS``; the user's own value is kept). Left to
choose, MKL uses AVX-512 or AMX where the CPU has them, and the scores then differ enough to
turn borderline clips. The constants here were tuned, and the tests' thresholds set, on
earlier machines; most laptops have AVX2 and no AVX-512. Measured on a Xeon with AMX
(2026-12-02, stop 15): tune split, quick, the same 920 decodes, 10 intents differ (all
commands 73.1 % with AVX2, 72.0 % without: the same quality), but without the cap two
real-audio tests fail (a third sound-alike heard as "Yes." at a check; a TV clip heard
without the gated reading). The cap costs speed there, against
``MKL_ENABLE_INSTRUCTIONS=AVX512_E4``: commands median 56 against 46 ms, p95 494 against
403 ms (``scripts/bench_decode_speed.py --split test --every 4``).

The cap holds only where CTranslate2 uses MKL, which is on Intel CPUs. On AMD ones it uses
oneDNN (``CT2_VERBOSE=1``: "Use Intel MKL: false", GEMM backend DNNL), which picks its own
kernels: AVX2 on stop 26's AMD EPYC (by its documented dispatch, AVX-512 on the one of
stops 18-25; not checked there). Capping oneDNN too (``ONEDNN_MAX_CPU_ISA``) would not be
enough on its own: int8 turns rounding-level differences of the features into other
readings (COMPUTE_TYPE)."""
COMPUTE_TYPE = "int8"
"""CTranslate2's arithmetic for tiny.en (``--set 'engines.whisper.COMPUTE_TYPE="float32"'``).

int8 quantizes each layer's input, so a rounding-level change anywhere crosses some
quantization steps and grows from layer to layer. Measured on 40 tune clips' 30 s features
(stop 27, an AMD EPYC with AVX2, a scratch probe): numpy's matrix product on another OpenBLAS
kernel (``OPENBLAS_CORETYPE=Sandybridge``) changed 0.09 % of the feature values by rounding
(at most 1.2e-7). With int8, that moved encoder outputs by up to 2.98 and scores by up to 0.36
nats, and changed 3 of 40 best readings; so did CTranslate2's or oneDNN's other kernels
(``CT2_FORCE_CPU_ISA=AVX``: 4 of 40; ``ONEDNN_MAX_CPU_ISA=SSE41``: 5 of 40). With float32,
the feature change moved scores by at most 6e-6 nats, and both libraries on other kernels
(``CT2_FORCE_CPU_ISA=GENERIC ONEDNN_MAX_CPU_ISA=SSE41``) by 3e-4; no reading changed. That
is why the benchmarks differ by a few clips from one CPU kind to another.

float32 was measured and not kept (``scripts/bench_recognition.py --split tune --quick``,
same machine, int8 -> float32 for tiny.en, base int8): all commands 91.9 -> 91.2 % (a pink
10 dB "resume" heard as "Where am i.", a wrong intent); over a TV, a sentence holding "where
am i" taken (0 -> 1 of 48) and sound-alikes 18 -> 20 of 84 (a "yes sir" as yes at a check);
real other words taken 0.3 -> 0.8 %; 172 of 1326 best readings differ. Peak RSS 358 ->
465 MB (the 400 MB target). Decode median 552 -> 385 ms, p95 1784 -> 1991 ms, but slower
where the two read alike (one reading: median 132 -> 164 ms; with the 30 s pass: 620 -> 729
ms): the median sits where one-pass decodes end, and 649 instead of 619 ended in the short
window. The thresholds were tuned on int8 scores; float32 would mean tuning them anew."""
BASE_COMPUTE_TYPE = "int8"
"""CTranslate2's arithmetic for Whisper base (the cross-check). float32 for both models:
peak RSS 602 MB on the real recordings of the tune split, quick (317 MB in int8)."""
RELEASE_AFTER_DECODE = True
"""Hand the decode's freed memory back to the system before ``transcribe`` returns
(``_release_freed_memory``, about 3 ms). The 30 s window's encoder briefly needs about 90 MB
(tiny.en) or 110 MB (base) for its activations, and the C allocator kept much of that once
freed, so a peak was the memory kept from earlier decodes plus the next decode's."""
LARGE_BLOCK_BYTES = 8 * 1024 * 1024
"""Blocks of memory at least this large are mapped from the system and returned as soon as
they are freed (glibc's ``M_MMAP_THRESHOLD``, fixed; 0 leaves glibc's own): left alone,
glibc raises that threshold up to 32 MB as large blocks come and go, and then keeps the
encoder's 9-12 MB activations in its heap. With both models loaded, test split, quick
(``scripts/bench_recognition.py --split test --quick``, 2026-12-04): peak RSS 425 MB with
neither this nor RELEASE_AFTER_DECODE, 352 MB with both, every reading the same; decode
median 94 -> 108 ms, p95 488 -> 510 ms. Every 4th of those decodes in one process (a probe,
twice each): peak 399-402 MB with neither, 361-362 with the release alone, 383-387 with the
threshold alone, 331 with both; process CPU time 3-7 % more with the threshold."""


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
    ):
        """``model_dir``: another verified copy of the model (default: the installed wheel);
        ``threads``: CPU threads; ``beam_size``: 1 is greedy decoding (default HYPOTHESES, read
        here, so the benchmarks' ``--set engines.whisper.HYPOTHESES=N`` takes effect);
        ``pinned``: the hashes ``model_dir`` must match (default: tiny.en's); ``compute_type``:
        CTranslate2's arithmetic (default COMPUTE_TYPE)."""
        if not is_available():
            raise EngineUnavailable(
                f"the whisper engine needs ctranslate2 and tokenizers: {install_hint('whisper')}"
            )
        path = locate_whisper_model(model_dir) if pinned is None else verify_whisper_model(model_dir, pinned)
        started = time.perf_counter()
        os.environ.setdefault("MKL_ENABLE_INSTRUCTIONS", MATH_KERNELS)  # before MKL starts
        _map_large_blocks(LARGE_BLOCK_BYTES)
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
        self.model_dir = path
        self.load_ms = (time.perf_counter() - started) * 1000.0
        """Milliseconds spent loading the model (hash check excluded)."""
        _release_freed_memory()
        log.info("Whisper loaded from %s in %.0f ms", path, self.load_ms)

    @classmethod
    def open_base(cls, threads: int = 2) -> WhisperEngine | None:
        """Whisper base, verified, or None when it is not installed (ModelError when damaged)."""
        path = locate_base_model()
        return (
            None
            if path is None
            else cls(path, threads=threads, pinned=BASE_FILES, compute_type=BASE_COMPUTE_TYPE)
        )

    def transcribe(self, audio: np.ndarray, phrases: Sequence[str]) -> Transcript:
        """Decode mono float32 ``audio`` at 16 kHz, prompted with ``phrases``.

        See ``_read``. When the background comes and goes and that reading holds an allowed
        phrase among other words, the utterance is read again with the background turned
        down (GATED_READING): the transcript's ``gated``."""
        samples = np.asarray(audio, dtype=np.float32)
        if samples.ndim != 1:
            raise ValueError(f"audio must be mono (1-D), got shape {samples.shape}")
        if samples.size < MIN_SECONDS * SAMPLE_RATE:
            return Transcript("", 0.0, False, 0.0)
        started = time.perf_counter()
        prompt, longest = self._prompt(tuple(phrases))
        allowed = {normalise(p) for p in phrases}
        talking = talking_background(samples)
        trimmed = talking and TALKING_TRIM_DB is not None
        cleaned = clean_up(samples)
        heard = _transcript(self._read(cleaned, prompt, longest, allowed, trimmed))
        quieter = None
        if talking and GATED_READING and matching.gated_reading_worth(heard.texts(), allowed):
            quieter = gate(samples)
        gated = (
            None if quieter is None else _transcript(self._read(quieter, prompt, longest, allowed, trimmed))
        )
        whole = None
        if trimmed and any(
            normalise(reading.text) in matching.WHOLE_PHRASES
            for reading in (heard, gated)
            if reading is not None
        ):
            whole = _transcript(self._read(cleaned, prompt, longest, allowed))
        if RELEASE_AFTER_DECODE:
            _release_freed_memory()
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
        but far better in noise). ``close``: trimmed to within TALKING_TRIM_DB of the peak."""
        if TRIM:
            start, end = speech_span(samples, TALKING_TRIM_DB) if close else speech_span(samples)
            samples = samples[start:end]
        passes = 0
        readings = first = None
        if SHORT_WINDOW:
            seconds = window_seconds(samples.size, MIN_WINDOW_S, WINDOW_MARGIN_S)
            window = np.zeros(seconds * SAMPLE_RATE, dtype=np.float32)
            window[: min(samples.size, window.size)] = samples[: window.size]
            features = log_mel(window, padding=0)[:, : seconds * 100]
            readings, no_speech, encoded = self._decode(features, prompt, longest, beam_size=SHORT_BEAM)
            unprompted = (
                self._unprompted(readings, encoded, allowed, longest)
                if _sure(readings, no_speech, allowed, None)
                else None
            )
            passes = 1
            if not (
                _sure(readings, no_speech, allowed, unprompted)
                or _not_a_command(readings, allowed)
                or _far_from_phrases(readings, allowed)
            ):
                first, readings = readings[0][0], None
        if readings is None:
            frames = max(LONG_WINDOW_S, window_seconds(samples.size, MIN_WINDOW_S, WINDOW_MARGIN_S)) * 100
            features = log_mel(samples[: frames * 160])[:, :frames]
            features = np.pad(features, ((0, 0), (0, frames - features.shape[1])))
            readings, no_speech, encoded = self._decode(features, prompt, longest)
            unprompted = (
                self._unprompted(readings, encoded, allowed, longest) if _clear(readings, no_speech) else None
            )
            passes += 1
        return _Reading(readings, no_speech, unprompted, first, passes)

    def _unprompted(
        self, readings: list[tuple[str, float]], encoded: Any, allowed: set[str], longest: int
    ) -> str | None:
        """The same audio read without the phrase list as prompt, when the best reading is an
        allowed phrase that needs it (else None); greedy, reusing the encoder output.
        ``transcribe`` asks only when the reading can count: in the short window when it is
        otherwise sure (``_sure``), in the 30 s one when it is clear (the recognizer ignores
        an unclear one). Test split, the 172 clips of ``bench_decode_speed.py --every 4``:
        11 -> 9 unprompted reads, every text, confidence and intent the same."""
        said = normalise(readings[0][0])
        if not UNPROMPTED_CHECK or said not in allowed or said not in matching.UNPROMPTED_PHRASES:
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


class _Reading(NamedTuple):
    """One cleaned-up version of the utterance, decoded (see ``WhisperEngine._read``)."""

    readings: list[tuple[str, float]]
    no_speech: float
    unprompted: str | None
    first: str | None
    passes: int


def _transcript(reading: _Reading) -> Transcript:
    """The Transcript of ``reading`` (no decode time yet): unclear when Whisper wrote nothing,
    thinks it is not speech (MAX_NO_SPEECH) or is unsure of its words (MIN_AVG_LOGPROB)."""
    text, avg_logprob = reading.readings[0]
    if not text:
        log.debug("whisper heard nothing")
        return Transcript("", 0.0, False)
    confidence = min(1.0, max(0.0, math.exp(avg_logprob)))
    clear = _clear(reading.readings, reading.no_speech)
    log.debug(
        "whisper heard %r in %d pass(es): no_speech=%.2f avg_logprob=%.2f clear=%s; "
        "readings %s; unprompted %r",
        text,
        reading.passes,
        reading.no_speech,
        avg_logprob,
        clear,
        reading.readings,
        reading.unprompted,
    )
    return Transcript(
        text,
        confidence,
        clear,
        readings=tuple(reading.readings),
        unprompted=reading.unprompted,
        first=reading.first,
    )


def _sure(
    readings: list[tuple[str, float]], no_speech: float, allowed: set[str], unprompted: str | None
) -> bool:
    """The short window's answer stands: clearly speech, confident, exactly one allowed
    phrase, every reading within SURE_MARGIN of it the same phrase, and the unprompted
    reading holding it too."""
    text, best = readings[0]
    said = normalise(text)
    floor = STRICTER_SURE_LOGPROB.get(said, SURE_LOGPROB)
    return (
        no_speech <= MAX_NO_SPEECH
        and best >= floor
        and said in allowed
        and all(normalise(other) == said for other, score in readings[1:] if best - score <= SURE_MARGIN)
        and (unprompted is None or f" {said} " in f" {normalise(unprompted)} ")
    )


def _clear(readings: list[tuple[str, float]], no_speech: float) -> bool:
    """Whisper thinks the best reading is speech and is sure enough of its words (see
    MAX_NO_SPEECH, MIN_AVG_LOGPROB)."""
    return no_speech <= MAX_NO_SPEECH and readings[0][1] >= MIN_AVG_LOGPROB


def _not_a_command(readings: list[tuple[str, float]], allowed: set[str]) -> bool:
    """The short window's answer is final and means nothing: a sure sentence, no reading is a
    phrase and no clause of it is one. (Not "no_speech is high": in a short window real "yes"
    clips scored 0.61, and the 30 s pass heard them.)"""
    text, best = readings[0]
    return (
        best >= SENTENCE_LOGPROB
        and len(normalise(text).split()) >= SENTENCE_WORDS
        and not any(normalise(other) in allowed for other, _ in readings)
        and not (SENTENCE_CLAUSES and any(part in allowed for part in matching.clauses(text)))
    )


def _far_from_phrases(readings: list[tuple[str, float]], allowed: set[str]) -> bool:
    """The short window's answer is final and means nothing: a sure reading of words unlike
    every allowed phrase, and no reading is a phrase. Never an accept, so never a false one."""
    text, best = readings[0]
    said = normalise(text)
    return (
        len(said.replace(" ", "")) >= FAR_MIN_LETTERS
        and best >= FAR_LOGPROB
        and not any(normalise(other) in allowed for other, _ in readings)
        and all(letter_similarity(said, phrase) < FAR_SIMILARITY for phrase in allowed)
    )


_M_MMAP_THRESHOLD = -3
"""mallopt's parameter number for M_MMAP_THRESHOLD (glibc's malloc.h)."""


def _map_large_blocks(size: int) -> None:
    """Have glibc map blocks of at least ``size`` bytes on their own and return them when
    freed (LARGE_BLOCK_BYTES; a no-op for 0 and without glibc)."""
    libc = _glibc()
    if size > 0 and libc is not None:
        libc.mallopt(_M_MMAP_THRESHOLD, size)


def _release_freed_memory() -> None:
    """Hand freed memory back to the system (glibc's ``malloc_trim``; a no-op elsewhere),
    after each load and each decode (RELEASE_AFTER_DECODE). CTranslate2 reads the whole model
    file to convert it to int8 and frees it, but the C allocator keeps that memory, so a
    second model loaded after the first would add its own on top. Measured (a probe,
    2026-12-02): tiny.en then base peaked at 400 MB; base first and this after each load, at
    338 MB (``open_engines``)."""
    libc = _glibc()
    if libc is not None:
        libc.malloc_trim(0)


@functools.cache
def _glibc() -> Any:
    """The C library as ctypes sees it, or None where it is not glibc."""
    try:
        import ctypes

        libc = ctypes.CDLL("libc.so.6")
        return libc if hasattr(libc, "malloc_trim") and hasattr(libc, "mallopt") else None
    except OSError:
        return None


def _avg_logprob(ids: list[int], score: float) -> float:
    """faster-whisper's average log-probability from CTranslate2's length-normalised score
    (the end-of-text token counts too)."""
    return score * len(ids) / (len(ids) + 1)
