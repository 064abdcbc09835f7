"""The pure state machine: every intent at every moment, with time passed in as numbers."""

from __future__ import annotations

import pytest

from voiceguide.core.events import EventType
from voiceguide.core.intents import ALLOWED, Intent, Moment
from voiceguide.core.procedure import parse_procedure
from voiceguide.core.session import Session
from voiceguide.core.session_types import (
    Command,
    CutSpeech,
    Emit,
    End,
    InputClosed,
    Mode,
    Outcome,
    Say,
    SetVoice,
    SpeechEnded,
    Start,
    Tick,
)

pytestmark = pytest.mark.unit

PROC = """\
id: demo
title: Demo
steps:
  - {id: one, title: One, say: First thing., help: Extra help for one.}
  - {id: two, title: Two, say: Second thing., check: {question: "Is it safe?", if_no: Do not go on.}}
  - {id: three, title: Three, say: Third thing., timer: {seconds: 30, say: Wait now.}}
  - {id: four, title: Four, say: Fourth thing., skippable: true}
  - {id: five, title: Five, say: Last thing.}
"""


@pytest.fixture
def session():
    return Session(parse_procedure("demo.yaml", PROC))


def said(effects) -> str:
    return " ".join(e.text for e in effects if isinstance(e, Say))


def emitted(effects) -> list[EventType]:
    return [e.event.type for e in effects if isinstance(e, Emit)]


def begin(session, t=0.0):
    state, effects = session.transition(session.start(), Start(t))
    state, _ = session.transition(state, SpeechEnded(t + 1))
    return state, effects


def cmd(session, state, intent, t=2.0, text=""):
    return session.transition(state, Command(t, intent, text))


def at_step(session, index):
    """A state listening at step ``index``, reached by real commands."""
    state, _ = begin(session)
    for _ in range(index):
        intent = Intent.YES if state.mode is Mode.CHECK else Intent.NEXT
        if state.mode is Mode.READY:  # the action is done: its timer starts
            state, _ = cmd(session, state, Intent.NEXT)
        if state.mode is Mode.TIMER:
            state, _ = session.transition(state, SpeechEnded(3.0))
            state, _ = session.transition(state, Tick(100.0))
            state, _ = session.transition(state, Tick(100.0))
        state, _ = cmd(session, state, intent)
        state, _ = session.transition(state, SpeechEnded(4.0))
    assert state.index == index
    return state


def test_start_says_the_first_step_and_records_it(session):
    state, effects = session.transition(session.start(), Start(0.0))
    assert emitted(effects)[:2] == [EventType.SESSION_STARTED, EventType.STEP_STARTED]
    assert "Step 1 of 5. One. First thing." in said(effects)
    assert state.mode is Mode.STEP and state.moment is Moment.STEP


def test_next_repeat_back_move_as_expected(session):
    state, _ = begin(session)
    state, effects = cmd(session, state, Intent.REPEAT)
    assert state.index == 0 and "First thing." in said(effects)
    assert EventType.STEP_STARTED not in emitted(effects)
    state, effects = cmd(session, state, Intent.NEXT)
    assert state.index == 1 and state.mode is Mode.CHECK and "Is it safe?" in said(effects)
    state, effects = cmd(session, state, Intent.YES)
    assert state.index == 2
    state = at_step(session, 3)
    state, effects = cmd(session, state, Intent.BACK)
    assert state.index == 2


def test_back_on_the_first_step_stays(session):
    state, _ = begin(session)
    state, effects = cmd(session, state, Intent.BACK)
    assert state.index == 0 and "first step" in said(effects)


@pytest.mark.parametrize("text", ["", "the weather is nice", "um"])
def test_unclear_speech_reprompts_and_never_moves(session, text):
    for index in range(5):
        state = at_step(session, index)
        new, effects = session.transition(state, Command(5.0, None, text))
        assert new.index == state.index and new.mode is state.mode
        assert EventType.UNCLEAR in emitted(effects) and said(effects)


def test_every_intent_at_every_moment_only_moves_when_allowed(session):
    states = {
        Moment.STEP: at_step(session, 0),
        Moment.CHECK: at_step(session, 1),
        Moment.TIMER: cmd(session, at_step(session, 2), Intent.NEXT)[0],
    }
    paused, _ = cmd(session, states[Moment.STEP], Intent.STOP)
    states[Moment.PAUSED] = paused
    safe, _ = cmd(session, states[Moment.CHECK], Intent.NO)
    states[Moment.SAFE_EXIT] = safe
    for moment, state in states.items():
        assert state.moment is moment
        for intent in Intent:
            new, effects = session.transition(state, Command(6.0, intent, intent.value))
            assert said(effects), (moment, intent)  # always an answer
            if intent not in ALLOWED[moment]:
                assert (new.index, new.mode) == (state.index, state.mode), (moment, intent)
                assert EventType.UNCLEAR in emitted(effects)
            if moment is Moment.CHECK and intent is not Intent.YES:
                assert new.index == state.index  # only "yes" passes a check


def test_no_at_a_check_leads_to_safe_guidance_never_onward(session):
    state = at_step(session, 1)
    state, effects = cmd(session, state, Intent.NO)
    assert state.mode is Mode.SAFE_EXIT and state.index == 1
    assert "Do not go on." in said(effects) and "go back" in said(effects)
    for attempt in (Intent.NEXT, Intent.YES, Intent.SKIP):
        new, _ = cmd(session, state, attempt)
        assert new.index == 1 and new.mode is Mode.SAFE_EXIT
    back, effects = cmd(session, state, Intent.BACK)
    assert back.index == 1 and back.mode is Mode.CHECK and "Is it safe?" in said(effects)
    ended, effects = cmd(session, state, Intent.END)
    assert ended.mode is Mode.ENDED and ended.outcome is Outcome.DECLINED_CHECK
    assert any(isinstance(e, End) for e in effects)


def spoken(session, state, intent, text, t=2.0):
    return session.transition(state, Command(t, intent, text, spoken=True))


def test_a_spoken_yes_to_a_check_must_be_confirmed_before_it_moves_on(session):
    state = at_step(session, 1)
    state, effects = spoken(session, state, Intent.YES, "Yes.")
    assert state.index == 1 and state.mode is Mode.CONFIRM and state.moment is Moment.CONFIRM
    assert 'say "confirm"' in said(effects) and EventType.CHECK_ANSWERED not in emitted(effects)
    assert EventType.CONFIRM_ASKED in emitted(effects)  # the screen shows the confirm word
    state, _ = session.transition(state, SpeechEnded(3.0))
    state, effects = spoken(session, state, Intent.YES, "Confirm.", t=4.0)
    assert state.index == 2 and EventType.CHECK_ANSWERED in emitted(effects)


@pytest.mark.parametrize("text, spoken_", [("Confirm.", True), ("yes", False), ("y", False)])
def test_confirm_itself_or_a_key_passes_a_check_at_once(session, text, spoken_):
    state = at_step(session, 1)
    state, effects = session.transition(state, Command(2.0, Intent.YES, text, spoken=spoken_))
    assert state.index == 2 and EventType.CHECK_ANSWERED in emitted(effects)


def test_no_instead_of_confirm_asks_the_check_again_and_never_moves_on(session):
    state = at_step(session, 1)
    state, _ = spoken(session, state, Intent.YES, "Yes.")
    state, effects = spoken(session, state, Intent.NO, "No.", t=3.0)
    assert state.index == 1 and state.mode is Mode.CHECK and "Is it safe?" in said(effects)
    assert EventType.CHECK_ANSWERED not in emitted(effects)
    assert EventType.CHECK_ASKED in emitted(effects)  # the screen asks for yes or no again
    state, effects = spoken(session, state, Intent.NO, "No.", t=4.0)
    assert state.mode is Mode.SAFE_EXIT and "Do not go on." in said(effects)


def test_while_confirming_yes_again_is_not_enough_and_silence_gets_a_reminder(session):
    state = at_step(session, 1)
    state, _ = spoken(session, state, Intent.YES, "Yes.")
    new, effects = session.transition(state, Command(3.0, None, "Yes.", elsewhere=Intent.YES, spoken=True))
    assert new.mode is Mode.CONFIRM and new.index == 1
    assert 'I need the word "confirm"' in said(effects) and "Is it safe?" in said(effects)
    state, _ = session.transition(state, SpeechEnded(3.0))
    state, effects = session.transition(state, Tick(3.0 + 20.0))
    assert state.mode is Mode.CONFIRM and EventType.REMINDER in emitted(effects)
    assert 'Say "confirm" to go on' in said(effects)


def test_stop_while_confirming_pauses_and_resume_asks_the_check_again(session):
    state = at_step(session, 1)
    state, _ = spoken(session, state, Intent.YES, "Yes.")
    state, effects = spoken(session, state, Intent.STOP, "Stop.", t=3.0)
    assert state.mode is Mode.PAUSED and any(isinstance(e, CutSpeech) for e in effects)
    state, effects = spoken(session, state, Intent.RESUME, "Resume.", t=4.0)
    assert state.mode is Mode.CHECK and state.index == 1 and "Is it safe?" in said(effects)


def test_help_while_confirming_teaches_the_confirm_word(session):
    state = at_step(session, 1)
    state, _ = spoken(session, state, Intent.YES, "Yes.")
    _, effects = spoken(session, state, Intent.HELP, "Help.", t=3.0)
    assert 'You can say: "repeat", "stop", "help", "where am i", "confirm", "no".' in said(effects)
    _, effects = spoken(session, state, Intent.REPEAT, "Repeat.", t=3.0)
    assert "Is it safe?" in said(effects) and 'Say "confirm"' in said(effects)


def test_stop_cuts_speech_pauses_and_resume_or_end_is_a_separate_choice(session):
    state = at_step(session, 3)
    paused, effects = cmd(session, state, Intent.STOP)
    assert isinstance(effects[0], CutSpeech)
    assert paused.mode is Mode.PAUSED and paused.index == 3
    again, effects = cmd(session, paused, Intent.STOP)
    assert again.mode is Mode.PAUSED and "Still paused" in said(effects)
    resumed, effects = cmd(session, paused, Intent.RESUME)
    assert resumed.mode is Mode.STEP and resumed.index == 3 and "Fourth thing." in said(effects)
    ended, effects = cmd(session, paused, Intent.END)
    assert ended.outcome is Outcome.ENDED


def test_silence_gets_reminders_and_never_a_step_change(session):
    state, _ = begin(session, t=0.0)  # speech ended at t=1
    assert session.next_deadline(state) == pytest.approx(21.0)
    state, effects = session.transition(state, Tick(9.0))
    assert not effects
    state, effects = session.transition(state, Tick(21.0))
    assert EventType.REMINDER in emitted(effects) and state.index == 0
    state, _ = session.transition(state, SpeechEnded(24.0))
    assert session.next_deadline(state) == pytest.approx(69.0)  # the next one comes later
    state, effects = session.transition(state, Tick(69.0))
    assert EventType.REMINDER in emitted(effects) and state.index == 0 and state.mode is Mode.STEP


def test_no_reminder_while_still_speaking_or_paused(session):
    state, _ = session.transition(session.start(), Start(0.0))
    assert session.next_deadline(state) is None  # the silence clock starts when speech ends
    paused, _ = cmd(session, at_step(session, 0), Intent.STOP)
    assert session.next_deadline(paused) is None


def test_timer_counts_from_the_end_of_its_prompt_and_then_waits_for_next(session):
    state, _ = cmd(session, at_step(session, 1), Intent.YES, t=4.0)
    state, _ = cmd(session, state, Intent.NEXT, t=5.0)  # the action before the timer is done
    assert state.mode is Mode.TIMER and state.timer_end is None  # not while its prompt plays
    state, _ = session.transition(state, SpeechEnded(10.0))
    assert state.timer_end == pytest.approx(40.0)
    new, effects = cmd(session, state, Intent.NEXT, t=15.0)
    assert new.index == 2 and "25 seconds left" in said(effects)  # not skippable: must wait
    new, effects = cmd(session, state, Intent.REPEAT, t=20.0)
    assert "20 seconds left" in said(effects)
    state, effects = session.transition(state, Tick(30.0))
    assert "10 seconds left" in said(effects)
    state, effects = session.transition(state, Tick(40.0))
    assert state.mode is Mode.STEP and state.index == 2 and EventType.TIMER_FINISHED in emitted(effects)
    state, _ = cmd(session, state, Intent.NEXT, t=41.0)
    assert state.index == 3


def test_stop_pauses_a_running_timer_and_resume_continues_it(session):
    state, _ = cmd(session, at_step(session, 1), Intent.YES, t=4.0)
    state, _ = cmd(session, state, Intent.NEXT, t=5.0)
    state, _ = session.transition(state, SpeechEnded(10.0))
    paused, _ = cmd(session, state, Intent.STOP, t=20.0)
    assert paused.timer_left == pytest.approx(20.0)
    assert session.next_deadline(paused) is None
    resumed, effects = cmd(session, paused, Intent.RESUME, t=500.0)
    assert resumed.mode is Mode.TIMER and "20 seconds left" in said(effects)
    resumed, _ = session.transition(resumed, SpeechEnded(502.0))
    assert resumed.timer_end == pytest.approx(522.0)


def test_skip_only_on_skippable_steps(session):
    state = at_step(session, 0)
    new, effects = cmd(session, state, Intent.SKIP)
    assert new.index == 0 and "can't be skipped" in said(effects)
    state = at_step(session, 3)
    new, _ = cmd(session, state, Intent.SKIP)
    assert new.index == 4


def test_last_step_next_completes(session):
    state = at_step(session, 4)
    state, effects = cmd(session, state, Intent.NEXT)
    assert state.mode is Mode.ENDED and state.outcome is Outcome.COMPLETED
    assert EventType.SESSION_ENDED in emitted(effects)
    after, effects = cmd(session, state, Intent.BACK)
    assert after == state and effects == []


def test_help_lists_what_can_be_said_and_the_steps_extra_help(session):
    state = at_step(session, 0)
    _, effects = cmd(session, state, Intent.HELP)
    assert '"next step"' in said(effects) and "Extra help for one." in said(effects)
    _, effects = cmd(session, at_step(session, 1), Intent.HELP)
    assert "safety check" in said(effects)


def test_where_says_step_n_of_m(session):
    _, effects = cmd(session, at_step(session, 3), Intent.WHERE)
    assert "Step 4 of 5: Four." in said(effects)


def test_voice_settings_change_within_limits(session):
    state = at_step(session, 0)
    slower, effects = cmd(session, state, Intent.SLOWER)
    assert slower.rate < state.rate and any(isinstance(e, SetVoice) for e in effects)
    quieter, _ = cmd(session, state, Intent.QUIETER)
    assert quieter.volume < state.volume
    for _ in range(20):
        quieter, effects = cmd(session, quieter, Intent.QUIETER)
    assert quieter.volume >= 0.2 and "limit" in said(effects)
    assert quieter.index == 0


def test_input_closed_ends_without_completing(session):
    state, effects = session.transition(at_step(session, 2), InputClosed(9.0))
    assert state.outcome is Outcome.INPUT_CLOSED and EventType.SESSION_ENDED in emitted(effects)


def test_rehearsal_says_so_and_finishes_without_injecting():
    procedure = parse_procedure(
        "demo.yaml", PROC.replace("say: First thing.", "say: First thing., rehearsal: true")
    )
    session = Session(procedure.for_rehearsal())
    state, effects = session.transition(session.start(), Start(0.0))
    assert "rehearsal" in said(effects) and "Do not inject" in said(effects)
    state, effects = cmd(session, state, Intent.NEXT)
    assert state.outcome is Outcome.COMPLETED and "did not inject" in said(effects)


# -- timers that behave ----------------------------------------------------------------------


def running_timer(session, speech_ended_at=10.0):
    """At step three (30 s timer) with its prompt spoken at ``speech_ended_at``."""
    state, _ = cmd(session, at_step(session, 1), Intent.YES, t=4.0)
    state, _ = cmd(session, state, Intent.NEXT, t=5.0)
    state, effects = session.transition(state, SpeechEnded(speech_ended_at))
    return state, effects


def test_timer_start_is_an_event_the_display_can_follow(session):
    state, effects = running_timer(session)
    running = [e.event for e in effects if isinstance(e, Emit)]
    assert [(e.type, e.data["left"]) for e in running] == [(EventType.TIMER_RUNNING, 30)]


def test_the_last_five_seconds_are_counted_aloud_once_each(session):
    state, _ = running_timer(session)  # ends at t=40
    state, effects = session.transition(state, Tick(30.0))
    assert said(effects) == "10 seconds left."
    counted = []
    for _ in range(10):
        deadline = session.next_deadline(state)
        state, effects = session.transition(state, Tick(deadline))
        counted.append(said(effects))
        if state.mode is not Mode.TIMER:
            break
    assert counted[:5] == ["5.", "4.", "3.", "2.", "1."]
    assert state.mode is Mode.STEP and EventType.TIMER_FINISHED in emitted(effects)


def test_a_late_tick_skips_numbers_rather_than_flooding(session):
    state, _ = running_timer(session)
    state, _ = session.transition(state, Tick(30.0))
    state, effects = session.transition(state, Tick(35.0))
    assert said(effects) == "5."
    state, effects = session.transition(state, Tick(37.6))  # the runner was busy speaking
    assert said(effects) == "2."
    assert session.next_deadline(state) == pytest.approx(39.0)
    early, effects = session.transition(state, Tick(38.5))
    assert effects == [] and early == state


def test_pause_pauses_a_running_timer_and_resume_carries_on(session):
    state, _ = running_timer(session)
    paused, effects = cmd(session, state, Intent.PAUSE, t=22.0)
    assert paused.mode is Mode.PAUSED and paused.timer_left == pytest.approx(18.0)
    assert "timer is paused" in said(effects)
    pause_event = [e.event for e in effects if isinstance(e, Emit)][0]
    assert pause_event.type is EventType.PAUSED and pause_event.data["timer_left"] == 18.0
    assert session.next_deadline(paused) is None  # nothing counts down while paused
    _, effects = cmd(session, paused, Intent.WHERE, t=300.0)
    assert "paused" in said(effects)
    resumed, effects = cmd(session, paused, Intent.RESUME, t=300.0)
    assert resumed.mode is Mode.TIMER and "18 seconds left" in said(effects)
    resumed, effects = session.transition(resumed, SpeechEnded(303.0))
    assert resumed.timer_end == pytest.approx(321.0) and EventType.TIMER_RUNNING in emitted(effects)
    _, effects = cmd(session, resumed, Intent.REPEAT, t=311.0)
    assert said(effects) == "10 seconds left."


def test_a_timer_resumed_near_its_end_counts_on_without_an_extra_notice(session):
    state, _ = running_timer(session)
    paused, _ = cmd(session, state, Intent.STOP, t=33.0)  # 7 s left
    resumed, _ = cmd(session, paused, Intent.RESUME, t=100.0)
    resumed, _ = session.transition(resumed, SpeechEnded(101.0))  # ends at 108
    assert session.next_deadline(resumed) == pytest.approx(103.0)
    _, effects = session.transition(resumed, Tick(103.0))
    assert said(effects) == "5."


# -- verbosity --------------------------------------------------------------------------------

BRIEF = PROC.replace(
    "say: First thing., help:", "say: First thing in full detail., brief: First., help:"
).replace("say: Second thing.,", "say: Second thing in full., brief: Second.,")


def test_brief_sessions_say_the_short_form_and_repeat_or_help_give_the_detail():
    brief = Session(parse_procedure("demo.yaml", BRIEF), verbosity="brief")
    state, effects = brief.transition(brief.start(), Start(0.0))
    assert "Step 1 of 5. One. First." in said(effects) and "full detail" not in said(effects)
    assert "Prompts are short today" in said(effects)
    state, _ = brief.transition(state, SpeechEnded(1.0))
    _, effects = cmd(brief, state, Intent.REPEAT)
    assert "First thing in full detail." in said(effects)
    _, effects = cmd(brief, state, Intent.HELP)
    assert "First thing in full detail." in said(effects) and "Extra help for one." in said(effects)
    state, effects = cmd(brief, state, Intent.NEXT)
    assert "Second." in said(effects) and "Is it safe?" in said(effects)  # a check is never shortened


def test_detailed_is_the_default_and_ignores_brief_forms():
    detailed = Session(parse_procedure("demo.yaml", BRIEF))
    _, effects = detailed.transition(detailed.start(), Start(0.0))
    assert "First thing in full detail." in said(effects) and "Prompts are short" not in said(effects)


def test_a_step_without_a_brief_form_is_said_in_full_in_a_brief_session():
    brief = Session(parse_procedure("demo.yaml", BRIEF), verbosity="brief")
    state = at_step(brief, 4)
    _, effects = cmd(brief, state, Intent.REPEAT)
    assert "Last thing." in said(effects)


def test_help_names_the_one_key_controls():
    session = Session(parse_procedure("demo.yaml", PROC), inputs=frozenset({"keys"}))
    _, effects = cmd(session, at_step(session, 0), Intent.HELP)
    assert "Space or Enter: next" in said(effects)
    _, effects = cmd(session, at_step(session, 1), Intent.HELP)
    assert "Y: yes" in said(effects) and "N: no" in said(effects) and "Space" not in said(effects)
