"""Where voiceguide keeps its records, downloaded models and caches. Pure: nothing is created
here."""

from __future__ import annotations

import os
from pathlib import Path


def data_dir() -> Path:
    """The records directory: ``$VOICEGUIDE_DATA_DIR``, else ``$XDG_DATA_HOME/voiceguide``,
    else ``~/.local/share/voiceguide``. It may not exist yet."""
    return _folder("VOICEGUIDE_DATA_DIR", "XDG_DATA_HOME", ".local/share")


def models_dir() -> Path:
    """Where ``voiceguide model download`` puts models: ``<data dir>/models``."""
    return data_dir() / "models"


def cache_dir() -> Path:
    """Where files that can be made again are kept (the benchmark's corpus, the training
    scripts' features and readings): ``$VOICEGUIDE_CACHE_DIR``, else ``$XDG_CACHE_HOME/voiceguide``, else
    ``~/.cache/voiceguide``. It may not exist yet; deleting it loses nothing."""
    return _folder("VOICEGUIDE_CACHE_DIR", "XDG_CACHE_HOME", ".cache")


def config_dir() -> Path:
    """Where preferences are kept: ``$VOICEGUIDE_CONFIG_DIR``, else ``$XDG_CONFIG_HOME/voiceguide``,
    else ``~/.config/voiceguide``. It may not exist yet."""
    return _folder("VOICEGUIDE_CONFIG_DIR", "XDG_CONFIG_HOME", ".config")


def _folder(explicit_variable: str, xdg_variable: str, under_home: str) -> Path:
    """``$explicit_variable``, else ``$xdg_variable/voiceguide``, else
    ``~/under_home/voiceguide``: the XDG base directory rule with our own override."""
    explicit = os.environ.get(explicit_variable)
    if explicit:
        return Path(explicit).expanduser()
    xdg = os.environ.get(xdg_variable)
    base = Path(xdg).expanduser() if xdg else Path.home() / under_home
    return base / "voiceguide"
