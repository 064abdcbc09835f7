"""The Vosk engine: Kaldi decoding restricted to the moment's phrases by a grammar.

Anything outside the grammar comes out as "[unk]", which is unclear, as is any word Vosk is
less than ``policy.min_word_confidence`` sure of (the decision judges that). Vosk needs a model directory; ``find_vosk_model``
says where it looked and how to get one. The directory layout is checked before Vosk sees
it, so a wrong directory is a ModelError and never a crash inside Vosk's C++.
"""

from __future__ import annotations

import importlib.util
import json
import logging
import os
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from voiceguide.core.ports import SAMPLE_RATE, Transcript
from voiceguide.errors import EngineUnavailable, ModelError
from voiceguide.paths import models_dir
from voiceguide.recognition.engines import install_hint

log = logging.getLogger(__name__)

ENV_VAR = "VOICEGUIDE_VOSK_MODEL"
REQUIRED = ("am/final.mdl", "conf/model.conf")
"""Files every Vosk model directory holds, relative to it."""
UNKNOWN = "[unk]"
_HOW_TO_GET = (
    "get one with `voiceguide model download vosk-small-en` (about 40 MB), "
    f"or unzip a Vosk model and pass --model DIR or set {ENV_VAR}"
)


def is_available() -> bool:
    """True when the vosk package can be imported."""
    return importlib.util.find_spec("vosk") is not None


def search_dirs() -> list[Path]:
    """Folders searched for a model when none is named: ``<data dir>/models``, where
    ``voiceguide model download`` puts it (``voiceguide.paths``). A model anywhere else is
    named with --model DIR or ``$VOICEGUIDE_VOSK_MODEL``."""
    return [models_dir()]


def layout_problem(path: Path) -> str | None:
    """Why ``path`` is not a Vosk model directory, or None when it looks like one."""
    if not path.is_dir():
        return f"{path} is not a directory"
    missing = [name for name in REQUIRED if not (path / name).is_file()]
    if missing:
        return f"{path} is not a Vosk model directory (missing {', '.join(missing)})"
    return None


def find_vosk_model(explicit: str | Path | None = None) -> Path:
    """The Vosk model directory: ``explicit`` (--model DIR), else ``$VOICEGUIDE_VOSK_MODEL``,
    else the first model found in ``search_dirs()``. A named directory may also be a folder
    holding one model. Raises ModelError saying what was wrong and how to get a model."""
    named = explicit if explicit is not None else os.environ.get(ENV_VAR) or None
    if named is not None:
        path = Path(named).expanduser()
        found = _model_in(path)
        if found is None:
            source = "--model" if explicit is not None else ENV_VAR
            problem = layout_problem(path) or f"{path} holds no Vosk model"
            raise ModelError(f"{problem} (from {source}); {_HOW_TO_GET}")
        return found
    folders = search_dirs()
    for folder in folders:
        found = _model_in(folder)
        if found is not None:
            log.debug("using Vosk model %s", found)
            return found
    looked = ", ".join(str(f) for f in folders)
    raise ModelError(f"no Vosk model found (looked in {looked}); {_HOW_TO_GET}")


def _model_in(path: Path) -> Path | None:
    """``path`` itself when it is a model, else its first model subdirectory by name."""
    if layout_problem(path) is None:
        return path.resolve()
    if not path.is_dir():
        return None
    for child in sorted(path.iterdir()):
        if child.is_dir() and layout_problem(child) is None:
            return child.resolve()
    return None


class VoskEngine:
    """Speech to text with Vosk, one grammar of allowed phrases per utterance."""

    name = "vosk"

    def __init__(self, model_dir: str | Path | None = None):
        """``model_dir``: the model directory (default: see ``find_vosk_model``)."""
        if not is_available():
            raise EngineUnavailable(f"the vosk engine is not installed: {install_hint('vosk')}")
        path = find_vosk_model(model_dir)
        import vosk

        vosk.SetLogLevel(-1)
        started = time.perf_counter()
        try:
            self._model = vosk.Model(str(path))
        except Exception as exc:  # vosk raises a bare Exception when its C++ refuses the model
            raise ModelError(f"Vosk could not load the model at {path} ({exc}); {_HOW_TO_GET}") from exc
        self._vosk = vosk
        self.model_dir = path
        self.load_ms = (time.perf_counter() - started) * 1000.0
        """Milliseconds spent loading the model."""
        log.info("Vosk model loaded from %s in %.0f ms", path, self.load_ms)

    def transcribe(self, audio: np.ndarray, phrases: Sequence[str], free: bool = False) -> Transcript:
        """Decode mono float32 ``audio`` at 16 kHz; only ``phrases`` (or "[unk]") can come out,
        answers in the user's own words (``free``) too, as the grammar holds them."""
        samples = np.asarray(audio, dtype=np.float32)
        if samples.ndim != 1:
            raise ValueError(f"audio must be mono (1-D), got shape {samples.shape}")
        started = time.perf_counter()
        grammar = json.dumps([*phrases, UNKNOWN])
        recognizer = self._vosk.KaldiRecognizer(self._model, float(SAMPLE_RATE), grammar)
        recognizer.SetWords(True)
        pcm = (np.clip(samples, -1.0, 1.0) * 32767.0).astype("<i2").tobytes()
        recognizer.AcceptWaveform(pcm)
        result = json.loads(recognizer.FinalResult())
        decode_ms = (time.perf_counter() - started) * 1000.0
        text = str(result.get("text", "")).strip()
        words = result.get("result") or []
        confidence = min((float(w.get("conf", 0.0)) for w in words), default=0.0)
        clear = bool(text) and UNKNOWN not in text
        log.debug("vosk heard %r conf=%.2f (%.0f ms)", text, confidence, decode_ms)
        return Transcript(text, confidence, clear, decode_ms, word_confidence=confidence)
