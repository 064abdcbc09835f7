"""What the large-print display shows, worked out from a real session's events (pure)."""

from __future__ import annotations

import pytest

from voiceguide.app.adapters import Adapters, prepare
from voiceguide.app.runner import Runner
from voiceguide.core.events import EventType, event
from voiceguide.core.intents import Moment
from voiceguide.core.session import Session
from voiceguide.recognition.matching import match
from voiceguide.ui.screen import Screen, apply
from voiceguide.ui.text_io import FakeClock, MemoryJournal, QuietSpeaker, ScriptedListener

pytestmark = pytest.mark.unit


class ScreenDisplay:
    def __init__(self):
        self.screen = Screen()
        self.seen = []

    def show(self, item):
        self.screen = apply(self.screen, item)
        self.seen.append(self.screen)


def run(script, source="keyboard"):
    clock = FakeClock()
    display = ScreenDisplay()
    runner = Runner(
        Session(prepare("b12-im", "example", False)),
        Adapters(
            speaker=QuietSpeaker(),
            listener=ScriptedListener(
                script, clock, source=source, recognize=match if source == "voice" else None
            ),
            clock=clock,
            journal=MemoryJournal(),
            display=display,
            wall=clock.now,
        ),
    )
    runner.run()
    return display, clock


def test_a_check_is_written_out_not_shown_by_colour():
    display, _ = run(["n"] * 4)
    at_check = [s for s in display.seen if s.moment is Moment.CHECK][-1]
    assert at_check.position == "Step 5 of 18" and at_check.status.startswith("SAFETY CHECK")
    assert "Question: Is your sharps container within arm's reach?" in at_check.body
    assert '"yes"' in at_check.say_help and "Y: yes" in at_check.keys_help
    assert "next" not in at_check.keys_help  # the next key does not answer a check
    assert at_check.progress == 5 / 18


def test_a_spoken_yes_at_a_check_shows_the_confirm_word_until_the_check_is_asked_again():
    display, _ = run(["next step"] * 4 + ["yes", "no"], source="voice")
    confirming = [s for s in display.seen if s.moment is Moment.CONFIRM]
    assert confirming and confirming[0].status == "SAFETY CHECK: say CONFIRM, or NO"
    assert '"confirm"' in confirming[0].say_help and '"yes"' not in confirming[0].say_help
    asked_again = display.seen[display.seen.index(confirming[-1]) + 1 :]
    assert any(
        s.moment is Moment.CHECK and s.status.startswith("SAFETY CHECK: answer YES") for s in asked_again
    )


def test_no_at_a_check_and_pause_and_resume_are_shown_in_words():
    display, _ = run(["n"] * 4 + ["no", "s", "c"])
    statuses = [s.status for s in display.seen]
    assert "STOPPED: do not go on" in statuses and "PAUSED" in statuses
    assert display.seen[-1].ended and display.seen[-1].status == "SESSION ENDED"


def test_the_timer_countdown_matches_the_spoken_count():
    steps = [s.id for s in prepare("b12-im", "example", False).steps]
    timer = steps.index("clean-skin")
    answers = []
    for step in prepare("b12-im", "example", False).steps[:timer]:
        answers.append("y" if step.check else "n")
    display, clock = run(
        answers + ["n", None, None, "s"]
    )  # "n" starts the timer; the 10-second notice, then "5", then stop
    running = [s for s in display.seen if s.timer_end is not None][-1]
    # the spoken "5." came at the deadline; the screen said 0:05 at that moment
    assert running.timer_text(running.timer_end - 5) == "0:05"
    assert running.timer_text(running.timer_end - 4.6) == "0:05"
    assert running.timer_text(running.timer_end + 3) == "0:00"
    paused = (
        display.seen[-1]
        if display.seen[-1].moment is Moment.PAUSED
        else [s for s in display.seen if s.moment is Moment.PAUSED][-1]
    )
    assert paused.timer_end is None and paused.timer_text(0) == "0:05"


def test_heard_shows_text_and_meaning():
    screen = apply(Screen(), event(EventType.HEARD, text="the weather", intent=None))
    assert screen.heard == 'Heard: "the weather" → not a command here'
