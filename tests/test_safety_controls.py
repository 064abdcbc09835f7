"""Controls from docs/safety.md and docs/components.md that no other test verified: the
loudspeaker failing mid-session, records kept private whatever the umask, a torn last record
line, and pyttsx3 hanging."""

from __future__ import annotations

import io
import os
import shutil
import stat
import sys
import threading
import time
import types

import numpy as np
import pytest

from voiceguide.app.adapters import Adapters, prepare
from voiceguide.app.runner import Runner
from voiceguide.audio.tts import Synthesizer
from voiceguide.core.events import EventType, event
from voiceguide.core.session import Session
from voiceguide.core.session_types import Outcome
from voiceguide.errors import AudioUnavailable
from voiceguide.records.journal import FileJournal, read_journal
from voiceguide.ui.text_io import ConsoleDisplay, FakeClock, MemoryJournal, ScriptedListener


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


@pytest.mark.unit
def test_loudspeaker_lost_mid_session_goes_on_in_text_and_says_why():
    procedure = prepare("b12-im", "example", rehearsal=False)
    script = ["yes" if s.check else "done" for s in procedure.steps[:4]]
    clock = FakeClock()
    journal = MemoryJournal()
    shown = io.StringIO()
    speaker = FailingSpeaker(good=2)
    runner = Runner(
        Session(procedure),
        Adapters(
            speaker=speaker,
            listener=ScriptedListener(script, clock),
            clock=clock,
            journal=journal,
            display=ConsoleDisplay(shown),
            wall=clock.now,
        ),
    )
    outcome = runner.run()
    assert outcome is Outcome.INPUT_CLOSED  # the script ran out; nothing crashed
    notices = [e.data["text"] for e in journal.of(EventType.NOTICE)]
    assert len(notices) == 1 and "Speech output stopped working" in notices[0]
    assert "unplugged" in notices[0] and "shown as text" in notices[0]
    # Every step reached is still shown, after the loss as before it.
    assert max(e.data["index"] for e in journal.of(EventType.STEP_STARTED)) == 5
    assert "Step 5 of 18: Sharps container within reach" in shown.getvalue()


@pytest.mark.unit
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


@pytest.mark.unit
def test_a_torn_last_record_after_a_power_cut_loses_only_that_line(tmp_path):
    with FileJournal("b12-im", root=tmp_path) as journal:
        for n in range(3):
            journal.record(event(EventType.NOTICE, text=f"event {n}").stamped(float(n)))
    with journal.path.open("a", encoding="utf-8") as handle:
        handle.write('{"session": "x", "type": "step_sta')  # cut off mid-write
    events, bad = read_journal(journal.path)
    assert [e.data["text"] for e in events] == ["event 0", "event 1", "event 2"] and bad == 1


@pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="espeak-ng is not installed")
@pytest.mark.engine
def test_a_hanging_pyttsx3_falls_back_to_the_espeak_program_in_time(monkeypatch):
    """pyttsx3's runAndWait is known to never return on some systems (docs/components.md). A
    real hang cannot be produced on demand, so a stand-in pyttsx3 module blocks forever; the
    synthesizer must give up after its timeout and speak through the espeak-ng program."""
    release = threading.Event()

    class HangingEngine:
        def setProperty(self, name, value):
            pass

        def save_to_file(self, text, path):
            pass

        def runAndWait(self):
            release.wait()  # never returns while the test runs

    monkeypatch.setitem(sys.modules, "pyttsx3", types.SimpleNamespace(init=lambda driver: HangingEngine()))
    synth = Synthesizer(use_pyttsx3=True, timeout_s=0.5)  # the espeak-ng program is the default
    try:
        assert synth.backend == "pyttsx3"
        out: dict = {}
        started = time.monotonic()
        worker = threading.Thread(
            target=lambda: out.update(audio=synth.synthesize("Wash your hands.", 160)), daemon=True
        )
        worker.start()
        worker.join(timeout=15)  # a broken timeout fails here instead of hanging the suite
        assert not worker.is_alive(), "synthesize is still waiting for the hung pyttsx3"
        took = time.monotonic() - started
        samples, rate = out["audio"]
        assert synth.backend == "espeak-ng"
        assert samples.size > rate // 2 and np.abs(samples).max() > 0.01  # real speech came out
        print(f"\nhung pyttsx3 -> espeak-ng program: speech after {took:.2f} s (timeout 0.5 s + 0.05 s/char)")
        again, _ = synth.synthesize("Dry them.", 160)  # later calls do not wait for pyttsx3
        assert again.size > 0
    finally:
        release.set()
        synth.close()
