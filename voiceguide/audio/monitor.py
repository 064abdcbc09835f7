"""What the loudspeaker played, lined up with what the microphone hears.

The echo canceller needs, for every microphone frame, the sound that was played at the same
moment. The best record is the sound server's monitor of the default loudspeaker
(:class:`MonitorCapture`, via ``parec``): it shows what really came out, underruns included.
Timestamps of our own output callbacks move by 20-60 ms at every stream start and underrun,
which is more than the canceller tolerates. Without PulseAudio (or PipeWire's pulse server) the
speaker's own record (:class:`~voiceguide.audio.echo.PlaybackReference`) stands in.

:class:`EchoReference` reads that record for each microphone frame: it fixes the offset between
the two timelines once, keeps the echo in the middle of the canceller's search range, and waits
for the monitor only while our own sound may be in the frame.
"""

from __future__ import annotations

import logging
import shutil
import subprocess
import threading
import time

import numpy as np

from voiceguide.audio.echo import EchoCanceller, PlaybackReference
from voiceguide.audio.endpointing import FRAME_SAMPLES
from voiceguide.core.ports import SAMPLE_RATE

log = logging.getLogger(__name__)

REFERENCE_LEAD_S = 0.05
"""The reference is read this far ahead of the microphone, so an echo that seems to arrive
early (the two streams' start times are known only to a few tens of ms) is still matched."""
MONITOR_WAIT_S = 0.1
"""Seconds the worker waits for the loudspeaker monitor to catch up with the microphone."""
MONITOR_QUIET_S = 1.2
"""Seconds after our last sound (more than the echo canceller's 1 s range of lags) after which
the worker stops waiting for the monitor: it could only show silence, or another program's
sound. Waiting costs every endpoint 60-80 ms."""
MONITOR_MARGIN_S = 0.2
"""Seconds of slack between the microphone's timeline and the loudspeaker's record (their
clocks are known to a few tens of ms) when deciding whether our sound is near."""
RECENT_PLAY_S = 0.3
"""Seconds after the loudspeaker last played during which a frame still counts as heard while
the prompt plays (its echo may still be arriving)."""


class MonitorCapture:
    """Records the default loudspeaker's monitor (what it plays) at SAMPLE_RATE with ``parec``.

    Samples are numbered from the first one received; ``started`` is the monotonic time of
    sample 0. ``read`` returns zeros for what is not (or no longer) there.
    """

    KEEP = 10 * SAMPLE_RATE
    _BLOCK = 320

    def __init__(self):
        self._process: subprocess.Popen | None = None
        self._lock = threading.Condition()
        self._buffer = np.zeros(0, dtype=np.float32)
        self._first = 0  # sample number of _buffer[0]
        self.started: float | None = None
        self._thread: threading.Thread | None = None

    @staticmethod
    def is_available() -> bool:
        return shutil.which("parec") is not None

    def __enter__(self) -> MonitorCapture:
        command = [
            "parec",
            "--device=@DEFAULT_MONITOR@",
            "--raw",
            "--format=float32le",
            f"--rate={SAMPLE_RATE}",
            "--channels=1",
            "--latency-msec=20",
            "--client-name=voiceguide-echo-reference",
        ]
        self._process = subprocess.Popen(
            command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL
        )
        self._thread = threading.Thread(target=self._read, name="voiceguide-monitor", daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        process, self._process = self._process, None
        if process is not None and process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=2)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=2)
        if self._thread is not None:
            self._thread.join(timeout=2)

    @property
    def alive(self) -> bool:
        return self._process is not None and self._process.poll() is None

    def _read(self) -> None:
        stream = self._process.stdout
        while True:
            data = stream.read(4 * self._BLOCK)
            if not data:
                break
            block = np.frombuffer(data[: len(data) - len(data) % 4], dtype="<f4")
            with self._lock:
                # the earliest start all arrivals agree with: a late first block (the server
                # filling its buffer) must not shift the timeline
                total = self._first + self._buffer.size + block.size
                start = time.monotonic() - total / SAMPLE_RATE
                self.started = start if self.started is None else min(self.started, start)
                self._buffer = np.concatenate([self._buffer, block])
                if self._buffer.size > 2 * self.KEEP:
                    drop = self._buffer.size - self.KEEP
                    self._buffer = self._buffer[drop:]
                    self._first += drop
                self._lock.notify_all()
        log.debug("the loudspeaker monitor closed")

    def read(self, first: int, n: int, wait_s: float = 0.0) -> np.ndarray:
        """Samples ``first`` .. ``first + n``, waiting up to ``wait_s`` for them to arrive."""
        with self._lock:
            if wait_s > 0:
                self._lock.wait_for(lambda: self._first + self._buffer.size >= first + n, wait_s)
            out = np.zeros(n, dtype=np.float32)
            lo, hi = max(first, self._first), min(first + n, self._first + self._buffer.size)
            if hi > lo:
                out[lo - first : hi - first] = self._buffer[lo - self._first : hi - self._first]
            return out


class EchoReference:
    """The reference frame for each microphone frame: from the monitor when there is one, else
    from the speaker's own record. Used by the microphone's worker thread only."""

    def __init__(self, playback: PlaybackReference, monitor: MonitorCapture | None = None):
        self.playback = playback
        self.monitor = monitor
        self._offset: int | None = None  # monitor sample number - microphone sample number

    def playing(self, at: float) -> bool:
        """True while the prompt plays at microphone time ``at``, is held, or its echo may
        still be arriving."""
        return self.playback.held or self.playback.playing_between(at - RECENT_PLAY_S, at)

    def frame(self, position: int, at: float, canceller: EchoCanceller) -> np.ndarray:
        """What the loudspeaker played around the microphone frame that starts at sample
        ``position`` (monotonic time ``at``), shifted by the echo path's lead time."""
        self._recentre(canceller)
        monitor = self.monitor
        if monitor is not None and monitor.alive and monitor.started is not None:
            # Fixed once: both streams count samples from here on. (Re-deriving it from the
            # clock on every frame moves the echo by a few samples at a time, and a few
            # samples are enough to undo the cancellation.)
            if self._offset is None:
                self._offset = int(round((at + REFERENCE_LEAD_S - monitor.started) * SAMPLE_RATE)) - position
            # Waiting for the monitor to catch up makes the worker run 60-80 ms behind the
            # microphone; worth it only while our own sound may be in this frame's reference.
            reach_s = echo_reach_s(canceller)
            ours = self.playback.held or self.playback.playing_between(
                at - reach_s - MONITOR_MARGIN_S, at + REFERENCE_LEAD_S + MONITOR_MARGIN_S
            )
            return monitor.read(
                position + self._offset, FRAME_SAMPLES, wait_s=MONITOR_WAIT_S if ours else 0.0
            )
        return self.playback.window(at + REFERENCE_LEAD_S, FRAME_SAMPLES)

    def _recentre(self, canceller: EchoCanceller) -> None:
        """Keep the echo in the middle of the canceller's search range. A busy machine drops
        microphone samples now and then, which moves the echo; left alone it would drift out
        of reach and every prompt would pass for a voice."""
        fit, lead = canceller.fit, int(REFERENCE_LEAD_S * SAMPLE_RATE)
        if fit is None or self._offset is None:
            return
        if not lead // 3 <= fit.lag <= canceller.max_lag - lead // 3:
            log.debug("echo at %d samples: recentring the loudspeaker monitor", fit.lag)
            self._offset -= fit.lag - lead
            canceller.reset_fit()


def echo_reach_s(canceller: EchoCanceller) -> float:
    """Seconds after it was played that our sound may still be coming back: the fitted echo
    path's length when there is one, none at all without echo (headphones), else the
    canceller's whole range of lags."""
    if canceller.echo_free:
        return 0.0
    if canceller.fit is not None and canceller.trusted:
        return (canceller.fit.lag + canceller.TAPS) / SAMPLE_RATE
    return MONITOR_QUIET_S
