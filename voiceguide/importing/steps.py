"""Pure step-making: split long steps at sentence ends so that none runs over
``MAX_SPOKEN_S`` at the default speech rate, find timers ("for 10 minutes", "wait 30
seconds"), and name each step."""

from __future__ import annotations

import re
from dataclasses import dataclass

from voiceguide.core.session_types import DEFAULT_RATE

MAX_SPOKEN_S = 25.0
"""Longest a spoken step may run, seconds, at the default rate."""
WORDS_PER_S = DEFAULT_RATE / 60
"""Words a second at the session's default rate (165 words a minute: 2.75)."""
MAX_WORDS = int(MAX_SPOKEN_S * WORDS_PER_S)
"""Words in one spoken step, "Step N of M. Title." included (68)."""
STEP_NUMBER_WORDS = 4
"""'Step 12 of 30.'"""
TITLE_WORDS = 6
"""Longest title made from a step's first words."""
TIMER_RANGE_S = (10, 3600)
"""Waits that become timers, seconds: shorter ones are counted faster than a timer step is
started; the format allows up to an hour."""

_SENTENCE_END = re.compile(r"(?<=[.!?])[\"”')\]]*\s+(?=[\"“(\[]?[A-Z0-9])")
_CLAUSE_END = re.compile(r"(?<=[;,:])\s+")
_NUMBER_WORDS = {
    "a": 1,
    "an": 1,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "fifteen": 15,
    "twenty": 20,
    "thirty": 30,
    "forty": 40,
    "forty-five": 45,
    "sixty": 60,
}
_NUMBER = r"(?:\d+(?:[.,]\d+)?|" + "|".join(sorted(_NUMBER_WORDS, key=len, reverse=True)) + r")"
_UNIT = r"(?P<unit>seconds?|secs?|minutes?|mins?|hours?|hrs?)\b"
DURATION = re.compile(
    r"\b(?P<half>half an? (?=hour))?(?P<low>" + _NUMBER + r")?"
    r"(?:\s*(?:-|–|to|or)\s*(?P<high>" + _NUMBER + r"))?\s*" + _UNIT,
    re.IGNORECASE,
)
_CUE = re.compile(r"\b(?:for|wait|about|around|another|further|leave|rest|stand|set a timer for)\s+$", re.I)
_UNIT_S = {"s": 1, "m": 60, "h": 3600}


@dataclass(frozen=True)
class Found:
    """A duration found in a step."""

    seconds: int
    said: str
    """As written ("10 to 12 minutes")."""


def find_timer(text: str) -> Found | None:
    """The step's wait, or None: the first duration after a cue ("for", "wait", "about",
    ...), else the only duration in the step. A range times its lower end."""
    found = [m for m in DURATION.finditer(text) if m.group("low") or m.group("half")]
    cued = [m for m in found if _CUE.search(text[: m.start()])]
    found = [m for m in found if m in cued or (m.group("low") or "").lower() not in ("a", "an")]
    if not found:
        return None
    if not cued and len(found) > 1:
        return None
    match = (cued or found)[0]
    if match.group("half"):
        amount = 0.5
    else:
        word = match.group("low").lower().replace(",", ".")
        amount = float(_NUMBER_WORDS.get(word, 0) or word)
    seconds = round(amount * _UNIT_S[match.group("unit")[0].lower()])
    return Found(seconds=seconds, said=_SPACES.sub(" ", match.group(0).strip()))


def words(text: str) -> int:
    return len(text.split())


def sentences(text: str) -> list[str]:
    return [part.strip() for part in _SENTENCE_END.split(text) if part.strip()]


def split_spoken(text: str, budget: int) -> list[str]:
    """``text`` in parts of at most ``budget`` words, cut at sentence ends where possible
    (then at clause ends, then between words)."""
    if words(text) <= budget:
        return [text]
    pieces: list[str] = []
    for sentence in sentences(text):
        if words(sentence) <= budget:
            pieces.append(sentence)
            continue
        for clause in _CLAUSE_END.split(sentence):
            tokens = clause.split()
            pieces.extend(" ".join(tokens[i : i + budget]) for i in range(0, len(tokens), budget))
    parts: list[str] = []
    for piece in pieces:
        if parts and words(parts[-1]) + words(piece) <= budget:
            parts[-1] = f"{parts[-1]} {piece}"
        else:
            parts.append(piece)
    return parts


def title_for(text: str) -> str:
    """A short name from the step's first words: up to the first sentence or clause end, or
    a preposition or conjunction from the fourth word on, at most ``TITLE_WORDS`` words."""
    first = re.split(r"(?<=[.!?;:,])\s|\s[–—-]\s", text.strip(), maxsplit=1)[0]
    tokens = first.split()
    cut = next((i for i in range(3, len(tokens)) if tokens[i].lower() in _TITLE_CUTS), len(tokens))
    tokens = tokens[: min(cut, TITLE_WORDS)]
    while len(tokens) > 2 and tokens[-1].lower() in _LOOSE_ENDS:
        tokens.pop()
    title = " ".join(tokens).rstrip(".,;:!?-–— ")
    return (title[:1].upper() + title[1:]) or "Step"


def budget_for(title: str) -> int:
    """Words left for a step's text once "Step N of M. Title." is said."""
    return max(12, MAX_WORDS - STEP_NUMBER_WORDS - words(title))


def seconds_words(seconds: int) -> str:
    """600 -> "10 minutes"; 90 -> "1 minute 30 seconds"."""
    parts = []
    for size, name in ((3600, "hour"), (60, "minute"), (1, "second")):
        count, seconds = divmod(seconds, size)
        if count:
            parts.append(f"{count} {name}{'' if count == 1 else 's'}")
    return " ".join(parts)


_SPACES = re.compile(r"\s+")
_LOOSE_ENDS = frozenset(
    "a an the of to in on at by for from with into onto under over and or your its their this that".split()
)
"""Words a title made from a step's first words does not end on."""
_TITLE_CUTS = frozenset(
    "in on at with into onto under over and or then until while before after so for from "
    "down by through when if but".split()
)
"""From its fourth word on, a title stops before one of these ("Heat the oil | in a pan")."""
