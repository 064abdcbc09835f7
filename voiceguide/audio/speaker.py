"""The loudspeaker: says text through a sounddevice output stream, and stops at once.

Implements ``voiceguide.core.ports.Speaker``. ``say`` synthesizes (a few tens of milliseconds) and
starts playback, then returns; PortAudio's thread pulls 20 ms blocks from a callback. ``stop``
silences the next block and aborts the stream, which drops what is queued in the device, so
speech ends within a block or two. Each utterance gets its own stream: the previous one is
closed first.

With a :class:`~voiceguide.audio.echo.PlaybackReference` the speaker records what it plays
when (so the microphone can take its own voice back out) and obeys the microphone's *hold*:
muted while the user may be saying "stop", unmuted when it was not "stop". It mutes rather
than pauses: restarting the stream would upset the echo canceller into more false holds.

Earcons are short sine tones: ``listening`` (880 Hz) when it starts listening, ``accepted``
(1320 Hz) when a command was taken; ``say(..., earcon=...)`` plays one just before speech.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Any

import numpy as np

from voiceguide.audio.echo import PlaybackReference
from voiceguide.audio.tts import Synthesizer
from voiceguide.audio.wav import resample
from voiceguide.errors import AudioUnavailable

log = logging.getLogger(__name__)

BLOCK_S = 0.02
"""Seconds of audio per callback block: ``stop`` takes effect within about one block."""
_FIX = "plug in speakers or headphones, or check the sound server (pactl info)"
_WAIT_MARGIN_S = 3.0
"""Seconds past a clip's length after which ``wait()`` gives up on a stream that never
reports its end (a lost device) and stops it."""
EARCONS = {"listening": (880.0, 0.1), "accepted": (1320.0, 0.1)}
"""Earcon name -> (Hz, seconds)."""
EARCON_LEVEL = 0.3
"""Peak of an earcon, fraction of full scale (before the volume setting)."""
_EARCON_GAP_S = 0.06
"""Silence between an earcon and the speech that follows it."""


def tone(freq_hz: float, seconds: float, rate: int, level: float = 0.5) -> np.ndarray:
    """A sine tone with 10 ms fades (no clicks), float32."""
    t = np.arange(int(seconds * rate)) / rate
    wave = level * np.sin(2 * np.pi * freq_hz * t)
    fade = min(len(wave) // 2, int(0.01 * rate))
    if fade:
        ramp = np.linspace(0.0, 1.0, fade)
        wave[:fade] *= ramp
        wave[-fade:] *= ramp[::-1]
    return wave.astype(np.float32)


class _Playback:
    """One clip being played; the PortAudio callback reads it, ``stop`` cuts it."""

    def __init__(self, sd: Any, samples: np.ndarray, rate: int, reference: PlaybackReference | None = None):
        self._sd = sd
        self.samples = samples
        self.rate = rate
        self.position = 0
        self.cut = False
        self.finished = threading.Event()
        self._reference = reference
        self._segment: Any = None

    def end_segment(self) -> None:
        if self._segment is not None:
            self._reference.end(self._segment, self.position)
            self._segment = None

    @property
    def seconds(self) -> float:
        return len(self.samples) / self.rate

    def callback(self, outdata: np.ndarray, frames: int, time_info: Any, status: Any) -> None:
        if status:
            log.debug("output stream status: %s", status)
        if self.cut:
            outdata.fill(0)
            self.end_segment()
            raise self._sd.CallbackAbort
        reference = self._reference
        if reference is not None and self._segment is None:
            self._segment = reference.begin(self.samples, self.rate, self.position)
        if reference is not None and reference.held:
            # the microphone may be hearing "stop": mute (time runs on, so the echo of what
            # was played and the record of it stay in step)
            outdata.fill(0)
            self.position += frames
            if self.position >= len(self.samples):
                self.end_segment()
                raise self._sd.CallbackStop
            return
        chunk = self.samples[self.position : self.position + frames]
        outdata[: len(chunk), 0] = chunk
        outdata[len(chunk) :] = 0
        self.position += len(chunk)
        if self.position >= len(self.samples):
            self.end_segment()
            raise self._sd.CallbackStop


class AudioSpeaker:
    """Speaks through the default (or the given) sounddevice output device.

    ``device`` is a sounddevice device index or name (None: the default output).
    """

    def __init__(
        self,
        synthesizer: Synthesizer,
        device: int | str | None = None,
        reference: PlaybackReference | None = None,
    ):
        self._synthesizer = synthesizer
        self._device = device
        self._reference = reference
        self._cache: dict[tuple[str, int], tuple[np.ndarray, int]] = {}
        self._sd: Any = None
        self._lock = threading.Lock()  # one PortAudio open/close at a time
        self._generation_lock = threading.Lock()  # never held for long: stop() takes it
        self._playback: _Playback | None = None
        self._stream: Any = None
        self._generation = 0  # bumped by every say/stop; a say overtaken by a stop is dropped

    # -- lifecycle -----------------------------------------------------------------------

    def __enter__(self) -> AudioSpeaker:
        sd = self._sounddevice()
        try:
            sd.query_devices(self._device, kind="output")
        except (sd.PortAudioError, ValueError) as error:
            raise AudioUnavailable(f"no speaker to play on ({error}); {_FIX}") from error
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _sounddevice(self) -> Any:
        if self._sd is None:
            try:
                import sounddevice as sd
            except OSError as error:
                raise AudioUnavailable("PortAudio is missing: sudo apt-get install libportaudio2") from error
            except ImportError as error:
                raise AudioUnavailable(
                    "the sounddevice package is missing: pip install sounddevice"
                ) from error
            self._sd = sd
        return self._sd

    # -- ports.Speaker -------------------------------------------------------------------

    def say(self, text: str, rate: int, volume: float, earcon: str | None = None) -> None:
        """Speak ``text`` at ``rate`` words per minute and ``volume`` (0..1), after the
        ``earcon`` if one is named; returns at once."""
        generation = self._next_generation()
        log.debug("say %r (mono %.3f)", text[:30], time.monotonic())
        samples, sample_rate = self._synthesize(text, rate)
        if earcon is not None and samples.size:
            lead = tone(*EARCONS[earcon], sample_rate, EARCON_LEVEL)
            gap = np.zeros(int(_EARCON_GAP_S * sample_rate), dtype=np.float32)
            samples = np.concatenate([lead, gap, samples])
        self._play(samples, sample_rate, volume, generation)

    def prepare(self, text: str, rate: int) -> None:
        """Synthesize ``text`` ahead of time (likely next prompts), so ``say`` starts sooner."""
        self._synthesize(text, rate)

    def earcon(self, name: str, volume: float) -> None:
        """Play the earcon ``name`` ("listening" or "accepted"); returns at once."""
        freq, seconds = EARCONS[name]
        self.play_tone(freq, seconds, volume * EARCON_LEVEL / 0.5)

    def play_tone(self, freq_hz: float, seconds: float, volume: float) -> None:
        """Play a sine tone (an earcon) of ``freq_hz`` Hz for ``seconds``; returns at once."""
        rate = 22_050
        self._play(tone(freq_hz, seconds, rate), rate, volume, self._next_generation())

    def _synthesize(self, text: str, rate: int) -> tuple[np.ndarray, int]:
        key = (text, rate)
        cached = self._cache.get(key)
        if cached is None:
            cached = self._synthesizer.synthesize(text, rate)
            if len(self._cache) > 32:
                self._cache.pop(next(iter(self._cache)))
            self._cache[key] = cached
        return cached

    def stop(self) -> None:
        """Cut speech now; safe from any thread, at any time, any number of times."""
        playback = self._playback
        if playback is not None:
            playback.cut = True  # the next callback block is silence
            playback.finished.set()
        if self._reference is not None:
            self._reference.release()
        self._next_generation()
        with self._lock:  # closes the stream, or one a concurrent say() has just started
            stream, self._stream, self._playback = self._stream, None, None
            self._close(stream)
        if playback is not None:
            playback.end_segment()

    @property
    def speaking(self) -> bool:
        playback = self._playback
        return playback is not None and not playback.finished.is_set()

    def wait(self, timeout: float | None = None) -> bool:
        """Block until speech has finished (True) or ``timeout`` seconds passed (False)."""
        playback = self._playback
        if playback is None:
            return True
        if timeout is not None:
            return playback.finished.wait(timeout)
        if playback.finished.wait(playback.seconds + _WAIT_MARGIN_S):
            return True
        log.warning("playback did not report its end; stopping it (was the device lost?)")
        self.stop()
        return True

    # -- internals -----------------------------------------------------------------------

    def _next_generation(self) -> int:
        with self._generation_lock:
            self._generation += 1
            return self._generation

    def _play(self, samples: np.ndarray, rate: int, volume: float, generation: int) -> None:
        sd = self._sounddevice()
        volume = min(1.0, max(0.0, float(volume)))
        samples = np.clip(np.asarray(samples, dtype=np.float32) * volume, -1.0, 1.0)
        with self._lock:
            self._close(self._stream)
            if self._playback is not None:
                self._playback.end_segment()
            self._stream, self._playback = None, None
            if generation != self._generation or samples.size == 0:
                return  # stopped (or replaced) while synthesizing, or nothing to say
            playback, stream = self._open(sd, samples, rate)
            self._playback, self._stream = playback, stream
            try:
                stream.start()
                log.debug("playback of %.2f s started (mono %.3f)", len(samples) / rate, time.monotonic())
            except sd.PortAudioError as error:
                self._close(stream)
                self._stream, self._playback = None, None
                raise AudioUnavailable(f"the speaker could not start playing: {error}") from error

    def _open(self, sd: Any, samples: np.ndarray, rate: int) -> tuple[_Playback, Any]:
        """An output stream at ``rate``, or at the device's own rate if it refuses that one."""
        try:
            return self._open_at(sd, samples, rate)
        except sd.PortAudioError as first:
            try:
                device_rate = int(sd.query_devices(self._device, "output")["default_samplerate"])
            except (sd.PortAudioError, ValueError):
                device_rate = rate
            if device_rate == rate:
                raise AudioUnavailable(f"the speaker could not be opened ({first}); {_FIX}") from first
            log.debug("output refused %d Hz (%s); resampling to %d Hz", rate, first, device_rate)
            try:
                return self._open_at(sd, resample(samples, rate, device_rate), device_rate)
            except sd.PortAudioError as error:
                raise AudioUnavailable(f"the speaker could not be opened ({error}); {_FIX}") from error

    def _open_at(self, sd: Any, samples: np.ndarray, rate: int) -> tuple[_Playback, Any]:
        playback = _Playback(sd, samples, rate, self._reference)
        stream = sd.OutputStream(
            samplerate=rate,
            channels=1,
            dtype="float32",
            device=self._device,
            blocksize=int(rate * BLOCK_S),
            latency="low",
            callback=playback.callback,
            finished_callback=playback.finished.set,
        )
        return playback, stream

    def _close(self, stream: Any) -> None:
        """Abort (dropping queued audio) and close ``stream``; failures are logged."""
        if stream is None:
            return
        started = time.monotonic()
        try:
            stream.abort()
        except Exception as error:  # noqa: BLE001 - closing must go on; the failure is logged
            log.warning("aborting the output stream failed: %s", error)
        try:
            stream.close()
        except Exception as error:  # noqa: BLE001
            log.warning("closing the output stream failed: %s", error)
        log.debug("output stream closed in %.1f ms", 1000 * (time.monotonic() - started))
