"""The resume offer and the check-in answered by voice: espeak-ng speech through the real
Whisper recognizer, at the listening moment each question sets (tier 3)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from voiceguide.app.adapters import Adapters, prepare
from voiceguide.app.asking import Conversation
from voiceguide.app.checkin import run_checkin
from voiceguide.app.demo import synthesize_espeak
from voiceguide.app.resume import offer_resume
from voiceguide.core.events import EventType
from voiceguide.core.intents import Moment
from voiceguide.core.ports import Heard
from voiceguide.core.profile import load_profile
from voiceguide.records.sessions import SessionRecord
from voiceguide.ui.text_io import MemoryJournal, QuietSpeaker

pytestmark = pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="espeak-ng is not installed")
pytestmark = [pytest.mark.engine, pytestmark]


@pytest.fixture(scope="module")
def recognizer():
    from voiceguide.recognition.engines import make_engine
    from voiceguide.recognition.recognizer import Recognizer

    return Recognizer(make_engine("whisper", None))


class SpokenReplies:
    """A Listener that says each reply with espeak-ng and decodes it for the moment it was
    told, like a microphone utterance; then the input closes."""

    def __init__(self, replies, recognizer, folder: Path):
        self.replies = list(replies)
        self.recognizer = recognizer
        self.folder = folder
        self.moment = None
        self.moments = []

    def set_moment(self, moment: Moment) -> None:
        self.moment = moment

    def flush(self) -> None:
        pass

    def listen(self, timeout: float) -> Heard | None:
        if not self.replies:
            return Heard(text="", source="voice", end_of_input=True)
        self.moments.append(self.moment)
        audio = synthesize_espeak(self.replies.pop(0), self.folder)
        heard, _intent = self.recognizer.decode(audio, self.moment)
        return heard


class Lines:
    def __init__(self):
        self.shown = []

    def show(self, item):
        self.shown.append(item)


def talk_with(replies, recognizer, tmp_path):
    listener = SpokenReplies(replies, recognizer, tmp_path)
    journal = MemoryJournal()
    return (
        Conversation(Adapters(speaker=QuietSpeaker(), listener=listener, journal=journal, display=Lines())),
        listener,
        journal,
    )


def test_resume_offer_answered_yes_by_voice(recognizer, tmp_path):
    procedure = prepare("b12-im", "example", False)
    unfinished = SessionRecord(
        session="dead0001",
        procedure="b12-im",
        title=procedure.title,
        started=0.0,
        rehearsal=False,
        outcome=None,
        step=9,
        step_id="draw-up",
        total=18,
    )
    talk, listener, journal = talk_with(["yes"], recognizer, tmp_path)
    assert offer_resume(talk, procedure, unfinished) == 8
    assert listener.moments == [Moment.CHECK]
    [heard] = journal.of(EventType.HEARD)
    assert heard.data["intent"] == "yes" and heard.data["source"] == "voice"


def test_resume_offer_answered_no_by_voice_starts_over(recognizer, tmp_path):
    procedure = prepare("b12-im", "example", False)
    unfinished = SessionRecord(
        session="dead0002",
        procedure="b12-im",
        title=procedure.title,
        started=0.0,
        rehearsal=False,
        outcome="interrupted",
        step=9,
        step_id="draw-up",
        total=18,
    )
    talk, _listener, _journal = talk_with(["no"], recognizer, tmp_path)
    assert offer_resume(talk, procedure, unfinished) == 0


def test_checkin_answered_by_voice_records_and_refers_concerning_effects(recognizer, tmp_path):
    talk, listener, journal = talk_with(
        ["put the kettle on", "no", "swelling and feeling unwell", "yes"], recognizer, tmp_path
    )
    names = run_checkin(talk, load_profile("example"), about="abcd0001")
    assert names == ("swelling", "unwell")
    assert listener.moments == [Moment.CHECKIN, Moment.CHECK, Moment.CHECKIN, Moment.CHECK]
    [checkin] = journal.of(EventType.CHECKIN)
    assert checkin.data == {
        "effects": ["swelling", "unwell"],
        "concerning": ["swelling", "unwell"],
        "about": "abcd0001",
    }
    said = " ".join(e.data["text"] for e in journal.of(EventType.SAID))
    assert 'i heard: "put the kettle on". is that right?' in said.lower()  # said back; "no": asked again
    assert "please contact your clinician, the example clinic on 0000 000 000, now" in said
