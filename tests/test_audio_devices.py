"""The real audio stack: a private PulseAudio server with virtual devices, played to and
recorded from through sounddevice (tier 4 of the test plan).

The server is this test module's own (own runtime dir, socket and FIFOs under a temp dir), so
it never touches a user's sound; the module is skipped with the reason when it cannot start.

- Speaker: ``module-pipe-sink`` with ``use_system_clock_for_timing=yes``, read from its FIFO
  by a thread that timestamps every chunk. (``module-null-sink`` was tried first: on this kind
  of machine its clock is erratic — 2 s of audio took anywhere from 0.15 s to 3.9 s, with
  underrun storms — so what it "played" proved little. The pipe sink is paced by the system
  clock and hands over exactly what came out.)
- Microphone: ``module-pipe-source``, fed in real time by a writer thread (it delivers audio
  only while something writes into it).

PortAudio lists devices once, when it initializes (on ``import sounddevice``). The fixture sets
``PULSE_SERVER`` in this process's environment and then restarts PortAudio through
``devices.probe(refresh=True)`` (sounddevice's ``_terminate``/``_initialize``), so it works
whether or not sounddevice was imported earlier in the session; on teardown it restores the
environment and restarts PortAudio again, so later tests see the machine as it is. A
subprocess per test would isolate this too, but would hide failures behind pickled results.
"""

from __future__ import annotations

import os
import select
import shutil
import subprocess
import tempfile
import threading
import time
from pathlib import Path

import numpy as np
import pytest

from voiceguide.audio.devices import probe
from voiceguide.audio.endpointing import EndpointConfig
from voiceguide.audio.microphone import MicrophoneListener
from voiceguide.audio.speaker import AudioSpeaker
from voiceguide.audio.tts import Synthesizer
from voiceguide.intents import Moment
from voiceguide.ports import Heard

RATE = 16_000  # Hz of both virtual devices
SENTENCE = "Clean the injection site with an alcohol swab, and let it dry for thirty seconds."
LOUD = 0.01  # RMS above which a sink chunk counts as sound


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


def _any_loud(chunks) -> bool:
    return any(c.size and np.sqrt(np.mean(c**2)) > LOUD for _, c in chunks)


def _quiet_since(moment: float, seconds: float):
    """Predicate: the sink has been silent for ``seconds`` of chunks arriving after ``moment``."""
    def check(chunks) -> bool:
        after = [(t, c) for t, c in chunks if t > moment]
        loud = [t for t, c in after if c.size and np.sqrt(np.mean(c**2)) > LOUD]
        last = loud[-1] if loud else moment
        return bool(after) and after[-1][0] - last >= seconds
    return check


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


@pytest.fixture(scope="module")
def pulse():
    if not (shutil.which("pulseaudio") and shutil.which("pactl")):
        pytest.skip("pulseaudio/pactl not installed (apt-get install pulseaudio)")
    pytest.importorskip("sounddevice", reason="sounddevice or PortAudio (libportaudio2) missing")
    server = PrivatePulse()
    try:
        client_env = server.start()
    except (RuntimeError, OSError, subprocess.SubprocessError) as error:
        pytest.skip(f"a private PulseAudio server could not start: {error}")
    with pytest.MonkeyPatch.context() as env:
        for name, value in client_env.items():
            env.setenv(name, value)
        report = probe(refresh=True)  # PortAudio must list devices again, now via our server
        recorder = SinkRecorder(server.speaker_fifo)
        try:
            yield server, recorder, report
        finally:
            recorder.close()
    probe(refresh=True)  # back to this machine's own devices for later tests
    server.stop()


@pytest.fixture(scope="module")
def synthesizer():
    if not Synthesizer.is_available():
        pytest.skip("no speech synthesizer (apt-get install espeak-ng)")
    synth = Synthesizer()
    yield synth
    synth.close()


def test_probe_finds_the_virtual_devices(pulse):
    _, _, report = pulse
    assert report.portaudio_ok
    assert report.input_name and report.output_name
    assert report.can_listen and report.can_speak
    assert report.problems == ()


def test_speaker_plays_a_sentence(pulse, synthesizer):
    _, recorder, _ = pulse
    expected_s = len(synthesizer.synthesize(SENTENCE, 200)[0]) / 22050
    recorder.clear()
    with AudioSpeaker(synthesizer) as speaker:
        started = time.monotonic()
        speaker.say(SENTENCE, 200, 0.8)
        assert speaker.speaking
        assert speaker.wait(timeout=expected_s + 5)
        took = time.monotonic() - started
        assert not speaker.speaking
    assert recorder.wait_until(_quiet_since(time.monotonic(), 0.3), timeout=5)
    loud = recorder.loud_times()
    assert loud, "nothing came out of the speaker"
    # Played in real time: it lasted about as long as the speech itself.
    assert expected_s * 0.8 < took < expected_s + 2.0
    assert loud[-1] - loud[0] > expected_s * 0.7
    audio = recorder.audio()
    assert 0.05 < np.abs(audio).max() <= 0.81  # volume 0.8 scaled the samples


def test_stop_cuts_speech_within_a_block_or_two(pulse, synthesizer):
    _, recorder, _ = pulse
    recorder.clear()
    with AudioSpeaker(synthesizer) as speaker:
        speaker.say(SENTENCE, 160, 0.8)
        assert recorder.wait_until(_any_loud, timeout=5), "speech never reached the sink"
        assert not speaker.wait(timeout=0.5)  # still speaking half a second in
        stopped_at = time.monotonic()
        speaker.stop()
        stop_returned_s = time.monotonic() - stopped_at
        assert not speaker.speaking
        assert speaker.wait(timeout=0)
    assert stop_returned_s < 0.3
    assert recorder.wait_until(_quiet_since(stopped_at, 0.5), timeout=5)
    sound_after_stop_s = max(recorder.loud_times()) - stopped_at
    print(f"stop() returned in {1000 * stop_returned_s:.1f} ms; "
          f"last sound reached the sink {1000 * sound_after_stop_s:.0f} ms after stop()")
    assert sound_after_stop_s < 0.3


def test_speaker_survives_many_says_and_stops(pulse, synthesizer):
    _, recorder, _ = pulse
    with AudioSpeaker(synthesizer) as speaker:
        for i in range(5):
            speaker.say(f"Step {i + 1}.", 220, 0.5)
            speaker.stop() if i % 2 else speaker.wait(timeout=5)
        speaker.play_tone(880, 0.2, 0.5)
        assert speaker.wait(timeout=3)
        speaker.say("", 160, 0.5)  # nothing to say: not speaking
        assert not speaker.speaking


def _espeak_16k(text: str, tmp_path: Path) -> np.ndarray:
    from voiceguide.audio.wav import read_wav

    path = tmp_path / "phrase.wav"
    subprocess.run(["espeak-ng", "-w", str(path), text], check=True, timeout=30)
    return read_wav(path)


def _feed(fifo: Path, audio: np.ndarray, stop: threading.Event) -> None:
    """Write ``audio`` into the pipe source in 20 ms chunks at real-time pace."""
    pcm = (np.clip(audio, -1, 1) * 32767).astype("<i2").tobytes()
    chunk = 2 * RATE // 50
    with open(fifo, "wb", buffering=0) as pipe:
        start = time.monotonic()
        for i, offset in enumerate(range(0, len(pcm), chunk)):
            if stop.is_set():
                return
            pipe.write(pcm[offset:offset + chunk])
            delay = start + (i + 1) / 50 - time.monotonic()
            if delay > 0:
                stop.wait(delay)  # pacing a simulated microphone, not waiting for audio


@pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="espeak-ng is not installed")
def test_microphone_hears_phrases_flushes_and_reports_the_lost_device(pulse, tmp_path):
    server, _, _ = pulse
    phrase = _espeak_16k("next step", tmp_path)
    silence = np.zeros(RATE, dtype=np.float32)
    decoded: list[tuple[np.ndarray, Moment]] = []
    second_decoded = threading.Event()

    def decode(audio: np.ndarray, moment: Moment):
        decoded.append((audio, moment))
        if len(decoded) == 2:
            second_decoded.set()
        return Heard(text=f"utterance {len(decoded)}", source="voice"), None

    stop_feeding = threading.Event()
    feeder = threading.Thread(target=_feed, daemon=True, args=(
        server.mic_fifo, np.concatenate([silence, phrase, silence, phrase, silence]),
        stop_feeding))
    listener = MicrophoneListener(decode, endpointer_config=EndpointConfig(),
                                  stall_timeout_s=1.0)
    try:
        with listener:
            listener.set_moment(Moment.CHECK)
            feeder.start()
            heard = listener.listen(timeout=10)
            assert heard is not None and heard.text == "utterance 1"
            assert heard.moment is Moment.CHECK and heard.source == "voice"
            # The second phrase is dropped by a flush, whether it is still being decoded or
            # already queued.
            assert second_decoded.wait(timeout=10)
            listener.flush()
            assert listener.listen(timeout=0.3) is None
            # The writer stops after its audio: the source falls silent for good, which is
            # what a pulled USB microphone looks like. One end-of-input, no hang.
            end = listener.listen(timeout=10)
            assert end is not None and end.end_of_input and not end.clear
            assert listener.listen(timeout=0.2) is None
    finally:
        stop_feeding.set()
        feeder.join(timeout=5)
    assert [moment for _, moment in decoded] == [Moment.CHECK, Moment.CHECK]
    for audio, _ in decoded:
        assert len(phrase) <= len(audio) <= len(phrase) + int(0.8 * RATE)


@pytest.mark.parametrize("device_rate", [44_100, 48_000, 22_050])
def test_stream_resampler_is_seamless(device_rate):
    """Block-by-block resampling (device rate -> 16 kHz) equals a clean 16 kHz tone."""
    from voiceguide.audio.microphone import _StreamResampler

    seconds, freq = 1.0, 440.0
    t_in = np.arange(int(seconds * device_rate)) / device_rate
    tone_in = np.sin(2 * np.pi * freq * t_in).astype(np.float32)
    resampler = _StreamResampler(device_rate, RATE)
    block = device_rate // 50
    out = np.concatenate([resampler.process(tone_in[i:i + block])
                          for i in range(0, len(tone_in), block)])
    resampler.reset()
    whole = resampler.process(tone_in)
    np.testing.assert_allclose(out, whole, atol=1e-6)  # no seams between blocks
    assert abs(len(out) - seconds * RATE) <= 2
    # The ideal 16 kHz tone, delayed by the low-pass filter's half-length (32 input samples).
    t_out = np.arange(len(out)) / RATE - 32 / device_rate
    ideal = np.sin(2 * np.pi * freq * t_out)
    settled = slice(RATE // 10, len(out) - 10)
    assert np.max(np.abs(out[settled] - ideal[settled])) < 0.01
