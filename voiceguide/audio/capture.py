"""The microphone's input stream: 20 ms frames at 16 kHz, each with its place on a timeline.

The PortAudio callback only copies each block, numbered, into a queue. :meth:`Capture.frames`
(on the microphone's worker thread) resamples them to 16 kHz if the device needed another rate
and yields :class:`Frame` values whose sample number and monotonic time line them up with what
the loudspeaker played. Dropped blocks (a flush, a full queue) are skipped on that timeline,
not squeezed out of it. A stream that fails, stalls or delivers only digital zeros raises
:class:`DeviceLost`.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Iterator
from typing import Any, NamedTuple

import numpy as np

from voiceguide.audio.endpointing import FRAME_SAMPLES
from voiceguide.core.ports import SAMPLE_RATE
from voiceguide.errors import AudioUnavailable

log = logging.getLogger(__name__)

QUEUE_FRAMES = 1500
"""Frames (30 s) the callback may queue while the worker decodes; older audio is dropped."""
DEAD_SILENCE_S = 4.0
"""Seconds of exact digital zeros after which the microphone is taken as gone. A real
microphone always hears some noise; when its source disappears, the sound server quietly
moves the stream to another source (often the loudspeaker's monitor, all zeros when idle)."""
_STOP = object()
_LOST = object()


class DeviceLost(Exception):
    """The microphone stopped delivering audio; the message says how."""


class Frame(NamedTuple):
    samples: np.ndarray
    """FRAME_SAMPLES mono float32 samples at SAMPLE_RATE."""
    position: int
    """Sample number (at SAMPLE_RATE) of the first sample since the stream started."""
    at: float
    """Monotonic seconds at which the first sample was heard."""


class Capture:
    """A mono float32 sounddevice input stream on ``device`` (None: the default).

    ``stall_timeout_s``: seconds without a single block from a running stream after which the
    device is taken as lost (None: never).
    """

    def __init__(self, device: int | str | None = None, stall_timeout_s: float | None = 3.0):
        self.device = device
        self.stall_timeout_s = stall_timeout_s
        self.device_rate = SAMPLE_RATE
        self.position = 0
        """16 kHz samples on the timeline up to the end of the last frame yielded."""
        self.dropped = 0
        """Blocks dropped because the queue was full."""
        self.closing = threading.Event()
        self._queue: queue.Queue[Any] = queue.Queue(maxsize=QUEUE_FRAMES)
        self._stream: Any = None
        self._first_frame_at: float | None = None
        self._blocks_in = 0

    # -- the stream ------------------------------------------------------------------------

    def open(self, sd: Any) -> None:
        """Open the stream at 16 kHz, or at the device's own rate if it refuses 16 kHz."""
        self.closing.clear()
        rate = SAMPLE_RATE
        try:
            self._stream = self._open_at(sd, rate)
            return
        except sd.PortAudioError as first:
            try:
                rate = int(sd.query_devices(self.device, "input")["default_samplerate"])
            except (sd.PortAudioError, ValueError) as error:
                raise AudioUnavailable(
                    f"no microphone to listen on ({error}); plug one in, "
                    "or check the sound server (pactl info)"
                ) from error
            if rate == SAMPLE_RATE:
                raise AudioUnavailable(f"the microphone could not be opened: {first}") from first
            log.debug("input refused %d Hz (%s); resampling from %d Hz", SAMPLE_RATE, first, rate)
            try:
                self._stream = self._open_at(sd, rate)
            except sd.PortAudioError as error:
                raise AudioUnavailable(f"the microphone could not be opened: {error}") from error

    def _open_at(self, sd: Any, rate: int) -> Any:
        stream = sd.InputStream(
            samplerate=rate,
            channels=1,
            dtype="float32",
            device=self.device,
            blocksize=rate * FRAME_SAMPLES // SAMPLE_RATE,
            latency="low",
            callback=self.callback,
            finished_callback=self._finished,
        )
        self.device_rate = rate
        return stream

    def start(self) -> None:
        self._stream.start()

    def close(self) -> None:
        """Stop the stream (a failure is logged) and end :meth:`frames`."""
        self.closing.set()
        stream, self._stream = self._stream, None
        if stream is not None:
            for action in ("abort", "close"):
                try:
                    getattr(stream, action)()
                except Exception as error:  # noqa: BLE001 - closing goes on; failure logged
                    log.warning("microphone stream %s failed: %s", action, error)
        self.put(_STOP, force=True)
        if self.dropped:
            log.warning("%d microphone frames were dropped while decoding", self.dropped)

    # -- PortAudio's thread: copy, nothing else --------------------------------------------

    def callback(self, indata: np.ndarray, frames: int, time_info: Any, status: Any) -> None:
        if status:
            log.debug("input stream status: %s", status)
        # the earliest start all arrivals agree with (see MonitorCapture)
        index = self._blocks_in
        self._blocks_in += frames
        start = time.monotonic() - self._blocks_in / self.device_rate
        if self._first_frame_at is None or start < self._first_frame_at:
            self._first_frame_at = start
        self.put((index, indata[:, 0].copy()))  # numbered: drops keep the timeline

    def _finished(self) -> None:
        if not self.closing.is_set():
            self.put(_LOST, force=True)

    def put(self, item: Any, force: bool = False) -> None:
        try:
            self._queue.put_nowait(item)
        except queue.Full:
            if not force:
                self.dropped += 1
                return
            drain(self._queue)
            self._queue.put_nowait(item)

    def drop_queued(self) -> None:
        """Drop the audio queued so far (never the end of the stream)."""
        drain(self._queue, keep=(_STOP, _LOST))

    # -- the worker's side -----------------------------------------------------------------

    def frames(self) -> Iterator[Frame]:
        """Every frame heard, in order, until :meth:`close`; raises :class:`DeviceLost`."""
        resampler = _StreamResampler(self.device_rate, SAMPLE_RATE)
        pending = np.zeros(0, dtype=np.float32)
        zeros = 0  # device samples in a row that were exactly zero
        expected = 0  # device sample number of the next block, unless some were dropped
        while True:
            try:
                item = self._queue.get(timeout=self.stall_timeout_s)
            except queue.Empty:
                item = _LOST  # a running stream that delivers nothing has lost its device
            if item is _STOP:
                return
            if item is _LOST:
                if self.closing.is_set():
                    return
                raise DeviceLost("the microphone stopped delivering audio")
            index, block = item
            if index != expected:
                # Blocks were dropped (a flush, or a full queue): the timeline skips them, so
                # the loudspeaker's record and monitor stay in step with what is heard.
                self.position = round(index * SAMPLE_RATE / self.device_rate)
                pending = pending[:0]
                resampler.reset()
            expected = index + len(block)
            zeros = zeros + len(block) if not np.any(block) else 0
            if zeros >= DEAD_SILENCE_S * self.device_rate:
                raise DeviceLost("the microphone delivers only digital silence")
            pending = np.concatenate([pending, resampler.process(block)])
            while len(pending) >= FRAME_SAMPLES:
                samples, pending = pending[:FRAME_SAMPLES], pending[FRAME_SAMPLES:]
                position = self.position
                self.position += FRAME_SAMPLES
                yield Frame(samples, position, (self._first_frame_at or 0.0) + position / SAMPLE_RATE)


def drain(q: queue.Queue[Any], keep: tuple[Any, ...] = ()) -> list[Any]:
    """Empty ``q``; put back the items that are one of ``keep``; return what was taken."""
    drained = []
    while True:
        try:
            drained.append(q.get_nowait())
        except queue.Empty:
            break
    for item in drained:
        if any(item is sentinel for sentinel in keep):
            q.put_nowait(item)
    return drained


class _StreamResampler:
    """Resamples a stream block by block without seams: a low-pass FIR whose history carries
    over between blocks (so it delays by ``taps`` samples), then linear interpolation whose
    position carries over too."""

    _TAPS_PER_SIDE = 32

    def __init__(self, from_rate: int, to_rate: int):
        self.step = from_rate / to_rate
        self.identity = from_rate == to_rate
        k = self._TAPS_PER_SIDE if to_rate < from_rate else 0
        n = np.arange(-k, k + 1)
        cutoff = 0.5 * min(1.0, to_rate / from_rate) * 0.9
        taps = 2 * cutoff * np.sinc(2 * cutoff * n) * (np.blackman(n.size) if k else 1.0)
        self.taps = taps / taps.sum()
        self.reset()

    def reset(self) -> None:
        self.history = np.zeros(self.taps.size - 1)
        self.last = 0.0
        self.position = 1.0  # index into [last, *filtered] of the next output sample

    def process(self, block: np.ndarray) -> np.ndarray:
        if self.identity:
            return block.astype(np.float32)
        raw = np.concatenate([self.history, block.astype(np.float64)])
        self.history = raw[len(raw) - (self.taps.size - 1) :]
        filtered = np.concatenate([[self.last], np.convolve(raw, self.taps, mode="valid")])
        count = max(0, int(np.floor((len(filtered) - 1 - self.position) / self.step)) + 1)
        positions = self.position + self.step * np.arange(count)
        out = np.interp(positions, np.arange(len(filtered)), filtered)
        self.position += self.step * count - (len(filtered) - 1)
        self.last = filtered[-1]
        return out.astype(np.float32)
