"""Text to speech samples, offline: pyttsx3's espeak-ng driver, or the ``espeak-ng`` program.

:class:`Synthesizer` returns audio, it never plays it (the speaker does, and scales volume).
pyttsx3 is imported lazily and driven from a worker thread with a timeout, because its
``runAndWait`` is known to hang on some systems; after a hang or an error the synthesizer falls
back to the ``espeak-ng`` command line for the rest of the process.
"""

from __future__ import annotations

import contextlib
import io
import itertools
import logging
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import wave
import weakref
from typing import Any

import numpy as np

from voiceguide.errors import AudioUnavailable

log = logging.getLogger(__name__)

DEFAULT_RATE = 160
"""Words per minute used when no rate is given."""
MIN_RATE, MAX_RATE = 80, 450
"""Words per minute espeak-ng accepts; rates outside are clamped."""

_INSTALL_HINT = (
    "no speech synthesizer: install espeak-ng (sudo apt-get install espeak-ng) "
    "and, optionally, pyttsx3 (pip install pyttsx3)"
)


class _DropSavedNotice(io.TextIOBase):
    """Stands in for stdout while pyttsx3 runs: forwards everything except the driver's own
    "Audio saved to ..." line, whichever thread prints it (espeak calls back from its own).
    Other threads' output (the console display) is not lost."""

    def __init__(self, target: Any):
        self._target = target
        self._swallow_newline: int | None = None

    def write(self, text: str) -> int:
        me = threading.get_ident()
        if text.startswith("Audio saved to "):
            self._swallow_newline = me
            return len(text)
        if text == "\n" and self._swallow_newline == me:
            self._swallow_newline = None
            return len(text)
        return self._target.write(text)

    def flush(self) -> None:
        self._target.flush()


def _read_wav(data: bytes) -> tuple[np.ndarray, int]:
    """Decode 16-bit PCM WAV bytes (a streamed header with bogus sizes is fine)."""
    with wave.open(io.BytesIO(data), "rb") as wav:
        if wav.getsampwidth() != 2:
            raise ValueError(f"expected 16-bit PCM, got {8 * wav.getsampwidth()}-bit")
        channels, rate = wav.getnchannels(), wav.getframerate()
        raw = wav.readframes(wav.getnframes())
    samples = np.frombuffer(raw[: len(raw) - len(raw) % (2 * channels)], dtype="<i2")
    samples = samples.reshape(-1, channels).mean(axis=1) if channels > 1 else samples
    return (samples.astype(np.float32) / 32768.0), rate


class Synthesizer:
    """Turns text into mono float32 samples; safe to call from any thread (calls are serialized).

    ``use_pyttsx3=None`` (the default) uses the ``espeak-ng`` program when it is installed and
    pyttsx3 otherwise: in a running session pyttsx3's ``save_to_file`` was seen to return before
    its file existed, leaving an "Audio saved to" line on stdout and ReferenceError tracebacks
    from its callbacks on stderr, while the program takes 20-50 ms a prompt.
    ``use_pyttsx3=False`` goes straight to the ``espeak-ng`` program (also what happens, for
    good, after pyttsx3 hangs or fails). ``voice`` is an espeak-ng voice name (None: default).
    """

    def __init__(self, *, use_pyttsx3: bool | None = None, voice: str | None = None, timeout_s: float = 10.0):
        if use_pyttsx3 is None:
            use_pyttsx3 = not (shutil.which("espeak-ng") or shutil.which("espeak"))
        self._use_pyttsx3 = use_pyttsx3
        self._voice = voice
        self._timeout_s = timeout_s
        self._lock = threading.Lock()
        self._engine: Any = None
        self._engine_rate: int | None = None
        self._names = itertools.count()
        self._dir = tempfile.mkdtemp(prefix="voiceguide-tts-")  # mode 0700: private
        self._cleanup = weakref.finalize(self, shutil.rmtree, self._dir, ignore_errors=True)

    @property
    def backend(self) -> str:
        """ "pyttsx3" while it is in use, else "espeak-ng"."""
        return "pyttsx3" if self._use_pyttsx3 else "espeak-ng"

    @staticmethod
    def is_available() -> bool:
        """True when the ``espeak-ng`` program or pyttsx3 (with libespeak-ng) can be used."""
        if shutil.which("espeak-ng") or shutil.which("espeak"):
            return True
        try:
            import pyttsx3  # noqa: F401
        except ImportError:
            return False
        return True

    def close(self) -> None:
        """Remove the private temp directory (also done when the object is collected)."""
        self._cleanup()

    def synthesize(self, text: str, rate: int = DEFAULT_RATE) -> tuple[np.ndarray, int]:
        """Speech for ``text`` at ``rate`` words per minute, as (float32 samples, Hz)."""
        rate = int(min(MAX_RATE, max(MIN_RATE, rate)))
        if not text.strip():
            return np.zeros(0, dtype=np.float32), 22050
        with self._lock:
            started = time.monotonic()
            audio: tuple[np.ndarray, int] | None = None
            if self._use_pyttsx3:
                audio = self._with_pyttsx3(text, rate)
            if audio is None:
                audio = self._with_cli(text, rate)
            log.debug(
                "synthesized %d chars with %s in %.0f ms",
                len(text),
                self.backend,
                1000 * (time.monotonic() - started),
            )
            return audio

    # -- pyttsx3 -------------------------------------------------------------------------

    def _with_pyttsx3(self, text: str, rate: int) -> tuple[np.ndarray, int] | None:
        """Run pyttsx3 in a worker thread; None (and never again) after a hang or an error."""
        result: dict[str, Any] = {}
        done = threading.Event()

        def work() -> None:
            try:
                result["audio"] = self._pyttsx3_job(text, rate)
            except BaseException as error:  # reported to the caller's thread below
                result["error"] = error
            finally:
                done.set()

        timeout = self._timeout_s + 0.05 * len(text)
        threading.Thread(target=work, name="voiceguide-tts", daemon=True).start()
        if not done.wait(timeout):
            log.warning(
                "pyttsx3 did not finish within %.0f s; using the espeak-ng program from now on", timeout
            )
        elif "error" in result:
            log.warning("pyttsx3 failed (%s); using the espeak-ng program from now on", result["error"])
        else:
            return result["audio"]
        self._use_pyttsx3 = False
        self._engine = None
        return None

    def _pyttsx3_job(self, text: str, rate: int) -> tuple[np.ndarray, int]:
        if self._engine is None:
            import pyttsx3

            self._engine = pyttsx3.init("espeak")
            if self._voice:
                self._engine.setProperty("voice", self._voice)
        if rate != self._engine_rate:
            self._engine.setProperty("rate", rate)
            self._engine_rate = rate
            _wait_espeak_idle()
        path = os.path.join(self._dir, f"say-{next(self._names)}.wav")
        try:
            with contextlib.redirect_stdout(_DropSavedNotice(sys.stdout)):
                self._engine.save_to_file(text, path)
                self._engine.runAndWait()
            with open(path, "rb") as file:
                return _read_wav(file.read())
        finally:
            with contextlib.suppress(FileNotFoundError):
                os.remove(path)

    # -- espeak-ng program ---------------------------------------------------------------

    def _with_cli(self, text: str, rate: int) -> tuple[np.ndarray, int]:
        program = shutil.which("espeak-ng") or shutil.which("espeak")
        if program is None:
            raise AudioUnavailable(_INSTALL_HINT)
        command = [program, "--stdout", "--stdin", "-s", str(rate)]
        if self._voice:
            command += ["-v", self._voice]
        timeout = self._timeout_s + 0.05 * len(text)
        try:
            done = subprocess.run(
                command, input=text.encode("utf-8"), capture_output=True, timeout=timeout, check=False
            )
        except subprocess.TimeoutExpired as error:
            raise AudioUnavailable(f"{program} did not finish within {timeout:.0f} s") from error
        except OSError as error:
            raise AudioUnavailable(f"cannot run {program}: {error}; {_INSTALL_HINT}") from error
        if done.returncode != 0 or not done.stdout:
            detail = done.stderr.decode("utf-8", "replace").strip().splitlines()[-1:] or [""]
            raise AudioUnavailable(f"{program} failed (exit {done.returncode}) {detail[0]}")
        return _read_wav(done.stdout)


def _wait_espeak_idle(limit_s: float = 1.0) -> None:
    """Let espeak-ng's queue apply a new parameter before pyttsx3 starts its next loop.

    pyttsx3 2.99 cancels espeak's queue at the start of ``runAndWait`` when espeak is still
    busy, which silently drops a rate just set (measured: the old rate stays in effect). The
    queue is espeak's own, with no completion signal, so this polls ``IsPlaying`` briefly.
    """
    try:
        from pyttsx3.drivers import _espeak
    except ImportError:
        return
    deadline = time.monotonic() + limit_s
    while _espeak.IsPlaying() and time.monotonic() < deadline:
        time.sleep(0.002)
