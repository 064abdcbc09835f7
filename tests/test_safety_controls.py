"""Controls from docs/safety.md that no other test verified: the loudspeaker failing
mid-session, records kept private whatever the umask, and a torn last record line."""

from __future__ import annotations

import io
import os
import stat

from voiceguide.app import prepare
from voiceguide.errors import AudioUnavailable
from voiceguide.events import EventType, event
from voiceguide.journal import FileJournal, read_journal
from voiceguide.runner import Runner
from voiceguide.session import Session
from voiceguide.session_types import Outcome
from voiceguide.text_io import ConsoleDisplay, FakeClock, MemoryJournal, ScriptedListener


class FailingSpeaker:
    """A loudspeaker that works for ``good`` utterances, then reports the device gone."""

    speaking = False

    def __init__(self, good: int):
        self.good = good
        self.said: list[str] = []

    def say(self, text, rate, volume):
        if len(self.said) >= self.good:
            raise AudioUnavailable("the loudspeaker was unplugged")
        self.said.append(text)

    def stop(self):
        pass

    def wait(self, timeout=None):
        return True


def test_loudspeaker_lost_mid_session_goes_on_in_text_and_says_why():
    procedure = prepare("b12-im", "example", rehearsal=False)
    script = ["yes" if s.check else "done" for s in procedure.steps[:4]]
    clock = FakeClock()
    journal = MemoryJournal()
    shown = io.StringIO()
    speaker = FailingSpeaker(good=2)
    runner = Runner(Session(procedure), speaker=speaker, listener=ScriptedListener(script, clock),
                    clock=clock, journal=journal, display=ConsoleDisplay(shown), wall=clock.now)
    outcome = runner.run()
    assert outcome is Outcome.INPUT_CLOSED  # the script ran out; nothing crashed
    notices = [e.data["text"] for e in journal.of(EventType.NOTICE)]
    assert len(notices) == 1 and "Speech output stopped working" in notices[0]
    assert "unplugged" in notices[0] and "shown as text" in notices[0]
    # Every step reached is still shown, after the loss as before it.
    assert max(e.data["index"] for e in journal.of(EventType.STEP_STARTED)) == 5
    assert "Step 5 of 18: Sharps container within reach" in shown.getvalue()


def test_records_are_private_whatever_the_umask(tmp_path):
    old = os.umask(0)
    try:
        with FileJournal("b12-im", root=tmp_path / "data") as journal:
            journal.record(event(EventType.NOTICE, text="hello").stamped(1.0))
    finally:
        os.umask(old)
    assert stat.S_IMODE(journal.path.stat().st_mode) == 0o600
    assert stat.S_IMODE(journal.path.parent.stat().st_mode) == 0o700
    assert stat.S_IMODE((tmp_path / "data").stat().st_mode) == 0o700


def test_a_torn_last_record_after_a_power_cut_loses_only_that_line(tmp_path):
    with FileJournal("b12-im", root=tmp_path) as journal:
        for n in range(3):
            journal.record(event(EventType.NOTICE, text=f"event {n}").stamped(float(n)))
    with journal.path.open("a", encoding="utf-8") as handle:
        handle.write('{"session": "x", "type": "step_sta')  # cut off mid-write
    events, bad = read_journal(journal.path)
    assert [e.data["text"] for e in events] == ["event 0", "event 1", "event 2"] and bad == 1
