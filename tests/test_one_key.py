"""One-key control: what each key means at each moment, a whole B12 session driven by keys
alone, and keys heard alongside the voice."""

from __future__ import annotations

import io

import pytest

from voiceguide.app.adapters import Adapters, prepare
from voiceguide.app.runner import Runner
from voiceguide.core.events import EventType
from voiceguide.core.intents import Moment
from voiceguide.core.ports import Heard
from voiceguide.core.session import Session
from voiceguide.core.session_types import Outcome
from voiceguide.recognition.matching import match
from voiceguide.ui.combine import Alongside
from voiceguide.ui.keys import key_text
from voiceguide.ui.text_io import ConsoleDisplay, FakeClock, MemoryJournal, QuietSpeaker

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(
    "keysym, moment, intent",
    [
        ("space", Moment.STEP, "next"),
        ("Return", Moment.STEP, "next"),
        ("Next", Moment.TIMER, "next"),
        ("Right", Moment.STEP, "next"),
        ("space", Moment.PAUSED, "resume"),
        ("Escape", Moment.STEP, "stop"),
        ("Escape", Moment.CHECK, "stop"),
        ("Left", Moment.STEP, "back"),
        ("Prior", Moment.SAFE_EXIT, "back"),
        ("Up", Moment.CHECK, "repeat"),
        ("y", Moment.CHECK, "yes"),
        ("Y", Moment.CHECK, "yes"),
        ("space", Moment.CHECK, None),
        ("Return", Moment.CHECK, None),
        ("y", Moment.STEP, None),
        ("space", Moment.SAFE_EXIT, None),
        ("F5", Moment.STEP, None),
        ("x", Moment.STEP, None),
    ],
)
def test_what_a_key_means_here(keysym, moment, intent):
    text = key_text(keysym, moment)
    found = match(text, moment, keys=True) if text else None
    assert (found.value if found else None) == intent


class Keys:
    """A switch or pedal: presses keys (keysyms) as the adapters do; None is waiting."""

    def __init__(self, presses, clock):
        self.presses = list(presses)
        self.clock = clock
        self.moment = None

    def set_moment(self, moment):
        self.moment = moment

    def listen(self, timeout):
        if not self.presses:
            return Heard(text="", end_of_input=True)
        keysym = self.presses.pop(0)
        if keysym is None:
            self.clock.advance(timeout)
            return None
        return Heard(text=key_text(keysym, self.moment) or keysym)

    def flush(self):
        pass


def test_one_key_and_the_yes_key_walk_the_whole_b12_procedure():
    procedure = prepare("b12-im", "example", False)
    presses = []
    for step in procedure.steps:
        if step.check:
            presses += ["space", "y"]  # the go-on key is not an answer: it asks again
        elif step.timer:
            presses += ["space", "space"] + [None] * 7 + ["space"]  # starts it, too early, wait it out
        else:
            presses.append("space")
    clock = FakeClock()
    journal = MemoryJournal()
    runner = Runner(
        Session(procedure),
        Adapters(
            speaker=QuietSpeaker(),
            listener=Keys(presses, clock),
            clock=clock,
            journal=journal,
            display=ConsoleDisplay(io.StringIO()),
            wall=clock.now,
        ),
    )
    assert runner.run() is Outcome.COMPLETED
    assert [e.data["index"] for e in journal.of(EventType.STEP_STARTED)] == list(range(1, 19))
    assert [e.data["answer"] for e in journal.of(EventType.CHECK_ANSWERED)] == ["yes"] * 6
    assert len(journal.of(EventType.UNCLEAR)) == 6  # one per check: Space never passed one
    kinds = [e.type for e in journal.events]
    for asked in (i for i, k in enumerate(kinds) if k is EventType.CHECK_ASKED):
        assert kinds.index(EventType.UNCLEAR, asked) < kinds.index(EventType.CHECK_ANSWERED, asked)
    assert any("Please wait" in e.data["text"] for e in journal.of(EventType.SAID))


class Queue:
    def __init__(self, items, source):
        self.items = list(items)
        self.source = source
        self.moments = []

    def set_moment(self, moment):
        self.moments.append(moment)

    def listen(self, timeout):
        if self.items:
            item = self.items.pop(0)
            return Heard(text=item, source=self.source, end_of_input=item == "<closed>")
        return None

    def flush(self):
        self.items = [i for i in self.items if self.source != "voice"]


def test_keys_are_heard_alongside_the_voice_and_first():
    voice = Queue(["next step"], "voice")
    keys = Queue(["r"], "keyboard")
    both = Alongside(voice, keys)
    both.set_moment(Moment.STEP)
    assert voice.moments == keys.moments == [Moment.STEP]
    assert both.listen(1.0).text == "r"
    assert both.listen(1.0).text == "next step"
    assert both.listen(0.01) is None


def test_a_closed_key_source_is_dropped_and_the_voice_goes_on():
    voice = Queue(["done"], "voice")
    both = Alongside(voice, Queue(["<closed>"], "keyboard"))
    heard = both.listen(1.0)
    assert heard.text == "done" and not heard.end_of_input and both.keys == []


def test_terminal_keys_count_at_once_on_a_real_terminal():
    """A pseudo-terminal: key presses (Space, an arrow, Page Down, y) arrive without Enter,
    and the terminal's mode is given back on close."""
    import os
    import termios

    from voiceguide.ui.terminal_keys import TerminalKeys

    main, follower = os.openpty()
    try:
        before = termios.tcgetattr(follower)
        with TerminalKeys(follower) as keys:
            keys.set_moment(Moment.STEP)
            assert not termios.tcgetattr(follower)[3] & termios.ICANON  # no line buffering now
            os.write(main, b" ")
            assert keys.listen(5.0).text == "next"
            os.write(main, b"\x1b[D\x1b[6~r")
            assert [keys.listen(5.0).text for _ in range(3)] == ["b", "next", "r"]
            keys.set_moment(Moment.PAUSED)
            os.write(main, b"\n")
            assert keys.listen(5.0).text == "c"  # the go-on key resumes when paused
            keys.set_moment(Moment.CHECK)
            os.write(main, b"zy")
            heard = keys.listen(5.0)
            assert heard.text == "y" and heard.source == "keyboard"  # z means nothing
        assert termios.tcgetattr(follower) == before
    finally:
        os.close(main)
        os.close(follower)
