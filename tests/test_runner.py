"""Whole sessions through the runner with text adapters and scripted listeners."""

from __future__ import annotations

import io
import threading

import pytest

from voiceguide.app.adapters import Adapters, prepare
from voiceguide.app.runner import Runner
from voiceguide.core.events import EventType
from voiceguide.core.intents import Moment
from voiceguide.core.ports import Heard
from voiceguide.core.session import Session
from voiceguide.core.session_types import Outcome
from voiceguide.recognition.matching import match
from voiceguide.ui.text_io import (
    ConsoleDisplay,
    FakeClock,
    KeyboardListener,
    MemoryJournal,
    QuietSpeaker,
    ScriptedListener,
)

pytestmark = pytest.mark.unit


def b12(rehearsal=False):
    return prepare("b12-im", "example", rehearsal)


def run(procedure, script, listener_source="keyboard", speaker=None):
    clock = FakeClock()
    journal = MemoryJournal()
    out = io.StringIO()
    recognize = (
        match if listener_source == "voice" else None
    )  # a voice line is decided as the recognizer would
    listener = ScriptedListener(script, clock, source=listener_source, recognize=recognize)
    runner = Runner(
        Session(procedure),
        Adapters(
            speaker=speaker or QuietSpeaker(),
            listener=listener,
            clock=clock,
            journal=journal,
            display=ConsoleDisplay(out),
            wall=clock.now,
        ),
    )
    outcome = runner.run()
    return outcome, journal, out.getvalue(), runner


TIMER_SILENCES = 7
"""Silent turns through the 30-second timer: the 10-second notice, the count 5..1, time up."""


def answers_for_whole_b12():
    """next for plain steps, yes for checks, silence through the timer."""
    script = []
    for step in b12().steps:
        if step.check:
            script.append("yes")
        elif step.timer:
            script += ["done"] + [None] * TIMER_SILENCES + ["next step"]
        else:
            script.append("done")
    return script


def test_whole_b12_procedure_completes_with_text_adapters():
    procedure = b12()
    outcome, journal, shown, _ = run(procedure, answers_for_whole_b12())
    assert outcome is Outcome.COMPLETED
    started = journal.of(EventType.STEP_STARTED)
    assert [e.data["index"] for e in started] == list(range(1, len(procedure.steps) + 1))
    for number, step in enumerate(procedure.steps, 1):
        assert f"Step {number} of {len(procedure.steps)}: {step.title}" in shown
    assert [e.data["answer"] for e in journal.of(EventType.CHECK_ANSWERED)] == ["yes"] * 6
    assert journal.of(EventType.TIMER_FINISHED)
    assert journal.of(EventType.SESSION_ENDED)[-1].data["outcome"] == "completed"


def test_single_keys_walk_the_procedure_too():
    script = ["y" if s.check else "n" for s in b12().steps]
    timer = [s.id for s in b12().steps].index("clean-skin")
    script[timer : timer + 1] = ["n"] + [None] * TIMER_SILENCES + ["n"]
    outcome, *_ = run(b12(), script)
    assert outcome is Outcome.COMPLETED


def test_rehearsal_walks_set_up_and_never_tells_to_inject():
    procedure = b12(rehearsal=True)
    script = ["yes" if s.check else "next step" for s in procedure.steps]
    outcome, journal, shown, _ = run(procedure, script)
    assert outcome is Outcome.COMPLETED
    assert journal.of(EventType.SESSION_STARTED)[0].data["rehearsal"] is True
    assert "Inject into the muscle" not in shown and "did not inject" in shown


def test_no_at_the_label_check_never_goes_on():
    steps = b12().steps
    label = [s.id for s in steps].index("check-label")
    script = ["yes" if s.check else "done" for s in steps[:label]] + ["no", "next step", "yes", "end session"]
    outcome, journal, shown, _ = run(b12(), script)
    assert outcome is Outcome.DECLINED_CHECK
    assert max(e.data["index"] for e in journal.of(EventType.STEP_STARTED)) == label + 1
    assert "Do not inject" in shown


def test_piped_input_running_out_ends_the_session_incomplete():
    outcome, journal, _, _ = run(b12(), ["done", "done"])
    assert outcome is Outcome.INPUT_CLOSED


class HoldingSpeaker:
    """Keeps 'speaking' its first prompt until stopped, like a long prompt on a loudspeaker;
    later prompts finish at once."""

    def __init__(self):
        self._done = threading.Event()
        self._done.set()
        self.said: list[str] = []
        self.stops = 0

    @property
    def speaking(self):
        return not self._done.is_set()

    def say(self, text, rate, volume):
        self.said.append(text)
        if len(self.said) == 1:
            self._done.clear()

    def stop(self):
        self.stops += 1
        self._done.set()

    def wait(self, timeout=None):
        return self._done.wait(timeout)


class VoiceDuringSpeech:
    """Hears a voice while the first prompt is still playing."""

    def __init__(self, items):
        self.items = list(items)

    def set_moment(self, moment):
        self.moment = moment

    def listen(self, timeout):
        if not self.items:
            return Heard(text="", source="voice", end_of_input=True)
        text = self.items.pop(0)
        return Heard(text=text, source="voice", moment=self.moment, intent=match(text, self.moment))

    def flush(self):
        pass


def test_stop_while_speaking_cuts_speech_and_pauses():
    speaker = HoldingSpeaker()
    clock = FakeClock()
    journal = MemoryJournal()
    runner = Runner(
        Session(b12()),
        Adapters(
            speaker=speaker,
            listener=VoiceDuringSpeech(["Done.", "Stop."]),
            clock=clock,
            journal=journal,
            display=ConsoleDisplay(io.StringIO()),
            wall=clock.now,
        ),
    )
    runner.run()
    types = [e.type for e in journal.events]
    # "Done." heard during speech is ignored (it may be the assistant's own voice); "Stop." is not
    assert types.index(EventType.SPEECH_CUT) < types.index(EventType.PAUSED)
    assert speaker.stops >= 1
    heard = journal.of(EventType.HEARD)
    assert [h.data["text"] for h in heard][0] == "Stop."
    assert max(e.data["index"] for e in journal.of(EventType.STEP_STARTED)) == 1


def test_voice_decoded_for_a_past_moment_is_dropped():
    class Stale(VoiceDuringSpeech):
        def listen(self, timeout):
            heard = super().listen(timeout)
            return Heard(
                text=heard.text,
                source="voice",
                moment=Moment.CHECK,
                end_of_input=heard.end_of_input,
                intent=heard.intent,
            )

    clock = FakeClock()
    journal = MemoryJournal()
    runner = Runner(
        Session(b12()),
        Adapters(
            speaker=QuietSpeaker(),
            listener=Stale(["Next step."]),
            clock=clock,
            journal=journal,
            display=ConsoleDisplay(io.StringIO()),
            wall=clock.now,
        ),
    )
    runner.run()
    assert not journal.of(EventType.HEARD)


def test_microphone_loss_falls_back_to_keyboard_and_nothing_is_lost():
    clock = FakeClock()
    journal = MemoryJournal()
    typed = io.StringIO("done\n" * 3)
    runner = Runner(
        Session(b12()),
        Adapters(
            speaker=QuietSpeaker(),
            listener=VoiceDuringSpeech(["Next step."]),
            clock=clock,
            journal=journal,
            display=ConsoleDisplay(io.StringIO()),
            wall=clock.now,
        ),
        fallback=lambda: KeyboardListener(typed),
    )
    outcome = runner.run()
    notices = journal.of(EventType.NOTICE)
    assert notices and "keyboard" in notices[0].data["text"]
    assert [h.data["source"] for h in journal.of(EventType.HEARD)] == [
        "voice",
        "keyboard",
        "keyboard",
        "keyboard",
    ]
    assert max(e.data["index"] for e in journal.of(EventType.STEP_STARTED)) == 5
    assert outcome is Outcome.INPUT_CLOSED


def test_ctrl_c_records_where_the_session_stopped():
    class Interrupting(VoiceDuringSpeech):
        def listen(self, timeout):
            raise KeyboardInterrupt

    clock = FakeClock()
    journal = MemoryJournal()
    runner = Runner(
        Session(b12()),
        Adapters(
            speaker=QuietSpeaker(),
            listener=Interrupting([]),
            clock=clock,
            journal=journal,
            display=ConsoleDisplay(io.StringIO()),
            wall=clock.now,
        ),
    )
    try:
        runner.run()
    except KeyboardInterrupt:
        pass
    else:
        raise AssertionError("Ctrl-C must still end the program")
    ended = journal.of(EventType.SESSION_ENDED)
    assert ended and ended[-1].data == {"outcome": "interrupted", "step": 1, "total": 18, "dose_given": False}


class EarconSpeaker(QuietSpeaker):
    """Records what is said and which earcons are played, in order."""

    def __init__(self):
        self.log = []

    def say(self, text, rate, volume, earcon=None):
        self.log.append(("say", earcon, text))

    def earcon(self, name, volume):
        self.log.append(("earcon", name, None))


def test_earcons_mark_listening_and_accepted_commands_only():
    speaker = EarconSpeaker()
    outcome, journal, _, _ = run(b12(), ["mumble", "done"], listener_source="voice", speaker=speaker)
    kinds = [(kind, name) for kind, name, _ in speaker.log]
    # first prompt, then listening; "mumble" is not a command: a re-prompt without the accepted tone
    assert kinds[:4] == [("say", None), ("earcon", "listening"), ("say", None), ("earcon", "listening")]
    # "done" was taken: the next step is spoken after the accepted tone
    assert kinds[4] == ("say", "accepted") and "Step 2" in speaker.log[4][2]
    assert ("say", "accepted") not in kinds[:4]


def test_likely_next_prompts_are_prepared_while_speaking():
    class Preparing(EarconSpeaker):
        def __init__(self):
            super().__init__()
            self.prepared = threading.Event()
            self.texts = []

        def prepare(self, text, rate):
            self.texts.append(text)
            self.prepared.set()

    speaker = Preparing()
    run(b12(), ["done"], speaker=speaker)
    assert speaker.prepared.wait(5)
    assert any(text.startswith("Step 2 of") for text in speaker.texts)
