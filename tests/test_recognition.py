"""The recognizer's own decisions over an engine's readings (tier 1: a scripted engine; the
real engine's readings behind these rules are in the benchmark and tests/test_tv_background.py)."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from voiceguide.core.intents import Intent, Moment
from voiceguide.core.ports import Transcript
from voiceguide.recognition.matching import match
from voiceguide.recognition.policy import DEFAULT_POLICY
from voiceguide.recognition.recognizer import Recognizer

pytestmark = pytest.mark.unit


class ReadingsEngine:
    """Gives one transcript, whatever it hears."""

    name = "scripted"

    def __init__(self, transcript: Transcript):
        self.transcript = transcript

    def transcribe(self, audio, phrases):
        return self.transcript


def _decode(readings, clear=True, moment=Moment.STEP):
    transcript = Transcript(readings[0][0], 0.5, clear, readings=tuple(readings))
    return Recognizer(ReadingsEngine(transcript)).decode(np.zeros(16000, np.float32), moment)


def test_a_near_tie_is_what_the_recognizer_heard_so_the_runner_takes_the_same():
    heard, intent = _decode([("With.", -0.825), ("Wait.", -0.858), ("Live.", -1.035)])
    assert intent is Intent.PAUSE
    assert heard.text == "Wait." and heard.clear
    assert abs(heard.confidence - np.exp(-0.858)) < 1e-6
    assert match(heard.text, Moment.STEP) is intent  # what the session runner does


def test_an_unclear_utterance_is_never_settled_by_a_tie():
    heard, intent = _decode([("With.", -0.825), ("Wait.", -0.858)], clear=False)
    assert intent is None and heard.text == "With." and not heard.clear


def test_a_tie_with_an_advance_leaves_the_utterance_no_command():
    heard, intent = _decode([("Dawn.", -0.3), ("Done.", -0.31)])
    assert intent is None and heard.text == "Dawn."


def test_a_near_spelling_tie_takes_the_phrase_and_judges_the_other_readings_against_it():
    # Test split, clean: espeak wrote "resume" as "Refume.", "Resume." 0.08 nats under it.
    readings = [("Refume.", -0.435), ("Resume.", -0.511), ("Reume.", -0.755), ("Remume.", -1.12)]
    heard, intent = _decode(readings, moment=Moment.PAUSED)
    assert intent is Intent.RESUME and heard.text == "Resume." and heard.clear
    assert match(heard.text, Moment.PAUSED) is intent  # what the session runner does
    # rule 4 still holds for the advance: a close reading that is no near-spelling refuses it
    heard, intent = _decode([("Refume.", -0.435), ("Resume.", -0.511), ("Ruin.", -0.6)], moment=Moment.PAUSED)
    assert intent is None and not heard.clear


def test_an_unsure_answer_the_first_pass_heard_as_something_else_is_refused():
    # Test split, pink 5 dB "resume": the short window read "Red room.", the 30 s pass "Quit."
    transcript = Transcript("Quit.", 0.476, True, readings=(("Quit.", -0.742),), first="Red room.")
    heard, intent = Recognizer(ReadingsEngine(transcript)).decode(np.zeros(16000, np.float32), Moment.PAUSED)
    assert intent is None and not heard.clear and heard.text == "Quit."
    # a sure final reading stands
    sure = Transcript("Quit.", 0.6, True, readings=(("Quit.", -0.5),), first="Red room.")
    assert (
        Recognizer(ReadingsEngine(sure)).decode(np.zeros(16000, np.float32), Moment.PAUSED)[1] is Intent.END
    )


class CountingEngine(ReadingsEngine):
    """A scripted larger model that counts how often it is asked."""

    def __init__(self, transcript: Transcript):
        super().__init__(transcript)
        self.calls = 0

    def transcribe(self, audio, phrases):
        self.calls += 1
        return self.transcript


def _checked(readings, checker_text, moment=Moment.STEP, first=None, talking=False, policy=DEFAULT_POLICY):
    own = Transcript(
        readings[0][0],
        0.5,
        True,
        readings=tuple(readings),
        first=first,
        decode_ms=40.0,
        talking_background=talking,
    )
    checker = CountingEngine(
        Transcript(checker_text, 0.8, True, readings=((checker_text, -0.2),), decode_ms=130.0)
    )
    recognizer = Recognizer(ReadingsEngine(own), checker, policy=policy)
    heard, intent = recognizer.decode(np.zeros(16000, np.float32), moment)
    return heard, intent, checker.calls


def test_the_larger_model_settles_a_command_the_readings_all_but_heard():
    # Tune split: "Previous." fifth under "Read this." (reverb); the larger model: "Previous."
    readings = [("Read this.", -0.4), ("Leave this.", -0.5), ("Previous.", -0.9)]
    heard, intent, calls = _checked(readings, "Previous.")
    assert intent is Intent.BACK and calls == 1
    assert heard.text == "Previous." and heard.clear
    assert match(heard.text, Moment.STEP) is intent  # what the session runner does
    assert heard.decode_ms == 170.0  # both decodes: the user waited for both


def test_the_larger_model_hearing_another_command_leaves_no_command():
    heard, intent, calls = _checked([("Read this.", -0.4), ("Previous.", -0.9)], "Repeat.")
    assert intent is None and calls == 1
    assert heard.text == "Read this." and heard.decode_ms == 170.0


def test_the_larger_model_is_not_asked_when_it_could_not_help():
    # The engine's own answer stands.
    assert _checked([("Go back.", -0.2)], "Go back.")[1:] == (Intent.BACK, 0)
    # Nothing like a command, or a stop among the commands in the readings.
    assert _checked([("Rain.", -0.2), ("Renew.", -0.4)], "Repeat.")[1:] == (None, 0)
    assert _checked([("Read this.", -0.4), ("Previous.", -0.5), ("Stop.", -0.6)], "Previous.")[1:] == (
        None,
        0,
    )
    # Never "yes", a pause or a voice setting, though both models heard it; nor an advance
    # when a reading asks for anything else.
    assert _checked([("Yes sir.", -0.3), ("Yes.", -0.4)], "Yes.", moment=Moment.CHECK)[1:] == (None, 0)
    assert _checked([("Contino.", -0.3), ("Stop.", -0.5), ("Continue.", -0.6)], "Continue.")[1:] == (None, 0)
    assert _checked([("All done.", -0.3), ("Hold on.", -0.4)], "Hold on.")[1:] == (None, 0)
    assert _checked([("Whoa.", -0.3), ("Louder.", -0.9)], "Louder.")[1:] == (None, 0)
    # Nor "no", which ends a check in "do not inject".
    assert _checked([("Go.", -0.3), ("No.", -0.9)], "No.", moment=Moment.CHECK)[1:] == (None, 0)


def test_several_commands_among_the_readings_are_settled_only_by_one_of_them():
    # As for the tune split's TV 20 dB "repeat": tiny.en's readings named
    # "repeat" and "next step" both (shortened here); base heard "Repeat.".
    readings = [("Repeat. Three.", -0.5), ("Next step. Three.", -0.6)]
    heard, intent, calls = _checked(readings, "Repeat.")
    assert intent is Intent.REPEAT and calls == 1 and heard.text == "Repeat."
    assert _checked(readings, "Next step.")[1:] == (Intent.NEXT, 1)
    assert _checked(readings, "Go back.")[1:] == (None, 1)  # not one of them
    # Only commands of the cross-check's set: not a pause, though base heard one.
    previous_or_wait = [("Previous. Wait.", -0.5), ("Hold on.", -0.7)]
    assert _checked(previous_or_wait, "Previous.")[1:] == (Intent.BACK, 1)
    assert _checked(previous_or_wait, "Hold on.")[1:] == (None, 1)
    # A stop among them: base is not asked, so a stop never becomes another command.
    assert _checked([("Stop. Three.", -0.5), ("Repeat.", -0.6)], "Repeat.")[1:] == (None, 0)
    policy = replace(DEFAULT_POLICY, cross_check_several=False)
    assert _checked(readings, "Repeat.", policy=policy)[1:] == (None, 0)


def test_over_a_talking_background_the_larger_model_is_asked_though_no_reading_named_a_command():
    # Tune split, TV 20 dB: tiny.en wrote the TV's words; base heard "Continue.".
    tv_words = [("What can then you leisure to.", -0.5), ("What can i do.", -0.6)]
    heard, intent, calls = _checked(tv_words, "Continue.", talking=True)
    assert intent is Intent.NEXT and calls == 1 and heard.text == "Continue."
    assert heard.decode_ms == 170.0
    assert _checked(tv_words, "Continue.")[1:] == (None, 0)  # a quiet room: a sure sentence
    # A short reading tiny.en is sure of (a real "eight"): a word it heard, base not asked.
    assert _checked([("Eight.", -0.2)], "Help.", talking=True)[1:] == (None, 0)
    # Only next, go back, skip, resume, help and end: never "stop", "yes", "repeat", a pause,
    # "no", "where" or a voice setting (over a TV base took sound-alikes as those).
    assert _checked(tv_words, "Stop.", talking=True)[1:] == (None, 1)
    assert _checked(tv_words, "Pause.", talking=True)[1:] == (None, 1)
    # At a check (and its confirm turn) only help could come of it: base is not even asked.
    assert _checked(tv_words, "Confirm.", moment=Moment.CHECK, talking=True)[1:] == (None, 0)
    assert _checked(tv_words, "What can i say.", moment=Moment.CONFIRM, talking=True)[1:] == (None, 0)
    # A reading that named a command is the cross-check's (rule 10): "yes" is not settled.
    assert _checked([("Anyway.", -0.5), ("Yes.", -0.9)], "Yes.", moment=Moment.CHECK, talking=True)[1:] == (
        None,
        0,
    )


def test_without_a_talking_background_the_larger_model_is_asked_unless_tiny_heard_a_sentence():
    # Tune split, clean: tiny.en "What can i see?"; base "What can i say.".
    heard, intent, calls = _checked([("What can i see?", -0.2)], "What can i say.")
    assert intent is Intent.HELP and calls == 1 and heard.text == "What can i say."
    # A sure sentence of five words or more is a sentence: base is not asked.
    assert _checked([("The bus was late again.", -0.3)], "Go back.")[1:] == (None, 0)
    assert _checked([("Is three of the steps.", -0.81)], "Previous step.")[1:] == (Intent.BACK, 1)
    # Only next, go back, skip, resume, help and end, as over a TV ("step" read "Dip." by
    # tiny.en and "Stop." by base), and not at a check, where only help could come of it.
    assert _checked([("Dip.", -0.93)], "Stop.")[1:] == (None, 1)
    assert _checked([("Dip.", -0.93)], "Stop.", moment=Moment.CHECK)[1:] == (None, 0)
    policy = replace(DEFAULT_POLICY, quiet_check=False)
    assert _checked([("What can i see?", -0.2)], "What can i say.", policy=policy)[1:] == (None, 0)


def test_a_first_pass_or_a_clause_is_a_reading_too():
    heard, intent, calls = _checked(
        [("Premium.", -0.74), ("Three. Yes.", -0.9)], "Previous.", first="Previous."
    )
    assert intent is Intent.BACK and calls == 1
    heard, intent, calls = _checked([("Stop. A less to be.", -0.5)], "Stop.")
    assert intent is Intent.STOP and calls == 1


def _with_whole(text, whole, moment=Moment.STEP):
    own = Transcript(
        text,
        0.9,
        True,
        readings=((text, -0.1),),
        unprompted=text,
        talking_background=True,
        whole=None if whole is None else Transcript(whole, 0.5, True),
    )
    return Recognizer(ReadingsEngine(own)).decode(np.zeros(16000, np.float32), moment)


def test_an_advance_heard_in_the_loud_part_stands_only_when_the_whole_utterance_says_it():
    heard, intent = _with_whole("Done.", "Other. Dog.")  # a sound-alike "dawn" over a TV
    assert intent is None and not heard.clear
    assert _with_whole("Done.", "Done.")[1] is Intent.NEXT
    assert _with_whole("Done.", None)[1] is Intent.NEXT  # the whole utterance was not read
    assert _with_whole("Hold on.", "Other. Dog.")[1] is Intent.PAUSE  # not an advance
    assert _with_whole("Continue.", "Other.", Moment.PAUSED)[1] is Intent.RESUME
    assert _with_whole("Confirm.", "I suppose you.", Moment.CONFIRM)[1] is None
    assert _with_whole("Confirm.", "Confirm.", Moment.CONFIRM)[1] is Intent.YES
    assert _with_whole("Confirm.", "Confirm. Go forward.", Moment.CONFIRM)[1] is Intent.YES
    assert _with_whole("Yes.", "Yes. To be older.", Moment.CHECK)[1] is None
