"""The microphone: cuts utterances out of a live input stream and decodes each one.

Implements ``voiceguide.ports.Listener``. The PortAudio callback only copies 20 ms frames into
a queue; a worker thread resamples them to 16 kHz if the device needed another rate, runs the
:class:`~voiceguide.audio.endpointing.Endpointer`, and hands each utterance to the
recognizer's ``decode(audio, moment)``. If the stream fails or the device goes away, ``listen``
returns one ``Heard(end_of_input=True)`` so the runner can fall back to the keyboard.
"""

from __future__ import annotations

import dataclasses
import logging
import queue
import threading
from collections.abc import Callable
from typing import Any

import numpy as np

from voiceguide.audio.endpointing import FRAME_SAMPLES, EndpointConfig, Endpointer
from voiceguide.errors import AudioUnavailable
from voiceguide.intents import Moment
from voiceguide.ports import SAMPLE_RATE, Heard

log = logging.getLogger(__name__)

Decode = Callable[[np.ndarray, Moment], tuple[Heard, Any]]
"""``Recognizer.decode``: 16 kHz float32 audio and the moment -> (Heard, intent or None)."""

_QUEUE_FRAMES = 1500
"""Frames (30 s) the callback may queue while the worker decodes; older audio is dropped."""
_MAX_DECODE_FAILURES = 3
"""Decode errors in a row after which voice input is given up (end of input)."""
_STOP = object()
_LOST = object()
_LOST_HEARD = Heard(text="", clear=False, source="voice", end_of_input=True)


class MicrophoneListener:
    """Listens on the default (or the given) sounddevice input device.

    ``stall_timeout_s``: seconds without a single frame from a running stream after which the
    device is taken as lost (None: never).
    """

    def __init__(self, recognizer_decode: Decode, device: int | str | None = None,
                 endpointer_config: EndpointConfig | None = None,
                 stall_timeout_s: float | None = 3.0):
        self._decode = recognizer_decode
        self._device = device
        self._config = endpointer_config or EndpointConfig()
        self._stall_timeout_s = stall_timeout_s
        self._moment = Moment.STEP
        self._frames: queue.Queue[Any] = queue.Queue(maxsize=_QUEUE_FRAMES)
        self._heard: queue.Queue[Heard] = queue.Queue()
        self._flushes = 0  # bumped by flush(); the worker resets when it sees a new value
        self._closing = threading.Event()
        self._lost = threading.Event()
        self._stream: Any = None
        self._worker: threading.Thread | None = None
        self._sd: Any = None
        self._device_rate = SAMPLE_RATE
        self._dropped = 0

    # -- lifecycle -----------------------------------------------------------------------

    def __enter__(self) -> MicrophoneListener:
        try:
            import sounddevice as sd
        except OSError as error:
            raise AudioUnavailable("PortAudio is missing: sudo apt-get install libportaudio2") \
                from error
        except ImportError as error:
            raise AudioUnavailable("the sounddevice package is missing: pip install sounddevice") \
                from error
        self._sd = sd
        self._closing.clear()
        self._stream = self._open(sd)
        self._worker = threading.Thread(target=self._run, name="voiceguide-microphone",
                                        daemon=True)
        self._worker.start()
        try:
            self._stream.start()
        except sd.PortAudioError as error:
            self.__exit__(None, None, None)
            raise AudioUnavailable(f"the microphone could not start: {error}") from error
        log.info("listening on %s at %d Hz", self._device or "the default microphone",
                 self._device_rate)
        return self

    def __exit__(self, *exc: object) -> None:
        self._closing.set()
        stream, self._stream = self._stream, None
        if stream is not None:
            for action in ("abort", "close"):
                try:
                    getattr(stream, action)()
                except Exception as error:  # noqa: BLE001 - closing goes on; failure logged
                    log.warning("microphone stream %s failed: %s", action, error)
        worker, self._worker = self._worker, None
        if worker is not None:
            self._put_frame(_STOP, force=True)
            worker.join(timeout=10.0)
            if worker.is_alive():
                log.warning("the microphone worker did not stop (a decode still running?)")
        if self._dropped:
            log.warning("%d microphone frames were dropped while decoding", self._dropped)

    def _open(self, sd: Any) -> Any:
        """A mono float32 input stream at 16 kHz, or at the device's own rate if it refuses."""
        rate = SAMPLE_RATE
        try:
            return self._open_at(sd, rate)
        except sd.PortAudioError as first:
            try:
                rate = int(sd.query_devices(self._device, "input")["default_samplerate"])
            except (sd.PortAudioError, ValueError) as error:
                raise AudioUnavailable(f"no microphone to listen on ({error}); plug one in, "
                                       "or check the sound server (pactl info)") from error
            if rate == SAMPLE_RATE:
                raise AudioUnavailable(f"the microphone could not be opened: {first}") from first
            log.debug("input refused %d Hz (%s); resampling from %d Hz", SAMPLE_RATE, first, rate)
            try:
                return self._open_at(sd, rate)
            except sd.PortAudioError as error:
                raise AudioUnavailable(f"the microphone could not be opened: {error}") from error

    def _open_at(self, sd: Any, rate: int) -> Any:
        stream = sd.InputStream(
            samplerate=rate, channels=1, dtype="float32", device=self._device,
            blocksize=rate * FRAME_SAMPLES // SAMPLE_RATE, callback=self._callback,
            finished_callback=self._finished)
        self._device_rate = rate
        return stream

    # -- PortAudio's thread: copy, nothing else ------------------------------------------

    def _callback(self, indata: np.ndarray, frames: int, time_info: Any, status: Any) -> None:
        if status:
            log.debug("input stream status: %s", status)
        self._put_frame(indata[:, 0].copy())

    def _finished(self) -> None:
        if not self._closing.is_set():
            self._put_frame(_LOST, force=True)

    def _put_frame(self, item: Any, force: bool = False) -> None:
        try:
            self._frames.put_nowait(item)
        except queue.Full:
            if not force:
                self._dropped += 1
                return
            self._drain(self._frames)
            self._frames.put_nowait(item)

    # -- ports.Listener ------------------------------------------------------------------

    def set_moment(self, moment: Moment) -> None:
        self._moment = moment

    def listen(self, timeout: float) -> Heard | None:
        try:
            return self._heard.get(timeout=timeout)
        except queue.Empty:
            return None

    def flush(self) -> None:
        """Drop queued audio and utterances and restart endpointing (never the end of input)."""
        self._flushes += 1
        self._drain(self._frames, keep=(_STOP, _LOST))
        for heard in self._drain(self._heard):
            if heard.end_of_input:
                self._heard.put(heard)

    @staticmethod
    def _drain(q: queue.Queue[Any], keep: tuple[Any, ...] = ()) -> list[Any]:
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

    # -- the worker ----------------------------------------------------------------------

    def _run(self) -> None:
        endpointer = Endpointer(self._config)
        flushes = self._flushes
        pending = np.zeros(0, dtype=np.float32)
        resampler = _StreamResampler(self._device_rate, SAMPLE_RATE)
        failures = 0
        while True:
            try:
                item = self._frames.get(timeout=self._stall_timeout_s)
            except queue.Empty:
                item = _LOST  # a running stream that delivers nothing has lost its device
            if item is _STOP:
                return
            if item is _LOST:
                if not self._closing.is_set():
                    self._end_of_input("the microphone stopped delivering audio")
                return
            if flushes != self._flushes:
                flushes = self._flushes
                endpointer.reset()
                resampler.reset()
                pending = pending[:0]
            pending = np.concatenate([pending, resampler.process(item)])
            while len(pending) >= FRAME_SAMPLES:
                frame, pending = pending[:FRAME_SAMPLES], pending[FRAME_SAMPLES:]
                utterance = endpointer.process(frame)
                if utterance is None:
                    continue
                moment = self._moment
                try:
                    heard, _intent = self._decode(utterance, moment)
                    failures = 0
                except Exception:  # noqa: BLE001 - logged with its traceback, then re-prompted
                    log.exception("decoding an utterance failed")
                    failures += 1
                    if failures >= _MAX_DECODE_FAILURES:
                        self._end_of_input("speech recognition keeps failing")
                        return
                    heard = Heard(text="", clear=False, source="voice")
                if flushes == self._flushes:  # a flush during decoding drops the result
                    self._heard.put(dataclasses.replace(heard, moment=heard.moment or moment))

    def _end_of_input(self, why: str) -> None:
        if not self._lost.is_set():
            self._lost.set()
            log.warning("%s; voice input has ended", why)
            self._heard.put(_LOST_HEARD)


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
        self.history = raw[len(raw) - (self.taps.size - 1):]
        filtered = np.concatenate([[self.last], np.convolve(raw, self.taps, mode="valid")])
        count = max(0, int(np.floor((len(filtered) - 1 - self.position) / self.step)) + 1)
        positions = self.position + self.step * np.arange(count)
        out = np.interp(positions, np.arange(len(filtered)), filtered)
        self.position += self.step * count - (len(filtered) - 1)
        self.last = filtered[-1]
        return out.astype(np.float32)
