"""The text of a PDF: poppler's ``pdftotext`` program when it is installed (scripts/setup.sh
installs poppler-utils), else the optional ``pypdf`` package (``pip install 'voiceguide[pdf]'``).
A scanned PDF has no text to read, and says so."""

from __future__ import annotations

import logging
import re
import shutil
import subprocess

from voiceguide.errors import ImportProblem

log = logging.getLogger(__name__)

TIMEOUT_S = 30.0
"""Longest ``pdftotext`` may take."""
MIN_CHARACTERS = 20
"""Fewer letters than this in the whole PDF: no text layer (a scan)."""


def pdf_text(path: str, data: bytes, tool: str | None = None) -> str:
    """The PDF's text in reading order, pages separated by form feeds. ``tool``: "pdftotext"
    or "pypdf" to use only that one (benchmarks); by default pdftotext, else pypdf."""
    use_pdftotext = tool in (None, "pdftotext") and shutil.which("pdftotext")
    if use_pdftotext:
        text = _pdftotext(path)
    elif tool in (None, "pypdf") and _has_pypdf():
        text = _pypdf(path, data)
    else:
        raise ImportProblem(
            path,
            "reading a PDF needs poppler's pdftotext (sudo apt install poppler-utils) "
            "or pypdf (pip install 'voiceguide[pdf]')",
        )
    text = re.sub(r"(\w)-\n(\w)", r"\1\2", text)  # words hyphenated at a line end
    if sum(c.isalpha() for c in text) < MIN_CHARACTERS:
        raise ImportProblem(
            path,
            "this PDF has no text to read (it is probably a scanned image); ask for a text "
            "version, or turn the scan into text with OCR first",
        )
    return text


def _pdftotext(path: str) -> str:
    try:
        done = subprocess.run(
            ["pdftotext", "-enc", "UTF-8", "-q", path, "-"],
            capture_output=True,
            timeout=TIMEOUT_S,
            check=False,
        )
    except subprocess.TimeoutExpired as error:
        raise ImportProblem(path, f"pdftotext took over {TIMEOUT_S:.0f} s; the PDF may be damaged") from error
    if done.returncode != 0:
        raise ImportProblem(path, "cannot be read as a PDF (pdftotext refused it; it may be damaged)")
    return done.stdout.decode("utf-8", errors="replace")


def _has_pypdf() -> bool:
    try:
        import pypdf  # noqa: F401
    except ImportError:
        return False
    return True


def _pypdf(path: str, data: bytes) -> str:
    import io

    import pypdf

    try:
        reader = pypdf.PdfReader(io.BytesIO(data))
        return "\f".join(page.extract_text() or "" for page in reader.pages)
    except Exception as error:  # pypdf raises many kinds on a damaged file
        log.info("pypdf could not read %s: %r", path, error)
        raise ImportProblem(path, "cannot be read as a PDF (it may be damaged)") from error
