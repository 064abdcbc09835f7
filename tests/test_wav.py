"""Reading, writing and resampling WAVs, and the refusals that tell how to convert a file."""

from __future__ import annotations

import shutil
import struct
import subprocess
import wave

import numpy as np
import pytest

from voiceguide.audio.wav import read_wav, resample, write_wav
from voiceguide.errors import FileProblem

pytestmark = pytest.mark.unit


def tone(freq: float, rate: int, seconds: float = 1.0, amp: float = 0.5) -> np.ndarray:
    t = np.arange(int(rate * seconds)) / rate
    return amp * np.sin(2 * np.pi * freq * t)


def rms(x: np.ndarray) -> float:
    return float(np.sqrt(np.mean(np.square(x, dtype=np.float64))))


def raw_wav(path, *, tag=1, channels=1, rate=16000, bits=16, data=b"\0\0" * 100, ext=False):
    """A hand-made RIFF/WAVE file, to build formats the wave module cannot write."""
    align = channels * bits // 8
    fmt = struct.pack("<HHIIHH", 0xFFFE if ext else tag, channels, rate, rate * align, align, bits)
    if ext:
        guid_tail = b"\x00\x00\x00\x00\x10\x00\x80\x00\x00\xaa\x00\x38\x9b\x71"
        fmt += struct.pack("<HHIH", 22, bits, 4, tag) + guid_tail
    body = b"WAVE" + b"fmt " + struct.pack("<I", len(fmt)) + fmt
    body += b"data" + struct.pack("<I", len(data)) + data
    path.write_bytes(b"RIFF" + struct.pack("<I", len(body)) + body)
    return path


def test_round_trip_at_16k(tmp_path):
    audio = tone(440, 16000).astype(np.float32)
    write_wav(tmp_path / "a.wav", audio, 16000)
    back = read_wav(tmp_path / "a.wav")
    assert back.dtype == np.float32 and back.shape == audio.shape
    assert np.max(np.abs(back - audio)) < 1e-4


def test_write_clips_and_keeps_int16(tmp_path):
    write_wav(tmp_path / "loud.wav", np.array([2.0, -2.0, 0.0]), 8000)
    with wave.open(str(tmp_path / "loud.wav")) as w:
        assert (w.getnchannels(), w.getsampwidth(), w.getframerate()) == (1, 2, 8000)
        samples = np.frombuffer(w.readframes(3), "<i2")
    assert list(samples) == [32767, -32767, 0]
    write_wav(tmp_path / "int.wav", np.array([1, -5, 300], dtype=np.int16), 16000)
    assert np.allclose(read_wav(tmp_path / "int.wav") * 32768, [1, -5, 300])


@pytest.mark.parametrize("rate", [8000, 11025, 22050, 44100, 48000])
def test_any_rate_comes_back_at_16k(tmp_path, rate):
    write_wav(tmp_path / "t.wav", tone(1000, rate, seconds=0.5), rate)
    audio = read_wav(tmp_path / "t.wav")
    assert audio.dtype == np.float32
    assert abs(audio.size - 8000) <= 1
    # A 1 kHz tone keeps its level (within 1 dB) and its frequency.
    assert rms(audio[400:-400]) == pytest.approx(0.5 / np.sqrt(2), rel=0.12)
    spectrum = np.abs(np.fft.rfft(audio))
    assert np.argmax(spectrum) * 16000 / audio.size == pytest.approx(1000, abs=5)


def test_integer_ratio_is_exact_decimation():
    x = tone(500, 48000)
    y = resample(x, 48000, 16000)
    assert np.max(np.abs(y[200:-200] - x[::3][200:-200])) < 1e-3


@pytest.mark.parametrize("rate,freq", [(48000, 12000), (22050, 10000), (44100, 9000)])
def test_downsampling_removes_what_16k_cannot_carry(rate, freq):
    y = resample(tone(freq, rate), rate, 16000)
    assert rms(y[200:-200]) < 0.01  # would alias to a loud tone without the low-pass


def test_resample_edge_cases():
    assert resample(np.zeros(0), 44100, 16000).size == 0
    same = resample(np.ones(10), 16000, 16000)
    assert same.dtype == np.float32 and np.all(same == 1)
    with pytest.raises(ValueError):
        resample(np.ones(10), 0, 16000)


def test_wave_format_extensible_16_bit_mono_is_accepted(tmp_path):
    data = np.array([0, 16384, -16384], dtype="<i2").tobytes()
    path = raw_wav(tmp_path / "ext.wav", data=data, ext=True)
    assert list(read_wav(path)) == [0.0, 0.5, -0.5]


def test_streamed_and_truncated_files_keep_their_samples(tmp_path):
    data = np.array([100, -100, 200], dtype="<i2").tobytes()
    path = raw_wav(tmp_path / "stream.wav", data=data)
    raw = bytearray(path.read_bytes())
    raw[40:44] = b"\xff\xff\xff\xff"  # data size unknown, as a streaming writer leaves it
    path.write_bytes(bytes(raw) + b"\x01")  # and a half sample at the end
    assert np.allclose(read_wav(path) * 32768, [100, -100, 200])


@pytest.mark.skipif(shutil.which("sox") is None, reason="sox is not installed")
def test_a_sox_made_file_reads(tmp_path):
    path = tmp_path / "sox.wav"
    subprocess.run(
        [
            "sox",
            "-n",
            "-r",
            "44100",
            "-c",
            "1",
            "-b",
            "16",
            str(path),
            "synth",
            "0.5",
            "sine",
            "600",
            "vol",
            "0.5",
        ],
        check=True,
    )
    audio = read_wav(path)
    assert abs(audio.size - 8000) <= 1 and rms(audio) > 0.2


@pytest.mark.parametrize(
    "kind,kwargs,words",
    [
        ("stereo", dict(channels=2), "2 channels"),
        ("8-bit", dict(bits=8), "8-bit"),
        ("24-bit", dict(bits=24, data=b"\0" * 30), "24-bit"),
        ("float", dict(tag=3, bits=32, data=b"\0" * 40), "floating-point"),
        ("a-law", dict(tag=6, bits=8), "compressed"),
        ("24-bit extensible", dict(bits=24, data=b"\0" * 30, ext=True), "24-bit"),
    ],
)
def test_refusals_name_the_problem_and_the_fix(tmp_path, kind, kwargs, words):
    path = raw_wav(tmp_path / "bad.wav", **kwargs)
    with pytest.raises(FileProblem) as caught:
        read_wav(path)
    message = str(caught.value)
    assert message.startswith(str(path)) and words in message
    assert "sox in.wav -r 16000 -c 1 -b 16 out.wav" in message


def test_unreadable_files_are_refused(tmp_path):
    (tmp_path / "notes.txt").write_text("not audio")
    for path, words in [
        (tmp_path / "missing.wav", "cannot read"),
        (tmp_path / "notes.txt", "not a WAV"),
        (tmp_path, "cannot read"),
    ]:
        with pytest.raises(FileProblem, match=words):
            read_wav(path)
    header_only = tmp_path / "header.wav"
    header_only.write_bytes(b"RIFF\x04\0\0\0WAVE")
    with pytest.raises(FileProblem, match="no audio data"):
        read_wav(header_only)


def test_write_refuses_stereo_arrays(tmp_path):
    with pytest.raises(ValueError):
        write_wav(tmp_path / "s.wav", np.zeros((10, 2)), 16000)
