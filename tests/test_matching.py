"""Command matching: the whole utterance must be one phrase allowed at this moment."""

from __future__ import annotations

from dataclasses import replace

import pytest

from voiceguide.core.intents import ALLOWED, HEARD_AS, KEYS, PHRASES, Intent, Moment, phrases_for
from voiceguide.recognition import matching
from voiceguide.recognition.matching import known_elsewhere, match, near_tie, normalise
from voiceguide.recognition.policy import DEFAULT_POLICY
from voiceguide.recognition.risk import ADVANCING, HARMLESS

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


def test_what_whisper_writes_for_say_again_is_taken_where_repeat_is_allowed():
    assert match("See you again.", Moment.STEP) is Intent.REPEAT
    assert match("See again!", Moment.CHECK) is Intent.REPEAT
    assert match("See you again.", Moment.PAUSED) is None  # no repeat while paused
    assert known_elsewhere("See you again.") is Intent.REPEAT
    assert match("See you again tomorrow.", Moment.STEP) is None  # still the whole utterance


def test_quiet_and_soft_are_taken_as_quieter_where_the_voice_can_be_set():
    assert match("Quiet.", Moment.STEP) is Intent.QUIETER
    assert match("Soft.", Moment.TIMER) is Intent.QUIETER
    assert match("Quiet.", Moment.PAUSED) is None  # no voice settings while paused ("quit")
    assert match("Be quiet.", Moment.STEP) is None
    assert match("Soft up.", Moment.STEP) is Intent.QUIETER  # espeak's "softer", clean too


def test_soft_it_soften_slow_it_and_see_not_again_are_their_voice_setting_or_repeat():
    assert match("Soft it.", Moment.STEP) is Intent.QUIETER
    assert match("Soften.", Moment.TIMER) is Intent.QUIETER
    assert match("Slow it.", Moment.STEP) is Intent.SLOWER
    assert match("See. Not again.", Moment.STEP) is Intent.REPEAT
    assert match("Same again.", Moment.CHECK) is Intent.REPEAT
    assert match("Slow it.", Moment.CHECK) is None  # no voice settings at a check
    assert match("Slow up.", Moment.STEP) is None  # also a reading of "softer"
    assert match("Same again, please.", Moment.STEP) is None  # still the whole utterance


def test_heard_as_forms_never_move_the_session_on_and_are_no_taught_phrase():
    taught = {phrase for phrases in PHRASES.values() for phrase in phrases}
    assert all(form == normalise(form) and form not in taught for form in HEARD_AS)
    assert not ADVANCING & set(HEARD_AS.values())


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


def test_an_advance_needs_no_close_reading_that_means_something_else():
    from voiceguide.recognition.matching import second_opinion

    alone = [("Next step.", -0.3)]
    assert second_opinion(Intent.NEXT, alone, Moment.STEP)
    same = [("Next step.", -0.3), ("Next step!", -0.4), ("Done.", -0.5)]
    assert second_opinion(Intent.NEXT, same, Moment.STEP)
    stop_close = [("Next step.", -0.3), ("Stop.", -0.6)]
    assert not second_opinion(Intent.NEXT, stop_close, Moment.STEP, margin=0.5)
    nest_close = [("Next.", -0.3), ("Nest.", -0.5)]
    assert not second_opinion(Intent.NEXT, nest_close, Moment.STEP, margin=0.5)
    far = [("Next step.", -0.3), ("Stop.", -1.5)]
    assert second_opinion(Intent.NEXT, far, Moment.STEP, margin=0.5)
    assert not second_opinion(Intent.YES, [("Yes.", -0.2), ("Guess.", -0.3)], Moment.CHECK, margin=0.5)
    # a longer reading that still holds the phrase is the same answer, not a rival
    assert second_opinion(Intent.NEXT, [("Done.", -0.3), ("Done. Die.", -0.4)], Moment.STEP, margin=0.5)


def test_a_near_spelling_rival_of_resume_or_skip_step_is_the_same_answer():
    from voiceguide.recognition.matching import second_opinion

    paused, step = Moment.PAUSED, Moment.STEP
    assert second_opinion(Intent.RESUME, [("Resume.", -0.39), ("Refume.", -0.67)], paused)
    assert second_opinion(Intent.SKIP, [("Skip step.", -0.23), ("Skip.", -0.56)], step)
    assert not second_opinion(Intent.RESUME, [("Resume.", -0.4), ("Renew us.", -0.6)], paused)
    assert not second_opinion(Intent.SKIP, [("Skip step.", -0.3), ("Stop.", -0.5)], step)
    # not "continue", which is next at a step, nor any phrase of next or yes
    assert not second_opinion(Intent.NEXT, [("Continue.", -0.3), ("Contino.", -0.5)], step)
    assert not second_opinion(Intent.RESUME, [("Continue.", -0.3), ("Contino.", -0.5)], paused)
    policy = replace(DEFAULT_POLICY, spelling_rival_phrases=frozenset())
    assert not second_opinion(Intent.RESUME, [("Resume.", -0.39), ("Refume.", -0.67)], paused, policy=policy)


def test_a_bare_next_is_typed_but_never_heard():
    assert match("next", Moment.STEP, keys=True) is Intent.NEXT
    assert match("Next.", Moment.STEP) is None  # "nest" was heard as "Next."


def test_stop_and_other_non_advancing_intents_never_need_a_second_opinion():
    from voiceguide.recognition.matching import second_opinion

    assert second_opinion(Intent.STOP, [("Stop.", -0.3), ("Next step.", -0.31)], Moment.STEP)
    assert second_opinion(Intent.NO, [("No.", -0.3), ("Yes.", -0.31)], Moment.CHECK)


def test_next_and_yes_also_need_the_unprompted_reading_to_agree():
    from voiceguide.recognition.matching import second_opinion

    assert not second_opinion(Intent.YES, [("Yes.", -0.1)], Moment.CHECK, unprompted="Guess.")
    assert second_opinion(Intent.YES, [("Yes.", -0.1)], Moment.CHECK, unprompted="Yes!")
    assert not second_opinion(Intent.NEXT, [("Done.", -0.1)], Moment.STEP, unprompted="Dawn.")
    # the unprompted reading must be the phrase alone, not a sentence holding it
    assert not second_opinion(Intent.YES, [("Yes.", -0.3)], Moment.CHECK, unprompted="Yes, sir.")
    assert not second_opinion(Intent.NEXT, [("Done.", -0.1)], Moment.STEP, unprompted="I'm done.")
    assert second_opinion(Intent.NEXT, [("Done.", -0.1)], Moment.STEP, unprompted="Done!")
    # skip and resume are not double-checked: in noise the unprompted reading is often garbage
    assert second_opinion(Intent.RESUME, [("Resume.", -0.1)], Moment.PAUSED, unprompted="Re-jome.")


def test_only_the_one_syllable_advances_need_the_unprompted_reading():
    from voiceguide.recognition.matching import second_opinion

    # "confirm" and "next step" have no one-syllable sound-alike for the prompt to pull in; an
    # unprompted short-window reading of them is often garbage, which only refused right answers
    assert second_opinion(Intent.YES, [("Confirm.", -0.1)], Moment.CHECK, unprompted="Can form.")
    assert second_opinion(Intent.NEXT, [("Next step.", -0.1)], Moment.STEP, unprompted="Make a tip.")
    # a close beam reading of something else still refuses them
    assert not second_opinion(Intent.NEXT, [("Next step.", -0.1), ("Nest.", -0.3)], Moment.STEP)


def test_a_first_reading_of_another_command_refuses_the_final_one_but_never_a_stop():
    from voiceguide.recognition.matching import passes_agree

    # the short window read "Done.", the 30 s window "Hold on.": two commands, not one
    assert not passes_agree(Intent.PAUSE, "Done.", Moment.STEP)
    assert not passes_agree(Intent.NEXT, "Hold on.", Moment.STEP)
    assert not passes_agree(Intent.FASTER, "Slow down.", Moment.STEP)
    # the same intent in another phrase, no command, or no first reading: agreed
    assert passes_agree(Intent.NEXT, "Done.", Moment.STEP)
    assert passes_agree(Intent.NEXT, "Dunno.", Moment.STEP)
    assert passes_agree(Intent.YES, None, Moment.CHECK)
    # a phrase not allowed at this moment asks for nothing here
    assert passes_agree(Intent.YES, "Next step.", Moment.CHECK)
    # stop always works, whatever the first reading said
    assert passes_agree(Intent.STOP, "Slow down.", Moment.STEP)


def test_an_unsure_final_reading_unlike_the_first_one_is_refused_but_never_a_stop():
    from voiceguide.recognition.matching import passes_alike

    # Readings of corpus clips (the 30 s pass's best after the short window's): the two
    # passes heard different things and the final answer is unsure, so it is a guess.
    assert not passes_alike(Intent.END, ("Quit.", -0.742), "Red room.")
    assert not passes_alike(Intent.PAUSE, ("Pause.", -0.827), "I'm gonna go.")
    assert not passes_alike(Intent.HELP, ("What can i say.", -0.801), "He was not that shurn old suppose.")
    # a first reading spelled like the answer, or like one clause of it, agrees
    assert passes_alike(Intent.PAUSE, ("Hold on.", -0.8), "Hold.")
    assert passes_alike(Intent.REPEAT, ("Repeat that.", -0.9), "Okay. Repeat it.")
    # a sure final reading, no first reading, or a stop: nothing to refuse
    assert passes_alike(Intent.END, ("Quit.", -0.69), "Red room.")
    assert passes_alike(Intent.END, ("Quit.", -0.9), None)
    assert passes_alike(Intent.STOP, ("Stop.", -0.9), "Why?")


def test_passes_alike_can_be_turned_off():
    from voiceguide.recognition import matching

    policy = replace(DEFAULT_POLICY, passes_alike=False)
    assert matching.passes_alike(Intent.END, ("Quit.", -0.742), "Red room.", policy)


def _spelling_tie(readings, moment=Moment.PAUSED, first=None):
    from voiceguide.recognition.matching import spelling_tie

    texts = [text for text, _ in readings] + ([first] if first else [])
    tie = spelling_tie(readings, texts, moment)
    return None if tie is None else tie[0]


def test_a_near_spelling_of_resume_or_skip_step_gives_way_to_a_close_reading_of_the_phrase():
    # Readings of corpus clips: espeak's test voices write "resume" so, clean
    assert _spelling_tie([("Refume.", -0.435), ("Resume.", -0.511), ("Reume.", -0.755)]) == "Resume."
    assert _spelling_tie([("Reume.", -0.551), ("Resume.", -0.551)]) == "Resume."
    assert _spelling_tie([("Skip.", -0.349), ("Skip step.", -0.613)], Moment.STEP) == "Skip step."
    # not beyond the margin, below the floor, or for a reading spelled otherwise
    assert _spelling_tie([("Refume.", -0.3), ("Resume.", -0.9)]) is None
    assert _spelling_tie([("Refume.", -0.918), ("Resume.", -1.064)]) is None
    assert _spelling_tie([("Review.", -0.525), ("Resume.", -0.6)]) is None
    # not when the best reading says more than the phrase ("Resume. Not.", "Skip it now.")
    assert _spelling_tie([("Resume. Not.", -0.288), ("Resume.", -0.446)]) is None
    assert _spelling_tie([("Skip it now.", -0.3), ("Skip step.", -0.4)], Moment.STEP) is None
    # not when another command is among the texts, nor for any other phrase
    assert _spelling_tie([("Refume.", -0.4), ("Resume.", -0.5)], first="Quit.") is None
    assert _spelling_tie([("Dawn.", -0.3), ("Done.", -0.32)], Moment.STEP) is None
    assert _spelling_tie([("Contino.", -0.3), ("Continue.", -0.35)], Moment.PAUSED) is None
    # a best reading that is a command is never overruled
    assert _spelling_tie([("Quit.", -0.3), ("Resume.", -0.35)]) is None


def test_clauses_split_sentences_and_clauses():
    from voiceguide.recognition.matching import clauses

    assert clauses("Next step. A less to be rather.") == ["next step", "a less to be rather"]
    assert clauses("Softer, he was not!") == ["softer", "he was not"]
    assert clauses("  ") == []


def test_a_gated_reading_counts_only_when_the_untouched_one_heard_it_too():
    from voiceguide.recognition.matching import gated_agrees

    # the TV's words around the command; with the background turned down, the command alone
    assert gated_agrees("Next step.", ["Next step. A less to be rather."], Moment.STEP)
    assert gated_agrees("Continue.", ["Be a bull woman.", "Continue. Be a bull woman."], Moment.STEP)
    # the gated reading must be an allowed phrase, heard as a whole clause of the other
    assert not gated_agrees("Next step.", ["Nest up. A less to be rather."], Moment.STEP)
    assert not gated_agrees("Next step.", ["The next step is the hard part."], Moment.STEP)
    assert not gated_agrees("Hold on.", ["All done. He was not."], Moment.STEP)
    assert not gated_agrees("A less.", ["Next step. A less."], Moment.STEP)
    assert not gated_agrees("Yes.", ["Yes. Rather."], Moment.STEP)  # not allowed at a step
    # two commands among the untouched readings' clauses: no command, whichever is gated
    assert not gated_agrees("Done.", ["Stop. Done."], Moment.STEP)
    assert not gated_agrees("Stop.", ["That's.", "Yes.", "Stop."], Moment.CHECK)
    # a whole reading that is another command, though no clause of it is ("Skip. Step.")
    assert not gated_agrees("Repeat.", ["Repeat. A less.", "Skip. Step."], Moment.STEP)


def test_a_gated_reading_is_worth_it_only_for_a_command_among_other_words():
    from voiceguide.recognition.matching import gated_reading_worth

    allowed = {"next step", "done", "stop"}
    assert gated_reading_worth(["Next step. A less to be rather."], allowed)
    assert gated_reading_worth(["A less to be rather.", "Done. Rather."], allowed)
    assert not gated_reading_worth(["Next step."], allowed)  # the untouched reading decides
    assert not gated_reading_worth(["The next step is the hard part."], allowed)


def _tie(readings, moment=Moment.STEP, first=None):
    texts = [text for text, _ in readings] + ([first] if first else [])
    tie = near_tie(readings, texts, moment)
    return None if tie is None else tie[0]  # the reading's text


def test_a_near_tie_with_a_harmless_phrase_is_taken_when_the_best_reading_is_no_command():
    # Readings of corpus clips (scripts/bench_recognition.py): pink noise and TV.
    assert _tie([("Three days.", -0.927), ("Repeat.", -0.85), ("Free pay.", -0.965)]) == "Repeat."
    assert _tie([("With.", -0.825), ("Wait.", -0.858), ("Live.", -1.035)]) == "Wait."
    assert (
        _tie([("Say that again. No more risk.", -0.419), ("Say that again.", -0.39)]) == "Say that again."
    )  # a shorter reading may score better than the best
    assert _tie([("Somewhere else.", -0.5), ("See you again.", -0.52)]) == "See you again."


def test_a_near_tie_is_no_tie_beyond_the_margin_or_below_the_floor():
    assert _tie([("With.", -0.80), ("Wait.", -0.858)]) is None
    assert _tie([("I am.", -0.981), ("Piled.", -1.033), ("Help.", -1.01)]) is None


def test_a_near_tie_never_settles_an_advance_a_step_change_an_answer_a_stop_or_a_voice_setting():
    assert not HARMLESS & (ADVANCING | {Intent.BACK, Intent.NO, Intent.STOP, Intent.END})
    assert not HARMLESS & {Intent.SLOWER, Intent.FASTER, Intent.LOUDER, Intent.QUIETER}
    assert _tie([("Dawn.", -0.3), ("Done.", -0.32)]) is None
    assert _tie([("Nope.", -0.279), ("No.", -0.287)], Moment.CHECK) is None
    assert _tie([("Stuck.", -0.637), ("Start.", -0.591), ("Stop.", -0.663)]) is None
    assert _tie([("Quit. Am I.", -0.644), ("Quit.", -0.656)], Moment.PAUSED) is None
    assert _tie([("Speak up.", -0.558), ("Speed up.", -0.561)]) is None
    assert _tie([("Move back.", -0.459), ("Go back.", -0.464)]) is None


def test_a_near_tie_is_refused_when_the_utterance_holds_another_command():
    assert (
        _tie([("Let's do it.", -0.5), ("Where am i.", -0.52), ("What can i say.", -0.53)], Moment.PAUSED)
        is None
    )  # two commands among the close readings
    assert _tie([("With.", -0.825), ("Wait.", -0.858)], first="Speed up.") is None
    assert _tie([("With.", -0.825), ("Wait.", -0.858), ("Stop. Wait.", -0.95)]) is None
    assert _tie([("With. Stop.", -0.825), ("Wait.", -0.858)]) is None  # a clause


def test_a_best_reading_that_is_a_command_is_never_overruled_by_a_tie():
    assert _tie([("Done.", -0.3), ("Repeat.", -0.31)]) is None
    assert _tie([("Wait.", -0.3)]) is None


def test_a_cross_check_is_wanted_for_the_commands_the_readings_name_but_a_stop():
    from voiceguide.recognition.matching import cross_check_wanted

    CROSS_CHECKED = DEFAULT_POLICY.cross_checked

    step = Moment.STEP
    assert cross_check_wanted(["Read this.", "Previous."], step) == {Intent.BACK}
    assert cross_check_wanted(["Now how. Repeat.", "Now."], step) == {Intent.REPEAT}
    assert cross_check_wanted(["Rain.", "Renew."], step) == set()
    # Several commands: base's answer must be one of them; never with a stop among them.
    assert cross_check_wanted(["Repeat. Three.", "Next step."], step) == {Intent.REPEAT, Intent.NEXT}
    assert cross_check_wanted(["Go back.", "Hold on."], step) == {Intent.BACK}
    assert cross_check_wanted(["Stop.", "Go back."], step) == set()
    assert cross_check_wanted(["Stop. Previous."], step) == set()
    # Only the intents it may settle: never "yes" (a check's answer), a pause, a voice
    # setting or "no"; the other advances never with a stop among the readings.
    assert not CROSS_CHECKED & {
        Intent.YES,
        Intent.NO,
        Intent.PAUSE,
        Intent.SLOWER,
        Intent.FASTER,
        Intent.LOUDER,
        Intent.QUIETER,
    }
    assert cross_check_wanted(["Yes sir.", "Yes."], Moment.CHECK) == set()
    assert cross_check_wanted(["Reume.", "Resume."], Moment.PAUSED) == {Intent.RESUME}
    assert cross_check_wanted(["Contino.", "Continue."], step) == {Intent.NEXT}
    assert cross_check_wanted(["Next step.", "Stop."], step) == set()
    assert cross_check_wanted(["Skip step. Stop."], step) == set()
    assert cross_check_wanted(["All done.", "Hold on."], step) == set()
    assert cross_check_wanted(["Go.", "No."], Moment.CHECK) == set()
    policy = replace(DEFAULT_POLICY, cross_check_several=False)
    assert cross_check_wanted(["Go back.", "Hold on."], step, policy) == set()
    assert cross_check_wanted(["Read this.", "Previous."], step, policy) == {Intent.BACK}
    policy = replace(policy, cross_check=False)
    assert cross_check_wanted(["Read this.", "Previous."], step, policy) == set()


def test_the_larger_model_is_asked_only_when_no_reading_named_a_command():
    from voiceguide.recognition.matching import background_check_wanted

    BACKGROUND_CHECKED = DEFAULT_POLICY.background_checked

    step = Moment.STEP
    # tiny.en wrote the TV's words only.
    assert background_check_wanted(["What can then you leisure to.", "What can i do."], step, True)
    # Without a talking background (a quiet room, steady noise, reverb): asked too, unless
    # the best reading is a sure sentence.
    assert background_check_wanted(["What can i see?"], step, False, ("What can i see?", -0.2))
    assert background_check_wanted(["Is three of the steps."], step, False, ("Is three of the steps.", -0.81))
    assert not background_check_wanted(
        ["The bus was late again."], step, False, ("The bus was late again.", -0.3)
    )
    assert not background_check_wanted(["Eight."], step, False, ("Eight.", -0.2))
    # Not at a check or its confirm turn: of the intents base may answer, only help is allowed
    # there, and it was never right there.
    assert not background_check_wanted(["What can i see?"], Moment.CHECK, True)
    assert not background_check_wanted(["What can i see?"], Moment.CONFIRM, False)
    assert background_check_wanted(["What can i see?"], Moment.PAUSED, False)
    # A short reading the recognizer is sure of is a word it heard, not the TV's babble.
    assert not background_check_wanted(["Eight."], step, True, ("Eight.", -0.2))
    assert background_check_wanted(["Three minutes."], step, True, ("Three minutes.", -1.07))
    assert background_check_wanted(["Bring me a step."], step, True, ("Bring me a step.", -0.2))
    # A reading, or a clause of one, named a command: that is the cross-check's to settle.
    assert not background_check_wanted(["Repeat. Go.", "Repeat."], step, True)
    assert not background_check_wanted(["Slow down. Seven.", "Hold on. Seven."], step, True)
    assert not background_check_wanted(["Anyways.", "Yes."], Moment.CHECK, True)
    # Over a TV base took sound-alikes as these ("fun" as "Confirm.", "stock" as "Stop.",
    # "pose" as "Pause."), a real "nine" as "No.", commands as another voice setting.
    assert not BACKGROUND_CHECKED & {
        Intent.YES,
        Intent.NO,
        Intent.STOP,
        Intent.PAUSE,
        Intent.REPEAT,
        Intent.WHERE,
        Intent.SLOWER,
        Intent.FASTER,
        Intent.LOUDER,
        Intent.QUIETER,
    }
    policy = replace(DEFAULT_POLICY, quiet_check=False)
    assert not background_check_wanted(["What can i do."], step, False, policy=policy)  # a quiet room
    assert background_check_wanted(["What can i do."], step, True, policy=policy)
    policy = replace(policy, background_check=False)
    assert not background_check_wanted(["What can i do."], step, True, policy=policy)


def test_only_the_listed_commands_need_the_whole_utterance_to_agree():
    assert DEFAULT_POLICY.whole_checked == {Intent.NEXT, Intent.YES}
    assert {"done", "next step", "continue", "yes", "confirm"} <= DEFAULT_POLICY.whole_phrases
    assert not matching.whole_agrees(Intent.NEXT, "Other. Dog.", Moment.STEP)
    assert matching.whole_agrees(Intent.NEXT, "Next step.", Moment.STEP)
    assert matching.whole_agrees(Intent.NEXT, None, Moment.STEP)
    assert matching.whole_agrees(Intent.PAUSE, "Other. Dog.", Moment.STEP)


def test_the_whole_utterance_may_hold_the_phrase_as_a_clause_among_the_tv_words():
    step, check = Moment.STEP, Moment.CHECK
    assert matching.whole_agrees(Intent.NEXT, "Done. You might even have been.", step, "done")
    assert matching.whole_agrees(Intent.YES, "Seven. Confirm.", check, "confirm")
    assert not matching.whole_agrees(Intent.YES, "Yes. To be older.", check, "yes")  # "guess"
    assert not matching.whole_agrees(Intent.NEXT, "Done. Stop.", step, "done")  # and a stop
    assert not matching.whole_agrees(Intent.NEXT, "Let's continue forward.", step, "continue")
    assert not matching.whole_agrees(Intent.NEXT, "Done. Dog.", step, "next step")
    assert not matching.whole_agrees(Intent.NEXT, "", step, "done")  # unclear
    policy = replace(DEFAULT_POLICY, whole_clause=False)
    assert not matching.whole_agrees(Intent.NEXT, "Done. You might even have been.", step, "done", policy)
