"""Turning instructions a person already has into a procedure: ``voiceguide import`` and
``voiceguide run FILE.txt|.md|.html|.pdf``.

    source.py   reads the file: size, kind, encoding
    text.py     plain text and Markdown (and a PDF's text): lists, sub-steps, headings
    html.py     a saved web page: schema.org Recipe/HowTo JSON-LD, else the main ordered list
    pdf.py      a PDF's text (pdftotext, else pypdf)
    steps.py    pure: split at sentence ends to fit the spoken length, find timers, titles
    build.py    pure: the procedure mapping (``imported: true``) and the summary

An imported procedure is never medical: the loader refuses a critical check or a dose step
while ``imported: true`` is set (docs/procedures.md).
"""

from __future__ import annotations

from dataclasses import dataclass

from voiceguide.core.procedure import Procedure, parse_procedure
from voiceguide.importing.build import Summary, build, to_yaml
from voiceguide.importing.html import read_html
from voiceguide.importing.pdf import pdf_text
from voiceguide.importing.source import importable, read_source
from voiceguide.importing.text import read_text

__all__ = ["Imported", "import_file", "importable"]


@dataclass(frozen=True)
class Imported:
    procedure: Procedure
    """Parsed and validated from ``yaml``."""
    yaml: str
    summary: Summary


def import_file(path: str, title: str | None = None, pdf_tool: str | None = None) -> Imported:
    """Read ``path`` and make a validated procedure of it. Raises ImportProblem (one line,
    naming the file) when it is not readable text or holds no list of steps."""
    source = read_source(path)
    if source.kind == "pdf":
        draft = read_text(pdf_text(path, source.data, pdf_tool))
        draft.found_in = f"the PDF's {draft.found_in.removeprefix('a ')}"
    elif source.kind == "html":
        draft = read_html(source.text())
    else:
        draft = read_text(source.text())
    draft.notes[:0] = source.notes
    mapping, summary = build(draft, path, title)
    text = to_yaml(mapping, path)
    return Imported(procedure=parse_procedure(f"{path} (imported)", text), yaml=text, summary=summary)
