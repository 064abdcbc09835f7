"""Shared fixtures: synthesized speech for the real-engine tests (tier 3)."""

from __future__ import annotations

import importlib.util
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))  # tests/audio_rig.py

from audio_rig import PrivatePulse, SinkRecorder  # noqa: E402

REPO = Path(__file__).resolve().parents[1]


def _load_script(name: str):
    """scripts/<name>.py as a module, registered under ``name`` (dataclasses look their module
    up there)."""
    spec = importlib.util.spec_from_file_location(name, REPO / "scripts" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="session")
def make_test_audio():
    """The scripts/make_test_audio.py module (VOICES, NON_COMMANDS, name_for, make)."""
    return _load_script("make_test_audio")


@pytest.fixture(scope="module")
def corpus():
    """The scripts/make_speech_corpus.py module (VOICES, synthesize, degrade, ...), to build a
    clip exactly as the benchmark's corpus holds it."""
    return _load_script("make_speech_corpus")


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


@pytest.fixture
def reads_otherwise():
    """``reads_otherwise(why)``: skips the rest of a test whose corpus clip this CPU reads
    otherwise, so that the rule the test shows is not reached. Readings differ by a clip or two
    between CPUs (the int8 model turns rounding-level differences into other readings; README,
    "Why the CPU matters: int8"); these clips were chosen on an AMD EPYC with AVX-512. Use it
    only after the test's safe outcome has been asserted, for the part that shows what the clip
    gives without the rule. To see which tests another CPU could turn, run them here as
    another CPU would read: ``OPENBLAS_CORETYPE=Sandybridge``, ``CT2_FORCE_CPU_ISA=AVX
    ONEDNN_MAX_CPU_ISA=SSE41`` or ``CT2_FORCE_CPU_ISA=GENERIC`` before ``pytest``."""

    def skip(why: str) -> None:
        pytest.skip(f"this CPU reads the clip otherwise ({why}): the rule is not reached here")

    return skip


@pytest.fixture(scope="module")
def bench():
    """The scripts/bench_recognition.py module (Recording, run, summarize, ...)."""
    return _load_script("bench_recognition")


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
