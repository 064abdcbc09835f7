"""Read a YAML file safely and remember the line of every key, so errors can say
``file:line: message``.

Only ``yaml.SafeLoader`` constructs objects: tags such as ``!!python/object`` are refused.
Merge keys (``<<``) are refused too (nested merges grow exponentially: a few hundred bytes
could take minutes and gigabytes), and so is any scalar a constructor cannot read
(``2024-13-01``, ``!!int abc``, an empty ``!!float``) or an integer too large to print.
Whatever PyYAML raises while reading a file, even an exception of its own internals such as
``IndexError``, becomes a ``FileProblem`` naming the file and the line.
"""

from __future__ import annotations

import traceback
from pathlib import Path
from typing import Any

import yaml

from voiceguide.errors import FileProblem

MAX_BYTES = 1_000_000
"""Procedures and profiles are small; a larger file is refused before parsing."""
MAX_INT = 2**63
"""Integers beyond this (either sign) are refused: no value in a procedure comes near it."""


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
    def construct_object(self, node: yaml.Node, deep: bool = False) -> Any:
        # SafeLoader's scalar constructors raise plain ValueError, KeyError, ... on values
        # that only look like dates, numbers or booleans; report them with their line.
        try:
            return super().construct_object(node, deep=deep)
        except (ValueError, TypeError, LookupError, AttributeError, ArithmeticError):
            kind = node.tag.rsplit(":", 1)[-1]
            shown = f"'{_short(node.value)}'" if node.value != "" else "an empty value"
            raise _Refused(
                node.start_mark.line + 1,
                f"{shown} cannot be read as {_KINDS.get(kind, kind)}; put it in quotes if it is text",
            ) from None


_KINDS = {
    "int": "a whole number",
    "float": "a number",
    "bool": "true or false",
    "timestamp": "a date",
    "binary": "base64 data",
}


def _short(value: Any) -> str:
    text = value if isinstance(value, str) else "..."
    return text if len(text) <= 40 else text[:37] + "..."


def _integer(loader: _Loader, node: yaml.ScalarNode) -> int:
    value = loader.construct_yaml_int(node)
    if abs(value) > MAX_INT:
        raise _Refused(node.start_mark.line + 1, "this number is far too large")
    return value


def _mapping(loader: _Loader, node: yaml.MappingNode) -> LinedDict:
    for key_node, _value in node.value:
        if key_node.tag == "tag:yaml.org,2002:merge":
            raise _Refused(
                key_node.start_mark.line + 1,
                "merge keys ('<<') are not supported; write the keys out in full",
            )
    loader.flatten_mapping(node)  # no merges left: only turns '=' keys into plain text
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
_Loader.add_constructor("tag:yaml.org,2002:int", _integer)


class _Refused(Exception):
    def __init__(self, line: int, message: str):
        super().__init__(message)
        self.line = line
        self.message = message


def load(path: str | Path, text: str | None = None) -> Any:
    """Parse ``path`` (or ``text`` read from it). Raises FileProblem, never a YAML error."""
    where = str(path)
    if text is None:
        text = _read(where)
    if len(text) > MAX_BYTES:
        raise FileProblem(where, None, f"file is too large; the limit is {MAX_BYTES} bytes")
    loader = None
    try:
        loader = _Loader(text)  # the reader refuses a forbidden character here already
        return loader.get_single_data()
    except _Refused as refused:
        raise FileProblem(where, refused.line, refused.message) from None
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = mark.line + 1 if mark else None
        problem = error.problem or error.context or "invalid YAML"
        if "constructor for the tag" in problem:
            problem = "tags such as '!!python/...' are not allowed; use plain values"
        raise FileProblem(where, line, f"not valid YAML: {problem}") from None
    except yaml.reader.ReaderError as error:  # a character YAML does not allow (NUL, ...)
        line = text.count("\n", 0, error.position) + 1
        char = f"U+{error.character:04X}" if isinstance(error.character, int) else repr(error.character)
        raise FileProblem(
            where, line, f"not valid YAML: the character {char} is not allowed; save the file as plain text"
        ) from None
    except yaml.YAMLError as error:
        raise FileProblem(where, None, f"not valid YAML: {error}") from None
    except RecursionError:
        raise FileProblem(where, None, "nested too deeply; procedures are flat lists of steps") from None
    except Exception as error:
        if not _raised_by_pyyaml(error):
            raise  # a bug of ours keeps its traceback
        line = loader.line + 1 if loader is not None else None  # where PyYAML's reader had got to
        raise FileProblem(
            where, line, f"not valid YAML: PyYAML could not read it ({type(error).__name__})"
        ) from None
    finally:
        if loader is not None:
            loader.dispose()


def _raised_by_pyyaml(error: BaseException) -> bool:
    """True when ``error`` was raised inside the ``yaml`` package's own code."""
    frames = traceback.extract_tb(error.__traceback__)
    return bool(frames) and Path(frames[-1].filename).resolve().is_relative_to(_PYYAML_DIR)


_PYYAML_DIR = Path(yaml.__file__).resolve().parent


def read_text(path: str | Path) -> str:
    """The text of ``path``. Raises FileProblem naming the file when it cannot be read."""
    return _read(str(path))


def _read(where: str) -> str:
    """The text of file ``where``; at most MAX_BYTES are read, so a device or a pipe that
    never ends (``/dev/zero``) is refused rather than read forever."""
    try:
        with open(where, "rb") as handle:
            data = handle.read(MAX_BYTES + 1)
    except FileNotFoundError:
        raise FileProblem(where, None, "no such file; check the path") from None
    except IsADirectoryError:
        raise FileProblem(where, None, "is a directory, not a YAML file") from None
    except PermissionError:
        raise FileProblem(where, None, "cannot be read (permission denied)") from None
    except OSError as error:
        raise FileProblem(where, None, f"cannot be read ({error.strerror or error})") from None
    if len(data) > MAX_BYTES:
        raise FileProblem(where, None, f"file is larger than the limit of {MAX_BYTES} bytes")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise FileProblem(where, None, "is not UTF-8 text; save it as UTF-8") from None
