"""One-key control on a terminal, alongside the voice: each key press counts at once (no
Enter), so a switch or pedal that types Space, Enter, an arrow or Page Down works without a
window. The terminal is put in cbreak mode (Ctrl-C still interrupts) and restored on close.
"""

from __future__ import annotations

import logging
import os
import queue
import select
import sys
import threading

from voiceguide.core.intents import Moment
from voiceguide.core.ports import Heard
from voiceguide.ui.keys import key_text

log = logging.getLogger(__name__)

_SEQUENCES = {
    "\x1b[A": "Up",
    "\x1b[B": "Down",
    "\x1b[C": "Right",
    "\x1b[D": "Left",
    "\x1b[5~": "Prior",
    "\x1b[6~": "Next",
    "\x1bOA": "Up",
    "\x1bOB": "Down",
    "\x1bOC": "Right",
    "\x1bOD": "Left",
}
_SINGLE = {
    " ": "space",
    "\n": "Return",
    "\r": "Return",
    "\x7f": "BackSpace",
    "\x1b": "Escape",
    "?": "question",
}


def keysyms(chunk: str) -> list[str]:
    """The keys in what one read returned (an arrow arrives as one escape sequence)."""
    found, i = [], 0
    while i < len(chunk):
        for sequence, name in _SEQUENCES.items():
            if chunk.startswith(sequence, i):
                found.append(name)
                i += len(sequence)
                break
        else:
            char = chunk[i]
            found.append(_SINGLE.get(char, char))
            i += 1
    return found


class TerminalKeys:
    """A Listener of single key presses on the terminal ``fd`` (standard input by default)."""

    def __init__(self, fd: int | None = None):
        self.fd = sys.stdin.fileno() if fd is None else fd
        self._keys: queue.Queue[Heard] = queue.Queue()
        self._moment: Moment | None = None
        self._stop = threading.Event()
        self._saved = None
        self._thread = threading.Thread(target=self._read, name="terminal-keys", daemon=True)

    def __enter__(self) -> TerminalKeys:
        import termios
        import tty

        self._saved = termios.tcgetattr(self.fd)
        tty.setcbreak(self.fd)
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Stop reading and give the terminal back as it was (safe to call twice)."""
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=2)
        if self._saved is not None:
            import termios

            try:
                termios.tcsetattr(self.fd, termios.TCSADRAIN, self._saved)
            except termios.error as error:
                log.error("could not restore the terminal: %s", error)
            self._saved = None

    def _read(self) -> None:
        while not self._stop.is_set():
            ready, _, _ = select.select([self.fd], [], [], 0.1)
            if not ready:
                continue
            try:
                chunk = os.read(self.fd, 64)
            except OSError:
                chunk = b""
            if not chunk:  # the terminal went away
                self._keys.put(Heard(text="", source="keyboard", end_of_input=True))
                return
            for keysym in keysyms(chunk.decode(errors="replace")):
                text = key_text(keysym, self._moment)
                if text is not None:
                    self._keys.put(Heard(text=text, source="keyboard"))

    def set_moment(self, moment: Moment) -> None:
        self._moment = moment

    def listen(self, timeout: float) -> Heard | None:
        try:
            return self._keys.get(timeout=max(0.0, timeout))
        except queue.Empty:
            return None

    def flush(self) -> None:
        pass  # key presses are deliberate: never dropped
