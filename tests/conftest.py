"""Shared fixtures and the rules every test run follows.

Tiers. Every test carries at least one of the markers registered in pyproject.toml:
``unit`` (pure logic and text-adapter sessions: no engine, audio device or window; seconds),
``engine`` (real speech engines on synthesized or recorded speech), ``audio`` (a private
PulseAudio server with virtual devices), ``gui`` (a Tk window on Xvfb, or chromium) and
``slow`` (a long run; it may go with another tier). Put a ``pytestmark = pytest.mark.<tier>``
line at the top of a test file, or mark a test itself when one file mixes tiers.
``pytest_collection_modifyitems`` below checks this on every run, before ``-m`` deselects
anything, so a test without a tier stops the run with its name and the fix, even under
``pytest -m unit``; ``--strict-markers`` (pyproject.toml) refuses a misspelt tier.

Hypothesis. Two profiles: ``ci`` (derandomized, so a red CI run replays exactly; no example
database; ``print_blob`` so a failure prints the ``@reproduce_failure`` line; no deadline, as
the shared CI cores make timings noisy) is loaded when ``CI`` is set to anything but ``""``,
``0`` or ``false`` (``.ci/run`` runs with ``CI=true``); ``dev`` (random examples, so local runs
explore new inputs; also no database, ``print_blob`` and no deadline) otherwise.
``HYPOTHESIS_PROFILE=ci`` picks one by name.

Fixtures: the speech of the real-engine tests (``voiceguide.bench``) and the private
PulseAudio server of the audio tests (``audio_rig``).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from hypothesis import settings

sys.path.insert(0, str(Path(__file__).resolve().parent))  # tests/audio_rig.py

from audio_rig import PrivatePulse, SinkRecorder  # noqa: E402

TIERS = ("unit", "engine", "audio", "gui", "slow")
"""The markers of pyproject.toml's [tool.pytest.ini_options]; a test needs at least one."""

settings.register_profile("ci", derandomize=True, database=None, print_blob=True, deadline=None)
settings.register_profile("dev", derandomize=False, database=None, print_blob=True, deadline=None)


def _hypothesis_profile() -> str:
    chosen = os.environ.get("HYPOTHESIS_PROFILE")
    if chosen:
        return chosen
    return "ci" if os.environ.get("CI", "").strip().lower() not in ("", "0", "false") else "dev"


settings.load_profile(_hypothesis_profile())


def pytest_configure(config: pytest.Config) -> None:
    """What the command line sets at program start, before any engine loads."""
    from voiceguide.recognition.engines.process import tune_process

    tune_process()


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Stop the run when a collected test has none of the TIERS markers. ``tryfirst``: before
    ``-m`` deselects, so ``pytest -m unit`` catches a new file without a tier too."""
    untiered = [item.nodeid for item in items if not any(item.get_closest_marker(t) for t in TIERS)]
    if untiered:
        files = sorted({nodeid.split("::")[0] for nodeid in untiered})
        shown = "\n  ".join(untiered[:20]) + ("\n  ..." if len(untiered) > 20 else "")
        raise pytest.UsageError(
            f"{len(untiered)} test(s) have no tier marker ({', '.join(TIERS)}); add e.g. "
            f"'pytestmark = pytest.mark.unit' at the top of {', '.join(files)} "
            f"(see tests/conftest.py):\n  {shown}"
        )


@pytest.fixture(scope="session")
def make_test_audio():
    """The voiceguide.bench.command_audio module (VOICES, NON_COMMANDS, name_for, make)."""
    from voiceguide.bench import command_audio

    return command_audio


@pytest.fixture(scope="module")
def corpus():
    """The voiceguide.bench.corpus module (VOICES, synthesize, degrade, ...), to build a clip
    exactly as the benchmark's corpus holds it."""
    from voiceguide.bench import corpus

    return corpus


@pytest.fixture
def corpus_clip(corpus, tmp_path):
    """``clip(voice_key, text, condition="clean", folder=None, tv=None)``: the corpus's own clip
    <folder>/<voice_key>/<slug of text> (folder by default "command/<condition>"), ``text``
    spoken by the corpus voice ``voice_key`` in ``condition`` (one of the corpus's CONDITIONS;
    a "tvNN" one needs the TV track ``tv``). The noise, like the TV's stretch, depends on the
    clip's name, so the name makes it the very clip the benchmark decodes."""

    def clip(
        voice_key: str,
        text: str,
        condition: str = "clean",
        folder: str | None = None,
        tv: np.ndarray | None = None,
    ) -> np.ndarray:
        voice = next(v for v in corpus.VOICES if v.key == voice_key)
        _, noise, snr = next(c for c in corpus.CONDITIONS if c[0] == condition)
        if noise == "tv" and tv is None:
            raise ValueError(f"{condition!r} needs the TV track")
        speech = corpus.synthesize(voice, text, tmp_path)
        name = f"{folder or 'command/' + condition}/{voice_key}/{corpus.slug(text)}"
        return corpus.degrade(speech, noise, snr, name, np.zeros(0) if tv is None else tv)

    return clip


@pytest.fixture(scope="module")
def bench():
    """The voiceguide.bench.recognition module (Item, Recording, run, summarize, ...)."""
    from voiceguide.bench import recognition

    return recognition


@pytest.fixture(scope="session")
def speech_wavs(make_test_audio, tmp_path_factory) -> dict[str, Path]:
    """{"<voice>/<phrase_slug>": WAV path} for every command phrase and non-command, made
    once per session by espeak-ng."""
    if shutil.which("espeak-ng") is None:
        pytest.skip("espeak-ng is not installed (apt-get install espeak-ng): no synthesized speech to decode")
    return make_test_audio.make(tmp_path_factory.mktemp("speech"))


@pytest.fixture(scope="module")
def pulse():
    """(server, sink recorder, device report) of a private PulseAudio server whose default
    sink and source are virtual; this process's PortAudio is pointed at it meanwhile.

    PortAudio lists devices once, when it initializes: ``probe(refresh=True)`` restarts it
    after PULSE_SERVER is set, and again on teardown so later tests see the machine as it is.
    """
    if not (shutil.which("pulseaudio") and shutil.which("pactl")):
        pytest.skip("pulseaudio/pactl not installed (apt-get install pulseaudio)")
    pytest.importorskip("sounddevice", reason="sounddevice or PortAudio (libportaudio2) missing")
    from voiceguide.audio.devices import probe

    server = PrivatePulse()
    try:
        client_env = server.start()
    except (RuntimeError, OSError, subprocess.SubprocessError) as error:
        pytest.skip(f"a private PulseAudio server could not start: {error}")
    with pytest.MonkeyPatch.context() as env:
        for name, value in client_env.items():
            env.setenv(name, value)
        report = probe(refresh=True)
        recorder = SinkRecorder(server.speaker_fifo)
        try:
            yield server, recorder, report
        finally:
            recorder.close()
    probe(refresh=True)
    server.stop()
