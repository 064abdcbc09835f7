"""What the large-print display shows, worked out from the session's events alone. Pure:
the Tk window (``display_tk.py``) only draws a ``Screen``; tests read it directly.

Nothing is carried by colour alone: the moment ("SAFETY CHECK", "PAUSED", ...), the progress
("Step 5 of 18") and the timer are all written out.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from voiceguide.core.events import Event, EventType
from voiceguide.core.intents import ALLOWED, Intent, Moment, taught_phrase
from voiceguide.ui.keys import keys_help

_SAY_ORDER = (
    Intent.NEXT,
    Intent.YES,
    Intent.NO,
    Intent.RESUME,
    Intent.REPEAT,
    Intent.BACK,
    Intent.STOP,
    Intent.END,
    Intent.HELP,
    Intent.WHERE,
)
_STATUS = {
    Moment.STEP: "",
    Moment.CHECK: "SAFETY CHECK: answer YES or NO",
    Moment.CONFIRM: "SAFETY CHECK: say CONFIRM, or NO",
    Moment.TIMER: "TIMER",
    Moment.PAUSED: "PAUSED",
    Moment.SAFE_EXIT: "STOPPED: do not go on",
}


@dataclass(frozen=True)
class Screen:
    title: str = "voiceguide"
    """The procedure's title until the first step, then the step's title."""
    position: str = ""
    """"Step N of M"."""
    progress: float = 0.0
    """0..1: steps started out of all steps."""
    body: str = "Starting..."
    """The step's instruction, and the question of a check."""
    status: str = ""
    """The moment in words: "SAFETY CHECK: answer YES or NO", "PAUSED", "TIMER", ..."""
    moment: Moment | None = None
    timer_end: float | None = None
    """Wall-clock time (epoch seconds) the running timer ends, or None."""
    timer_left: float | None = None
    """Seconds left on a timer that is not running (paused, or waiting for its prompt)."""
    heard: str = ""
    """What the assistant last heard, and what it made of it."""
    ended: bool = False
    before_pause: tuple[Moment | None, str] | None = None
    """The moment and status to go back to on resume."""

    def timer_text(self, now: float) -> str:
        """ "0:25" while a timer runs (whole seconds, rounded as the spoken count is), "" if none."""
        if self.timer_end is not None:
            left = max(0, round(self.timer_end - now))
        elif self.timer_left is not None:
            left = round(self.timer_left)
        else:
            return ""
        return f"{left // 60}:{left % 60:02d}"

    @property
    def say_help(self) -> str:
        if self.moment is None or self.ended:
            return ""
        allowed = ALLOWED[self.moment]
        return "Say: " + " · ".join(f'"{taught_phrase(i, self.moment)}"' for i in _SAY_ORDER if i in allowed)

    @property
    def keys_help(self) -> str:
        if self.moment is None or self.ended:
            return ""
        return "Keys: " + keys_help(ALLOWED[self.moment])


def apply(screen: Screen, item: Event) -> Screen:
    """The screen after ``item``."""
    data, kind = item.data, item.type
    if kind is EventType.SESSION_STARTED:
        return replace(screen, title=data["title"], body="Starting...")
    if kind is EventType.STEP_STARTED:
        return replace(
            screen,
            title=data["title"],
            position=f"Step {data['index']} of {data['total']}",
            progress=data["index"] / data["total"],
            body=data.get("text", ""),
            moment=Moment.STEP,
            status="",
            timer_end=None,
            timer_left=None,
        )
    if kind is EventType.CHECK_ASKED:
        body = screen.body.split("\n\nQuestion: ")[0]
        return replace(
            screen,
            body=f"{body}\n\nQuestion: {data['question']}",
            moment=Moment.CHECK,
            status=_STATUS[Moment.CHECK],
        )
    if kind is EventType.CONFIRM_ASKED:
        return replace(screen, moment=Moment.CONFIRM, status=_STATUS[Moment.CONFIRM])
    if kind is EventType.CHECK_ANSWERED and data.get("answer") == "no":
        return replace(screen, moment=Moment.SAFE_EXIT, status=_STATUS[Moment.SAFE_EXIT])
    if kind is EventType.TIMER_STARTED:
        return replace(
            screen,
            moment=Moment.TIMER,
            status=_STATUS[Moment.TIMER],
            timer_left=float(data["seconds"]),
            timer_end=None,
        )
    if kind is EventType.TIMER_RUNNING:
        at = item.at if item.at is not None else 0.0
        return replace(screen, timer_end=at + float(data["left"]), timer_left=None)
    if kind is EventType.TIMER_FINISHED:
        return replace(screen, moment=Moment.STEP, status="TIME IS UP", timer_end=None, timer_left=None)
    if kind is EventType.PAUSED:
        left = data.get("timer_left")
        return replace(
            screen,
            moment=Moment.PAUSED,
            status=_STATUS[Moment.PAUSED],
            timer_end=None,
            timer_left=float(left) if left is not None else screen.timer_left,
            before_pause=(screen.moment, screen.status),
        )
    if kind is EventType.RESUMED:
        moment, status = screen.before_pause or (Moment.STEP, "")
        return replace(screen, moment=moment, status=status, before_pause=None)
    if kind is EventType.HEARD:
        intent = data.get("intent")
        what = f" → {intent}" if intent else " → not a command here"
        return replace(screen, heard=f'Heard: "{data.get("text", "")}"{what}')
    if kind is EventType.SESSION_ENDED:
        words = {
            "completed": "Finished",
            "ended": "Session ended",
            "declined_check": "Session ended",
            "input_closed": "Session ended",
            "interrupted": "Session interrupted",
        }
        return replace(
            screen,
            status=words.get(data.get("outcome"), "Session ended").upper(),
            moment=None,
            ended=True,
            timer_end=None,
            timer_left=None,
        )
    return screen
