"""Where voiceguide keeps its records, downloaded models and caches. Pure: nothing is created
here."""

from __future__ import annotations

import os
from pathlib import Path


def data_dir() -> Path:
    """The records directory: ``$VOICEGUIDE_DATA_DIR``, else ``$XDG_DATA_HOME/voiceguide``,
    else ``~/.local/share/voiceguide``. It may not exist yet."""
    explicit = os.environ.get("VOICEGUIDE_DATA_DIR")
    if explicit:
        return Path(explicit).expanduser()
    xdg = os.environ.get("XDG_DATA_HOME")
    base = Path(xdg).expanduser() if xdg else Path.home() / ".local" / "share"
    return base / "voiceguide"


def models_dir() -> Path:
    """Where ``voiceguide model download`` puts models: ``<data dir>/models``."""
    return data_dir() / "models"


def cache_dir() -> Path:
    """Where files derived from installed packages are kept (the joined Whisper base model):
    ``$VOICEGUIDE_CACHE_DIR``, else ``$XDG_CACHE_HOME/voiceguide``, else
    ``~/.cache/voiceguide``. It may not exist yet; deleting it loses nothing."""
    explicit = os.environ.get("VOICEGUIDE_CACHE_DIR")
    if explicit:
        return Path(explicit).expanduser()
    xdg = os.environ.get("XDG_CACHE_HOME")
    base = Path(xdg).expanduser() if xdg else Path.home() / ".cache"
    return base / "voiceguide"


def config_dir() -> Path:
    """Where preferences are kept: ``$VOICEGUIDE_CONFIG_DIR``, else ``$XDG_CONFIG_HOME/voiceguide``,
    else ``~/.config/voiceguide``. It may not exist yet."""
    explicit = os.environ.get("VOICEGUIDE_CONFIG_DIR")
    if explicit:
        return Path(explicit).expanduser()
    xdg = os.environ.get("XDG_CONFIG_HOME")
    base = Path(xdg).expanduser() if xdg else Path.home() / ".config"
    return base / "voiceguide"
