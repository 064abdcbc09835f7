"""The values the session state machine takes in and gives out: its state, the inputs
(each carrying the time, ``now``, in monotonic seconds) and the effects the runner carries out.
Pure data.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from voiceguide.core.events import Event
from voiceguide.core.intents import Intent, Moment

DEFAULT_RATE = 165
"""Speech rate a session starts at, words per minute."""


class Mode(str, Enum):
    STEP = "step"
    READY = "ready"  # a timer step: its timer starts when the user says the action is done
    CHECK = "check"
    CONFIRM = "confirm"  # a spoken "yes" to the check waits for "confirm"
    TIMER = "timer"
    PAUSED = "paused"
    SAFE_EXIT = "safe_exit"
    ENDED = "ended"


class Outcome(str, Enum):
    COMPLETED = "completed"
    ENDED = "ended"  # the user chose to end
    DECLINED_CHECK = "declined_check"  # ended after "no" to a critical check
    INPUT_CLOSED = "input_closed"  # the input ran out
    INTERRUPTED = "interrupted"  # Ctrl-C (recorded by the runner; the program then exits)


# -- inputs -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Start:
    now: float


@dataclass(frozen=True)
class SpeechEnded:
    """Everything said so far has been played: the silence clock starts now."""

    now: float


@dataclass(frozen=True)
class Command:
    """Something heard at this moment: ``intent`` is None when it was not a clear, allowed
    command (``elsewhere`` then names the intent it would be at another moment, if any).
    ``spoken``: it came from a microphone (a key press or a typed line is deliberate)."""

    now: float
    intent: Intent | None
    text: str = ""
    elsewhere: Intent | None = None
    spoken: bool = False


@dataclass(frozen=True)
class Tick:
    now: float


@dataclass(frozen=True)
class InputClosed:
    now: float


@dataclass(frozen=True)
class Saving:
    """Whether the record is being saved: ``failing`` while journal writes fail."""

    now: float
    failing: bool


# -- effects ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Say:
    text: str


@dataclass(frozen=True)
class CutSpeech:
    pass


@dataclass(frozen=True)
class Emit:
    event: Event


@dataclass(frozen=True)
class SetVoice:
    rate: int
    volume: float


@dataclass(frozen=True)
class End:
    outcome: Outcome


@dataclass(frozen=True)
class ReminderPolicy:
    """When silence gets a reminder ("I'm still here..."). A step's ``expect_seconds``, when it
    has one, replaces ``first_s``."""

    first_s: float = 20.0
    """Seconds of silence after a prompt before the first reminder."""
    later_s: tuple[float, ...] = (45.0, 90.0)
    """Seconds of silence after each reminder before the next (the last repeats)."""


@dataclass(frozen=True)
class State:
    index: int = 0
    """Current step, 0-based."""
    mode: Mode = Mode.STEP
    resume_to: Mode | None = None
    """The mode a pause returns to."""
    rate: int = DEFAULT_RATE
    """Speech rate, words per minute."""
    volume: float = 1.0
    quiet_since: float | None = None
    """When the assistant last finished speaking (the silence clock), or None while speaking."""
    reminders: int = 0
    held: bool = False
    """The user said "wait": no reminders until they next speak."""
    timer_end: float | None = None
    """When the running timer ends; None while it waits for its prompt to finish."""
    timer_left: float | None = None
    """Seconds left on a timer that is waiting to (re)start."""
    timer_noticed: bool = False
    timer_counted: int | None = None
    """The last number of the final countdown said aloud (5, 4, ...), or None."""
    verbosity: str = "detailed"
    """"detailed" (the full step text) or "brief" (the step's short form, where it has one)."""
    site_pick: int = 0
    """Which trained site a site-choice step is asking about (index into its sites)."""
    outcome: Outcome | None = None
    dose_given: bool = False
    """The user has moved past the procedure's dose step (in the guided session or the one it
    resumes): every later outcome keeps it."""
    site: str | None = None
    """The site confirmed for today (a site-choice step's "yes"), or None."""
    unsaved: bool = False
    """The record cannot be saved at the moment (the journal's writes fail)."""
    unsaved_ok: bool = False
    """The user said "yes" (and "confirm") to going on to the dose step without a saved record."""
    saving_check: bool = False
    """The check being asked is "go on to the dose step without a saved record?"."""
    item: int | None = None
    """Which thing of a gather step's list was read last (0-based), or None (``gather.py``)."""

    @property
    def moment(self) -> Moment | None:
        return {
            Mode.STEP: Moment.STEP,
            Mode.READY: Moment.STEP,
            Mode.CHECK: Moment.CHECK,
            Mode.CONFIRM: Moment.CONFIRM,
            Mode.TIMER: Moment.TIMER,
            Mode.PAUSED: Moment.PAUSED,
            Mode.SAFE_EXIT: Moment.SAFE_EXIT,
        }.get(self.mode)


Input = Start | SpeechEnded | Command | Tick | InputClosed | Saving
Effect = Say | CutSpeech | Emit | SetVoice | End
Effects = list[Effect]
