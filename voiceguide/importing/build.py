"""A draft becomes a procedure: the gather step, each instruction (split to be heard in
``steps.MAX_SPOKEN_S``), a timer step the user starts after each instruction that names a wait,
and ``imported: true``. Pure: a mapping ready for YAML, and a summary of what was found."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import yaml

from voiceguide.core.timer import ready_prompt
from voiceguide.errors import ImportProblem
from voiceguide.importing.draft import Draft, clean
from voiceguide.importing.steps import (
    TIMER_RANGE_S,
    budget_for,
    find_timer,
    seconds_words,
    split_spoken,
    title_for,
    words,
)

NO_STEPS = "no list of steps found; number the steps (1. 2. 3.) or start each with '-', one step per line"
MAX_STEPS = 300
"""More steps than this is not a procedure to follow by ear."""
GATHER_TITLE = "Gather what you need"
MAX_TITLE_WORDS = 12
"""A longer name a source gives a step (or its section) is cut to its first words."""


READY_WORDS = len(ready_prompt(3600).split())
"""Words of the invitation the session adds to a timer step ("Say next step when it is done, ...")."""


@dataclass
class Summary:
    steps: int = 0
    instructions: int = 0
    """Steps of the source, before splitting."""
    items: int = 0
    timers: list[str] = field(default_factory=list)
    untimed: list[str] = field(default_factory=list)
    """Waits too long for a timer ("4 hours")."""
    sections: list[str] = field(default_factory=list)
    split: int = 0
    """Source steps split into several spoken steps."""
    found_in: str = ""
    notes: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        said = [
            f"Found {self.instructions} instructions in {self.found_in}: {self.steps} steps to follow.",
            f"Things to gather: {self.items}." if self.items else "Things to gather: none found.",
            f"Timers: {len(self.timers)} ({', '.join(self.timers)})." if self.timers else "Timers: none.",
        ]
        if self.untimed:
            said.append(f"Waits longer than an hour, left without a timer: {', '.join(self.untimed)}.")
        if self.sections:
            said.append(f"Sections: {len(self.sections)} ({', '.join(self.sections)}).")
        if self.split:
            said.append(f"Long instructions split at sentence ends: {self.split}.")
        return said + self.notes


def slug(text: str) -> str:
    words = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    return (words[:48].rstrip("-") or "imported") if words and words[0].isalnum() else "imported"


def build(draft: Draft, source: str, title: str | None = None) -> tuple[dict, Summary]:
    """The procedure mapping (as a YAML file has it) and the summary."""
    title = clean(title or draft.title or "") or "Imported instructions"
    summary = Summary(found_in=draft.found_in, notes=list(draft.notes))
    steps: list[dict] = []
    items = [item for item in (clean(i) for i in draft.items) if item]
    if items:
        steps.append(
            {
                "id": "gather",
                "title": GATHER_TITLE,
                "say": "Gather what you need before you start.",
                "items": items,
                "skippable": True,
            }
        )
        summary.items = len(items)
    section = None
    named = len({clean(raw.section or "") for raw in draft.steps if clean(raw.text)}) > 1
    for number, raw in enumerate(draft.steps, start=1):
        text = clean(raw.text)
        if not text:
            continue
        summary.instructions += 1
        name = clean(raw.title or "") or title_for(text)
        if named and raw.section and raw.section != section:  # a new section: its name leads the title
            section = clean(raw.section)
            summary.sections.append(section)
            name = f"{section}: {name}"
        if words(name) > MAX_TITLE_WORDS:
            name = title_for(name)
        timer = find_timer(text)
        timed = timer is not None and TIMER_RANGE_S[0] <= timer.seconds <= TIMER_RANGE_S[1]
        # room for the session's invitation to start the timer, said after the last part
        parts = split_spoken(text, budget_for(name) - (READY_WORDS if timed else 0))
        summary.split += len(parts) > 1
        for index, part in enumerate(parts):
            steps.append(
                {
                    "id": f"step-{number}" + (f"-part-{index + 1}" if index else ""),
                    "title": name if not index else f"{name}, part {index + 1}",
                    "say": part,
                }
            )
        if timed:  # the session starts it when the user says this is done; "next step" skips it
            length = seconds_words(timer.seconds)
            steps[-1]["timer"] = {
                "seconds": timer.seconds,
                "done": f"Time is up: {length} have passed."
                if not length.startswith("1 ")
                else "Time is up.",
            }
            steps[-1]["skippable"] = True
            summary.timers.append(
                length if timer.said.lower() == length else f"{length}, from '{timer.said}'"
            )
        elif timer and timer.seconds > TIMER_RANGE_S[1]:
            summary.untimed.append(timer.said)
    if not summary.instructions:
        raise ImportProblem(source, NO_STEPS)
    summary.steps = len(steps)
    if len(steps) > MAX_STEPS:
        raise ImportProblem(
            source,
            f"has {len(steps)} steps, more than {MAX_STEPS} to follow by ear; import a shorter part of it",
        )
    intro = (
        f"This procedure was imported from {_name(source)}. It has {len(steps)} steps. "
        'Say "next step" when a step is done, "repeat" to hear it again, or "stop" at any time.'
    )
    procedure = {"id": slug(title), "title": title, "imported": True, "intro": intro, "steps": steps}
    return procedure, summary


def to_yaml(procedure: dict, source: str) -> str:
    head = (
        f"# Imported from {_name(source)} by 'voiceguide import'. Check every step before you rely on\n"
        "# it. It is not medical: a critical check or a dose step is refused while\n"
        "# 'imported: true' is set; a person who has reviewed the whole file removes that line.\n"
    )
    return head + yaml.safe_dump(procedure, sort_keys=False, allow_unicode=True, width=100)


def _name(source: str) -> str:
    return re.split(r"[\\/]", source)[-1]
