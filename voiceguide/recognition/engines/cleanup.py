"""Front-end clean-up of one utterance before Whisper hears it. Pure: arrays in, arrays out.

Two kinds of background need opposite treatment, so ``clean_up`` first tells them apart by how
steady the background's level is (``steady_background``):

- **a talking TV** (levels come and go; ``GATE`` is off: the gated audio is read only as a
  confirming second reading, ``talking_background``): Whisper writes its
  words around the user's ("Please slow down.", "Say that again. Respectable."). ``gate``
  turns down the frames well under the speech level and near the background's, away from
  the user's words. Tune split, quick (70 clips): TV at 20 dB 41.4 -> 70.0 %, wrong intents
  5.7 -> 0 % (another 70 clips, before the GATE_ABOVE_EDGES_DB rule: 22.9 -> 71.4 %).
- **steady noise** (a fan, hiss): gating it made Whisper worse (pink 10 dB 67.1 -> 64.3 %, and
  wrong intents 0 -> 2.9 %); ``denoise`` subtracts its spectrum instead: 67.1 -> 75.7 %.

In a quiet room nothing is touched (clean and reverb clips: the same figures as without).
Other settings and voice-assistant noise suppressors measured no better (docs/decisions.md).

``GATE`` and ``DENOISE`` switch the two off (``scripts/bench_recognition.py --set
engines.cleanup.GATE=false``).
"""

from __future__ import annotations

import numpy as np

from voiceguide.core.ports import SAMPLE_RATE
from voiceguide.recognition.engines.utterance import FRAME  # the trim's 20 ms frames: the same levels

GATE = False
"""Turn down the background between and around the user's words when it comes and goes. Off: on
the test split it raised TV at 20 dB 41.4 -> 64.3 % but wrong intents there 1 -> 3 of 70; the
gated audio is read instead as a second opinion that must agree (``policy.gated_reading``)."""
GATE_BELOW_DB = 12.0
"""A frame more than this many dB under the loudest frame is background (9 dB: the same TV
figure; 15 dB: 5.7 points less)."""
GATE_STEADY_DB = 4.5
"""Background whose frame levels spread at most this much (standard deviation, dB) is steady
noise, not a TV. Tune split: pink noise 0.9-2.6 dB at 10 dB and up to 5.5 at 20 dB (there the
gate hardly matters), TV at 20 dB 5.0-16.4."""
GATE_NOISY_DB = 40.0
"""The gate acts only when the background is within this many dB of the loudest frame (None:
always), so a quiet room is left alone. 30 dB left the gate off for a tenth of the TV clips
(72.9 -> 71.4 %)..."""
GATE_EDGE_S = 0.15
"""...the background being the mean power of the utterance's first and last this many
seconds (the endpointer keeps 0.2 s before the speech and stops 0.35 s after it)."""
GATE_ABOVE_EDGES_DB = 16.0
"""...and a frame is background only when also at most this many dB above the edge frames' median:
without it a real "stop" lost its "s" and "top" was heard as "Done." at a step. Tune, TV at 20 dB:
without 72.9 % (wrong 2.9 %), 16 dB 70.0 % (wrong 0), 10 dB 60.0 %."""
GATE_HOLD_S = 0.1
"""Seconds the gate stays open before and after a loud frame (the "s" of "stop", the "p"
after it)."""
GATE_GAP_S = 0.3
"""A quiet stretch shorter than this (seconds, after the hold) between two open ones stays
open: it is inside a word or between close words, not background (0: 70.0 % against 71.4)."""
GATE_DEPTH_DB = 30.0
"""How far a closed frame is turned down, dB. 40 dB cost a real "yes" its "s" (tune split,
Speech Commands); 30 dB kept every real command."""

DENOISE = True
"""Subtract steady background noise from the spectrum (see ``denoise``)."""
DENOISE_NOISY_DB = 20.0
"""...only when the background (the edges' mean power, as for GATE_NOISY_DB) is within this many
dB of the loudest frame: in ordinary rooms (Speech Commands, 25-30 dB under the word) it turned
"on" and "house" into "Pause."."""
DENOISE_QUIET_FRACTION = 0.2
"""The quietest fraction of STFT frames is taken as the noise."""
DENOISE_OVERSUBTRACT = 1.5
"""The noise power is subtracted this many times over (residual "musical" noise)."""
DENOISE_FLOOR = 0.1
"""Smallest amplitude gain of a frequency bin (-20 dB), so speech under the noise is not
carved away."""
FFT = 512
"""STFT size in samples (32 ms); frames overlap by half."""


def clean_up(audio: np.ndarray, *, denoising: bool | None = None, gating: bool | None = None) -> np.ndarray:
    """``audio`` (mono float32, 16 kHz) as the recognizer should hear it: steady background
    subtracted (``denoise``; ``denoising``, default DENOISE), background that comes and goes
    turned down (``gate``; ``gating``, default GATE)."""
    out = np.asarray(audio, dtype=np.float32)
    denoising = DENOISE if denoising is None else denoising
    gating = GATE if gating is None else gating
    if steady_background(out):
        return denoise(out) if denoising and _edges_db(out) >= -DENOISE_NOISY_DB else out
    return gate(out) if gating else out


def talking_background(audio: np.ndarray) -> bool:
    """True when the background comes and goes, like a TV or people talking (not
    ``steady_background``), and is loud enough for ``gate`` to act (GATE_NOISY_DB): the
    engine then trims the utterance closer (``policy.talking_trim_db``) and may read it
    again gated (``policy.gated_reading``), whatever ``GATE`` says, and the recognizer may
    ask the larger model (``matching.background_check_wanted``). On the corpus: 587 of 700 commands with a TV at
    20 dB, 366 at 10 dB, 163 at 5 dB; none clean, in pink noise or reverb; 461 of the 560
    negatives spoken over a TV, none of the others but the TV alone once; 296 of the 1,375
    Speech Commands recordings (their rooms)."""
    out = np.asarray(audio, dtype=np.float32)
    if frame_levels(out).size < 3 or steady_background(out):
        return False
    return GATE_NOISY_DB is None or _edges_db(out) >= -GATE_NOISY_DB


def frame_levels(audio: np.ndarray) -> np.ndarray:
    """dB level (mean square, 1e-12 floor) of each whole 20 ms frame."""
    frames = len(audio) // FRAME
    chunks = audio[: frames * FRAME].reshape(frames, FRAME).astype(np.float64)
    return 10.0 * np.log10(np.mean(chunks**2, axis=1) + 1e-12)


def steady_background(audio: np.ndarray) -> bool:
    """True when the background, the frames the gate would turn down (see ``open_frames``),
    keeps a steady level: their standard deviation is at most GATE_STEADY_DB (or there are
    hardly any)."""
    levels = frame_levels(audio)
    if levels.size < 3:
        return True
    background = levels[~open_frames(levels)]
    return background.size < 3 or float(np.std(background)) <= GATE_STEADY_DB


def open_frames(levels: np.ndarray) -> np.ndarray:
    """Which frames (of ``frame_levels``) the gate keeps: within GATE_BELOW_DB of the loudest
    or more than GATE_ABOVE_EDGES_DB above the edges' median, widened by GATE_HOLD_S, with
    gaps shorter than GATE_GAP_S filled."""
    edge = _edge_frames()
    threshold = levels.max() - GATE_BELOW_DB
    if GATE_ABOVE_EDGES_DB is not None:
        edges = np.concatenate([levels[:edge], levels[-edge:]])
        threshold = min(threshold, float(np.median(edges)) + GATE_ABOVE_EDGES_DB)
    open_ = levels >= threshold
    hold = int(round(GATE_HOLD_S * SAMPLE_RATE / FRAME))
    if hold:
        open_ = np.convolve(open_.astype(float), np.ones(2 * hold + 1), mode="same") > 0
    return _fill_gaps(open_, int(round(GATE_GAP_S * SAMPLE_RATE / FRAME)))


def gate(audio: np.ndarray) -> np.ndarray:
    """``audio`` with the frames ``open_frames`` does not keep turned down by GATE_DEPTH_DB;
    unchanged when the background is quiet (GATE_NOISY_DB). The gain moves linearly between
    frame centres, so the gate makes no click."""
    levels = frame_levels(audio)
    if levels.size < 3:
        return audio
    if GATE_NOISY_DB is not None and _edges_db(audio) < -GATE_NOISY_DB:
        return audio
    frame_gain = np.where(open_frames(levels), 1.0, 10.0 ** (-GATE_DEPTH_DB / 20.0))
    centres = np.arange(levels.size) * FRAME + FRAME / 2
    gain = np.interp(np.arange(len(audio)), centres, frame_gain)
    return (audio * gain).astype(np.float32)


def denoise(audio: np.ndarray) -> np.ndarray:
    """``audio`` with a steady noise spectrum subtracted: the noise power per frequency is the
    mean over the quietest DENOISE_QUIET_FRACTION of STFT frames; each bin keeps
    sqrt(max(1 - DENOISE_OVERSUBTRACT * noise / power, DENOISE_FLOOR**2)) of its amplitude.
    Shorter than 4 STFT frames: unchanged."""
    hop = FFT // 2
    if len(audio) < 4 * FFT:
        return audio
    padded = np.concatenate([np.zeros(hop), audio.astype(np.float64), np.zeros(FFT)])
    count = (len(padded) - FFT) // hop + 1
    window = np.sqrt(np.hanning(FFT + 1)[:FFT])  # periodic sqrt-Hann twice sums to 1 at 50 %
    index = np.arange(FFT)[None, :] + hop * np.arange(count)[:, None]
    spectrum = np.fft.rfft(padded[index] * window, axis=1)
    power = np.abs(spectrum) ** 2
    quiet = np.argsort(power.sum(axis=1))[: max(1, int(DENOISE_QUIET_FRACTION * count))]
    noise = power[quiet].mean(axis=0)
    gain = np.sqrt(
        np.maximum(1.0 - DENOISE_OVERSUBTRACT * noise / np.maximum(power, 1e-20), DENOISE_FLOOR**2)
    )
    frames = np.fft.irfft(spectrum * gain, FFT, axis=1) * window
    out = np.zeros(hop * (count + 1))
    out[: hop * count] += frames[:, :hop].ravel()  # first halves, then the overlapping seconds
    out[hop : hop * (count + 1)] += frames[:, hop:].ravel()
    return out[hop : hop + len(audio)].astype(np.float32)


def _edges_db(audio: np.ndarray) -> float:
    """Mean power of the first and last GATE_EDGE_S of ``audio``, in dB under its loudest
    frame (the background's level)."""
    levels = frame_levels(audio)
    if levels.size == 0:
        return 0.0
    edge = _edge_frames()
    edges = np.concatenate([levels[:edge], levels[-edge:]])
    return float(10.0 * np.log10(np.mean(10.0 ** (edges / 10.0))) - levels.max())


def _fill_gaps(mask: np.ndarray, shortest: int) -> np.ndarray:
    """``mask`` with every run of False shorter than ``shortest`` frames between two True
    frames set True."""
    out = mask.copy()
    where = np.flatnonzero(mask)
    for before, after in zip(where[:-1], where[1:]):
        if 1 < after - before <= shortest:
            out[before + 1 : after] = True
    return out


def _edge_frames() -> int:
    """Frames in GATE_EDGE_S (at least one)."""
    return max(1, int(round(GATE_EDGE_S * SAMPLE_RATE / FRAME)))
