"""The microphone: cuts utterances out of a live input stream and decodes each one.

Implements ``voiceguide.core.ports.Listener``. The PortAudio callback only copies 20 ms frames into
a queue; a worker thread resamples them to 16 kHz if the device needed another rate, runs the
:class:`~voiceguide.audio.endpointing.Endpointer`, and hands each utterance to the
recognizer's ``decode(audio, moment)``. If the stream fails or the device goes away, ``listen``
returns one ``Heard(end_of_input=True)`` so the runner can fall back to the keyboard.

With a :class:`~voiceguide.audio.echo.PlaybackReference` (shared with the loudspeaker) it does
not hear itself: the predicted echo of the prompt is subtracted before endpointing, and while
the prompt plays (or its echo may still arrive) only a short utterance the echo does not
explain is decoded -- the "stop" path. Its start holds (ducks) the loudspeaker at once; a
longer utterance over the prompt is dropped undecoded, and anything but a decoded "stop"
releases the hold.
"""

from __future__ import annotations

import dataclasses
import logging
import queue
import threading
import time
from collections.abc import Callable
from typing import Any

import numpy as np

from voiceguide.audio.echo import EchoCanceller, MonitorCapture, PlaybackReference
from voiceguide.audio.endpointing import (
    FRAME_SAMPLES,
    EndpointConfig,
    Endpointer,
    level_dbfs,
)
from voiceguide.audio.speculation import SPECULATE_AFTER_S, Ticket, stands, ticket_for
from voiceguide.core.intents import Intent, Moment
from voiceguide.core.ports import SAMPLE_RATE, Heard
from voiceguide.errors import AudioUnavailable

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
REFERENCE_LEAD_S = 0.05
"""The reference is read this far ahead of the microphone, so an echo that seems to arrive
early (the two streams' start times are known only to a few tens of ms) is still matched."""
MONITOR_WAIT_S = 0.1
"""Seconds the worker waits for the loudspeaker monitor to catch up with the microphone."""
MONITOR_QUIET_S = 1.2
"""Seconds after our last sound (more than the echo canceller's 1 s range of lags) after which
the worker stops waiting for the monitor: it could only show silence, or another program's
sound. The wait kept every reply's endpoint 60-80 ms late. Shorter once the echo path is known
(the fitted lag), and only the margin without echo (headphones)."""
MONITOR_MARGIN_S = 0.2
"""Seconds of slack between the microphone's timeline and the loudspeaker's record (their
clocks are known to a few tens of ms) when deciding whether our sound is near."""
STOP_MAX_S = 1.0
"""Seconds of speech over a prompt after which it cannot be "stop": dropped undecoded."""
STOP_END_SILENCE_S = 0.2
"""Seconds of silence that end an utterance heard over a prompt (the fast "stop" path)."""
ECHO_EXPLAINED_DB = 8.0
"""An utterance over a prompt is its echo when the reference explains this many dB of it."""
VOICE_OVER_ECHO_DB = 6.0
"""Over a prompt, a frame is someone talking when what is left after subtracting the echo is
at least the predicted echo minus max(this, fit quality - 10 dB), and never less than the
echo minus MAX_VOICE_MARGIN_DB (what a fit claims on one stretch may not hold on the next)."""
MAX_VOICE_MARGIN_DB = 20.0
DEAD_SILENCE_S = 4.0
"""Seconds of exact digital zeros after which the microphone is taken as gone. A real
microphone always hears some noise; when its source disappears, the sound server quietly
moves the stream to another source (often the loudspeaker's monitor, all zeros when idle)."""
MAX_ECHO_CORRELATION = 0.3
"""Above this (absolute) correlation with the predicted echo, what is left after subtraction
is a failed prediction, not a voice (a double-talk detector)."""
ECHO_PRESENT_DBFS = -60.0
"""A frame whose predicted echo is louder than this (dBFS) is heard over the prompt."""
RECHECK_S = 0.2
"""Seconds of an utterance over a prompt between checks that it is not the echo, moved."""


class MicrophoneListener:
    """Listens on the default (or the given) sounddevice input device.

    ``stall_timeout_s``: seconds without a single frame from a running stream after which the
    device is taken as lost (None: never).
    """

    def __init__(
        self,
        recognizer_decode: Decode,
        device: int | str | None = None,
        endpointer_config: EndpointConfig | None = None,
        stall_timeout_s: float | None = 3.0,
        reference: PlaybackReference | None = None,
        speculate_after_s: float | None = SPECULATE_AFTER_S,
    ):
        self._decode = recognizer_decode
        self._speculate_after_s = speculate_after_s
        self._early: _EarlyDecode | None = None  # the last early decode (see speculation.py)
        self._canceller: EchoCanceller | None = None  # the worker's, while it runs
        self._reference = reference
        self._monitor: MonitorCapture | None = None
        self._monitor_offset: int | None = None  # monitor sample number - microphone sample number
        self._position = 0  # 16 kHz samples since the stream started (the microphone's timeline)
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
        self._first_frame_at: float | None = None
        self._frames_in = 0
        self.decodes = 0
        """Utterances handed to the recognizer (for tests and the latency benchmark)."""
        self.echoes_dropped = 0
        """Utterances over a prompt dropped as its echo or as too long to be "stop"."""
        self.early_decodes = 0
        """Utterances decoded before their end silence was over (speculation.py)."""
        self.early_used = 0
        """Early decodes that stood for their utterance (the rest were discarded)."""

    # -- lifecycle -----------------------------------------------------------------------

    def __enter__(self) -> MicrophoneListener:
        try:
            import sounddevice as sd
        except OSError as error:
            raise AudioUnavailable("PortAudio is missing: sudo apt-get install libportaudio2") from error
        except ImportError as error:
            raise AudioUnavailable("the sounddevice package is missing: pip install sounddevice") from error
        self._sd = sd
        self._closing.clear()
        if self._reference is not None and MonitorCapture.is_available():
            try:
                self._monitor = MonitorCapture().__enter__()
            except OSError as error:
                log.info("no loudspeaker monitor (%s); using the speaker's own record", error)
        try:
            self._stream = self._open(sd)
        except AudioUnavailable:
            self.__exit__(None, None, None)  # the monitor's parec must not outlive us
            raise
        self._worker = threading.Thread(target=self._run, name="voiceguide-microphone", daemon=True)
        self._worker.start()
        try:
            self._stream.start()
        except sd.PortAudioError as error:
            self.__exit__(None, None, None)
            raise AudioUnavailable(f"the microphone could not start: {error}") from error
        log.info("listening on %s at %d Hz", self._device or "the default microphone", self._device_rate)
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
        monitor, self._monitor = self._monitor, None
        if monitor is not None:
            monitor.__exit__(None, None, None)
        if self._dropped:
            log.warning("%d microphone frames were dropped while decoding", self._dropped)
        log.info(
            "microphone: %d utterances decoded, %d dropped over a prompt undecoded; "
            "%d early decodes, %d used",
            self.decodes,
            self.echoes_dropped,
            self.early_decodes,
            self.early_used,
        )

    def _open(self, sd: Any) -> Any:
        """A mono float32 input stream at 16 kHz, or at the device's own rate if it refuses."""
        rate = SAMPLE_RATE
        try:
            return self._open_at(sd, rate)
        except sd.PortAudioError as first:
            try:
                rate = int(sd.query_devices(self._device, "input")["default_samplerate"])
            except (sd.PortAudioError, ValueError) as error:
                raise AudioUnavailable(
                    f"no microphone to listen on ({error}); plug one in, "
                    "or check the sound server (pactl info)"
                ) from error
            if rate == SAMPLE_RATE:
                raise AudioUnavailable(f"the microphone could not be opened: {first}") from first
            log.debug("input refused %d Hz (%s); resampling from %d Hz", SAMPLE_RATE, first, rate)
            try:
                return self._open_at(sd, rate)
            except sd.PortAudioError as error:
                raise AudioUnavailable(f"the microphone could not be opened: {error}") from error

    def _open_at(self, sd: Any, rate: int) -> Any:
        stream = sd.InputStream(
            samplerate=rate,
            channels=1,
            dtype="float32",
            device=self._device,
            blocksize=rate * FRAME_SAMPLES // SAMPLE_RATE,
            latency="low",
            callback=self._callback,
            finished_callback=self._finished,
        )
        self._device_rate = rate
        return stream

    # -- PortAudio's thread: copy, nothing else ------------------------------------------

    def _callback(self, indata: np.ndarray, frames: int, time_info: Any, status: Any) -> None:
        if status:
            log.debug("input stream status: %s", status)
        # the earliest start all arrivals agree with (see MonitorCapture)
        index = self._frames_in
        self._frames_in += frames
        start = time.monotonic() - self._frames_in / self._device_rate
        if self._first_frame_at is None or start < self._first_frame_at:
            self._first_frame_at = start
        self._put_frame((index, indata[:, 0].copy()))  # numbered: drops keep the timeline

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

    @property
    def echo_free(self) -> bool:
        """True once playback was heard not to come back into the microphone (headphones)."""
        return self._canceller is not None and self._canceller.echo_free

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
        canceller = EchoCanceller() if self._reference is not None else None
        self._canceller = canceller
        flushes = self._flushes
        pending = np.zeros(0, dtype=np.float32)
        resampler = _StreamResampler(self._device_rate, SAMPLE_RATE)
        self._failures = 0
        self._over_prompt = False  # the utterance under way overlaps the prompt or its echo
        self._playing = False  # the prompt plays (or its echo may still arrive) now
        self._next_check_s = 0.0
        zeros = 0  # device samples in a row that were exactly zero
        expected = 0  # device sample number of the next frame, unless some were dropped
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
                self._over_prompt = False
            index, item = item
            if index != expected:
                # Frames were dropped (a flush, or a full queue): the timeline skips them, so
                # the loudspeaker's record and monitor stay in step with what is heard. (It
                # used to fall behind by every flush's queued audio -- 0.34 s after 15 turns --
                # and a reply then looked like a voice over the earcon before it.)
                self._position = round(index * SAMPLE_RATE / self._device_rate)
                pending = pending[:0]
                resampler.reset()
            expected = index + len(item)
            zeros = zeros + len(item) if not np.any(item) else 0
            if zeros >= DEAD_SILENCE_S * self._device_rate:
                self._end_of_input("the microphone delivers only digital silence")
                return
            pending = np.concatenate([pending, resampler.process(item)])
            while len(pending) >= FRAME_SAMPLES:
                frame, pending = pending[:FRAME_SAMPLES], pending[FRAME_SAMPLES:]
                at = (self._first_frame_at or 0.0) + self._position / SAMPLE_RATE
                if canceller is None:
                    utterance = endpointer.process(frame)
                else:
                    utterance = self._process_with_echo(endpointer, canceller, frame, at)
                self._position += FRAME_SAMPLES
                if utterance is None:
                    self._maybe_decode_early(endpointer, flushes)
                    continue
                log.debug(
                    "utterance of %.2f s ended; the worker is %.0f ms behind the microphone (mono %.3f)",
                    len(utterance) / SAMPLE_RATE,
                    1000 * (time.monotonic() - at - FRAME_SAMPLES / SAMPLE_RATE),
                    time.monotonic(),
                )
                over_prompt, self._over_prompt = self._over_prompt, False
                early = self._early_result(endpointer, flushes, over_prompt)
                if over_prompt:
                    explained, utterance = canceller.explained(len(utterance))
                    if explained >= ECHO_EXPLAINED_DB and not canceller.echo_free:
                        log.debug("dropped an utterance the prompt explains (%.0f dB)", explained)
                        self.echoes_dropped += 1
                        self._reference.release()
                        continue
                if not self._decode_and_hand_over(utterance, flushes, over_prompt, early):
                    return

    def _process_with_echo(
        self, endpointer: Endpointer, canceller: EchoCanceller, frame: np.ndarray, at: float
    ) -> np.ndarray | None:
        reference = self._reference
        self._recentre(canceller)
        ref = self._reference_frame(at, _echo_reach_s(canceller))
        residual, echo_db, active = canceller.process(frame, ref, adapt=not endpointer.in_speech)
        if not active:
            return endpointer.process(frame)
        allowed = canceller.trusted
        if allowed and canceller.fit is not None and echo_db > -100:
            margin = min(MAX_VOICE_MARGIN_DB, max(VOICE_OVER_ECHO_DB, canceller.fit.erle_db - 10.0))
            allowed = (
                level_dbfs(residual) >= echo_db - margin
                and abs(canceller.last_echo_correlation) < MAX_ECHO_CORRELATION
            )
        was_idle = not endpointer.in_speech
        playing = reference.held or reference.playing_between(at - 0.3, at)
        self._playing = playing
        utterance = endpointer.process(
            residual, speech_allowed=allowed, end_silence_s=STOP_END_SILENCE_S if playing else None
        )
        if echo_db > ECHO_PRESENT_DBFS and (endpointer.in_speech or utterance is not None):
            self._over_prompt = True
        if endpointer.in_speech and (was_idle or endpointer.voiced_s >= self._next_check_s):
            self._next_check_s = endpointer.voiced_s + RECHECK_S
            if canceller.realign():  # only the echo, moved: not a voice
                endpointer.abandon()
                self._over_prompt = False
                if reference.held:
                    reference.release()
                return None
        if was_idle and endpointer.in_speech and playing:
            log.debug(
                "voice over the prompt (%.0f dBFS left of %.0f dBFS echo, fit %s): holding it (mono %.3f)",
                level_dbfs(residual),
                echo_db,
                canceller.fit,
                time.monotonic(),
            )
            reference.hold()  # someone talks over the prompt: it may be "stop"
        if endpointer.in_speech and playing and endpointer.voiced_s > STOP_MAX_S:
            endpointer.abandon()  # too long for "stop": not decoded while speaking
            self._over_prompt = False
            self.echoes_dropped += 1
            reference.release()
        return utterance

    def _recentre(self, canceller: EchoCanceller) -> None:
        """Keep the echo in the middle of the canceller's search range. A busy machine drops
        microphone samples now and then, which moves the echo; left alone it would drift out
        of reach and every prompt would pass for a voice."""
        fit, lead = canceller.fit, int(REFERENCE_LEAD_S * SAMPLE_RATE)
        if fit is None or self._monitor_offset is None:
            return
        if not lead // 3 <= fit.lag <= canceller.max_lag - lead // 3:
            log.debug("echo at %d samples: recentring the loudspeaker monitor", fit.lag)
            self._monitor_offset -= fit.lag - lead
            canceller.reset_fit()

    def _reference_frame(self, at: float, reach_s: float = MONITOR_QUIET_S) -> np.ndarray:
        """What the loudspeaker played around microphone time ``at`` (shifted by the lead);
        ``reach_s``: seconds after which our sound can no longer be in the microphone."""
        monitor = self._monitor
        if monitor is not None and monitor.alive and monitor.started is not None:
            # Fixed once: both streams count samples from here on. (Re-deriving it from the
            # clock on every frame moved the echo by a few samples at a time, and a few
            # samples are enough to undo the cancellation.)
            if self._monitor_offset is None:
                self._monitor_offset = (
                    int(round((at + REFERENCE_LEAD_S - monitor.started) * SAMPLE_RATE)) - self._position
                )
            # Waiting for the monitor to catch up makes the worker run 60-80 ms behind the
            # microphone; worth it only while our own sound may be in this frame's reference.
            ours = self._reference.held or self._reference.playing_between(
                at - reach_s - MONITOR_MARGIN_S, at + REFERENCE_LEAD_S + MONITOR_MARGIN_S
            )
            return monitor.read(
                self._position + self._monitor_offset, FRAME_SAMPLES, wait_s=MONITOR_WAIT_S if ours else 0.0
            )
        return self._reference.window(at + REFERENCE_LEAD_S, FRAME_SAMPLES)

    # -- early decoding (speculation.py) -----------------------------------------------------

    def _maybe_decode_early(self, endpointer: Endpointer, flushes: int) -> None:
        """Start decoding the utterance so far on a second thread if it has gone quiet. Never
        over the prompt (the "stop" path and its echo checks stay as they are), and never
        while another decode runs."""
        if self._speculate_after_s is None or self._over_prompt or self._playing:
            return
        early = self._early
        if early is not None and not early.done.is_set():
            return
        ticket = ticket_for(
            endpointer,
            (self._moment, flushes),
            self._speculate_after_s,
            early.ticket if early is not None else None,
        )
        if ticket is None:
            return
        self.early_decodes += 1
        log.debug(
            "decoding %.2f s early, after %.2f s of silence (mono %.3f)",
            ticket.seconds,
            endpointer.silence_s,
            time.monotonic(),
        )
        self._early = _EarlyDecode(ticket, endpointer.audio_so_far(), self._moment, self._decode)

    def _early_result(
        self, endpointer: Endpointer, flushes: int, over_prompt: bool
    ) -> tuple[Any, Any] | None:
        """The early decode's (heard, intent) when it stands for the utterance that has just
        ended, else None. Waits for a decode still running (one decode at a time)."""
        early, self._early = self._early, None
        if early is None:
            return None
        early.done.wait()
        if (
            over_prompt
            or early.error is not None
            or not stands(early.ticket, endpointer.ended, (self._moment, flushes))
        ):
            log.debug("early decode %r discarded", early.result and early.result[0].text)
            return None
        self.early_used += 1
        return early.result

    def _decode_and_hand_over(
        self, utterance: np.ndarray, flushes: int, over_prompt: bool, early: tuple[Any, Any] | None = None
    ) -> bool:
        """Decode (unless ``early`` already did) and queue what was heard; False when voice
        input must end."""
        moment = self._moment
        intent = None
        try:
            self.decodes += 1
            heard, intent = early if early is not None else self._decode(utterance, moment)
            self._failures = 0
            log.debug("decoded %r (mono %.3f)", heard.text, time.monotonic())
        except Exception:  # noqa: BLE001 - logged with its traceback, then re-prompted
            log.exception("decoding an utterance failed")
            self._failures += 1
            if self._failures >= _MAX_DECODE_FAILURES:
                self._end_of_input("speech recognition keeps failing")
                return False
            heard = Heard(text="", clear=False, source="voice")
        if over_prompt and intent is not Intent.STOP:
            # over the prompt (or its echo) only "stop" counts: anything else may be its voice
            log.debug("dropped %r heard over the prompt", heard.text)
            self._reference.release()  # the prompt carries on
            return True
        if intent is not Intent.STOP and self._reference is not None and self._reference.held:
            # Not "stop": the hold it started must not mute the prompt that carries on (the
            # runner ignores it while speaking) or the answer to it (a reply that began as
            # the listening earcon ended) for the rest of HOLD_S.
            log.debug("%r is not stop: releasing the hold", heard.text)
            self._reference.release()
        if flushes == self._flushes:  # a flush during decoding drops the result
            self._heard.put(dataclasses.replace(heard, moment=heard.moment or moment))
        return True

    def _end_of_input(self, why: str) -> None:
        if not self._lost.is_set():
            self._lost.set()
            log.warning("%s; voice input has ended", why)
            self._heard.put(_LOST_HEARD)


def _echo_reach_s(canceller: EchoCanceller) -> float:
    """Seconds after it was played that our sound may still be coming back: the fitted echo
    path's length when there is one, none at all without echo (headphones), else the
    canceller's whole range of lags."""
    if canceller.echo_free:
        return 0.0
    if canceller.fit is not None and canceller.trusted:
        return (canceller.fit.lag + canceller.TAPS) / SAMPLE_RATE
    return MONITOR_QUIET_S


class _EarlyDecode:
    """One decode running on its own thread; ``done`` is set when ``result`` (or ``error``)
    is there."""

    def __init__(self, ticket: Ticket, audio: np.ndarray, moment: Moment, decode: Decode):
        self.ticket = ticket
        self.result: tuple[Heard, Any] | None = None
        self.error: BaseException | None = None
        self.done = threading.Event()
        threading.Thread(
            target=self._run, args=(audio, moment, decode), name="voiceguide-early-decode", daemon=True
        ).start()

    def _run(self, audio: np.ndarray, moment: Moment, decode: Decode) -> None:
        try:
            self.result = decode(audio, moment)
        except Exception as error:  # noqa: BLE001 - the utterance is decoded again, logged there
            self.error = error
        finally:
            self.done.set()


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
