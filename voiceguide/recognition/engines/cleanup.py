"""Front-end clean-up of one utterance before Whisper hears it. Pure: arrays in, arrays out.

Two kinds of background need opposite treatment, so ``clean_up`` first tells them apart by how
steady the background's level is (``steady_background``):

- **steady noise** (a fan, hiss): ``denoise`` subtracts its spectrum. Tune split, quick, pink
  10 dB: 67.1 -> 75.7 % (gating it instead made Whisper worse: 64.3 %, wrong intents 0 -> 2.9 %).
- **a talking TV** (levels come and go, ``talking_background``): left as it is; the engine cuts
  the utterance closer to its loudest frames (``policy.talking_trim_db``). Turning the TV down
  between the user's words raised TV at 20 dB on the test split (41.4 -> 64.3 %) but tripled
  wrong intents (1 -> 3 of 70), so it is not done (docs/decisions.md).

In a quiet room nothing is touched (clean and reverb clips: the same figures as without).
Other settings and voice-assistant noise suppressors measured no better (docs/decisions.md).
``DENOISE`` switches the subtraction off (``scripts/bench_recognition.py --set
engines.cleanup.DENOISE=false``).
"""

from __future__ import annotations

import numpy as np

from voiceguide.core.ports import SAMPLE_RATE
from voiceguide.recognition.engines.utterance import FRAME  # the trim's 20 ms frames: the same levels

BACKGROUND_BELOW_DB = 12.0
"""A frame more than this many dB under the loudest frame is background (``open_frames``; for
a gate that turned it down, 9 dB gave the same TV figure, 15 dB 5.7 points less)."""
BACKGROUND_STEADY_DB = 4.5
"""Background whose frame levels spread at most this much (standard deviation, dB) is steady
noise, not a TV. Tune split: pink noise 0.9-2.6 dB at 10 dB and up to 5.5 at 20 dB (there the
noise hardly matters), TV at 20 dB 5.0-16.4."""
BACKGROUND_NOISY_DB = 40.0
"""A background counts as talking only when it is within this many dB of the loudest frame
(None: always), so a quiet room is left alone. 30 dB missed a tenth of the TV clips
(72.9 -> 71.4 %)..."""
BACKGROUND_EDGE_S = 0.15
"""...the background being the mean power of the utterance's first and last this many
seconds (the endpointer keeps 0.2 s before the speech and stops 0.35 s after it)."""
BACKGROUND_ABOVE_EDGES_DB = 16.0
"""...and a frame is background only when also at most this many dB above the edge frames' median:
without it a real "stop" lost its "s" and "top" was heard as "Done." at a step. Tune, TV at 20 dB:
without 72.9 % (wrong 2.9 %), 16 dB 70.0 % (wrong 0), 10 dB 60.0 %."""
BACKGROUND_HOLD_S = 0.1
"""Seconds kept before and after a loud frame (the "s" of "stop", the "p"
after it)."""
BACKGROUND_GAP_S = 0.3
"""A quiet stretch shorter than this (seconds, after the hold) between two open ones stays
open: it is inside a word or between close words, not background (0: 70.0 % against 71.4)."""
DENOISE = True
"""Subtract steady background noise from the spectrum (see ``denoise``)."""
DENOISE_NOISY_DB = 20.0
"""...only when the background (the edges' mean power, as for BACKGROUND_NOISY_DB) is within this many
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


def clean_up(audio: np.ndarray, *, denoising: bool | None = None) -> np.ndarray:
    """``audio`` (mono float32, 16 kHz) as the recognizer should hear it: steady background
    subtracted (``denoise``; ``denoising``, default DENOISE), anything else unchanged."""
    out = np.asarray(audio, dtype=np.float32)
    denoising = DENOISE if denoising is None else denoising
    if steady_background(out):
        return denoise(out) if denoising and _edges_db(out) >= -DENOISE_NOISY_DB else out
    return out


def talking_background(audio: np.ndarray) -> bool:
    """True when the background comes and goes, like a TV or people talking (not
    ``steady_background``), and is loud enough to matter (BACKGROUND_NOISY_DB): the engine then
    trims the utterance closer (``policy.talking_trim_db``). On the corpus: 587 of 700 commands with a TV at
    20 dB, 366 at 10 dB, 163 at 5 dB; none clean, in pink noise or reverb; 461 of the 560
    negatives spoken over a TV, none of the others but the TV alone once; 296 of the 1,375
    Speech Commands recordings (their rooms)."""
    out = np.asarray(audio, dtype=np.float32)
    if frame_levels(out).size < 3 or steady_background(out):
        return False
    return BACKGROUND_NOISY_DB is None or _edges_db(out) >= -BACKGROUND_NOISY_DB


def frame_levels(audio: np.ndarray) -> np.ndarray:
    """dB level (mean square, 1e-12 floor) of each whole 20 ms frame."""
    frames = len(audio) // FRAME
    chunks = audio[: frames * FRAME].reshape(frames, FRAME).astype(np.float64)
    return 10.0 * np.log10(np.mean(chunks**2, axis=1) + 1e-12)


def steady_background(audio: np.ndarray) -> bool:
    """True when the background, the frames ``open_frames`` does not keep,
    keeps a steady level: their standard deviation is at most BACKGROUND_STEADY_DB (or there are
    hardly any)."""
    levels = frame_levels(audio)
    if levels.size < 3:
        return True
    background = levels[~open_frames(levels)]
    return background.size < 3 or float(np.std(background)) <= BACKGROUND_STEADY_DB


def open_frames(levels: np.ndarray) -> np.ndarray:
    """Which frames (of ``frame_levels``) are the user's: within BACKGROUND_BELOW_DB of the loudest
    or more than BACKGROUND_ABOVE_EDGES_DB above the edges' median, widened by BACKGROUND_HOLD_S, with
    gaps shorter than BACKGROUND_GAP_S filled."""
    edge = _edge_frames()
    threshold = levels.max() - BACKGROUND_BELOW_DB
    if BACKGROUND_ABOVE_EDGES_DB is not None:
        edges = np.concatenate([levels[:edge], levels[-edge:]])
        threshold = min(threshold, float(np.median(edges)) + BACKGROUND_ABOVE_EDGES_DB)
    open_ = levels >= threshold
    hold = int(round(BACKGROUND_HOLD_S * SAMPLE_RATE / FRAME))
    if hold:
        open_ = np.convolve(open_.astype(float), np.ones(2 * hold + 1), mode="same") > 0
    return _fill_gaps(open_, int(round(BACKGROUND_GAP_S * SAMPLE_RATE / FRAME)))


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
    """Mean power of the first and last BACKGROUND_EDGE_S of ``audio``, in dB under its loudest
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
    """Frames in BACKGROUND_EDGE_S (at least one)."""
    return max(1, int(round(BACKGROUND_EDGE_S * SAMPLE_RATE / FRAME)))
