"""The endpointer on synthetic signals (pure, fast) and on one real espeak-ng recording."""

from __future__ import annotations

import shutil
import subprocess
import wave

import numpy as np
import pytest

from voiceguide.audio.endpointing import (
    FRAME_SAMPLES,
    EndpointConfig,
    Endpointer,
    EnergyVad,
    level_dbfs,
)

SR = 16_000
RNG = np.random.default_rng(1234)


def silence(seconds: float) -> np.ndarray:
    return np.zeros(int(seconds * SR), dtype=np.float32)


def noise(seconds: float, dbfs: float) -> np.ndarray:
    rms = 10 ** (dbfs / 20)
    return (RNG.standard_normal(int(seconds * SR)) * rms).astype(np.float32)


def tone(seconds: float, dbfs: float, freq: float = 220.0) -> np.ndarray:
    t = np.arange(int(seconds * SR)) / SR
    amplitude = 10 ** (dbfs / 20) * np.sqrt(2)  # RMS of a sine is amplitude / sqrt(2)
    return (amplitude * np.sin(2 * np.pi * freq * t)).astype(np.float32)


def run(signal: np.ndarray, endpointer: Endpointer | None = None) -> list[tuple[float, np.ndarray]]:
    """Feed ``signal`` in 20 ms frames; return (seconds into the signal when handed over, audio)."""
    ep = endpointer or Endpointer()
    out = []
    for i in range(0, len(signal) - FRAME_SAMPLES + 1, FRAME_SAMPLES):
        audio = ep.process(signal[i : i + FRAME_SAMPLES])
        if audio is not None:
            out.append(((i + FRAME_SAMPLES) / SR, audio))
    return out


@pytest.mark.unit
def test_level_dbfs_of_known_signals():
    assert level_dbfs(np.zeros(320, np.float32)) == -120.0
    assert level_dbfs(tone(0.02, -20.0, freq=400)) == pytest.approx(-20.0, abs=0.1)


@pytest.mark.unit
def test_silence_is_never_an_utterance():
    assert run(silence(3.0)) == []


@pytest.mark.unit
def test_steady_noise_is_never_an_utterance():
    assert run(noise(5.0, -35.0)) == []


@pytest.mark.unit
def test_a_click_is_not_speech():
    signal = silence(1.0)
    signal[SR // 2 : SR // 2 + 320] = 0.9  # one loud 20 ms frame
    signal[SR // 2 + 640 : SR // 2 + 960] = -0.9  # and another after a gap
    assert run(np.concatenate([signal, silence(1.0)])) == []


@pytest.mark.unit
def test_tone_burst_gives_one_utterance_with_pre_roll():
    signal = np.concatenate([noise(1.0, -60.0), tone(1.2, -20.0), noise(1.5, -60.0)])
    [(handed_at, audio)] = run(signal)
    # Longer than a short command: handed over 0.5 s after the tone ends, give or take a frame.
    assert handed_at == pytest.approx(2.7, abs=0.03)
    # 0.2 s pre-roll + 1.2 s tone + 0.5 s silence.
    assert len(audio) / SR == pytest.approx(1.9, abs=0.03)
    # The pre-roll is quiet, the middle is the tone.
    assert level_dbfs(audio[: int(0.15 * SR)]) < -50
    assert level_dbfs(audio[int(0.3 * SR) : int(1.3 * SR)]) == pytest.approx(-20.0, abs=0.5)
    assert audio.dtype == np.float32


@pytest.mark.unit
def test_tone_burst_in_noise_is_found():
    background = noise(4.0, -40.0)
    burst = np.zeros_like(background)
    burst[SR : 2 * SR + SR // 5] = tone(1.2, -22.0)
    [(handed_at, audio)] = run(background + burst)
    assert handed_at == pytest.approx(2.7, abs=0.05)


@pytest.mark.unit
def test_two_utterances_are_separated():
    signal = np.concatenate(
        [silence(0.5), tone(0.6, -25.0), silence(1.0), tone(0.8, -25.0, 330.0), silence(1.0)]
    )
    handed = run(signal)
    # short commands end after short_end_silence_s (0.35 s) of silence
    assert [round(at, 2) for at, _ in handed] == pytest.approx([1.45, 3.25], abs=0.03)


@pytest.mark.unit
def test_a_long_phrase_waits_the_full_end_silence():
    signal = np.concatenate([silence(0.5), tone(1.2, -25.0), silence(1.0)])
    [(handed_at, _)] = run(signal)
    assert handed_at == pytest.approx(1.7 + 0.5, abs=0.03)


@pytest.mark.unit
def test_a_two_word_command_ends_after_the_short_silence():
    # "next step" from espeak-ng: about 0.8-0.9 s of speech with a 20-40 ms gap inside
    signal = np.concatenate(
        [silence(0.5), tone(0.44, -25.0), silence(0.04), tone(0.44, -25.0, 330.0), silence(1.0)]
    )
    [(handed_at, _)] = run(signal)
    assert handed_at == pytest.approx(0.5 + 0.92 + 0.35, abs=0.03)


@pytest.mark.unit
def test_frames_not_allowed_as_speech_never_start_an_utterance():
    endpointer = Endpointer()
    signal = np.concatenate([silence(0.5), tone(0.6, -25.0), silence(1.0)])
    frames = signal.reshape(-1, FRAME_SAMPLES)
    assert all(endpointer.process(f, speech_allowed=False) is None for f in frames)


@pytest.mark.unit
def test_short_gap_inside_a_phrase_does_not_split_it():
    signal = np.concatenate([silence(0.5), tone(0.4, -25.0), silence(0.3), tone(0.4, -25.0), silence(1.0)])
    assert len(run(signal)) == 1


@pytest.mark.unit
def test_long_speech_is_cut_at_max_utterance():
    config = EndpointConfig(max_utterance_s=2.0, floor_rise_db_per_s=0.0)
    handed = run(np.concatenate([silence(0.5), tone(5.0, -20.0), silence(1.0)]), Endpointer(config))
    assert len(handed[0][1]) / SR == pytest.approx(2.0, abs=0.03)
    assert len(handed) == 3  # 2 s, 2 s, then the rest ending in silence


@pytest.mark.unit
def test_noise_floor_absorbs_a_tv_switched_on():
    """A sudden loud steady background may cost an utterance or two, then is ignored."""
    signal = np.concatenate([noise(1.0, -60.0), noise(20.0, -30.0)])
    handed = run(signal)
    assert all(at < 12.0 for at, _ in handed)
    vad = EnergyVad()
    for i in range(0, len(signal) - FRAME_SAMPLES + 1, FRAME_SAMPLES):
        vad.is_speech(signal[i : i + FRAME_SAMPLES])
    assert vad.noise_floor_dbfs == pytest.approx(-30.0, abs=3.0)


@pytest.mark.unit
def test_reset_drops_a_partial_utterance():
    ep = Endpointer()
    run(np.concatenate([silence(0.5), tone(0.5, -20.0)]), ep)
    assert ep.in_speech
    ep.reset()
    assert not ep.in_speech
    assert run(silence(1.0), ep) == []


@pytest.mark.unit
def test_config_refuses_nonsense():
    with pytest.raises(ValueError, match="end_silence_s"):
        EndpointConfig(end_silence_s=0)


@pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="espeak-ng is not installed")
@pytest.mark.engine
def test_real_espeak_recording_gives_exactly_one_utterance(tmp_path):
    wav_path = tmp_path / "next_step.wav"
    subprocess.run(["espeak-ng", "-w", str(wav_path), "next step"], check=True, timeout=30)
    with wave.open(str(wav_path), "rb") as wav:
        assert wav.getsampwidth() == 2 and wav.getnchannels() == 1
        rate = wav.getframerate()
        raw = wav.readframes(wav.getnframes())
    speech = np.frombuffer(raw, dtype="<i2").astype(np.float32) / 32768.0
    # Resample to 16 kHz by linear interpolation (good enough for an energy detector).
    n_out = int(len(speech) * SR / rate)
    speech = np.interp(np.arange(n_out) * rate / SR, np.arange(len(speech)), speech)
    signal = np.concatenate([silence(1.0), speech.astype(np.float32), silence(1.0)])
    handed = run(signal)
    assert len(handed) == 1
    audio = handed[0][1]
    # The whole phrase is inside: at least the speech, at most speech + pre-roll + silence.
    assert len(speech) <= len(audio) <= len(speech) + int(0.75 * SR)
