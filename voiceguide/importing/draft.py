"""What a reader finds in a file before it becomes a procedure: the steps in order, the
things to gather and the title. Pure data, shared by every format's reader."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

NEED_HEADING = re.compile(
    r"\b(ingredients?|you(?:'|’)?ll need|you will need|what you need|things you need|equipment|"
    r"materials|supplies|tools|in the box|box contents|what's in the box)\b",
    re.IGNORECASE,
)
"""A heading over a list of things to gather rather than steps."""
SKIP_HEADING = re.compile(
    r"\b(tips?|notes?|faqs?|nutrition|comments?|reviews?|related|see also|references|"
    r"troubleshooting|warranty|contents)\b",
    re.IGNORECASE,
)
"""A heading over a list that is neither steps nor things to gather."""
METHOD_HEADING = re.compile(r"\b(method|instructions?|directions?|steps?|preparation|how to)\b", re.I)
"""A heading over the steps."""


@dataclass
class RawStep:
    text: str
    """What the instruction says, sub-steps included, as one paragraph."""
    title: str | None = None
    """A name the source gives the step (a bold lead, a HowToStep name), if any."""
    section: str | None = None
    """The heading the step is under, if any."""


@dataclass
class Draft:
    title: str | None = None
    steps: list[RawStep] = field(default_factory=list)
    items: list[str] = field(default_factory=list)
    """Things to gather (ingredients, "you will need")."""
    found_in: str = ""
    """Where the steps were found, for the summary ("the recipe's JSON-LD", "a numbered list")."""
    notes: list[str] = field(default_factory=list)
    """Said in the summary (e.g. the text encoding that was guessed)."""


_SPACES = re.compile(r"\s+")


def clean(text: str) -> str:
    """One line of plain text: whitespace collapsed, control characters and braces (which a
    procedure reserves for profile values) replaced."""
    text = "".join(c if c.isprintable() else " " for c in text)
    return _SPACES.sub(" ", text.replace("{", "(").replace("}", ")")).strip()


def join_sub_steps(text: str, subs: list[str]) -> str:
    """A step and its sub-steps as one paragraph of sentences."""
    parts = [clean(text)] + [clean(sub) for sub in subs]
    parts = [part for part in parts if part]
    return " ".join(_ended(part, index + 1 < len(parts)) for index, part in enumerate(parts))


def _ended(part: str, more: bool) -> str:
    """``part`` ending a sentence, unless it runs on into the next one ("... in the pan, or")."""
    if part[-1] in ".!?:;" or (more and (part[-1] == "," or part.split()[-1].lower() in ("or", "and"))):
        return part
    return part + "."
