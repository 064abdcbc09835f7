"""Procedure and profile loading: good files load, every broken one is refused with file:line."""

from __future__ import annotations

import re

import pytest

from voiceguide.core.procedure import load_procedure, parse_procedure, shipped
from voiceguide.core.profile import load_profile, parse_profile
from voiceguide.errors import FileProblem, ProcedureNotFound

pytestmark = pytest.mark.unit

GOOD = """\
id: tea
title: Make tea
steps:
  - id: boil
    title: Boil water
    say: Boil the kettle.
    help: Fill it first.
  - id: steep
    title: Steep
    say: Put the bag in.
    timer:
      seconds: 120
      say: Let it steep.
  - id: milk
    title: Milk
    say: Add milk if you like.
    skippable: true
  - id: hot
    title: Careful
    say: It is hot.
    check:
      question: Is the cup on a steady surface?
"""


def refused(text: str, tmp_path, name="p.yaml") -> FileProblem:
    path = tmp_path / name
    path.write_text(text)
    with pytest.raises(FileProblem) as caught:
        parse_procedure(str(path))
    return caught.value


def test_good_procedure_loads_with_every_field(tmp_path):
    path = tmp_path / "tea.yaml"
    path.write_text(GOOD)
    procedure = parse_procedure(str(path))
    assert procedure.id == "tea"
    assert [s.id for s in procedure.steps] == ["boil", "steep", "milk", "hot"]
    assert procedure.steps[0].help == "Fill it first."
    assert procedure.steps[1].timer.seconds == 120
    assert procedure.steps[2].skippable
    assert procedure.steps[3].check.question.startswith("Is the cup")


@pytest.mark.parametrize(
    "text, line, words",
    [
        (GOOD.replace("    say: Boil the kettle.\n", "    sai: Boil the kettle.\n"), 6, "did you mean 'say'"),
        (GOOD.replace("      seconds: 120", "      seconds: two minutes"), 12, "whole number"),
        (GOOD.replace("      seconds: 120", "      seconds: 0"), 12, "between 1 and 3600"),
        (GOOD.replace("    skippable: true", "    skippable: maybe"), 17, "true or false"),
        (GOOD.replace("id: steep", "id: boil"), 8, "also used on line 4"),
        (GOOD.replace("title: Make tea\n", ""), 1, "needs 'title:'"),
        (GOOD.replace("Put the bag in.", "Put {teabag} in."), 10, "not a profile value"),
        (GOOD + "    skippable: true\n", 23, "cannot be skippable"),
        (GOOD.replace("    say: Add milk if you like.", "    say: [a, b]"), 16, "must be text"),
        ("id: x\ntitle: X\nsteps: []\n", 3, "at least one step"),
        ("id: x\ntitle: X\nsteps:\n  - just a string\n", 4, "must be a mapping"),
        ("id: Bad Id\ntitle: X\nsteps:\n  - {id: a, title: A, say: B}\n", 1, "lower-case"),
        ("id: x\ntitle: 'unclosed\n", 3, "not valid YAML"),
        ("!!python/object/apply:os.system ['echo hacked']\n", 1, "not allowed"),
        ("id: x\nid: y\n", 2, "given twice"),
        ("", None, "empty"),
        ("- a\n- b\n", 1, "must be a mapping"),
    ],
)
def test_broken_procedures_are_refused_with_file_and_line(tmp_path, text, line, words):
    problem = refused(text, tmp_path)
    assert problem.line == line
    assert words in problem.detail
    expected = f"{tmp_path / 'p.yaml'}:{line}: " if line else f"{tmp_path / 'p.yaml'}: "
    assert str(problem).startswith(expected)


def test_missing_profile_value_names_procedure_line_and_profile(tmp_path):
    path = tmp_path / "p.yaml"
    path.write_text(GOOD.replace("Boil the kettle.", "Boil the kettle for {product}."))
    profile = tmp_path / "me.yaml"
    profile.write_text("route: intramuscular\n")
    with pytest.raises(FileProblem) as caught:
        parse_procedure(str(path)).bind(load_profile(str(profile)))
    assert caught.value.line == 6
    assert "'product'" in str(caught.value) and str(profile) in str(caught.value)


def test_without_profile_the_fix_says_how_to_give_one():
    with pytest.raises(FileProblem, match="--profile"):
        load_procedure("b12-im").bind(None)


@pytest.mark.parametrize(
    "text, words",
    [
        ("sites: left thigh\n", "must be a list"),
        ("interval_days: soon\n", "whole number"),
        ("clinician: {name: Dr A, fax: 1}\n", "unknown key 'fax'"),
        ("product: [a]\n", "must be text"),
        ("favourite_colour: blue\n", "unknown key"),
    ],
)
def test_broken_profiles_are_refused(text, words):
    with pytest.raises(FileProblem, match=re.escape(words)):
        parse_profile("me.yaml", text)


def test_shipped_b12_procedure_binds_to_the_example_profile():
    assert "b12-im" in shipped()
    bound = load_procedure("b12-im").bind(load_profile("example"))
    texts = " ".join(s.say + (s.check.question if s.check else "") for s in bound.steps)
    assert "{" not in texts
    assert "the example vitamin B12 injection" in texts


def test_b12_procedure_covers_the_reference_workflow():
    steps = {s.id: s for s in load_procedure("b12-im").steps}
    for needed in (
        "wash-hands",
        "gather-supplies",
        "sharps-container",
        "confirm-route",
        "check-label",
        "inspect-medication",
        "draw-up",
        "position",
        "confirm-site",
        "clean-skin",
        "inject",
        "withdraw",
        "pressure",
        "dispose-sharps",
        "aftercare",
        "record-and-schedule",
    ):
        assert needed in steps
    for critical in (
        "sharps-container",
        "confirm-route",
        "check-label",
        "inspect-medication",
        "confirm-site",
        "dispose-sharps",
    ):
        assert steps[critical].check is not None, critical
    assert steps["clean-skin"].timer is not None
    assert steps["pressure"].skippable


def test_b12_procedure_never_states_doses_needle_sizes_angles_or_depths():
    procedure = load_procedure("b12-im")
    text = " ".join(
        " ".join(
            filter(
                None,
                (s.say, s.help, s.rehearsal_say, s.check and s.check.question, s.check and s.check.if_no),
            )
        )
        for s in procedure.steps
    ).lower()
    assert not re.search(r"\d+\s*(mg|mcg|µg|ml|micrograms?|milligrams?|millilitres?)\b", text)
    assert not re.search(r"\b\d+\s*(degrees?|°|mm|cm|inch|inches)\b", text)
    assert not re.search(r"\b\d+\s*(g|gauge)\b", text)


def test_rehearsal_keeps_set_up_and_positioning_and_never_says_to_inject():
    rehearsal = load_procedure("b12-im").bind(load_profile("example")).for_rehearsal()
    ids = [s.id for s in rehearsal.steps]
    assert ids[0] == "make-time" and "position" in ids and "sharps-container" in ids
    assert not {"inject", "draw-up", "withdraw", "check-label"} & set(ids)
    for step in rehearsal.steps:
        for sentence in re.split(r"(?<=[.!?])\s+", step.say):
            if "inject" in sentence.lower():
                assert re.search(r"(do not|don't|will not|not) inject", sentence.lower()), sentence


def test_unknown_procedure_lists_the_shipped_ones():
    with pytest.raises(ProcedureNotFound, match="b12-im"):
        load_procedure("no-such-thing")
