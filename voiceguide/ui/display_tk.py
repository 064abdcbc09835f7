"""The large-print display: a full-screen Tk window showing the current step in very large,
high-contrast text. It follows the session's events (the Display port) and never drives the
session; key presses in the window go to a separate listener (one-key control).

Tk lives in its own thread: every Tk call happens there. Other threads only put events and
requests on a queue, which the Tk thread polls with ``after``.
"""

from __future__ import annotations

import gc
import logging
import os
import queue
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from voiceguide.core.events import Event
from voiceguide.core.intents import Moment
from voiceguide.core.ports import Heard
from voiceguide.errors import DisplayUnavailable
from voiceguide.ui.keys import key_text
from voiceguide.ui.screen import Screen, apply

log = logging.getLogger(__name__)

POLL_MS = 50
"""How often the window takes in events and redraws the countdown (milliseconds)."""
MIN_SIZE, MAX_SIZE, SIZE_STEP = 24, 160, 8
"""Limits and step of the step-text size, points (the + and - keys)."""


@dataclass(frozen=True)
class Theme:
    name: str
    foreground: str
    background: str
    description: str


THEMES = {
    "dark": Theme("dark", "#FFFFFF", "#000000", "white on black (default)"),
    "yellow": Theme("yellow", "#FFFF00", "#000000", "yellow on black"),
    "light": Theme("light", "#000000", "#FFFFFF", "black on white"),
}
DEFAULT_THEME, DEFAULT_SIZE = "dark", 56
HEADER_GAP_PX = 40
"""The least space between "Step N of M" and the status when they share a line (pixels)."""


def display_possible() -> bool:
    """True when a graphical display is announced (``DISPLAY`` or ``WAYLAND_DISPLAY``)."""
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


class LargePrintDisplay:
    """Open with ``with``; ``show`` is safe from any thread; ``keys()`` is a Listener."""

    def __init__(
        self,
        size: int = DEFAULT_SIZE,
        theme: str = DEFAULT_THEME,
        fullscreen: bool = True,
        on_size: Callable[[int], None] | None = None,
        wall: Callable[[], float] = time.time,
        screen_name: str | None = None,
    ):
        self.screen_name = screen_name
        """The X display to open (":1"); None means $DISPLAY."""
        self.size = max(MIN_SIZE, min(MAX_SIZE, size))
        self.theme = THEMES.get(theme, THEMES[DEFAULT_THEME])
        self.fullscreen = fullscreen
        self.on_size = on_size
        self.wall = wall
        self.screen = Screen()
        self._inbox: queue.Queue[Any] = queue.Queue()
        self._keys: queue.Queue[Heard] = queue.Queue()
        self._moment: Moment | None = None
        self._ready = threading.Event()
        self._error: str | None = None
        self._thread = threading.Thread(target=self._main, name="display", daemon=True)

    # -- any thread ---------------------------------------------------------------------

    def __enter__(self) -> LargePrintDisplay:
        self._thread.start()
        if not self._ready.wait(timeout=20):
            self._error = self._error or "the window did not open within 20 seconds"
        if self._error:
            self._inbox.put(None)
            raise DisplayUnavailable(f"the large-print display cannot open: {self._error}")
        return self

    def __exit__(self, *exc: object) -> None:
        self._inbox.put(None)
        self._thread.join(timeout=5)
        if self._thread.is_alive():
            log.error("the display window did not close within 5 seconds")

    def show(self, item: Event) -> None:
        self._inbox.put(item)

    def keys(self) -> WindowKeys:
        return WindowKeys(self)

    def snapshot(self, timeout: float = 10.0) -> dict[str, Any]:
        """What the window shows now, read back from its widgets (texts, font sizes, colours,
        where the step text is on screen), after every event shown so far was drawn."""
        reply: queue.Queue[dict[str, Any]] = queue.Queue()
        self._inbox.put(("snapshot", reply))
        return reply.get(timeout=timeout)

    # -- the Tk thread --------------------------------------------------------------------

    def _main(self) -> None:
        try:
            import tkinter as tk
            import tkinter.font

            self._tk = tk
            self._root = tk.Tk(screenName=self.screen_name, className="voiceguide")
        except Exception as error:  # no Tk, or no X server: the caller falls back to text
            self._error = str(error).splitlines()[0] if str(error) else type(error).__name__
            self._ready.set()
            return
        try:
            try:
                self._build()
                self._draw()
            except Exception as error:
                self._error = f"{type(error).__name__}: {error}"
                raise
            self._root.after(POLL_MS, self._poll)
            self._ready.set()
            self._root.mainloop()
        finally:
            self._ready.set()
            try:
                self._root.destroy()
            except Exception:  # already gone with the X server
                pass
            self._forget_tk()

    def _forget_tk(self) -> None:
        """Drop every Tk object here, in the Tk thread: Tcl aborts the process if one is
        freed by another thread."""
        for name in (
            "_root",
            "_position",
            "_status",
            "_bar",
            "_title",
            "_body",
            "_timer",
            "_heard",
            "_say",
            "_keyline",
        ):
            setattr(self, name, None)
        gc.collect()

    def _build(self) -> None:
        tk, root, fg, bg = self._tk, self._root, self.theme.foreground, self.theme.background
        root.title("voiceguide")
        width, height = root.winfo_screenwidth(), root.winfo_screenheight()
        root.geometry(f"{width}x{height}+0+0")
        if self.fullscreen:
            root.attributes("-fullscreen", True)
        root.configure(bg=bg)
        root.bind("<Key>", self._key)
        self._height = height
        self._wrap = width - 80
        top = tk.Frame(root, bg=bg)
        top.pack(fill="x", padx=40, pady=(24, 8))

        def label(parent, **kw):
            return tk.Label(parent, **{"fg": fg, "bg": bg, "justify": "left", "anchor": "w", **kw})

        self._position = label(top, wraplength=self._wrap)
        self._status = label(top, wraplength=self._wrap)
        self._header_rows: bool | None = None
        self._bar = tk.Canvas(root, height=28, bg=bg, highlightthickness=0)
        self._bar.pack(fill="x", padx=40, pady=(0, 16))
        self._title = label(root, wraplength=self._wrap)
        self._title.pack(fill="x", padx=40)
        self._body = label(root, wraplength=self._wrap)
        self._body.pack(fill="x", padx=40, pady=(12, 0))
        self._timer = label(root, anchor="center")
        bottom = tk.Frame(root, bg=bg)
        bottom.pack(side="bottom", fill="x", padx=40, pady=(8, 24))
        self._heard = label(bottom, wraplength=self._wrap)
        self._say = label(bottom, wraplength=self._wrap)
        self._keyline = label(bottom, wraplength=self._wrap)
        for widget in (self._heard, self._say, self._keyline):
            widget.pack(fill="x")
        self._timer_shown = False

    def _fonts(self, size: int | None = None, body: int | None = None) -> None:
        """Fonts for text size ``size`` (default: the chosen size) and the step text at ``body``
        (default: ``size``); ``_fit`` passes smaller ones when the text does not fit."""
        family, size = "DejaVu Sans", size or self.size
        body = body or size
        small = max(12, size * 2 // 5)
        self._position.configure(font=(family, max(16, size * 3 // 5), "bold"))
        self._status.configure(font=(family, max(16, size * 3 // 5), "bold"))
        self._title.configure(font=(family, max(18, size * 4 // 5), "bold"))
        self._timer.configure(font=(family, size * 2, "bold"))
        for widget in (self._heard, self._say, self._keyline):
            widget.configure(font=(family, small))
        self._body_size = body
        self._body.configure(font=(family, body))

    def _draw(self) -> None:
        s = self.screen
        self._fonts()
        self._position.configure(text=s.position)
        self._status.configure(text=s.status)
        self._title.configure(text=s.title)
        self._body.configure(text=s.body)
        self._heard.configure(text=s.heard)
        self._say.configure(text=s.say_help)
        self._keyline.configure(text=s.keys_help)
        self._draw_bar(s.progress)
        self._draw_timer()
        self._place_header()
        self._fit()
        self._place_header()

    def _place_header(self) -> None:
        """ "Step N of M" and the status on one line when both fit with a clear gap between
        them, else each on a line of its own: never run together."""
        self._root.update_idletasks()
        wanted = self._position.winfo_reqwidth() + self._status.winfo_reqwidth() + HEADER_GAP_PX
        rows = bool(self._status.cget("text")) and wanted > self._wrap
        if rows == self._header_rows:
            return
        self._header_rows = rows
        self._position.pack_forget()
        self._status.pack_forget()
        if rows:
            self._position.pack(side="top", fill="x")
            self._status.pack(side="top", fill="x")
        else:
            self._position.pack(side="left")
            self._status.pack(side="right")
        self._root.update_idletasks()

    def _draw_bar(self, fraction: float) -> None:
        bar, fg = self._bar, self.theme.foreground
        bar.delete("all")
        width = max(1, bar.winfo_width() if bar.winfo_width() > 1 else self._wrap)
        bar.create_rectangle(2, 2, width - 2, 26, outline=fg, width=3)
        bar.create_rectangle(2, 2, 2 + (width - 4) * max(0.0, min(1.0, fraction)), 26, fill=fg, outline=fg)

    def _draw_timer(self) -> None:
        text = self.screen.timer_text(self.wall())
        if text and self.screen.moment is Moment.PAUSED:
            text += " paused"
        if text != self._timer.cget("text"):
            self._timer.configure(text=text)
        if bool(text) != self._timer_shown:
            if text:
                self._timer.pack(fill="x", padx=40, pady=(16, 0), after=self._body)
            else:
                self._timer.pack_forget()
            self._timer_shown = bool(text)

    def _fit(self) -> None:
        """Shrink the step text until everything fits on the screen, but not below the size of
        the "Step N of M" line; if it still does not fit, shrink every line together (the step
        text never below MIN_SIZE, nor smaller than the command lines)."""
        self._root.update_idletasks()
        family = "DejaVu Sans"
        floor = max(MIN_SIZE, self.size * 3 // 5)
        while self._root.winfo_reqheight() > self._height and self._body_size > floor:
            self._body_size -= 4
            self._body.configure(font=(family, self._body_size))
            self._root.update_idletasks()
        others = self.size
        while self._root.winfo_reqheight() > self._height and others > MIN_SIZE:
            others -= 4
            self._fonts(others, body=max(MIN_SIZE, min(self._body_size, others)))
            self._root.update_idletasks()

    def _poll(self) -> None:
        changed = False
        while True:
            try:
                item = self._inbox.get_nowait()
            except queue.Empty:
                break
            if item is None:
                self._root.quit()
                return
            if isinstance(item, tuple):
                if changed:
                    self._draw()
                    changed = False
                item[1].put(self._read_back())
                continue
            self.screen = apply(self.screen, item)
            self._moment = self.screen.moment
            changed = True
        if changed:
            self._draw()
        else:
            self._draw_timer()
        self._root.after(POLL_MS, self._poll)

    def _key(self, press: Any) -> None:
        if press.keysym in ("plus", "equal", "KP_Add", "minus", "KP_Subtract"):
            grow = press.keysym in ("plus", "equal", "KP_Add")
            self.size = max(MIN_SIZE, min(MAX_SIZE, self.size + (SIZE_STEP if grow else -SIZE_STEP)))
            self._draw()
            if self.on_size:
                self.on_size(self.size)
            return
        text = key_text(press.keysym, self._moment)
        if text is not None:
            self._keys.put(Heard(text=text, source="keyboard"))

    def _read_back(self) -> dict[str, Any]:
        self._root.update()
        body = self._body
        return {
            "position": self._position.cget("text"),
            "status": self._status.cget("text"),
            "title": self._title.cget("text"),
            "body": body.cget("text"),
            "timer": self._timer.cget("text") if self._timer_shown else "",
            "heard": self._heard.cget("text"),
            "say": self._say.cget("text"),
            "keys": self._keyline.cget("text"),
            "body_size": self._body_size,
            "title_size": int(self._tk.font.Font(font=self._title.cget("font")).actual("size")),
            "foreground": self.theme.foreground,
            "background": self.theme.background,
            "body_box": (body.winfo_rootx(), body.winfo_rooty(), body.winfo_width(), body.winfo_height()),
            "boxes": self._boxes(),
            "window": (
                self._root.winfo_rootx(),
                self._root.winfo_rooty(),
                self._root.winfo_width(),
                self._root.winfo_height(),
            ),
        }

    def _boxes(self) -> dict[str, tuple[int, int, int, int, int, int]]:
        """Each shown line of text: (x, y, width, height, wanted width, wanted height) on screen."""
        found = {}
        for name in ("position", "status", "title", "body", "timer", "heard", "say", "keyline"):
            widget = getattr(self, f"_{name}")
            if widget.winfo_ismapped() and widget.cget("text"):
                found[name] = (
                    widget.winfo_rootx(),
                    widget.winfo_rooty(),
                    widget.winfo_width(),
                    widget.winfo_height(),
                    widget.winfo_reqwidth(),
                    widget.winfo_reqheight(),
                )
        return found


class WindowKeys:
    """Keys pressed in the display window, as a Listener (one-key control)."""

    def __init__(self, display: LargePrintDisplay):
        self.display = display

    def set_moment(self, moment: Moment) -> None:
        self.display._moment = moment

    def listen(self, timeout: float) -> Heard | None:
        try:
            return self.display._keys.get(timeout=max(0.0, timeout))
        except queue.Empty:
            return None

    def flush(self) -> None:
        pass  # key presses are deliberate: never dropped
