"""Every error voiceguide raises on purpose, in one tree.

    VoiceguideError            base: a short ``code`` and a message a person can act on
    ├── FileProblem            a procedure or profile file is refused (``file:line: message``)
    ├── ProcedureNotFound      no shipped procedure by that id and no such file
    ├── AudioUnavailable       no PortAudio, no device, or the device failed
    ├── EngineUnavailable      a speech engine's package is missing or cannot start
    ├── ModelError             a model is missing, incomplete or fails its hash check
    ├── DownloadError          ``voiceguide model download`` could not finish
    ├── DataDirError           the records directory cannot be written
    ├── DisplayUnavailable     the large-print window cannot open (no display, no Tk)
    ├── ReportError            the report file cannot be written
    └── ImportProblem          ``voiceguide import`` found no procedure in a file (``file: message``)

Only the CLI turns these into a clean message and an exit code; anything else is a bug and
keeps its traceback.

``Terminated`` is not an error but a way out: SIGTERM raises it (a ``KeyboardInterrupt``, so a
running session records its end as on Ctrl-C), and the CLI exits 143.
"""

from __future__ import annotations


class VoiceguideError(Exception):
    """Base of the tree; ``code`` is short and stable so tests and scripts can match it."""

    code = "error"

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class FileProblem(VoiceguideError):
    """A YAML file was refused. ``line`` is 1-based, or None when the whole file is at fault.

    The message is always one line (``validate`` prints one problem per line): control
    characters quoted from the file are escaped, and a very long message is cut short.
    """

    code = "invalid-file"
    MAX_DETAIL = 300
    """Characters of message kept after ``file:line:``."""

    def __init__(self, path: str, line: int | None, message: str):
        self.path = str(path)
        self.line = line
        message = "".join(
            c if c.isprintable() else c.encode("unicode_escape").decode("ascii") for c in message
        )
        if len(message) > self.MAX_DETAIL:
            message = message[: self.MAX_DETAIL - 3] + "..."
        where = f"{self.path}:{line}" if line else self.path
        super().__init__(f"{where}: {message}")
        self.detail = message
        self.also: tuple[FileProblem, ...] = ()
        """Further problems found in the same file (``validate`` prints each on its own line)."""

    def with_also(self, more: list[FileProblem]) -> FileProblem:
        """This problem, carrying ``more`` found in the same file."""
        self.also = tuple(more)
        return self


class ProcedureNotFound(VoiceguideError):
    code = "procedure-not-found"


class AudioUnavailable(VoiceguideError):
    code = "no-audio"


class EngineUnavailable(VoiceguideError):
    code = "engine-unavailable"


class ModelError(VoiceguideError):
    code = "model"


class DownloadError(VoiceguideError):
    code = "download"


class DataDirError(VoiceguideError):
    code = "data-dir"


class DisplayUnavailable(VoiceguideError):
    code = "no-display"


class ReportError(VoiceguideError):
    code = "report"


class Terminated(KeyboardInterrupt):
    """SIGTERM arrived: the session ends as "interrupted" with its end recorded."""


class ImportProblem(VoiceguideError):
    """A file given to ``voiceguide import`` (or ``run``) could not become a procedure: not
    readable, not text, no list of steps. The message names the file and is one line."""

    code = "import"

    def __init__(self, path: str, message: str):
        self.path = str(path)
        super().__init__(f"{self.path}: {message}")
