"""Whisper's input: the 80-band log-Mel spectrogram of 16 kHz audio, in numpy. Pure, no I/O.

The same arithmetic, in the same order and precision, as faster-whisper 1.2.1's
``FeatureExtractor`` (MIT licence), so the model sees bit-identical features without importing
faster-whisper (which pulls in PyAV, huggingface_hub and tqdm: ~30 MB of resident memory
that a recognizer fed with arrays never uses).
"""

from __future__ import annotations

import functools

import numpy as np

N_FFT = 400
"""Samples per FFT frame (25 ms at 16 kHz)."""
HOP = 160
"""Samples between frames (10 ms): 100 feature frames per second."""
N_MELS = 80
"""Mel bands of Whisper tiny.en."""
SAMPLE_RATE = 16000


def log_mel(audio: np.ndarray, padding: int = HOP) -> np.ndarray:
    """(80, frames) log-Mel features of mono ``audio``, after ``padding`` zero samples are
    appended; one frame per HOP samples (faster-whisper's ``FeatureExtractor.__call__``)."""
    waveform = np.asarray(audio).astype(np.float32)
    if padding:
        waveform = np.pad(waveform, (0, padding))
    padded = np.pad(waveform, N_FFT // 2, mode="reflect")
    frames = 1 + (padded.size - N_FFT) // HOP
    windows = np.lib.stride_tricks.as_strided(
        padded, (frames, N_FFT), (HOP * padded.strides[0], padded.strides[0])
    )
    spectrum = np.fft.rfft(windows * _window(), n=N_FFT, axis=-1).T.astype(np.complex64)
    power = np.abs(spectrum[:, :-1]) ** 2
    mel = _mel_filters() @ power
    log_spec = np.log10(np.clip(mel, a_min=1e-10, a_max=None))
    log_spec = np.maximum(log_spec, log_spec.max() - 8.0)
    return (log_spec + 4.0) / 4.0


@functools.cache
def _window() -> np.ndarray:
    """The periodic Hann window."""
    return np.hanning(N_FFT + 1)[:-1].astype(np.float32)


@functools.cache
def _mel_filters() -> np.ndarray:
    """(80, 201) Slaney-style Mel filter bank (librosa's ``mel`` with htk=False, slaney norm)."""
    fft_freqs = np.fft.rfftfreq(n=N_FFT, d=1.0 / SAMPLE_RATE)
    mels = np.linspace(0.0, 45.245640471924965, N_MELS + 2)
    f_sp = 200.0 / 3
    freqs = f_sp * mels
    min_log_hz = 1000.0
    min_log_mel = min_log_hz / f_sp
    logstep = np.log(6.4) / 27.0
    log_t = mels >= min_log_mel
    freqs[log_t] = min_log_hz * np.exp(logstep * (mels[log_t] - min_log_mel))
    fdiff = np.diff(freqs)
    ramps = freqs.reshape(-1, 1) - fft_freqs.reshape(1, -1)
    lower = -ramps[:-2] / np.expand_dims(fdiff[:-1], axis=1)
    upper = ramps[2:] / np.expand_dims(fdiff[1:], axis=1)
    weights = np.maximum(np.zeros_like(lower), np.minimum(lower, upper))
    weights *= np.expand_dims(2.0 / (freqs[2 : N_MELS + 2] - freqs[:N_MELS]), axis=1)
    return weights.astype(np.float32)
