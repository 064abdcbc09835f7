"""One-key control: what each key of a keyboard, accessibility switch, foot pedal or
presentation clicker means. Pure data and one pure function.

Keys are named by their X11/Tk keysym ("space", "Return", "Right", "Next" for Page Down). The
"go on" key means next on a step and resume when paused. At a critical check it means nothing:
a check needs the explicit yes key (``y``) or the word "yes", never the go-on key.
"""

from __future__ import annotations

from voiceguide.core.intents import KEYS, Intent, Moment

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
LETTER = {intent: key for key, intent in KEYS.items()}

GUIDE = (
    ("Space or Enter", "next"),
    ("R", "repeat"),
    ("B", "back"),
    ("S or Esc", "stop"),
    ("Y", "yes"),
    ("H", "help"),
    ("C", "resume"),
    ("E", "end"),
)
"""The keys as help text and the display show them."""


def key_text(keysym: str, moment: Moment | None) -> str | None:
    """The single-key answer (a KEYS letter such as "n") that ``keysym`` stands for at
    ``moment``, or None for a key that means nothing."""
    if keysym in GO_ON:
        return LETTER[Intent.RESUME] if moment is Moment.PAUSED else LETTER[Intent.NEXT]
    if keysym in ALIASES:
        return LETTER[ALIASES[keysym]]
    letter = keysym.lower() if len(keysym) == 1 else None
    return letter if letter in KEYS else None


def keys_help(allowed: frozenset[Intent] | set[Intent]) -> str:
    """ "Space or Enter: next, R: repeat, ..." for the keys that do something here."""
    names = {
        "next": Intent.NEXT,
        "repeat": Intent.REPEAT,
        "back": Intent.BACK,
        "stop": Intent.STOP,
        "yes": Intent.YES,
        "help": Intent.HELP,
        "resume": Intent.RESUME,
        "end": Intent.END,
    }
    shown = []
    for key, name in GUIDE:
        if name == "next" and Intent.NEXT not in allowed and Intent.RESUME in allowed:
            name = "resume"  # the go-on key resumes a paused session
        elif names[name] not in allowed or (name == "resume" and Intent.NEXT not in allowed):
            continue
        shown.append(f"{key}: {name}")
    return ", ".join(shown)
