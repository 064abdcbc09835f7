"""Preferences and the large-print display for one ``voiceguide run``: which settings apply,
which verbosity, and whether the window opens (it never stops a session from starting)."""

from __future__ import annotations

import logging
import sys
from contextlib import ExitStack
from dataclasses import replace

from voiceguide.errors import DisplayUnavailable
from voiceguide.experience import auto_verbosity
from voiceguide.procedure import Procedure
from voiceguide.settings import SettingsKeeper, load_settings

log = logging.getLogger(__name__)


def session_preferences(procedure: Procedure, chosen: dict) -> tuple[SettingsKeeper, str]:
    """The remembered settings with this run's flags applied (and remembered), and the
    verbosity to use ("auto" resolved from the completed sessions of this procedure)."""
    settings, warnings = load_settings()
    for warning in warnings:
        print(f"voiceguide: warning: {warning}", file=sys.stderr)
    keeper = SettingsKeeper(settings)
    if chosen:
        keeper.update(**chosen)
    verbosity = keeper.settings.verbosity
    if verbosity == "auto":
        verbosity = "detailed" if procedure.rehearsal else auto_verbosity(procedure.id)
    return keeper, verbosity


def open_display(stack: ExitStack, wanted: bool | None, keeper: SettingsKeeper):
    """(the open window or None, a notice for the user or None). ``wanted`` None means:
    open it when a graphical display is present, quietly skip it otherwise."""
    from voiceguide.display_tk import LargePrintDisplay, display_possible

    if wanted is False or (wanted is None and not display_possible()):
        return None, None
    window = LargePrintDisplay(size=keeper.settings.display_size, theme=keeper.settings.theme,
                               on_size=lambda size: keeper.update(display_size=size))
    try:
        return stack.enter_context(window), None
    except DisplayUnavailable as error:
        if wanted:
            return None, f"{str(error)[:1].upper()}{str(error)[1:]}; showing the steps as text only."
        log.info("%s", error)
        return None, None
