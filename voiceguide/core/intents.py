"""The command vocabulary: intents, what people say for each, and which intents each
listening moment accepts.

Pure data. Prompts teach the multi-word phrases (measured far more robust than single
syllables); the short words users are told about stay accepted. A bare "next" is not
accepted: "nest" was heard as "Next." (scripts/bench_recognition.py), and an advance must
never come from a sound-alike.
"""

from __future__ import annotations

import re
from enum import Enum


class Intent(str, Enum):
    NEXT = "next"
    REPEAT = "repeat"
    BACK = "back"
    SKIP = "skip"
    STOP = "stop"
    PAUSE = "pause"
    RESUME = "resume"
    END = "end"
    HELP = "help"
    WHERE = "where"
    YES = "yes"
    NO = "no"
    SLOWER = "slower"
    FASTER = "faster"
    LOUDER = "louder"
    QUIETER = "quieter"


class Moment(str, Enum):
    """A kind of listening moment; each accepts its own set of intents."""

    STEP = "step"  # a normal step is being worked on
    CHECK = "check"  # a critical yes/no question is open
    CONFIRM = "confirm"  # a spoken one-word "yes" to a check waits for "confirm"
    TIMER = "timer"  # a step's timer is running
    PAUSED = "paused"  # the session is on hold after "stop" or "wait"
    SAFE_EXIT = "safe_exit"  # a check was answered "no": only back or end
    CHECKIN = "checkin"  # the check-in question; its answers are in checkin_phrases.py
    ALL = "all"  # every intent (used by `recognize --expect all`)


# What people say, per intent. Order matters only for help text: the first phrase is taught.
# Not "all done" (next) and "speak up" (louder): Whisper tiny.en hears them as "Hold on."
# (pause) and "Speed up." (faster), and with a talking TV the gated and the untouched reading
# agreed on that (README, "Recognition"). Tune split, quick, without both: all commands 73.2 ->
# 78.5 % (the 260 clips left: clean, pink 10 dB and reverb the same, TV 20 dB 26 -> 27 of
# 50), wrong intents 3 -> 0 (two were "speak up"); their clips, decoded as negatives at a step,
# a check and the confirm moment, never advanced ("all done" heard as "Hold on." 20 of 120,
# "speak up" as "Speed up." 15 of 120). scripts/bench_recognition.py --retire PHRASE.
PHRASES: dict[Intent, tuple[str, ...]] = {
    Intent.NEXT: ("next step", "done", "continue"),
    Intent.REPEAT: ("repeat", "repeat that", "say again", "say that again"),
    Intent.BACK: ("go back", "previous step", "previous"),
    Intent.SKIP: ("skip step",),
    Intent.STOP: ("stop",),
    Intent.PAUSE: ("wait", "hold on", "pause"),
    Intent.RESUME: ("resume", "continue", "carry on"),
    Intent.END: ("end session", "quit"),
    Intent.HELP: ("help", "what can i say"),
    Intent.WHERE: ("where am i",),
    Intent.YES: ("yes", "confirm"),
    Intent.NO: ("no",),
    Intent.SLOWER: ("slow down", "slower"),
    Intent.FASTER: ("speed up", "faster"),
    Intent.LOUDER: ("louder",),
    Intent.QUIETER: ("quieter", "softer"),
}

_VOICE_SETTINGS = (Intent.SLOWER, Intent.FASTER, Intent.LOUDER, Intent.QUIETER)

ALLOWED: dict[Moment, frozenset[Intent]] = {
    Moment.STEP: frozenset(
        (
            Intent.NEXT,
            Intent.REPEAT,
            Intent.BACK,
            Intent.SKIP,
            Intent.STOP,
            Intent.PAUSE,
            Intent.HELP,
            Intent.WHERE,
            *_VOICE_SETTINGS,
        )
    ),
    Moment.CHECK: frozenset((Intent.YES, Intent.NO, Intent.REPEAT, Intent.HELP, Intent.WHERE, Intent.STOP)),
    Moment.CONFIRM: frozenset((Intent.YES, Intent.NO, Intent.REPEAT, Intent.HELP, Intent.WHERE, Intent.STOP)),
    Moment.TIMER: frozenset(
        (
            Intent.NEXT,
            Intent.REPEAT,
            Intent.SKIP,
            Intent.STOP,
            Intent.PAUSE,
            Intent.HELP,
            Intent.WHERE,
            *_VOICE_SETTINGS,
        )
    ),
    Moment.PAUSED: frozenset((Intent.RESUME, Intent.END, Intent.STOP, Intent.HELP, Intent.WHERE)),
    Moment.SAFE_EXIT: frozenset(
        (Intent.BACK, Intent.END, Intent.REPEAT, Intent.HELP, Intent.WHERE, Intent.STOP)
    ),
    Moment.CHECKIN: frozenset((Intent.REPEAT, Intent.HELP, Intent.STOP)),
    Moment.ALL: frozenset(Intent),
}

CONFIRM_PHRASE = "confirm"
"""The word that confirms a spoken "yes" to a critical check: Whisper hears "yes" in one-syllable
sound-alikes ("guess": 5 of 28 at a check). None of the 280 sound-alike clips was heard as
"confirm"; its own clips were: clean 20 of 20, pink 42 of 60, TV 15 of 60 (a miss re-prompts)."""

ONLY_PHRASES: dict[Moment, dict[Intent, tuple[str, ...]]] = {
    Moment.CONFIRM: {Intent.YES: (CONFIRM_PHRASE,)},
}
"""Moments where an intent accepts fewer of its phrases than ``PHRASES`` lists."""

# Single keys for a keyboard, switch or pedal (each command can also be pressed: README, the
# "key or switch" column), and typed words that speech does not accept. Never applied to speech.
KEYS: dict[str, Intent] = {
    "next": Intent.NEXT,
    "n": Intent.NEXT,
    "r": Intent.REPEAT,
    "b": Intent.BACK,
    "s": Intent.STOP,
    "y": Intent.YES,
    "yes": Intent.YES,  # typed, it is deliberate: no confirmation needed
    "h": Intent.HELP,
    "p": Intent.PAUSE,
    "c": Intent.RESUME,
    "w": Intent.WHERE,
    "e": Intent.END,
}


YES_NO_MOMENTS = frozenset((Moment.CHECK, Moment.CONFIRM))
"""Moments where a yes/no question is open: there the key ``n`` means "no", not "next"."""


def key_intent(typed: str, moment: Moment) -> Intent | None:
    """The intent of a typed single key or keyboard word at ``moment`` (not yet checked
    against ``ALLOWED``)."""
    if typed == "n" and moment in YES_NO_MOMENTS:
        return Intent.NO
    return KEYS.get(typed)


def phrases_for(moment: Moment) -> dict[str, Intent]:
    """Every phrase accepted at ``moment``, mapped to its intent.

    A phrase listed under two intents ("continue": next or resume) belongs to whichever of
    them the moment allows; no moment allows both.
    """
    table: dict[str, Intent] = {}
    only = ONLY_PHRASES.get(moment, {})
    for intent in Intent:
        if intent in ALLOWED[moment]:
            for phrase in only.get(intent, PHRASES[intent]):
                table.setdefault(phrase, intent)
    return table


def taught_phrase(intent: Intent, moment: Moment | None = None) -> str:
    """The phrase prompts teach for ``intent`` (at ``moment``, where it accepts fewer)."""
    return ONLY_PHRASES.get(moment, {}).get(intent, PHRASES[intent])[0]


_NOT_WORD = re.compile(r"[^a-z' ]+")
_SPACES = re.compile(r"\s+")


def normalise(text: str) -> str:
    """Lower case, punctuation and hyphens to spaces, apostrophes kept, spaces collapsed."""
    lowered = text.lower().replace("-", " ").replace("’", "'")
    return _SPACES.sub(" ", _NOT_WORD.sub(" ", lowered)).strip(" '")
