"""Preferences, the large-print display and one-key control for one ``voiceguide run``: which
settings apply, which verbosity, whether the window opens (it never stops a session from
starting), and which key sources are heard alongside the main listener."""

from __future__ import annotations

import logging
import sys
from contextlib import ExitStack

from voiceguide.core.procedure import Procedure
from voiceguide.errors import DisplayUnavailable
from voiceguide.records.experience import auto_verbosity
from voiceguide.records.sessions import Records
from voiceguide.records.settings import SettingsKeeper, load_settings
from voiceguide.ui.combine import Alongside

log = logging.getLogger(__name__)


def session_preferences(
    procedure: Procedure, chosen: dict, records: Records | None = None
) -> tuple[SettingsKeeper, str]:
    """The remembered settings with this run's flags applied (and remembered), and the
    verbosity to use ("auto" resolved from the completed sessions of this procedure, in
    ``records`` when the caller has read them already)."""
    settings, warnings = load_settings()
    for warning in warnings:
        print(f"voiceguide: warning: {warning}", file=sys.stderr)
    keeper = SettingsKeeper(settings)
    if chosen:
        keeper.update(**chosen)
    verbosity = keeper.settings.verbosity
    if verbosity == "auto":
        verbosity = "detailed" if procedure.rehearsal else auto_verbosity(procedure.id, records=records)
    return keeper, verbosity


def open_display(stack: ExitStack, wanted: bool | None, keeper: SettingsKeeper):
    """(the open window or None, a notice for the user or None). ``wanted`` None means:
    open it when a graphical display is present, quietly skip it otherwise."""
    from voiceguide.ui.display_tk import LargePrintDisplay, display_possible

    if wanted is False or (wanted is None and not display_possible()):
        return None, None
    window = LargePrintDisplay(
        size=keeper.settings.display_size,
        theme=keeper.settings.theme,
        on_size=lambda size: keeper.update(display_size=size),
    )
    try:
        return stack.enter_context(window), None
    except DisplayUnavailable as error:
        if wanted:
            return None, f"{str(error)[:1].upper()}{str(error)[1:]}; showing the steps as text only."
        log.info("%s", error)
        return None, None


def listeners(stack: ExitStack, main, voice: bool, window):
    """(the listener for the runner, the fallback for a lost microphone or None).

    Keys are heard alongside the main listener: the window's, and the terminal's single key
    presses when the answers are spoken and standard input is a terminal. If the microphone
    is lost, the terminal goes back to typed lines and the window's keys keep working."""
    from voiceguide.ui.terminal_keys import TerminalKeys
    from voiceguide.ui.text_io import KeyboardListener

    window_keys = [window.keys()] if window else []
    terminal = None
    if voice and sys.stdin.isatty():
        terminal = stack.enter_context(TerminalKeys())
    keys = window_keys + ([terminal] if terminal else [])
    listener = Alongside(main, *keys) if keys else main
    if not voice:
        return listener, None

    def fallback():
        if terminal is not None:
            terminal.close()
        typed = KeyboardListener()
        return Alongside(typed, *window_keys) if window_keys else typed

    return listener, fallback
