"""The microphone: cuts utterances out of a live input stream and decodes each one.

Implements ``voiceguide.core.ports.Listener`` by composing three parts on one worker thread:
:mod:`~voiceguide.audio.capture` (the input stream, resampled to 16 kHz frames),
:mod:`~voiceguide.audio.segmenter` (pure: frames in, utterances out, the prompt's echo taken
out) and :mod:`~voiceguide.audio.decoding` (decodes, early when it is safe). If the stream fails
or the device goes away, ``listen`` returns one ``Heard(end_of_input=True)`` so the runner can
fall back to the keyboard.

With a :class:`~voiceguide.audio.echo.PlaybackReference` (shared with the loudspeaker) it does
not hear itself: the predicted echo of the prompt is subtracted before endpointing; a short
voice over the prompt holds (ducks) the loudspeaker at once, since it may be "stop", and
anything decoded as something else releases the hold. What is heard over the prompt is handed
over marked ``over_prompt``; the session runner decides what counts.
"""

from __future__ import annotations

import logging
import queue
import threading
import time

from voiceguide.audio.capture import Capture, DeviceLost, Frame
from voiceguide.audio.decoding import Decode, DecodeScheduler
from voiceguide.audio.echo import EchoCanceller, PlaybackReference
from voiceguide.audio.endpointing import EndpointConfig
from voiceguide.audio.monitor import EchoReference, MonitorCapture
from voiceguide.audio.segmenter import Dropped, Event, Hold, Release, Segmenter, Utterance
from voiceguide.audio.speculation import SPECULATE_AFTER_S
from voiceguide.core.intents import Moment
from voiceguide.core.ports import SAMPLE_RATE, Heard
from voiceguide.errors import AudioUnavailable

log = logging.getLogger(__name__)


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
        self._reference = reference
        self._capture = Capture(device, stall_timeout_s)
        self._segmenter = Segmenter(endpointer_config, EchoCanceller() if reference is not None else None)
        self._scheduler = DecodeScheduler(recognizer_decode, speculate_after_s, reference)
        self._echo: EchoReference | None = None if reference is None else EchoReference(reference)
        self._worker: threading.Thread | None = None
        self.echoes_dropped = 0
        """Utterances over a prompt dropped as its echo or as too long to be "stop"."""

    @property
    def decodes(self) -> int:
        """Utterances handed to the recognizer (for tests and the latency benchmark)."""
        return self._scheduler.decodes

    @property
    def early_decodes(self) -> int:
        """Utterances decoded before their end silence was over (speculation.py)."""
        return self._scheduler.early_decodes

    @property
    def early_used(self) -> int:
        """Early decodes that stood for their utterance (the rest were discarded)."""
        return self._scheduler.early_used

    @property
    def echo_free(self) -> bool:
        """True once playback was heard not to come back into the microphone (headphones)."""
        canceller = self._segmenter.canceller
        return canceller is not None and canceller.echo_free

    # -- lifecycle -----------------------------------------------------------------------

    def __enter__(self) -> MicrophoneListener:
        try:
            import sounddevice as sd
        except OSError as error:
            raise AudioUnavailable("PortAudio is missing: sudo apt-get install libportaudio2") from error
        except ImportError as error:
            raise AudioUnavailable("the sounddevice package is missing: pip install sounddevice") from error
        if self._echo is not None and MonitorCapture.is_available():
            try:
                self._echo.monitor = MonitorCapture().__enter__()
            except OSError as error:
                log.info("no loudspeaker monitor (%s); using the speaker's own record", error)
        try:
            self._capture.open(sd)
        except AudioUnavailable:
            self.__exit__(None, None, None)  # the monitor's parec must not outlive us
            raise
        self._worker = threading.Thread(target=self._run, name="voiceguide-microphone", daemon=True)
        self._worker.start()
        try:
            self._capture.start()
        except sd.PortAudioError as error:
            self.__exit__(None, None, None)
            raise AudioUnavailable(f"the microphone could not start: {error}") from error
        log.info(
            "listening on %s at %d Hz",
            self._capture.device or "the default microphone",
            self._capture.device_rate,
        )
        return self

    def __exit__(self, *exc: object) -> None:
        self._capture.close()
        worker, self._worker = self._worker, None
        if worker is not None:
            worker.join(timeout=10.0)
            if worker.is_alive():
                log.warning("the microphone worker did not stop (a decode still running?)")
        monitor = self._echo.monitor if self._echo is not None else None
        if monitor is not None:
            self._echo.monitor = None
            monitor.__exit__(None, None, None)
        log.info(
            "microphone: %d utterances decoded, %d dropped over a prompt undecoded; "
            "%d early decodes, %d used",
            self.decodes,
            self.echoes_dropped,
            self.early_decodes,
            self.early_used,
        )

    # -- ports.Listener ------------------------------------------------------------------

    def set_moment(self, moment: Moment) -> None:
        self._scheduler.moment = moment

    def listen(self, timeout: float) -> Heard | None:
        try:
            return self._scheduler.heard.get(timeout=timeout)
        except queue.Empty:
            return None

    def flush(self) -> None:
        """Drop queued audio and utterances and restart endpointing (never the end of input)."""
        self._scheduler.flush()
        self._capture.drop_queued()

    # -- the worker ----------------------------------------------------------------------

    def _run(self) -> None:
        segmenter, scheduler = self._segmenter, self._scheduler
        flushes = scheduler.flushes
        try:
            for frame in self._capture.frames():
                if flushes != scheduler.flushes:
                    flushes = scheduler.flushes
                    segmenter.reset()
                for event in self._segment(frame):
                    if isinstance(event, Utterance):
                        log.debug(
                            "utterance of %.2f s ended; the worker is %.0f ms behind the microphone (mono %.3f)",
                            len(event.audio) / SAMPLE_RATE,
                            1000 * (time.monotonic() - frame.at - len(frame.samples) / SAMPLE_RATE),
                            time.monotonic(),
                        )
                        if not scheduler.hand_over(event, flushes):
                            return
                    else:
                        self._apply(event)
                if segmenter.endpointer.in_speech and segmenter.may_decode_early:
                    scheduler.decode_early(segmenter.endpointer, flushes)
        except DeviceLost as lost:
            scheduler.end_of_input(str(lost))

    def _segment(self, frame: Frame) -> list[Event]:
        echo, canceller = self._echo, self._segmenter.canceller
        if echo is None or canceller is None:
            return self._segmenter.process(frame.samples)
        reference = echo.frame(frame.position, frame.at, canceller)
        return self._segmenter.process(frame.samples, reference, echo.playing(frame.at))

    def _apply(self, event: Event) -> None:
        """Carry out what the segmenter asked of the loudspeaker."""
        if isinstance(event, Hold):
            log.debug("voice over the prompt: holding it (mono %.3f)", time.monotonic())
            self._reference.hold()
        elif isinstance(event, Release):
            self._reference.release()
        elif isinstance(event, Dropped):
            log.debug("dropped an utterance over the prompt: %s", event.reason)
            self.echoes_dropped += 1
