"""A gather step's list ("items:"), read one thing at a time with the existing commands: "next
step" reads the next thing and, after the last, moves on; "repeat" says it again; "go back"
the one before; "where am i" names it; "skip step" passes the list when it is skippable."""

from __future__ import annotations

import pytest

from voiceguide.core.intents import Intent
from voiceguide.core.procedure import parse_procedure
from voiceguide.core.session import Session
from voiceguide.core.session_types import Command, Mode, Say, SpeechEnded, Start, Tick

pytestmark = pytest.mark.unit

PROC = """\
id: soup
title: Soup
steps:
  - id: gather
    title: Gather what you need
    say: Gather what you need before you start.
    items: [1 onion, 2 carrots, 200 g red lentils]
    skippable: true
  - {id: chop, title: Chop, say: Chop the onion.}
"""


def said(effects) -> str:
    return " ".join(e.text for e in effects if isinstance(e, Say))


@pytest.fixture
def session():
    return Session(parse_procedure("soup.yaml", PROC))


def begin(session):
    state, effects = session.transition(session.start(), Start(0.0))
    state, _ = session.transition(state, SpeechEnded(1.0))
    return state, effects


def say(session, state, intent, t=2.0):
    return session.transition(state, Command(t, intent, ""))


def test_the_step_says_how_many_things_and_how_to_hear_them(session):
    state, effects = begin(session)
    assert said(effects).endswith(
        "Step 1 of 2. Gather what you need. Gather what you need before you start. There are 3 "
        'things. Say "next step" to hear them one at a time, or "skip step" if you have them all.'
    )
    assert state.item is None and state.mode is Mode.STEP


def test_next_step_reads_each_thing_then_moves_on(session):
    state, _ = begin(session)
    heard = []
    for _ in range(3):
        state, effects = say(session, state, Intent.NEXT)
        heard.append(said(effects))
        assert state.index == 0
    assert heard == ["1 of 3: 1 onion", "2 of 3: 2 carrots", "3 of 3: 200 g red lentils"]
    state, effects = say(session, state, Intent.NEXT)
    assert state.index == 1 and state.item is None
    assert said(effects).startswith("Step 2 of 2. Chop.")


def test_repeat_says_the_current_thing_and_before_the_first_the_whole_step(session):
    state, _ = begin(session)
    _, effects = say(session, state, Intent.REPEAT)
    assert "There are 3 things." in said(effects)
    state, _ = say(session, state, Intent.NEXT)
    state, _ = say(session, state, Intent.NEXT)
    again, effects = say(session, state, Intent.REPEAT)
    assert said(effects) == "2 of 3: 2 carrots" and again == state


def test_go_back_reads_the_thing_before_and_from_the_first_the_step(session):
    state, _ = begin(session)
    for _ in range(2):
        state, _ = say(session, state, Intent.NEXT)
    state, effects = say(session, state, Intent.BACK)
    assert said(effects) == "1 of 3: 1 onion" and state.item == 0
    state, effects = say(session, state, Intent.BACK)
    assert state.index == 0 and state.item is None
    assert "There are 3 things." in said(effects)
    _, effects = say(session, state, Intent.BACK)
    assert said(effects).startswith("This is the first step.")


def test_where_am_i_names_the_thing_and_reminders_teach_the_list(session):
    state, _ = begin(session)
    state, _ = say(session, state, Intent.NEXT)
    _, effects = say(session, state, Intent.WHERE)
    assert said(effects) == "Step 1 of 2: Gather what you need, thing 1 of 3."
    state, _ = session.transition(state, SpeechEnded(3.0))
    _, effects = session.transition(state, Tick(session.next_deadline(state)))  # the first reminder
    assert said(effects) == 'I\'m still here. Say "next step" to hear the next thing, or "repeat".'
    for _ in range(2):
        state, _ = say(session, state, Intent.NEXT)
    _, effects = session.transition(state, Command(30.0, None, "mumble"))
    assert said(effects).endswith(
        'That was the last thing. Say "next step" when you have everything, or "go back".'
    )


def test_skip_step_passes_the_list_and_resuming_says_the_step_again(session):
    state, _ = begin(session)
    state, _ = say(session, state, Intent.NEXT)
    paused, _ = say(session, state, Intent.STOP)
    resumed, effects = say(session, paused, Intent.RESUME)
    assert resumed.item is None and "There are 3 things." in said(effects)  # the step again
    skipped, effects = say(session, state, Intent.SKIP)
    assert skipped.index == 1 and said(effects).startswith("Step 2 of 2. Chop.")


def test_a_step_without_items_is_unchanged():
    session = Session(
        parse_procedure(
            "tea.yaml",
            "id: tea\ntitle: Tea\nsteps:\n  - {id: a, title: A, say: Boil.}\n  - {id: b, title: B, say: Pour.}\n",
        )
    )
    state, effects = begin(session)
    assert said(effects) == 'Step 1 of 2. A. Boil. Say "next step" when it is done.'
    state, _ = say(session, state, Intent.NEXT)
    assert state.index == 1 and state.item is None
