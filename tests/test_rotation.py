"""Site rotation and resuming, in the pure session (time passed in as numbers)."""

from __future__ import annotations

import pytest

from voiceguide.app.adapters import prepare
from voiceguide.core.events import EventType
from voiceguide.core.intents import Intent
from voiceguide.core.procedure import parse_procedure
from voiceguide.core.profile import load_profile, parse_profile
from voiceguide.core.rotation import rotation_order, with_site_choice
from voiceguide.core.session import Session
from voiceguide.core.session_types import Command, Emit, Mode, Say, SpeechEnded, Start

pytestmark = pytest.mark.unit

PROFILE = parse_profile(
    "p.yaml", "sites: [left thigh, right thigh, left buttock]\nclinician: {name: Dr Ada, phone: '555 0100'}\n"
)


def said(effects) -> str:
    return " ".join(e.text for e in effects if isinstance(e, Say))


def events(effects, kind):
    return [e.event.data for e in effects if isinstance(e, Emit) and e.event.type is kind]


@pytest.mark.parametrize(
    "last, order",
    [
        (None, ("left thigh", "right thigh", "left buttock")),
        ("left thigh", ("right thigh", "left buttock", "left thigh")),
        ("left buttock", ("left thigh", "right thigh", "left buttock")),
        ("somewhere else", ("left thigh", "right thigh", "left buttock")),
    ],
)
def test_rotation_suggests_the_site_after_the_last_one(last, order):
    assert rotation_order(PROFILE.sites, last) == order


def site_session(last):
    procedure = with_site_choice(prepare("b12-im", "example", False).bind(None), PROFILE, last)
    index = next(i for i, step in enumerate(procedure.steps) if step.id == "todays-site")
    assert procedure.steps[index + 1].id == "confirm-site"
    return Session(procedure, first_step=index), index


def test_site_step_says_last_site_and_asks_for_yes_to_the_next():
    session, index = site_session("left thigh")
    state, effects = session.transition(session.start(), Start(0.0))
    text = said(effects)
    assert "Last time you used left thigh. Next in your clinician's rotation is right thigh." in text
    assert "Is right thigh the site your clinician's plan says for today?" in text
    assert state.mode is Mode.CHECK
    state, effects = session.transition(state, Command(1.0, Intent.YES, "yes"))
    assert events(effects, EventType.SITE_CHOSEN) == [{"step": "todays-site", "site": "right thigh"}]
    assert state.index == index + 1


def test_no_offers_the_other_trained_sites_then_safe_guidance():
    session, index = site_session(None)
    state, effects = session.transition(session.start(), Start(0.0))
    assert "no site on record" in said(effects) and "Is left thigh" in said(effects)
    state, effects = session.transition(state, Command(1.0, Intent.NO, "no"))
    assert state.mode is Mode.CHECK and "Is right thigh" in said(effects)
    state, effects = session.transition(state, Command(2.0, Intent.REPEAT, "repeat"))
    assert "Is right thigh" in said(effects)  # repeat asks the same site again
    state, effects = session.transition(state, Command(3.0, Intent.NO, "no"))
    assert "Is left buttock" in said(effects)
    state, effects = session.transition(state, Command(4.0, Intent.NO, "no"))
    assert state.mode is Mode.SAFE_EXIT and state.index == index
    assert "do not guess" in said(effects) and "Dr Ada on 555 0100" in said(effects)
    assert not events(effects, EventType.SITE_CHOSEN)
    state, effects = session.transition(state, Command(5.0, Intent.BACK, "go back"))
    assert state.mode is Mode.CHECK and "Is left thigh" in said(effects)  # starts over


def test_only_profile_sites_are_ever_offered():
    session, _ = site_session("the moon")
    state, effects = session.transition(session.start(), Start(0.0))
    offered = []
    for t in range(1, 4):
        offered += [d["question"] for d in events(effects, EventType.CHECK_ASKED)]
        state, effects = session.transition(state, Command(float(t), Intent.NO, "no"))
    assert "the moon, is not in your profile" in said(session.transition(session.start(), Start(0))[1])
    assert [q.split(" the site")[0] for q in offered] == [
        "Is left thigh",
        "Is right thigh",
        "Is left buttock",
    ]


def test_no_site_step_in_a_rehearsal_or_without_sites():
    b12 = load_profile("example")
    rehearsal = prepare("b12-im", "example", True)
    assert with_site_choice(rehearsal, b12, None) is rehearsal
    plain = parse_procedure("x.yaml", "id: x\ntitle: X\nsteps:\n  - {id: a, title: A, say: Hi, site: true}\n")
    assert with_site_choice(plain, parse_profile("p.yaml", "product: x\n"), None) is plain
    assert [s.id for s in with_site_choice(plain, b12, None).steps] == ["todays-site", "a"]


def test_resuming_starts_at_the_step_index_and_says_so():
    procedure = prepare("b12-im", "example", False)
    session = Session(procedure, first_step=8, resumes="abcd1234")
    state, effects = session.transition(session.start(), Start(0.0))
    started = events(effects, EventType.SESSION_STARTED)[0]
    assert started["resumes"] == "abcd1234" and started["first_step"] == 9
    assert "Carrying on where you stopped last time, at step 9 of 18." in said(effects)
    assert state.index == 8 and events(effects, EventType.STEP_STARTED)[0]["index"] == 9
    state, _ = session.transition(state, SpeechEnded(1.0))
    state, effects = session.transition(state, Command(2.0, Intent.BACK, "go back"))
    assert state.index == 7  # earlier steps stay reachable


def test_a_second_site_step_is_refused():
    text = (
        "id: x\ntitle: X\nsteps:\n  - {id: a, title: A, say: Hi, site: true}\n"
        "  - {id: b, title: B, say: Ho, site: true}\n"
    )
    with pytest.raises(Exception, match="only one step may have 'site: true'"):
        parse_procedure("x.yaml", text)
