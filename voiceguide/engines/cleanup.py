"""Front-end clean-up of one utterance before Whisper hears it. Pure: arrays in, arrays out.

(docstring to be completed with the measured figures)
"""

from __future__ import annotations

import numpy as np

from voiceguide.ports import SAMPLE_RATE

FRAME = SAMPLE_RATE // 50
"""Samples per 20 ms analysis frame."""

GATE = True
"""Attenuate the quiet frames around and between the user's words (see ``gate``)."""
GATE_BELOW_DB = 12.0
"""A frame more than this many dB under the speech level is background."""
GATE_REFERENCE_PERCENTILE = 100.0
"""The speech level: this percentile of the frame levels (100: the loudest frame)."""
GATE_NOISY_DB = 40.0
"""The gate acts only when the background is within this many dB of the speech level (None:
always), so in a quiet room nothing is touched..."""
GATE_EDGE_S = 0.15
"""...the background being the mean power of the utterance's first and last this many
seconds (the endpointer keeps 0.2 s before the speech and ends 0.35 s after it)."""
GATE_HOLD_S = 0.1
"""Seconds the gate stays open before and after a loud frame (soft consonants: the "s" of
"stop", the "p" after it)."""
GATE_GAP_S = 0.3
"""A quiet stretch between loud ones shorter than this (seconds, after the hold) stays open:
it is inside a word or between close words ("next step" said slowly), not background."""
GATE_STEADY_DB = 4.0
"""...and only when the background frames' levels spread more than this (standard deviation,
dB): a talking TV comes and goes, a fan's hiss does not, and gating steady noise only made
Whisper worse (pink 10 dB, tune split: 67.1 -> 64.3 %)."""
GATE_DEPTH_DB = 30.0
"""How far a closed frame is turned down, dB (None: to silence)."""

DENOISE = True
"""Subtract a stationary noise estimate from the spectrum (see ``denoise``)."""
DENOISE_QUIET_FRACTION = 0.2
"""The quietest fraction of STFT frames taken as the noise estimate."""
DENOISE_OVERSUBTRACT = 1.5
"""Noise power is subtracted this many times over (musical-noise control)."""
DENOISE_FLOOR = 0.1
"""Smallest spectral gain (amplitude), so speech under the noise is not carved away."""
FFT = 512
"""STFT size (32 ms at 16 kHz); hop is half of it."""


def clean_up(audio: np.ndarray) -> np.ndarray:
    """``audio`` (mono float32, 16 kHz) as the recognizer should hear it: switched parts
    (DENOISE, GATE) applied in that order."""
    out = np.asarray(audio, dtype=np.float32)
    if steady_background(out):
        return denoise(out) if DENOISE else out
    return gate(out) if GATE else out


def steady_background(audio: np.ndarray) -> bool:
    """True when the frames more than GATE_BELOW_DB under the loudest one (the background)
    keep a steady level: their standard deviation is at most GATE_STEADY_DB."""
    levels = frame_levels(audio)
    if levels.size < 3:
        return True
    background = levels[levels < levels.max() - GATE_BELOW_DB]
    return background.size < 3 or float(np.std(background)) <= GATE_STEADY_DB


def frame_levels(audio: np.ndarray) -> np.ndarray:
    """dB level of each whole 20 ms frame (mean square, 1e-12 floor)."""
    frames = len(audio) // FRAME
    power = np.mean(audio[: frames * FRAME].reshape(frames, FRAME).astype(np.float64) ** 2, axis=1)
    return 10.0 * np.log10(power + 1e-12)


def gate(audio: np.ndarray, below_db: float | None = None, hold_s: float | None = None,
         depth_db: float | None | str = "default") -> np.ndarray:
    """``audio`` with frames more than ``below_db`` under the speech level, and further than
    ``hold_s`` from any frame that is not, turned down by ``depth_db`` (None: silenced). The
    gain moves linearly between frame centres, so no click is made."""
    below_db = GATE_BELOW_DB if below_db is None else below_db
    hold_s = GATE_HOLD_S if hold_s is None else hold_s
    depth_db = GATE_DEPTH_DB if depth_db == "default" else depth_db
    levels = frame_levels(audio)
    if levels.size < 3:
        return audio
    reference = np.percentile(levels, GATE_REFERENCE_PERCENTILE)
    if GATE_NOISY_DB is not None:
        edge = max(1, int(round(GATE_EDGE_S * SAMPLE_RATE / FRAME)))
        power = 10.0 ** (np.concatenate([levels[:edge], levels[-edge:]]) / 10.0)
        if 10.0 * np.log10(np.mean(power)) < reference - GATE_NOISY_DB:
            return audio
    loud = levels >= reference - below_db
    hold = int(round(hold_s * SAMPLE_RATE / FRAME))
    if hold:
        kernel = np.ones(2 * hold + 1)
        loud = np.convolve(loud.astype(float), kernel, mode="same") > 0
    loud = _fill_gaps(loud, int(round(GATE_GAP_S * SAMPLE_RATE / FRAME)))
    closed = 0.0 if depth_db is None else 10.0 ** (-depth_db / 20.0)
    frame_gain = np.where(loud, 1.0, closed)
    centres = np.arange(levels.size) * FRAME + FRAME / 2
    gain = np.interp(np.arange(len(audio)), centres, frame_gain)
    return (audio * gain).astype(np.float32)


def denoise(audio: np.ndarray, quiet_fraction: float | None = None,
            oversubtract: float | None = None, floor: float | None = None) -> np.ndarray:
    """``audio`` with a stationary noise spectrum subtracted: the noise power per frequency is
    the mean over the quietest ``quiet_fraction`` of STFT frames; each bin keeps
    sqrt(max(1 - oversubtract * noise / power, floor**2)) of its amplitude."""
    quiet_fraction = DENOISE_QUIET_FRACTION if quiet_fraction is None else quiet_fraction
    oversubtract = DENOISE_OVERSUBTRACT if oversubtract is None else oversubtract
    floor = DENOISE_FLOOR if floor is None else floor
    hop = FFT // 2
    if len(audio) < 4 * FFT:
        return audio
    padded = np.concatenate([np.zeros(hop), audio.astype(np.float64), np.zeros(FFT)])
    count = (len(padded) - FFT) // hop + 1
    window = np.sqrt(np.hanning(FFT + 1)[:FFT])  # periodic sqrt-Hann: analysis * synthesis = 1
    index = np.arange(FFT)[None, :] + hop * np.arange(count)[:, None]
    spectrum = np.fft.rfft(padded[index] * window, axis=1)
    power = np.abs(spectrum) ** 2
    energy = power.sum(axis=1)
    quiet = np.argsort(energy)[: max(1, int(quiet_fraction * count))]
    noise = power[quiet].mean(axis=0)
    gain = np.sqrt(np.maximum(1.0 - oversubtract * noise / np.maximum(power, 1e-20), floor ** 2))
    frames = np.fft.irfft(spectrum * gain, FFT, axis=1) * window
    out = np.zeros(len(padded))
    np.add.at(out, index, frames)
    return out[hop: hop + len(audio)].astype(np.float32)


def _fill_gaps(mask: np.ndarray, shortest: int) -> np.ndarray:
    """``mask`` with every run of False shorter than ``shortest`` frames that lies between two
    True frames set True."""
    out = mask.copy()
    where = np.flatnonzero(mask)
    for before, after in zip(where[:-1], where[1:]):
        if 1 < after - before <= shortest:
            out[before + 1:after] = True
    return out
