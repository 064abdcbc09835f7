"""Read and write 16-bit PCM mono WAV files, and resample audio, with numpy only.

Every engine takes float32 mono audio in [-1, 1] at ``SAMPLE_RATE`` (16 kHz); ``read_wav``
returns exactly that from a 16-bit PCM mono WAV at any rate.
"""

from __future__ import annotations

import logging
import struct
import wave
from pathlib import Path

import numpy as np

from voiceguide.core.ports import SAMPLE_RATE
from voiceguide.errors import FileProblem

log = logging.getLogger(__name__)

_FIX = "convert it with: sox in.wav -r 16000 -c 1 -b 16 out.wav"
_PCM = 1
_EXTENSIBLE = 0xFFFE
_TAPS_PER_SIDE = 64
"""Half-length of the low-pass filter, in input samples."""


def read_wav(path: str | Path) -> np.ndarray:
    """Mono float32 samples in [-1, 1] at 16 kHz from a 16-bit PCM mono WAV at any rate.

    Stereo, 8/24/32-bit, float or compressed WAVs and unreadable files are refused with a
    ``FileProblem`` that says how to convert them.
    """
    rate, pcm = _read_pcm16_mono(Path(path))
    audio = pcm.astype(np.float32) / 32768.0
    if rate != SAMPLE_RATE:
        log.debug("resampling %s from %d Hz to %d Hz", path, rate, SAMPLE_RATE)
        audio = resample(audio, rate, SAMPLE_RATE)
    return audio


def write_wav(path: str | Path, audio: np.ndarray, rate: int = SAMPLE_RATE) -> None:
    """Write mono ``audio`` as 16-bit PCM at ``rate`` Hz. Floats are taken as [-1, 1] and
    clipped; int16 arrays are written as they are."""
    samples = np.asarray(audio)
    if samples.ndim != 1:
        raise ValueError(f"write_wav takes mono audio (1-D), got shape {samples.shape}")
    if samples.dtype != np.int16:
        scaled = np.clip(samples.astype(np.float64), -1.0, 1.0) * 32767.0
        samples = np.round(scaled).astype(np.int16)
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(int(rate))
        out.writeframes(samples.astype("<i2").tobytes())


def resample(audio: np.ndarray, from_rate: int, to_rate: int) -> np.ndarray:
    """``audio`` (mono float) from ``from_rate`` Hz to ``to_rate`` Hz, as float32.

    A windowed-sinc low-pass removes what the lower of the two rates cannot carry (before
    interpolating when downsampling, after when upsampling), and linear interpolation
    places the new samples. Integer ratios (48 kHz to 16 kHz) land exactly on input samples.
    """
    if from_rate <= 0 or to_rate <= 0:
        raise ValueError(f"sample rates must be positive, got {from_rate} and {to_rate}")
    x = np.asarray(audio, dtype=np.float64)
    if from_rate == to_rate or x.size == 0:
        return x.astype(np.float32)
    if to_rate < from_rate:
        x = _low_pass(x, to_rate / from_rate)
    n_out = int(round(x.size * to_rate / from_rate))
    positions = np.arange(n_out) * (from_rate / to_rate)
    y = np.interp(positions, np.arange(x.size), x)
    if to_rate > from_rate:
        y = _low_pass(y, from_rate / to_rate)
    return np.clip(y, -1.0, 1.0).astype(np.float32)


def _low_pass(x: np.ndarray, fraction: float) -> np.ndarray:
    """Keep frequencies below ``fraction`` of the Nyquist frequency (0 < fraction < 1);
    Blackman-windowed sinc, 90 % of the band passed, same length and no delay."""
    cutoff = 0.5 * fraction * 0.9  # cycles per sample
    n = np.arange(-_TAPS_PER_SIDE, _TAPS_PER_SIDE + 1)
    taps = 2 * cutoff * np.sinc(2 * cutoff * n) * np.blackman(n.size)
    taps /= taps.sum()
    return np.convolve(x, taps, mode="same")


def _read_pcm16_mono(path: Path) -> tuple[int, np.ndarray]:
    """(rate in Hz, int16 samples) from a RIFF/WAVE file, or a FileProblem."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise FileProblem(path, None, f"cannot read this file ({exc.strerror or exc})") from exc
    if len(data) < 12 or data[:4] != b"RIFF" or data[8:12] != b"WAVE":
        raise FileProblem(path, None, f"not a WAV file; {_FIX}")
    fmt: tuple[int, int, int, int] | None = None
    pos = 12
    while pos + 8 <= len(data):
        chunk_id, size = struct.unpack_from("<4sI", data, pos)
        body = data[pos + 8 : pos + 8 + size]
        if chunk_id == b"fmt ":
            fmt = _parse_fmt(path, body)
        elif chunk_id == b"data":
            if fmt is None:
                raise FileProblem(path, None, f"WAV data comes before its format; {_FIX}")
            rate = fmt[1]
            if size in (0, 0xFFFFFFFF):  # written while streaming: the data runs to the end
                body = data[pos + 8 :]
            usable = len(body) - len(body) % 2  # a truncated file may end mid-sample
            return rate, np.frombuffer(body[:usable], dtype="<i2").copy()
        pos += 8 + size + (size & 1)
    raise FileProblem(path, None, f"WAV file has no audio data; {_FIX}")


def _parse_fmt(path: Path, body: bytes) -> tuple[int, int, int, int]:
    """(format, rate, channels, bits) from a fmt chunk, refusing all but 16-bit PCM mono."""
    if len(body) < 16:
        raise FileProblem(path, None, f"WAV format header is damaged; {_FIX}")
    tag, channels, rate, _byte_rate, _align, bits = struct.unpack_from("<HHIIHH", body)
    if tag == _EXTENSIBLE and len(body) >= 26:
        tag = struct.unpack_from("<H", body, 24)[0]  # the sub-format GUID starts with the tag
    if tag != _PCM:
        kind = "floating-point" if tag == 3 else f"compressed (format {tag})"
        raise FileProblem(path, None, f"WAV is {kind}, not 16-bit PCM; {_FIX}")
    if channels != 1:
        raise FileProblem(path, None, f"WAV has {channels} channels, not mono; {_FIX}")
    if bits != 16:
        raise FileProblem(path, None, f"WAV is {bits}-bit, not 16-bit; {_FIX}")
    if rate <= 0:
        raise FileProblem(path, None, f"WAV sample rate is {rate} Hz; {_FIX}")
    return tag, rate, channels, bits
