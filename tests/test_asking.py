"""Questions outside a session (resume offer, check-in) with the text adapters."""

from __future__ import annotations

import pytest

from voiceguide.app.adapters import Adapters
from voiceguide.app.asking import Conversation
from voiceguide.app.checkin import run_checkin
from voiceguide.core.events import EventType
from voiceguide.ui.text_io import FakeClock, MemoryJournal, QuietSpeaker, ScriptedListener

pytestmark = pytest.mark.unit


class Lines:
    def show(self, item):
        pass


def talk(script):
    journal = MemoryJournal()
    conversation = Conversation(
        Adapters(
            speaker=QuietSpeaker(),
            listener=ScriptedListener(script, FakeClock()),
            journal=journal,
            display=Lines(),
        )
    )
    return conversation, journal


def said(journal) -> str:
    return " ".join(e.data["text"] for e in journal.of(EventType.SAID))


def test_silence_gets_reminders_then_the_question_is_given_up():
    conversation, journal = talk([None, None, None, None])
    assert conversation.ask_yes_no("Carry on?") is None
    assert len(journal.of(EventType.REMINDER)) == 3 and said(journal).count("I'm still here.") == 3


def test_only_yes_or_no_answers_and_repeat_or_help_say_it_again():
    conversation, journal = talk(["next step", "the weather", "repeat", "y"])
    assert conversation.ask_yes_no("Carry on?") is True
    assert said(journal).count("Carry on?") == 4
    assert "That is not an answer to this question." in said(journal)  # a command, not an answer
    assert "Sorry, I didn't catch that." in said(journal)
    assert talk(["no"])[0].ask_yes_no("Carry on?") is False


def test_stop_ends_the_question_and_closed_input_is_noticed():
    conversation, _ = talk(["stop", "yes"])
    assert conversation.ask_yes_no("Carry on?") is None and conversation.stopped
    conversation, _ = talk([])
    assert conversation.ask_yes_no("Carry on?") is None and conversation.closed


def test_three_unclear_checkin_answers_record_nothing_and_point_to_the_clinician():
    conversation, journal = talk(["itchy", "blue", "purple", "soreness"])
    assert run_checkin(conversation, None, None) is None
    assert not journal.of(EventType.CHECKIN)
    assert "The check-in was not recorded. If anything worries you, contact your clinician rather" in said(
        journal
    )


def test_none_with_another_effect_is_not_accepted():
    conversation, journal = talk(["no problems and pain", "pain", "yes"])
    assert run_checkin(conversation, None, None) == ("pain",)
    assert "please contact your clinician now" in said(journal)
