"""The real ``voiceguide`` entry point in a subprocess, as a user runs it: no sound server and
no window, so every run falls back to text and keyboard by itself, and its records in a folder
of the test's own."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NO_SOUND_SERVER = "unix:/nonexistent/pulse"


def cli_env(data_dir: Path | str | None = None, config_dir: Path | str | None = None, extra=None) -> dict:
    """The environment of a run: this one's, no sound server, no display, ``extra`` on top;
    records in ``data_dir`` and preferences in ``config_dir`` (default: beside ``data_dir``)."""
    env = {**os.environ, **(extra or {}), "PULSE_SERVER": NO_SOUND_SERVER}
    env.pop("DISPLAY", None)
    if data_dir is not None:
        env["VOICEGUIDE_DATA_DIR"] = str(data_dir)
        if "VOICEGUIDE_CONFIG_DIR" not in (extra or {}):
            env["VOICEGUIDE_CONFIG_DIR"] = str(config_dir or Path(data_dir).parent / "config")
    return env


def voiceguide(*args, input: str | None = "", env: dict | None = None, timeout: float = 120, **run):
    """``voiceguide ARGS`` run to its end: the finished process, its output captured as text."""
    return subprocess.run(
        [sys.executable, "-m", "voiceguide", *args],
        input=input,
        text=True,
        capture_output=True,
        timeout=timeout,
        env=env if env is not None else cli_env(),
        cwd=run.pop("cwd", ROOT),
        **run,
    )
