"""``voiceguide import``: instructions in a text, Markdown, HTML or PDF file become a
procedure file, with a summary of what was found; and the on-the-fly import ``run`` does."""

from __future__ import annotations

import argparse
import os
import tempfile
from pathlib import Path

from voiceguide.app.cli_options import EXIT_FAILED, EXIT_OK
from voiceguide.core.procedure import Procedure, load_procedure
from voiceguide.errors import ImportProblem


def cmd_import(args: argparse.Namespace) -> int:
    from voiceguide.app.validation import validate_files
    from voiceguide.importing import import_file

    imported = import_file(args.file, title=args.title)
    output = Path(args.output) if args.output else Path(args.file).with_suffix(".yaml")
    if output.resolve() == Path(args.file).resolve():
        raise ImportProblem(args.file, "the output would replace the file itself; give --output PROC.yaml")
    if not args.output and output.exists():
        raise ImportProblem(str(output), "already exists; give --output PROC.yaml to choose where to write")
    _write(output, imported.yaml)
    print(f"Imported {args.file}: '{imported.procedure.title}'")
    for line in imported.summary.lines():
        print(f"  {line}")
    problems, summaries = validate_files([str(output)])
    for line in problems + summaries:
        print(line)
    if problems:
        return EXIT_FAILED
    print(f"Check it, then run it: voiceguide run {output}")
    return EXIT_OK


def load_for_run(name_or_path: str) -> Procedure:
    """A procedure for ``run`` or ``demo``: a text, Markdown, HTML or PDF file is imported on
    the fly (nothing is written); anything else loads as usual."""
    from voiceguide.importing import import_file, importable

    if importable(name_or_path):
        return import_file(name_or_path).procedure
    return load_procedure(name_or_path)


def _write(path: Path, text: str) -> None:
    """Atomically: a temporary file in the same folder, then renamed over ``path``."""
    folder = path.parent if str(path.parent) else Path(".")
    try:
        handle, temporary = tempfile.mkstemp(dir=folder, prefix=f".{path.name}.", suffix=".tmp")
        with os.fdopen(handle, "w", encoding="utf-8") as file:
            file.write(text)
        os.replace(temporary, path)
    except OSError as error:
        raise ImportProblem(str(path), f"cannot be written: {error.strerror or error}") from error
