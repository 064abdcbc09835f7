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

HEARD_AS: dict[str, Intent] = {
    "see you again": Intent.REPEAT,
    "see again": Intent.REPEAT,
    "quiet": Intent.QUIETER,
    "soft": Intent.QUIETER,
    "soft up": Intent.QUIETER,
    "soft it": Intent.QUIETER,
    "soften": Intent.QUIETER,
    "slow it": Intent.SLOWER,
    "see not again": Intent.REPEAT,
    "same again": Intent.REPEAT,
}
"""What Whisper tiny.en writes for a phrase, taken as that phrase's intent wherever the intent
is allowed, but never taught nor put in the prompt. Only for intents that do not move the
session on. "Say again" in noise or reverb: its best reading was "See you again." or "See
again." for 5 of the 260 tune-quick commands and 4 of the 260 test-quick ones, and for no
other clip: no other command, negative or real recording of either quick subset, and none
of the 313 negatives of the tune split (scripts/bench_recognition.py, 2026-12-02). "Quiet."
and "Soft." for "quieter" and "softer" (stop 22): the best reading of 8 tune-split commands
that gave none (pink and TV), of no negative or real recording; test split, full run: 11
commands more right (clean 2, TV 20 dB 4) and one sound-alike taken ("nest" over a TV read
"Quiet."). "Soft up." for "softer" (stop 23): in both splits' full runs the best reading of 7
commands that gave none (tune clean and pink 20 dB 1 each; test clean 2, pink 20 and 5 dB
and reverb 1 each), and no reading of any other clip. Since stop 25 "Soft it." and "Soften."
for "softer", "Slow it." for "slow down" and "slower", "See not again." and "Same again." for
"say that again", chosen on stop 24's full tune run: the best reading of 11 commands that gave
none (slow it 4, see not again 3, soften 2, soft it 1, same again 1) and of no other clip;
among all readings of both splits, only of their own commands but "Slow it." (a tune negative
and a test "pause", neither its best reading) and "Soften." (a tune "faster" heard right).
Left out "Slow up." (a reading of 7 tune "softer"s) and "Stay up."/"Steve up." ("speed up",
but also the retired "speak up"). Full runs: tune 12 commands more right, test 8, none wrong,
no negative taken."""

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
    Moment.CHECK: frozenset((Intent.YES, Intent.NO, Intent.REPEAT, Intent.HELP, Intent.STOP)),
    Moment.CONFIRM: frozenset((Intent.YES, Intent.NO, Intent.REPEAT, Intent.HELP, Intent.STOP)),
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
    Moment.SAFE_EXIT: frozenset((Intent.BACK, Intent.END, Intent.REPEAT, Intent.HELP, Intent.STOP)),
    Moment.CHECKIN: frozenset((Intent.REPEAT, Intent.HELP, Intent.STOP)),
    Moment.ALL: frozenset(Intent),
}

CONFIRM_PHRASE = "confirm"
"""The one word that confirms a spoken "yes" to a critical check. A bare "yes" is the phrase
Whisper most often hears in a one-syllable sound-alike ("guess", "jess": 5 of 28 test-voice
sound-alikes at a check, scripts/bench_recognition.py, and no closed-set score separates them
from a real "yes"), so at a check a spoken "yes" is asked to be confirmed with this
two-syllable word. At the confirm moment none of the 280 sound-alike clips (both splits) was
heard as "confirm", and the corpus's "confirm" clips were heard right: clean 20 of 20, pink
noise 42 of 60, reverb 14 of 20, TV 15 of 60 (a miss is a re-prompt)."""

ONLY_PHRASES: dict[Moment, dict[Intent, tuple[str, ...]]] = {
    Moment.CONFIRM: {Intent.YES: (CONFIRM_PHRASE,)},
}
"""Moments where an intent accepts fewer of its phrases than ``PHRASES`` lists."""

# Single keys for a keyboard, switch or pedal (PRODUCT.md), and typed words that speech does
# not accept. Never applied to speech.
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
