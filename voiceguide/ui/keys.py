"""One-key control: what each key of a keyboard, accessibility switch, foot pedal or
presentation clicker means. Pure data and one pure function.

Keys are named by their X11/Tk keysym ("space", "Return", "Right", "Next" for Page Down). The
"go on" key means next on a step and resume when paused. At a critical check it means nothing:
a check needs the explicit yes key (``y``) or the word "yes", never the go-on key.
"""

from __future__ import annotations

from voiceguide.core.intents import KEYS, YES_NO_MOMENTS, Intent, Moment
from voiceguide.core.prompts import KEY_GUIDE as GUIDE
from voiceguide.core.prompts import one_key_help as keys_help

GO_ON = ("space", "Return", "KP_Enter", "Right", "Next", "n")
"""Keys that mean "next" (and "resume" when paused): what a one-button switch or pedal sends."""
ALIASES: dict[str, Intent] = {
    "Left": Intent.BACK,
    "Prior": Intent.BACK,
    "BackSpace": Intent.BACK,
    "Up": Intent.REPEAT,
    "Escape": Intent.STOP,
    "question": Intent.HELP,
}
"""Other keys (arrows, Page Up, Escape) that clickers and pedals commonly send."""
LETTER = {intent: key for key, intent in KEYS.items() if len(key) == 1}
__all__ = ["ALIASES", "GO_ON", "GUIDE", "LETTER", "key_text", "keys_help"]


def key_text(keysym: str, moment: Moment | None) -> str | None:
    """The single-key answer (a KEYS letter or word such as "r") that ``keysym`` stands for at
    ``moment``, or None for a key that means nothing. Where a yes/no question is open, ``N``
    means "no"; the other go-on keys still mean next there (which does not answer a check)."""
    if keysym in ("n", "N") and moment in YES_NO_MOMENTS:
        return "n"
    if keysym in GO_ON:
        return LETTER[Intent.RESUME] if moment is Moment.PAUSED else "next"
    if keysym in ALIASES:
        return LETTER[ALIASES[keysym]]
    letter = keysym.lower() if len(keysym) == 1 else None
    return letter if letter in KEYS else None
