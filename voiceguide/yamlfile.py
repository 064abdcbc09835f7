"""Read a YAML file safely and remember the line of every key, so errors can say
``file:line: message``.

Only ``yaml.SafeLoader`` constructs objects: tags such as ``!!python/object`` are refused.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from voiceguide.errors import FileProblem

MAX_BYTES = 1_000_000
"""Procedures and profiles are small; a larger file is refused before parsing."""


class LinedDict(dict):
    """A mapping that knows its own line and the line of each key (1-based)."""

    line: int = 0
    key_lines: dict[Any, int]

    def line_of(self, key: Any) -> int:
        return self.key_lines.get(key, self.line)


class LinedList(list):
    """A sequence that knows its own line and the line of each item (1-based)."""

    line: int = 0
    item_lines: list[int]

    def line_of(self, index: int) -> int:
        return self.item_lines[index] if index < len(self.item_lines) else self.line


class _Loader(yaml.SafeLoader):
    pass


def _mapping(loader: _Loader, node: yaml.MappingNode) -> LinedDict:
    loader.flatten_mapping(node)
    result = LinedDict()
    result.line = node.start_mark.line + 1
    result.key_lines = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        line = key_node.start_mark.line + 1
        try:
            hash(key)
        except TypeError:
            raise _Refused(line, "a key must be a plain word, not a list or mapping") from None
        if key in result:
            raise _Refused(line, f"'{key}' is given twice; keep one")
        result[key] = loader.construct_object(value_node, deep=True)
        result.key_lines[key] = line
    return result


def _sequence(loader: _Loader, node: yaml.SequenceNode) -> LinedList:
    result = LinedList(loader.construct_object(child, deep=True) for child in node.value)
    result.line = node.start_mark.line + 1
    result.item_lines = [child.start_mark.line + 1 for child in node.value]
    return result


_Loader.add_constructor("tag:yaml.org,2002:map", _mapping)
_Loader.add_constructor("tag:yaml.org,2002:seq", _sequence)


class _Refused(Exception):
    def __init__(self, line: int, message: str):
        super().__init__(message)
        self.line = line
        self.message = message


def load(path: str | Path, text: str | None = None) -> Any:
    """Parse ``path`` (or ``text`` read from it). Raises FileProblem, never a YAML error."""
    where = str(path)
    if text is None:
        try:
            size = Path(path).stat().st_size
            if size > MAX_BYTES:
                raise FileProblem(where, None, f"file is {size} bytes; the limit is {MAX_BYTES}")
            text = Path(path).read_text(encoding="utf-8")
        except FileNotFoundError:
            raise FileProblem(where, None, "no such file; check the path") from None
        except IsADirectoryError:
            raise FileProblem(where, None, "is a directory, not a YAML file") from None
        except UnicodeDecodeError:
            raise FileProblem(where, None, "is not UTF-8 text; save it as UTF-8") from None
        except PermissionError:
            raise FileProblem(where, None, "cannot be read (permission denied)") from None
    if len(text) > MAX_BYTES:
        raise FileProblem(where, None, f"file is too large; the limit is {MAX_BYTES} bytes")
    try:
        return yaml.load(text, Loader=_Loader)  # noqa: S506 - _Loader is a SafeLoader
    except _Refused as refused:
        raise FileProblem(where, refused.line, refused.message) from None
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = mark.line + 1 if mark else None
        problem = error.problem or error.context or "invalid YAML"
        if "constructor for the tag" in problem:
            problem = "tags such as '!!python/...' are not allowed; use plain values"
        raise FileProblem(where, line, f"not valid YAML: {problem}") from None
    except yaml.YAMLError as error:
        raise FileProblem(where, None, f"not valid YAML: {error}") from None
    except RecursionError:
        raise FileProblem(where, None, "nested too deeply; procedures are flat lists of steps") from None
