"""Shared fixtures: synthesized speech for the real-engine tests (tier 3)."""

from __future__ import annotations

import importlib.util
import shutil
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


def _load_make_test_audio():
    spec = importlib.util.spec_from_file_location(
        "make_test_audio", REPO / "scripts" / "make_test_audio.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="session")
def make_test_audio():
    """The scripts/make_test_audio.py module (VOICES, NON_COMMANDS, name_for, make)."""
    return _load_make_test_audio()


@pytest.fixture(scope="session")
def speech_wavs(make_test_audio, tmp_path_factory) -> dict[str, Path]:
    """{"<voice>/<phrase_slug>": WAV path} for every command phrase and non-command, made
    once per session by espeak-ng."""
    if shutil.which("espeak-ng") is None:
        pytest.skip("espeak-ng is not installed (apt-get install espeak-ng): "
                    "no synthesized speech to decode")
    return make_test_audio.make(tmp_path_factory.mktemp("speech"))
