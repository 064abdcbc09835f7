"""Typed reading of one YAML mapping, with errors that name the file, line, key and fix."""

from __future__ import annotations

from difflib import get_close_matches
from typing import Any

from voiceguide.core.yamlfile import LinedDict, LinedList
from voiceguide.errors import FileProblem


class Fields:
    """Reads keys of ``mapping`` (from ``path``); ``where`` says which part ("step 'wash'")."""

    def __init__(self, path: str, mapping: Any, where: str, line: int = 0):
        if not isinstance(mapping, dict):
            raise FileProblem(
                path,
                getattr(mapping, "line", None) or line or None,
                f"{where} must be a mapping of 'key: value' lines",
            )
        self.path = path
        self.mapping = mapping
        self.where = where

    def line(self, key: str | None = None) -> int:
        if isinstance(self.mapping, LinedDict):
            return self.mapping.line_of(key) if key is not None else self.mapping.line
        return 0

    def refuse(self, key: str | None, message: str) -> FileProblem:
        return FileProblem(self.path, self.line(key) or None, message)

    def only(self, allowed: set[str]) -> None:
        """Refuse unknown keys, suggesting the nearest known one."""
        for key in self.mapping:
            if key not in allowed:
                near = get_close_matches(str(key), sorted(allowed), n=1)
                hint = (
                    f"; did you mean '{near[0]}'?" if near else f"; known keys: {', '.join(sorted(allowed))}"
                )
                raise self.refuse(key, f"unknown key '{key}' in {self.where}{hint}")

    def text(self, key: str, *, required: bool = True, default: str | None = None) -> str | None:
        if key not in self.mapping or self.mapping[key] is None:
            if required:
                raise self.refuse(None, f"{self.where} needs '{key}:' (text)")
            return default
        value = self.mapping[key]
        if isinstance(value, bool) or not isinstance(value, (str, int, float)):
            raise self.refuse(key, f"'{key}' in {self.where} must be text, not {_kind(value)}")
        value = str(value).strip()
        if required and not value:
            raise self.refuse(key, f"'{key}' in {self.where} is empty; write the text to use")
        return value

    def integer(self, key: str, *, low: int, high: int, default: int | None = None) -> int | None:
        if key not in self.mapping:
            if default is None:
                raise self.refuse(None, f"{self.where} needs '{key}:' (a whole number)")
            return default
        value = self.mapping[key]
        if isinstance(value, bool) or not isinstance(value, int):
            raise self.refuse(
                key,
                f"'{key}' in {self.where} must be a whole number from {low} to {high}; found {_found(value)}",
            )
        if not low <= value <= high:
            raise self.refuse(key, f"'{key}' in {self.where} must be between {low} and {high}, not {value}")
        return value

    def flag(self, key: str, *, default: bool) -> bool:
        if key not in self.mapping:
            return default
        value = self.mapping[key]
        if not isinstance(value, bool):
            raise self.refuse(key, f"'{key}' in {self.where} must be true or false, not {_kind(value)}")
        return value

    def texts(self, key: str, *, required: bool = True) -> tuple[str, ...]:
        if key not in self.mapping:
            if required:
                raise self.refuse(None, f"{self.where} needs '{key}:' (a list of texts)")
            return ()
        value = self.mapping[key]
        if not isinstance(value, list) or not value:
            raise self.refuse(key, f"'{key}' in {self.where} must be a list with at least one entry")
        items = []
        for index, item in enumerate(value):
            if isinstance(item, bool) or not isinstance(item, (str, int, float)) or not str(item).strip():
                line = value.line_of(index) if isinstance(value, LinedList) else self.line(key)
                raise FileProblem(
                    self.path,
                    line or None,
                    f"entry {index + 1} of '{key}' in {self.where} must be non-empty text",
                )
            items.append(str(item).strip())
        return tuple(items)

    def sub(self, key: str, where: str) -> Fields | None:
        if key not in self.mapping or self.mapping[key] is None:
            return None
        return Fields(self.path, self.mapping[key], where, self.line(key))


def _found(value: Any) -> str:
    """What was written, quoted, and what it was read as: "'1e9' (text)"."""
    kind = "text" if isinstance(value, str) else _kind(value)
    shown = (
        repr(value)
        if isinstance(value, str)
        else str(value).lower()
        if isinstance(value, bool)
        else str(value)
    )
    if len(shown) > 40:
        shown = shown[:37] + "..."
    return f"{shown} ({kind})"


def _kind(value: Any) -> str:
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, (int, float)):
        return "a number"
    return type(value).__name__
