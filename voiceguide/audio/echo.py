"""Not hearing itself: what the loudspeaker plays, and taking it back out of the microphone.

On a laptop without headphones the microphone hears every prompt, and prompts say "done",
"stop" and "yes". The microphone's worker runs an :class:`EchoCanceller` that finds the echo's
delay by cross-correlation, fits a short FIR by least squares on the last stretch of playback,
and subtracts the predicted echo. What is left decides whether someone is talking over the
prompt. Measured in the room-mode rig (tests/audio_rig.py): 27-37 dB of echo removed once
fitted; a fit is trusted from 10 dB.

:class:`PlaybackReference` is the speaker's own record of what it played and when; the sound
server's monitor (:mod:`voiceguide.audio.monitor`) is the sample-accurate record used when
there is one. The reference can also *hold* playback (mute it) while the user may be saying
"stop", so speech goes quiet at once; it comes back by itself if nothing clear was said.

Safety does not rest on the subtraction alone: an utterance that the reference explains is
dropped before it is decoded (:meth:`EchoCanceller.explained`), and while the assistant speaks
only a clearly decoded "stop" counts (the session runner).
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass, field

import numpy as np

from voiceguide.audio.wav import resample
from voiceguide.core.ports import SAMPLE_RATE

log = logging.getLogger(__name__)

KEEP_S = 6.0
"""Seconds of playback history kept."""
HOLD_S = 2.5
"""Seconds a hold lasts unless renewed or released (a hold never silences a prompt for good)."""


@dataclass
class _Segment:
    samples: np.ndarray
    rate: int
    start: int
    """Index in ``samples`` of the first sample played in this segment."""
    anchor: float
    """Monotonic seconds at which ``samples[start]`` was handed to the device."""
    end: int | None = None
    """Index after the last sample played (None: still playing)."""
    resampled: np.ndarray | None = field(default=None, repr=False)


class PlaybackReference:
    """Thread-safe record of what was played when, on the monotonic clock.

    The loudspeaker's callback calls :meth:`begin` / :meth:`end`; the microphone's worker calls
    :meth:`window`. :meth:`hold` / :meth:`release` let the microphone duck the loudspeaker.
    """

    def __init__(self, clock=time.monotonic):
        self._clock = clock
        self._lock = threading.Lock()
        self._segments: list[_Segment] = []
        self._resampled: dict[int, tuple[np.ndarray, np.ndarray]] = {}
        self._hold_until = 0.0

    # -- loudspeaker side ------------------------------------------------------------------

    def begin(self, samples: np.ndarray, rate: int, start: int) -> _Segment:
        segment = _Segment(samples, rate, start, self._clock())
        with self._lock:
            self._segments.append(segment)
            horizon = self._clock() - KEEP_S
            self._segments = [
                s for s in self._segments if s.end is None or s.anchor + (s.end - s.start) / s.rate > horizon
            ]
        return segment

    def end(self, segment: _Segment, position: int) -> None:
        with self._lock:
            if segment.end is None:
                segment.end = max(segment.start, position)

    @property
    def held(self) -> bool:
        return self._clock() < self._hold_until

    # -- microphone side ------------------------------------------------------------------

    def hold(self, seconds: float = HOLD_S) -> None:
        """Mute the loudspeaker for ``seconds`` (or until :meth:`release`)."""
        self._hold_until = self._clock() + seconds

    def release(self) -> None:
        self._hold_until = 0.0

    def playing_between(self, t0: float, t1: float) -> bool:
        with self._lock:
            return any(
                s.anchor < t1 and (s.end is None or s.anchor + (s.end - s.start) / s.rate > t0)
                for s in self._segments
            )

    def window(self, t0: float, n: int) -> np.ndarray:
        """``n`` samples at SAMPLE_RATE of what was played from monotonic ``t0`` on (zeros
        where nothing was)."""
        out = np.zeros(n, dtype=np.float32)
        with self._lock:
            segments = list(self._segments)
        for s in segments:
            audio = self._at_16k(s)
            first = int(round(s.start * SAMPLE_RATE / s.rate))
            last = len(audio) if s.end is None else int(round(s.end * SAMPLE_RATE / s.rate))
            offset = int(round((s.anchor - t0) * SAMPLE_RATE))  # where samples[start] lands
            lo = max(0, offset)
            hi = min(n, offset + last - first)
            if hi > lo:
                out[lo:hi] = audio[first + lo - offset : first + hi - offset]
        return out

    def _at_16k(self, segment: _Segment) -> np.ndarray:
        if segment.resampled is None:
            key = id(segment.samples)
            cached = self._resampled.get(key)
            if cached is None or cached[0] is not segment.samples:
                cached = (segment.samples, resample(segment.samples, segment.rate, SAMPLE_RATE))
                self._resampled = {key: cached}  # one clip at a time is enough
            segment.resampled = cached[1]
        return segment.resampled


@dataclass(frozen=True)
class EchoFit:
    lag: int
    """Samples from a reference sample to its first tap in the microphone history."""
    taps: np.ndarray
    erle_db: float
    """dB of echo the fit removed on the stretch it was fitted on."""


class EchoCanceller:
    """Predicts the echo of the reference in the microphone and subtracts it. Pure: fed the
    microphone frame and the reference for the same moment shifted ``lead`` samples into the
    future (so an early reference clock can still be matched)."""

    TAPS = 24
    PRE_TAPS = 4
    MIN_TRUSTED_ERLE_DB = 10.0

    def __init__(
        self, max_lag_s: float = 1.0, window_s: float = 0.8, refit_s: float = 0.25, history_s: float = 3.0
    ):
        self.max_lag = int(max_lag_s * SAMPLE_RATE)
        self.window = int(window_s * SAMPLE_RATE)
        self.refit = int(refit_s * SAMPLE_RATE)
        self.size = int(history_s * SAMPLE_RATE)
        self._mic = _History(self.size)
        self._ref = _History(self.size)
        self.fit: EchoFit | None = None
        self.echo_free = False
        """True when playback was heard not to come back at all (headphones)."""
        self._since_fit = 0
        self._active = 0  # samples of recent history with reference sound
        self._quiet_fits = 0  # fits in a row that found a silent microphone under playback
        self.last_echo_correlation = 0.0
        """Correlation of the last residual frame with its predicted echo: near 0 for a voice
        over the prompt, far from 0 when the prediction is wrong (the echo moved or is
        missing), which must not pass for a voice."""

    def reset_fit(self) -> None:
        """Forget the echo path (the reference was moved): refit from fresh history."""
        self.fit = None
        self.echo_free = False
        self._quiet_fits = 0
        self._since_fit = self.refit
        self._ref.clear()
        self._active = 0

    def process(self, mic: np.ndarray, ref: np.ndarray, adapt: bool = True) -> tuple[np.ndarray, float, bool]:
        """(residual frame, dBFS of the predicted echo -- 0 when it cannot be predicted yet --,
        True while the reference is active around this frame). ``adapt=False`` freezes the
        fit (someone is talking)."""
        n = mic.size
        self._mic.append(mic)
        self._ref.append(ref)
        recent = self.ref[-(n + self.max_lag) :]
        active = bool(np.max(np.abs(recent)) > 1e-3)
        self._active = min(self.size, self._active + n) if active else 0
        if not active:
            return mic, -120.0, False
        self._since_fit += n
        if adapt and self._since_fit >= self.refit and self._active >= self.window // 2:
            self._refit()
        if self.fit is None:
            return mic, (-120.0 if self.echo_free else 0.0), True  # unknown: assume loud
        echo = self._predict(self.size - n, self.size)
        residual = (mic - echo).astype(np.float32)
        self.last_echo_correlation = _correlation(residual, echo)
        return residual, _dbfs(echo), True

    @property
    def mic(self) -> np.ndarray:
        return self._mic.view

    @property
    def ref(self) -> np.ndarray:
        return self._ref.view

    @property
    def trusted(self) -> bool:
        return self.echo_free or (self.fit is not None and self.fit.erle_db >= self.MIN_TRUSTED_ERLE_DB)

    def realign(self, seconds: float = 0.4, min_db: float = 12.0) -> bool:
        """True (and the fit replaced) when a fresh fit on the last ``seconds`` explains at
        least ``min_db`` of them: what looked like someone talking was the echo, moved (a
        stream restarted or dropped samples). A voice the reference cannot explain stays."""
        fit = self._fit(self.size - int(seconds * SAMPLE_RATE), self.size)
        if fit is None or fit.erle_db < min_db:
            return False
        if self.fit is None or fit.lag != self.fit.lag:
            log.debug(
                "echo moved: lag %s -> %d samples (%.0f dB)",
                self.fit.lag if self.fit else None,
                fit.lag,
                fit.erle_db,
            )
        self.fit = fit
        self.echo_free = False
        return True

    def explained(self, samples: int) -> tuple[float, np.ndarray]:
        """For the last ``samples`` of microphone history: (dB of it the reference explains
        when fitted on exactly that stretch, the microphone audio with the echo removed)."""
        samples = min(samples, self.size - self.max_lag - self.TAPS)
        lo = self.size - samples
        fit = self._fit(lo, self.size)
        if fit is None:
            return 0.0, self.mic[lo:].copy()
        # the audio is cleaned with the running fit, made while nobody talked: a fit on a
        # stretch with a voice in it is pulled towards the voice and leaves echo behind
        cleaner = self.fit if self.fit is not None else fit
        echo = self._predict(lo, self.size, cleaner)
        return fit.erle_db, (self.mic[lo:] - echo).astype(np.float32)

    # -- internals -------------------------------------------------------------------------

    def _refit(self) -> None:
        trusted = self.trusted
        self._refit_once()
        if trusted != self.trusted:
            log.debug(
                "echo path %s (fit: %s)",
                "trusted" if self.trusted else "not trusted",
                "none" if self.fit is None else f"lag {self.fit.lag} samples, {self.fit.erle_db:.0f} dB",
            )

    def _refit_once(self) -> None:
        self._since_fit = 0
        fit = self._fit(self.size - self.window, self.size)
        if fit is None:
            return
        mic_db = _dbfs(self.mic[-self.window :])
        settled = self._active >= self.max_lag + self.window  # any echo would be in by now
        ref_db = _dbfs(self.ref[-self.window :])
        if settled and fit.erle_db < 3.0 and mic_db < -55.0 and ref_db > -40.0:
            self._quiet_fits += 1
            # 1 s of loud playback never came back: headphones. Shorter than the first prompt
            # of a short procedure, so a reply right after it is not taken for its echo; an
            # echo under -55 dBFS is below the endpointer's -50 dBFS speech minimum anyway.
            if self._quiet_fits >= 4:
                self.echo_free, self.fit = True, None
            return
        self._quiet_fits = 0
        if (
            fit.erle_db >= self.MIN_TRUSTED_ERLE_DB
            or (self.fit is not None and fit.erle_db > self.fit.erle_db)
            or (self.fit is None and not self.echo_free)
        ):
            # a poor fit never replaces "no echo at all": someone is talking over the prompt
            self.fit = fit
            self.echo_free = False

    def _fit(self, lo: int, hi: int) -> EchoFit | None:
        mic = self.mic[lo:hi].astype(np.float64)
        ref_lo = max(0, lo - self.max_lag - self.TAPS)
        ref = self.ref[ref_lo:hi].astype(np.float64)
        if np.max(np.abs(ref), initial=0.0) < 1e-3:
            return None
        size = 1 << int(np.ceil(np.log2(len(ref) + len(mic))))
        xc = np.fft.irfft(np.fft.rfft(mic[::-1], size) * np.fft.rfft(ref, size), size)
        # xc[len(mic) - 1 + k] = sum mic[i] * ref[i + k]: the lag with mic[i] ~ ref[i - lag]
        offsets = np.arange(0, lo - ref_lo + 1)  # ref index of mic[0]'s echo source
        scores = np.abs(xc[len(mic) - 1 + offsets])
        best = int(offsets[np.argmax(scores)])
        lag = (lo - ref_lo) - best + self.PRE_TAPS
        taps, erle = _least_squares_taps(ref, lo - lag - ref_lo, mic, self.TAPS)
        return EchoFit(lag, taps.astype(np.float32), erle)

    def _predict(self, lo: int, hi: int, fit: EchoFit | None = None) -> np.ndarray:
        fit = fit or self.fit
        echo = np.zeros(hi - lo, dtype=np.float32)
        ref = self.ref
        for k, tap in enumerate(fit.taps):
            start = lo - fit.lag + k  # ref index feeding echo[0] through this tap
            a, b = max(0, -start), min(hi - lo, self.size - start)
            if b > a:
                echo[a:b] += tap * ref[start + a : start + b]
        return echo


class _History:
    """The last ``size`` samples of a stream; appending is amortized O(frame)."""

    def __init__(self, size: int):
        self.size = size
        self._buffer = np.zeros(2 * size, dtype=np.float32)
        self._end = size

    def append(self, frame: np.ndarray) -> None:
        n = frame.size
        if self._end + n > self._buffer.size:
            self._buffer[: self.size] = self._buffer[self._end - self.size : self._end]
            self._end = self.size
        self._buffer[self._end : self._end + n] = frame
        self._end += n

    def clear(self) -> None:
        self._buffer[:] = 0.0

    @property
    def view(self) -> np.ndarray:
        return self._buffer[self._end - self.size : self._end]


def _least_squares_taps(ref: np.ndarray, first: int, mic: np.ndarray, count: int) -> tuple[np.ndarray, float]:
    """The FIR taps ``t`` that minimise the energy of ``mic[i] - sum_k t[k] * ref[first + k +
    i]``, and the dB of ``mic`` they remove. A tap whose stretch of ``ref`` is not all there
    gets 0.

    Solved by the normal equations, whose 24 x 24 matrix comes from running sums of products of
    shifted copies of ``ref``: numpy's own loops, never a threaded BLAS call, so a refit (every
    0.25 s) takes about 10 ms even on a busy machine, where a threaded SVD can take 400 ms.
    """
    n = len(mic)
    span = n + count - 1
    r = np.zeros(span)  # r[i] = ref[first + i] where ref has it
    a, b = max(0, -first), min(span, len(ref) - first)
    if b > a:
        r[a:b] = ref[first + a : first + b]
    # gram[k, k + d] = sum over i < n of r[k + i] * r[k + d + i]: the sum for k = 0, less the
    # products that leave at the head, plus those that come in at the tail
    gram = np.empty((count, count))
    for d in range(count):
        m = count - d  # rows k = 0 .. m - 1
        left = np.concatenate(([0.0], np.cumsum(r[: m - 1] * r[d : d + m - 1])))
        came = np.concatenate(([0.0], np.cumsum(r[n : n + m - 1] * r[n + d : n + d + m - 1])))
        rows = np.arange(m)
        gram[rows, rows + d] = gram[rows + d, rows] = np.sum(r[:n] * r[d : d + n]) - left + came
    k = np.arange(count)
    xty = np.correlate(r, mic, mode="valid")  # xty[j] = sum over i of r[j + i] * mic[i]
    missing = (first + k < 0) | (first + k + n > len(ref))
    gram[missing, :] = gram[:, missing] = 0.0
    xty[missing] = 0.0
    ridge = 1e-10 * np.trace(gram) / count + 1e-20  # keeps a silent or missing tap at 0
    taps = np.linalg.solve(gram + ridge * np.eye(count), xty)
    residual = mic - np.correlate(r, taps, mode="valid")
    erle = 10 * np.log10((np.sum(mic * mic) + 1e-12) / (np.sum(residual * residual) + 1e-12))
    return taps, float(erle)


def _correlation(a: np.ndarray, b: np.ndarray) -> float:
    energy = float(np.sqrt(np.dot(a, a) * np.dot(b, b)))
    return float(np.dot(a, b)) / energy if energy > 1e-12 else 0.0


def _dbfs(samples: np.ndarray) -> float:
    rms = float(np.sqrt(np.mean(np.square(samples, dtype=np.float64)))) if samples.size else 0.0
    return 20 * np.log10(rms) if rms > 1e-6 else -120.0
