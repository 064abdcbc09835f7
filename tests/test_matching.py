"""Command matching: the whole utterance must be one phrase allowed at this moment."""

from __future__ import annotations

import pytest

from voiceguide.core.intents import ALLOWED, KEYS, PHRASES, Intent, Moment, phrases_for
from voiceguide.recognition.matching import match, normalise

pytestmark = pytest.mark.unit


@pytest.mark.parametrize("moment", list(Moment))
def test_every_allowed_phrase_matches_its_intent_and_nothing_else_does(moment):
    table = phrases_for(moment)
    for _intent, phrases in PHRASES.items():
        for phrase in phrases:
            got = match(phrase, moment)
            if phrase in table:
                assert got == table[phrase], (phrase, moment)
            else:  # not allowed here, or the moment narrows the intent's phrases
                assert got is None, (phrase, moment)
            if got is not None:
                assert got in ALLOWED[moment]


def test_a_spoken_yes_is_confirmed_by_the_one_confirm_word_only():
    assert match("Confirm.", Moment.CONFIRM) is Intent.YES
    assert match("Yes.", Moment.CONFIRM) is None
    assert match("yes", Moment.CONFIRM, keys=True) is Intent.YES  # typed: deliberate
    assert match("y", Moment.CONFIRM, keys=True) is Intent.YES
    assert match("No.", Moment.CONFIRM) is Intent.NO
    assert match("Stop.", Moment.CONFIRM) is Intent.STOP


def test_continue_means_next_on_a_step_and_resume_when_paused():
    assert match("Continue.", Moment.STEP) is Intent.NEXT
    assert match("continue", Moment.PAUSED) is Intent.RESUME


@pytest.mark.parametrize("text", ["Done.", " DONE! ", "done", "Done…"])
def test_transcript_punctuation_and_case_do_not_matter(text):
    assert match(text, Moment.STEP) is Intent.NEXT


@pytest.mark.parametrize(
    "text",
    [
        "I'm not done yet",
        "done done",
        "is it done",
        "next step please",
        "stop it",
        "yes but",
        "nest",
        "",
        "   ",
        "...",
        "yesterday",
    ],
)
def test_sentences_containing_commands_are_not_commands(text):
    for moment in Moment:
        if moment is Moment.ALL:
            continue
        assert match(text, moment) is None, (text, moment)


def test_a_check_accepts_only_yes_no_repeat_help_stop():
    assert ALLOWED[Moment.CHECK] == {
        Intent.YES,
        Intent.NO,
        Intent.REPEAT,
        Intent.HELP,
        Intent.WHERE,
        Intent.STOP,
    }
    assert match("next step", Moment.CHECK) is None
    assert match("done", Moment.CHECK) is None


def test_paused_accepts_resume_and_stop_but_never_next():
    assert match("resume", Moment.PAUSED) is Intent.RESUME
    assert match("stop", Moment.PAUSED) is Intent.STOP
    assert match("next step", Moment.PAUSED) is None


def test_stop_is_allowed_at_every_moment():
    assert all(Intent.STOP in allowed for allowed in ALLOWED.values())


def test_keys_only_count_when_typed():
    assert match("n", Moment.STEP, keys=True) is Intent.NEXT
    assert match("n", Moment.STEP) is None
    assert match("y", Moment.CHECK, keys=True) is Intent.YES
    assert match("n", Moment.CHECK, keys=True) is Intent.NO  # a yes/no question is open: "n" is no
    assert match("next", Moment.CHECK, keys=True) is None  # next never answers a check
    assert set(KEYS) >= {"n", "r", "b", "s", "y", "h"}


def test_normalise_keeps_apostrophes_and_drops_punctuation():
    assert normalise("What can I say?") == "what can i say"
    assert normalise("Go-back.") == "go back"


def test_a_bare_next_is_typed_but_never_heard():
    assert match("next", Moment.STEP, keys=True) is Intent.NEXT
    assert match("Next.", Moment.STEP) is None  # "nest" was heard as "Next."
