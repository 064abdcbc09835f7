"""One event vocabulary for the journal, the console display and the tests.

The pure session emits events without a time; the runner stamps them (``at``) and hands the
same object to the journal (one JSON object per line) and to the display.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from enum import Enum
from typing import Any


class EventType(str, Enum):
    SESSION_STARTED = (
        "session_started"  # procedure, title, steps, rehearsal, dose_step; resumes, first_step, dose_given
    )
    STEP_STARTED = "step_started"  # index (1-based), total, step id, title
    SAID = "said"  # text spoken (or printed) by the assistant
    SPEECH_CUT = "speech_cut"  # speech was cut off by "stop"
    HEARD = "heard"  # text, intent (or None), confidence, source
    UNCLEAR = "unclear"  # heard something not clearly a command allowed here: re-prompted
    REMINDER = "reminder"  # silence: a gentle reminder, count
    HELD = "held"  # step: "wait" on a step; no reminders until the user next speaks
    CHECK_ASKED = "check_asked"  # step id, question
    CHECK_ANSWERED = "check_answered"  # step id, answer "yes" / "no"
    CONFIRM_ASKED = "confirm_asked"  # step id: a spoken "yes" to the check waits for "confirm"
    TIMER_STARTED = "timer_started"  # step id, seconds
    TIMER_RUNNING = "timer_running"  # step id, left (seconds): the countdown (re)starts now
    TIMER_FINISHED = "timer_finished"  # step id
    PAUSED = "paused"  # step; timer_left (seconds) when a running timer was paused
    RESUMED = "resumed"
    SETTING_CHANGED = "setting_changed"  # name, value
    NOTICE = "notice"  # something the user should know (fallback to keyboard, ...)
    SESSION_ENDED = (
        "session_ended"  # outcome: completed / ended / declined_check / input_closed / interrupted
    )
    DOSE_GIVEN = "dose_given"  # step id, site (or None): the user moved past the dose step
    SITE_CHOSEN = "site_chosen"  # site (from the profile), step id: the site confirmed for today
    CHECKIN = "checkin"  # effects, concerning (lists of effect names), about (session id or None)


@dataclass(frozen=True)
class Event:
    type: EventType
    data: dict[str, Any] = field(default_factory=dict)
    at: float | None = None
    """Wall-clock seconds since the epoch, stamped by the runner."""

    def stamped(self, at: float) -> Event:
        return replace(self, at=at)

    def to_dict(self) -> dict[str, Any]:
        return {"type": self.type.value, "at": self.at, **self.data}

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False)

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> Event:
        """Raises ValueError (or KeyError, TypeError) on an unknown type or a time that is
        not a number, so a reader can skip and count the entry."""
        raw = dict(raw)
        kind = EventType(raw.pop("type"))
        at = raw.pop("at", None)
        if at is not None and (isinstance(at, bool) or not isinstance(at, (int, float)) or at != at):
            raise ValueError(f"'at' is not a time: {at!r}")
        return cls(kind, raw, at)

    @classmethod
    def from_json(cls, line: str) -> Event:
        return cls.from_dict(json.loads(line))


def event(kind: EventType, **data: Any) -> Event:
    return Event(kind, data)
