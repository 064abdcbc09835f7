"""Remembered preferences: speech rate and volume, verbosity, display size and theme.

Kept in ``<config dir>/settings.json`` (see ``paths.config_dir``), readable by the user only,
replaced atomically so a crash never leaves half a file. A file that cannot be read gives a
warning and the defaults, never a crash.
"""

from __future__ import annotations

import json
import logging
import os
import tempfile
from dataclasses import asdict, dataclass, fields, replace
from pathlib import Path
from typing import Any

from voiceguide.core.session_types import DEFAULT_RATE
from voiceguide.errors import DataDirError
from voiceguide.paths import config_dir

log = logging.getLogger(__name__)

FILE_NAME = "settings.json"
VERBOSITIES = ("auto", "brief", "detailed")
THEMES = ("dark", "yellow", "light")
LIMITS = {"rate": (100, 260), "volume": (0.2, 1.0), "display_size": (24, 160)}
"""Allowed ranges (same as the voice commands' limits for rate and volume)."""


@dataclass(frozen=True)
class Settings:
    rate: int = DEFAULT_RATE
    """Speech rate, words per minute."""
    volume: float = 1.0
    """Speech volume, fraction of full scale."""
    verbosity: str = "auto"
    """"auto" (detailed for the first sessions of a procedure, then brief), "brief" or "detailed"."""
    display_size: int = 56
    """Size of the step text in the large-print display, points."""
    theme: str = "dark"
    """Display colours: "dark" (white on black), "yellow" (yellow on black), "light" (black on white)."""

    @classmethod
    def from_dict(cls, raw: Any) -> tuple[Settings, list[str]]:
        """Settings from ``raw``, and one warning per value that was ignored."""
        if not isinstance(raw, dict):
            return cls(), ["the settings file does not hold a JSON object"]
        values, problems = {}, []
        for item in fields(cls):
            if item.name not in raw:
                continue
            value = raw[item.name]
            problem = check(item.name, value)
            if problem:
                problems.append(problem)
            else:
                values[item.name] = int(value) if item.type in ("int", int) else value
        return cls(**values), problems

    def describe(self) -> list[str]:
        default = Settings()
        units = {"rate": " words per minute", "volume": " (of full volume)", "display_size": " pt"}
        return [
            f"{name}: {getattr(self, name)}{units.get(name, '')}"
            + ("" if getattr(self, name) == getattr(default, name) else "  (changed)")
            for name in (f.name for f in fields(self))
        ]


def check(name: str, value: Any) -> str | None:
    """Why ``value`` is not a valid ``name``, or None."""
    if name in ("verbosity", "theme"):
        allowed = VERBOSITIES if name == "verbosity" else THEMES
        return None if value in allowed else f"'{name}' must be one of {', '.join(allowed)}, not {value!r}"
    low, high = LIMITS[name]
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not low <= value <= high:
        return f"'{name}' must be a number from {low} to {high}, not {value!r}"
    return None


def settings_path() -> Path:
    return config_dir() / FILE_NAME


def load_settings(path: Path | None = None) -> tuple[Settings, list[str]]:
    """The saved settings (defaults when there is no file) and warnings about what was ignored."""
    path = path or settings_path()
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return Settings(), []
    except OSError as error:
        return Settings(), [f"cannot read {path} ({error.strerror or error}); using the defaults"]
    try:
        raw = json.loads(text)
    except ValueError:
        return Settings(), [
            f"{path} is not valid JSON; using the defaults (voiceguide settings --reset rewrites it)"
        ]
    settings, problems = Settings.from_dict(raw)
    return settings, [f"{path}: {problem}; using the default" for problem in problems]


def save_settings(settings: Settings, path: Path | None = None) -> Path:
    """Write ``settings`` atomically (temporary file, fsync, rename), mode 0600."""
    path = path or settings_path()
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd, temporary = tempfile.mkstemp(prefix=".settings-", suffix=".tmp", dir=path.parent)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as out:
                json.dump(asdict(settings), out, indent=2)
                out.write("\n")
                out.flush()
                os.fsync(out.fileno())
            os.chmod(temporary, 0o600)
            os.replace(temporary, path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
    except OSError as error:
        raise DataDirError(
            f"cannot save settings in {path.parent}: {error.strerror or error}. "
            "Fix its permissions, or set VOICEGUIDE_CONFIG_DIR to a writable folder."
        ) from None
    return path


def reset_settings(path: Path | None = None) -> Path:
    path = path or settings_path()
    path.unlink(missing_ok=True)
    return path


class SettingsKeeper:
    """Follows the session's events (a Display) and saves what the user changes by voice
    ("slower", "louder") or by key (display size), so the next session starts with it."""

    def __init__(self, settings: Settings, path: Path | None = None):
        self.settings = settings
        self.path = path

    def show(self, item) -> None:
        from voiceguide.core.events import EventType

        if item.type is EventType.SETTING_CHANGED and item.data.get("name") in ("rate", "volume"):
            self.update(**{item.data["name"]: item.data["value"]})

    def update(self, **changes: Any) -> None:
        self.settings = replace(self.settings, **changes)
        try:
            save_settings(self.settings, self.path)
        except DataDirError as error:  # never stop a session for a preference
            log.warning("%s", error)
