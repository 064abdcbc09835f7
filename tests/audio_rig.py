"""The real-audio test rig: a private PulseAudio server with virtual devices (tier 4).

- Speaker: ``module-pipe-sink`` with ``use_system_clock_for_timing=yes``, read from its FIFO
  by ``SinkRecorder``, which timestamps every chunk: tests see what the user heard and when.
  (``module-null-sink`` was tried first: on this kind of machine its clock is erratic — 2 s of
  audio took anywhere from 0.15 s to 3.9 s — so what it "played" proved little.)
- Microphone: ``module-pipe-source``. It delivers audio only while something writes into it,
  so ``MicFeeder`` streams silence in real time (20 ms chunks) and splices utterances in on
  demand, like a person in a quiet room.

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


class SinkRecorder:
    """Reads the pipe sink's FIFO in a thread; keeps (arrival time, samples) per chunk."""

    def __init__(self, fifo: Path):
        self._fd = os.open(fifo, os.O_RDONLY | os.O_NONBLOCK)
        self._changed = threading.Condition()
        self._chunks: list[tuple[float, np.ndarray]] = []
        self._partial = b""
        self._closing = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
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
                self._changed.notify_all()

    def close(self) -> None:
        self._closing.set()
        self._thread.join(timeout=2)
        os.close(self._fd)

    def clear(self) -> None:
        with self._changed:
            self._chunks.clear()

    def wait_until(self, predicate, timeout: float) -> bool:
        with self._changed:
            return self._changed.wait_for(lambda: predicate(self._chunks), timeout)

    def audio(self) -> np.ndarray:
        with self._changed:
            return np.concatenate([c for _, c in self._chunks] or [np.zeros(0, np.float32)])

    def loud_times(self) -> list[float]:
        with self._changed:
            return [t for t, c in self._chunks if c.size and np.sqrt(np.mean(c**2)) > LOUD]


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
            "set-default-source vg_mic\n")
        daemon_env = {**os.environ, "HOME": str(self.root), "XDG_RUNTIME_DIR": str(self.root),
                      "XDG_CONFIG_HOME": str(self.root / "config"),
                      "PULSE_RUNTIME_PATH": str(self.root / "runtime"),
                      "PULSE_STATE_PATH": str(self.root / "state")}
        daemon_env.pop("PULSE_SERVER", None)
        with open(self.log, "wb") as log:
            self.process = subprocess.Popen(
                ["pulseaudio", "--daemonize=no", "--exit-idle-time=-1", "-n", "-F", str(script),
                 "--use-pid-file=no", "--log-target=stderr"],
                env=daemon_env, stdin=subprocess.DEVNULL, stdout=log, stderr=log)
        client_env = {"PULSE_SERVER": f"unix:{self.socket}"}
        deadline = time.monotonic() + 15.0
        while time.monotonic() < deadline:
            ready = subprocess.run(["pactl", "info"], env={**os.environ, **client_env},
                                   capture_output=True, timeout=5).returncode == 0
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


def spoke_then_quiet(moment: float, seconds: float):
    """Predicate: something was played after ``moment`` and the sink has been silent for
    ``seconds`` since (a prompt that has been spoken to its end)."""
    def check(chunks) -> bool:
        after = [(t, c) for t, c in chunks if t > moment]
        loud = [t for t, c in after if c.size and np.sqrt(np.mean(c**2)) > LOUD]
        return bool(loud) and after[-1][0] - loud[-1] >= seconds
    return check


class MicFeeder:
    """Streams silence into the pipe source in real time and splices in ``say(audio)``.

    ``say`` returns an Event that is set once the utterance has been written in full.
    """

    CHUNK = RATE // 50  # 20 ms

    def __init__(self, fifo: Path):
        self._fifo = fifo
        self._queue: queue.Queue[tuple[np.ndarray, threading.Event]] = queue.Queue()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="mic-feeder", daemon=True)
        self._thread.start()

    def say(self, audio: np.ndarray) -> threading.Event:
        done = threading.Event()
        self._queue.put((np.clip(audio, -1, 1).astype(np.float32), done))
        return done

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)

    def _run(self) -> None:
        silence = np.zeros(self.CHUNK, dtype=np.float32)
        current, done, offset = None, None, 0
        with open(self._fifo, "wb", buffering=0) as pipe:
            start, sent = time.monotonic(), 0
            while not self._stop.is_set():
                if current is None:
                    try:
                        current, done = self._queue.get_nowait()
                        offset = 0
                    except queue.Empty:
                        pass
                chunk = silence
                if current is not None:
                    chunk = current[offset:offset + self.CHUNK]
                    offset += self.CHUNK
                    if len(chunk) < self.CHUNK:
                        chunk = np.concatenate([chunk, silence[:self.CHUNK - len(chunk)]])
                    if offset >= len(current):
                        done.set()
                        current = None
                pipe.write((chunk * 32767).astype("<i2").tobytes())
                sent += 1
                delay = start + sent / 50 - time.monotonic()
                if delay > 0:
                    self._stop.wait(delay)  # pacing a simulated microphone in real time


def espeak_16k(text: str, folder: Path, voice: str = "en-us") -> np.ndarray:
    """``text`` spoken by espeak-ng, at 16 kHz (the demo's simulated-user voice maker)."""
    from voiceguide.demo import synthesize_espeak

    return synthesize_espeak(text, folder, voice=voice)
