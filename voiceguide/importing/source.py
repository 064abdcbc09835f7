"""Reading a file to import: size limit, what kind of file it is, and its text encoding.
The only part of the import that reads a file (``pdf.py`` runs a program on it)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from voiceguide.errors import ImportProblem

MAX_BYTES = 20 * 1024 * 1024
"""Larger files are refused (a saved web page with its scripts inline is a few MB)."""
SUFFIXES = {
    ".txt": "text",
    ".text": "text",
    ".md": "markdown",
    ".markdown": "markdown",
    ".html": "html",
    ".htm": "html",
    ".xhtml": "html",
    ".pdf": "pdf",
}
"""File endings ``run`` imports on the fly, and the kind each names."""
_CONTROL_SHARE = 0.02
"""More control characters than this share of a decoded text means it is not text."""


@dataclass
class Source:
    path: str
    kind: str
    """"text", "markdown", "html" or "pdf"."""
    data: bytes
    notes: list[str] = field(default_factory=list)

    def text(self) -> str:
        """The file as text: UTF-8 (with or without a byte-order mark), UTF-16 with a mark,
        else Windows-1252 (said in the summary)."""
        data = self.data
        if data.startswith((b"\xff\xfe", b"\xfe\xff")):
            return _checked(self.path, data.decode("utf-16", errors="replace"))
        if b"\0" in data[:65536]:
            raise not_text(self.path)
        try:
            return _checked(self.path, data.decode("utf-8-sig"))
        except UnicodeDecodeError:
            pass
        self.notes.append("The file is not UTF-8; it was read as Windows-1252 (Western European).")
        return _checked(self.path, data.decode("cp1252", errors="replace"))


def importable(path: str) -> bool:
    """True for a file ending ``run`` imports on the fly (.txt, .md, .html, .pdf, ...)."""
    return Path(path).suffix.lower() in SUFFIXES


def read_source(path: str) -> Source:
    file = Path(path)
    if not file.is_file():
        raise ImportProblem(path, "no such file" if not file.exists() else "is not a file")
    if file.suffix.lower() in (".yaml", ".yml"):
        raise ImportProblem(path, "is a procedure file already: check it with 'voiceguide validate'")
    size = file.stat().st_size
    if size > MAX_BYTES:
        raise ImportProblem(
            path, f"is {size / 1e6:.0f} MB; files over {MAX_BYTES // (1024 * 1024)} MB are not imported"
        )
    try:
        data = file.read_bytes()
    except OSError as error:
        raise ImportProblem(path, f"cannot be read: {error.strerror or error}") from error
    if not data.strip():
        raise ImportProblem(path, "is empty")
    return Source(path, _kind(file, data), data)


def _kind(file: Path, data: bytes) -> str:
    if data.lstrip()[:5] == b"%PDF-":
        return "pdf"
    kind = SUFFIXES.get(file.suffix.lower())
    if kind and kind != "pdf":
        return kind
    head = data[:4096].lstrip().lower()
    if head.startswith((b"<!doctype html", b"<html")) or b"<body" in head:
        return "html"
    if kind == "pdf":
        raise ImportProblem(str(file), "is named .pdf but is not a PDF file")
    return "text"


def _checked(path: str, text: str) -> str:
    control = sum(1 for c in text if not c.isprintable() and c not in "\n\r\t\f")
    if control > _CONTROL_SHARE * max(1, len(text)):
        raise not_text(path)
    return text


def not_text(path: str) -> ImportProblem:
    return ImportProblem(
        path, "does not look like text, Markdown, HTML or PDF; give instructions saved as one of those"
    )
