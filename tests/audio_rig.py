"""The real-audio test rig: a private PulseAudio server with virtual devices (tier 4).

- Speaker: ``module-pipe-sink`` with ``use_system_clock_for_timing=yes``, read from its FIFO
  by ``SinkRecorder``, which timestamps every chunk: tests see what the user heard and when.
  (``module-null-sink`` was tried first: on this kind of machine its clock is erratic — 2 s of
  audio took anywhere from 0.15 s to 3.9 s — so what it "played" proved little.)
- Microphone: ``module-pipe-source``. It delivers audio only while something writes into it,
  so ``MicFeeder`` streams silence in real time (20 ms chunks) and splices utterances in on
  demand, like a person in a quiet room.
- Room mode (``MicFeeder(..., room=recorder.tap())``): what the loudspeaker plays reaches the
  microphone too, mixed with the injected replies, as on a laptop without headphones. The
  echo arrives through a fixed jitter buffer, so its delay is steady (0.3 s plus the sound
  server's own buffering) except when a starved machine makes the server skip and its level is ``room_gain`` of what was played.

The server is private (own runtime dir, socket and FIFOs under a short temp dir), so it never
touches a user's sound. Clients reach it through ``PULSE_SERVER``.
"""

from __future__ import annotations

import os
import queue
import select
import shutil
import subprocess
import tempfile
import threading
import time
from pathlib import Path

import numpy as np

RATE = 16_000
"""Hz of both virtual devices."""
LOUD = 0.01
"""RMS above which a sink chunk counts as sound."""
NOISE_RMS = 3e-4
"""The simulated microphone's own hiss (about -70 dBFS): never exactly zero, like a real one."""


def _realtime_thread() -> None:
    """Ask for real-time scheduling for the calling thread (a simulated sound card must keep
    time on a busy machine); without the privilege the thread runs as it is."""
    try:
        os.sched_setscheduler(0, os.SCHED_FIFO, os.sched_param(10))
    except (AttributeError, OSError):
        pass


class SinkRecorder:
    """Reads the pipe sink's FIFO in a thread; keeps (arrival time, samples) per chunk."""

    def __init__(self, fifo: Path):
        self._fd = os.open(fifo, os.O_RDONLY | os.O_NONBLOCK)
        self._changed = threading.Condition()
        self._chunks: list[tuple[float, np.ndarray]] = []
        self._taps: list[RoomTap] = []
        self._partial = b""
        self._closing = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        _realtime_thread()
        while not self._closing.is_set():
            ready, _, _ = select.select([self._fd], [], [], 0.1)
            if not ready:
                continue
            data = self._partial + os.read(self._fd, 65536)
            whole = len(data) - len(data) % 2
            self._partial = data[whole:]
            samples = np.frombuffer(data[:whole], dtype="<i2").astype(np.float32) / 32768
            with self._changed:
                self._chunks.append((time.monotonic(), samples))
                for tap in self._taps:
                    tap.put(samples)
                self._changed.notify_all()

    def close(self) -> None:
        self._closing.set()
        self._thread.join(timeout=2)
        os.close(self._fd)

    def clear(self) -> None:
        with self._changed:
            self._chunks.clear()

    def tap(self) -> RoomTap:
        """A stream of everything played from now on (what a microphone in the room hears)."""
        tap = RoomTap()
        with self._changed:
            self._taps.append(tap)
        return tap

    def chunks_after(self, moment: float) -> list[tuple[float, np.ndarray]]:
        with self._changed:
            return [(t, c) for t, c in self._chunks if t > moment]

    def wait_until(self, predicate, timeout: float) -> bool:
        with self._changed:
            return self._changed.wait_for(lambda: predicate(self._chunks), timeout)

    def audio(self) -> np.ndarray:
        with self._changed:
            return np.concatenate([c for _, c in self._chunks] or [np.zeros(0, np.float32)])

    def loud_times(self) -> list[float]:
        with self._changed:
            return [t for t, c in self._chunks if c.size and np.sqrt(np.mean(c**2)) > LOUD]


class RoomTap:
    """Samples played by the loudspeaker, numbered from the tap's creation, for the feeder to
    mix into the microphone. Reading by number keeps the room's delay constant: audio that
    arrives late (a busy machine) becomes a dropout in the echo, never a shift."""

    KEEP = 5 * RATE

    def __init__(self):
        self._lock = threading.Lock()
        self._buffer = np.zeros(0, np.float32)
        self._first = 0  # number of _buffer[0]
        self.dropouts = 0
        """Reads that found the loudspeaker's audio not there yet (zeros were mixed in)."""

    def put(self, samples: np.ndarray) -> None:
        with self._lock:
            self._buffer = np.concatenate([self._buffer, samples.astype(np.float32)])
            if self._buffer.size > 2 * self.KEEP:
                drop = self._buffer.size - self.KEEP
                self._buffer = self._buffer[drop:]
                self._first += drop

    @property
    def received(self) -> int:
        with self._lock:
            return self._first + self._buffer.size

    def read(self, first: int, n: int) -> np.ndarray:
        """Samples ``first`` .. ``first + n`` (zeros for any not received)."""
        out = np.zeros(n, np.float32)
        with self._lock:
            lo, hi = max(first, self._first), min(first + n, self._first + self._buffer.size)
            if hi > lo:
                out[lo - first : hi - first] = self._buffer[lo - self._first : hi - self._first]
            self.dropouts += hi - lo < n
        return out


class PrivatePulse:
    """A PulseAudio daemon of our own; ``start`` returns the client environment."""

    def __init__(self):
        self.root = Path(tempfile.mkdtemp(prefix="vg-pulse-"))  # short: socket paths <108 B
        self.socket = self.root / "native"
        self.speaker_fifo = self.root / "speaker.fifo"
        self.mic_fifo = self.root / "mic.fifo"
        self.log = self.root / "pulseaudio.log"
        self.process: subprocess.Popen | None = None

    def start(self) -> dict[str, str]:
        script = self.root / "default.pa"
        script.write_text(
            f"load-module module-native-protocol-unix auth-anonymous=1 socket={self.socket}\n"
            f"load-module module-pipe-sink sink_name=vg_speaker file={self.speaker_fifo} "
            f"format=s16le rate={RATE} channels=1 use_system_clock_for_timing=yes\n"
            f"load-module module-pipe-source source_name=vg_mic file={self.mic_fifo} "
            f"format=s16le rate={RATE} channels=1\n"
            "set-default-sink vg_speaker\n"
            "set-default-source vg_mic\n"
        )
        daemon_env = {
            **os.environ,
            "HOME": str(self.root),
            "XDG_RUNTIME_DIR": str(self.root),
            "XDG_CONFIG_HOME": str(self.root / "config"),
            "PULSE_RUNTIME_PATH": str(self.root / "runtime"),
            "PULSE_STATE_PATH": str(self.root / "state"),
        }
        daemon_env.pop("PULSE_SERVER", None)
        with open(self.log, "wb") as log:
            self.process = subprocess.Popen(
                [
                    "pulseaudio",
                    "--daemonize=no",
                    "--exit-idle-time=-1",
                    "-n",
                    "-F",
                    str(script),
                    "--realtime=yes",
                    "--high-priority=yes",
                    "--use-pid-file=no",
                    "--log-target=stderr",
                ],
                env=daemon_env,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=log,
            )
        client_env = {"PULSE_SERVER": f"unix:{self.socket}"}
        deadline = time.monotonic() + 15.0
        while time.monotonic() < deadline:
            ready = (
                subprocess.run(
                    ["pactl", "info"], env={**os.environ, **client_env}, capture_output=True, timeout=5
                ).returncode
                == 0
            )
            if ready:
                return client_env
            try:  # doubles as the pause between tries, and notices a daemon that died
                self.process.wait(timeout=0.1)
            except subprocess.TimeoutExpired:
                continue
            break
        tail = self.log.read_text(errors="replace").strip().splitlines()[-3:]
        self.stop()
        raise RuntimeError("pulseaudio did not come up: " + " | ".join(tail))

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=5)
        shutil.rmtree(self.root, ignore_errors=True)


def any_loud(chunks) -> bool:
    return any(c.size and np.sqrt(np.mean(c**2)) > LOUD for _, c in chunks)


def quiet_since(moment: float, seconds: float):
    """Predicate: the sink has been silent for ``seconds`` of chunks arriving after ``moment``."""

    def check(chunks) -> bool:
        after = [(t, c) for t, c in chunks if t > moment]
        loud = [t for t, c in after if c.size and np.sqrt(np.mean(c**2)) > LOUD]
        last = loud[-1] if loud else moment
        return bool(after) and after[-1][0] - last >= seconds

    return check


def tone_level(samples: np.ndarray, freq_hz: float) -> float:
    """Fraction of ``samples``' energy within 40 Hz of ``freq_hz`` (1.0: a pure tone)."""
    if samples.size < 64:
        return 0.0
    spectrum = np.abs(np.fft.rfft(samples * np.hanning(samples.size))) ** 2
    freqs = np.fft.rfftfreq(samples.size, 1 / RATE)
    total = spectrum.sum()
    return float(spectrum[np.abs(freqs - freq_hz) <= 40].sum() / total) if total > 0 else 0.0


def tone_after(moment: float, freq_hz: float, found: list | None = None):
    """Predicate: 80 ms of mostly ``freq_hz`` (an earcon) was played after ``moment``; the time
    it reached the sink is appended to ``found``. Scans in 20 ms hops whatever the chunk sizes
    (an idle sink writes half a second at a time)."""
    state = {"chunks": 0, "audio": np.zeros(0, np.float32), "start": None}

    def check(chunks) -> bool:
        new = [(t, c) for t, c in chunks[state["chunks"] :] if t > moment]
        state["chunks"] = len(chunks)
        for t, c in new:
            if state["start"] is None:
                state["start"] = t - c.size / RATE  # time of the first kept sample
            state["audio"] = np.concatenate([state["audio"], c])
        audio = state["audio"]
        hop, size = RATE // 50, 1280
        for lo in range(0, max(0, audio.size - size + 1), hop):
            window = audio[lo : lo + size]
            if np.sqrt(np.mean(window**2)) > LOUD and tone_level(window, freq_hz) > 0.6:
                if found is not None:
                    found.append(state["start"] + lo / RATE)
                return True
        keep = max(0, audio.size - size)  # already scanned: keep only a window's worth
        keep -= keep % hop
        state["audio"] = audio[keep:]
        state["start"] = None if state["start"] is None else state["start"] + keep / RATE
        return False

    return check


def spoke_then_quiet(moment: float, seconds: float):
    """Predicate: something was played after ``moment`` and the sink has been silent for
    ``seconds`` since (a prompt that has been spoken to its end)."""

    def check(chunks) -> bool:
        after = [(t, c) for t, c in chunks if t > moment]
        loud = [t for t, c in after if c.size and np.sqrt(np.mean(c**2)) > LOUD]
        return bool(loud) and after[-1][0] - loud[-1] >= seconds

    return check


class Spoken:
    """One utterance handed to the feeder: ``started`` (monotonic) when its first chunk went
    into the microphone, ``done`` once it has been written in full."""

    def __init__(self, audio: np.ndarray):
        self.audio = audio
        self.started: float | None = None
        self.done = threading.Event()

    def wait(self, timeout: float) -> bool:
        return self.done.wait(timeout)

    def word_end(self) -> float:
        """Monotonic time at which the last loud sample went into the microphone."""
        loud = np.flatnonzero(np.abs(self.audio) > 0.02)
        return self.started + (loud[-1] + 1 if loud.size else 0) / RATE


class MicFeeder:
    """Streams silence into the pipe source in real time and splices in ``say(audio)``.

    ``say`` returns a :class:`Spoken` whose ``done`` is set once the utterance has been written
    in full. With ``room`` (a :class:`RoomTap`), what the loudspeaker played is mixed in at
    ``room_gain`` behind a ``room_delay_s`` jitter buffer. A microphone that goes away (its
    FIFO has no reader) ends the feeder quietly.
    """

    CHUNK = RATE // 50  # 20 ms

    def __init__(
        self, fifo: Path, room: RoomTap | None = None, room_gain: float = 0.5, room_delay_s: float = 0.3
    ):
        self._fifo = fifo
        self._room = room
        self._room_gain = room_gain
        self._room_delay = int(room_delay_s * RATE)
        self._queue: queue.Queue[Spoken] = queue.Queue()
        self.echo_s = 0.0
        """Seconds of the loudspeaker's sound mixed into the microphone (room mode)."""
        self.resyncs = 0
        """Times the room's delay had to be re-established (the machine was too busy)."""
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="mic-feeder", daemon=True)
        self._thread.start()

    def say(self, audio: np.ndarray) -> Spoken:
        spoken = Spoken(np.clip(audio, -1, 1).astype(np.float32))
        self._queue.put(spoken)
        return spoken

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)

    def _run(self) -> None:
        _realtime_thread()
        try:
            self._feed()
        except (BrokenPipeError, OSError):  # the pipe source was unloaded: the mic is gone
            pass

    def _feed(self) -> None:
        silence = np.zeros(self.CHUNK, dtype=np.float32)
        hiss = np.random.default_rng(3).normal(0, NOISE_RMS, (64, self.CHUNK)).astype(np.float32)
        current, offset = None, 0
        base = None  # tap sample number mixed into the chunk being sent now, minus sent*CHUNK
        with open(self._fifo, "wb", buffering=0) as pipe:
            start, sent = time.monotonic(), 0
            while not self._stop.is_set():
                if current is None:
                    try:
                        current = self._queue.get_nowait()
                        offset = 0
                    except queue.Empty:
                        pass
                chunk = silence
                if current is not None:
                    if offset == 0:
                        current.started = time.monotonic()
                    chunk = current.audio[offset : offset + self.CHUNK]
                    offset += self.CHUNK
                    if len(chunk) < self.CHUNK:
                        chunk = np.concatenate([chunk, silence[: self.CHUNK - len(chunk)]])
                    if offset >= len(current.audio):
                        current.done.set()
                        current = None
                if self._room is not None:
                    lag = None if base is None else self._room.received - (base + sent * self.CHUNK)
                    if (
                        base is None or not 0 <= lag <= RoomTap.KEEP // 2
                    ) and self._room.received >= self._room_delay:
                        # (re)start the room's clock. On a starved machine the sound server
                        # skips time, and the echo moves, as it does after a real xrun.
                        base = self._room.received - self._room_delay - sent * self.CHUNK
                        self.resyncs += 1
                    if base is not None:
                        echo = self._room_gain * self._room.read(base + sent * self.CHUNK, self.CHUNK)
                        chunk = chunk + echo
                        if np.sqrt(np.mean(echo**2)) > LOUD / 2:
                            self.echo_s += self.CHUNK / RATE
                chunk = chunk + hiss[sent % len(hiss)]  # a real microphone is never digitally silent
                pipe.write((np.clip(chunk, -1, 1) * 32767).astype("<i2").tobytes())
                sent += 1
                delay = start + sent / 50 - time.monotonic()
                if delay > 0:
                    self._stop.wait(delay)  # pacing a simulated microphone in real time


def espeak_16k(text: str, folder: Path, voice: str = "en-us") -> np.ndarray:
    """``text`` spoken by espeak-ng, at 16 kHz (the demo's simulated-user voice maker)."""
    from voiceguide.app.demo import synthesize_espeak

    return synthesize_espeak(text, folder, voice=voice)


class Console:
    """Reads a process's stdout in a thread, so the test can wait for a line with a timeout."""

    def __init__(self, stream):
        self.lines: queue.Queue[tuple[float, str]] = queue.Queue()
        self.seen: list[str] = []
        self.last_at = 0.0
        """Monotonic time at which the line ``wait_for`` last returned came out of the process."""
        threading.Thread(target=self._read, args=(stream,), daemon=True).start()

    def _read(self, stream):
        for line in stream:
            self.lines.put((time.monotonic(), line))
        self.lines.put((time.monotonic(), ""))

    def wait_for(self, text: str, timeout: float) -> str:
        deadline = time.monotonic() + timeout
        while True:
            try:
                self.last_at, line = self.lines.get(timeout=max(0.01, deadline - time.monotonic()))
            except queue.Empty:
                raise AssertionError(f"no {text!r} within {timeout} s:\n" + "".join(self.seen)) from None
            self.seen.append(line)
            if text in line:
                return line
            if line == "":
                raise AssertionError(f"process ended before {text!r}:\n" + "".join(self.seen))
