"""Fitting the decision and reading its DET curve: which cases a training clip gives, how an
operating point is chosen for a false-accept target, and how the curve counts dangerous
accepts. Pure logic over made-up cases and results."""

from __future__ import annotations

from pathlib import Path

import pytest

from voiceguide.bench import decision_fitting as fitting
from voiceguide.bench.decision_fitting import Case, cases_of, operating_points
from voiceguide.bench.det import det_curve
from voiceguide.bench.recognition import Item, Result
from voiceguide.core.intents import Intent, Moment
from voiceguide.recognition.risk import Risk

pytestmark = pytest.mark.unit


def test_a_command_clip_is_one_case_at_its_moment():
    assert cases_of("a", "next", "next step", Moment.STEP) == [Case("a", Moment.STEP, Intent.NEXT)]


def test_an_answer_is_also_heard_at_the_confirm_turn_as_what_it_is_there():
    # a real recording has no text: its word's intent at the moment given; "yes" confirms nothing
    assert cases_of("r", "yes", "", Moment.CHECK) == [
        Case("r", Moment.CHECK, Intent.YES),
        Case("r", Moment.CONFIRM, None),
    ]
    assert cases_of("c", "confirm", "confirm", Moment.CHECK) == [
        Case("c", Moment.CHECK, Intent.YES),
        Case("c", Moment.CONFIRM, Intent.YES),
    ]


def test_other_clips_and_retired_phrases_are_heard_where_a_mistake_advances_or_answers():
    expected = [Case("o", Moment.STEP, None), Case("o", Moment.CHECK, None)]
    assert cases_of("o", "other", "put the kettle on", None) == expected
    # "all done" was a phrase of next; the vocabulary no longer takes it
    assert cases_of("o", "next", "all done", Moment.STEP) == expected


def _points(best, cases, monkeypatch, target: float) -> dict[Risk, float]:
    monkeypatch.setitem(fitting.FALSE_ACCEPT_TARGET, Risk.ADVANCE, target)
    return operating_points(best, cases)


def test_the_operating_point_is_the_lowest_that_keeps_wrong_advances_within_the_target(monkeypatch):
    # 100 cases at a step: 90 with no command, 10 saying next; 3 of the 90 score high as next
    cases = [Case(f"n{k}", Moment.STEP, None) for k in range(90)]
    cases += [Case(f"c{k}", Moment.STEP, Intent.NEXT) for k in range(10)]
    best = [(Intent.NEXT, 0.9), (Intent.NEXT, 0.8), (Intent.NEXT, 0.7)] + [(Intent.NEXT, 0.1)] * 87
    best += [(Intent.NEXT, 0.95)] * 10
    assert _points(best, cases, monkeypatch, 0.0)[Risk.ADVANCE] == pytest.approx(0.905)
    assert _points(best, cases, monkeypatch, 0.01)[Risk.ADVANCE] == pytest.approx(0.805)
    assert _points(best, cases, monkeypatch, 0.02)[Risk.ADVANCE] == pytest.approx(0.705)
    # every wrong take allowed: the lowest point tried
    assert _points(best, cases, monkeypatch, 1.0)[Risk.ADVANCE] == fitting.GRID[0]


def _result(group: str, moment: Moment, expected: Intent | None, fused, condition: str = "clean") -> Result:
    item = Item(Path("x.wav"), moment, expected, group, condition)
    intent = Intent(fused[0]) if fused and fused[1] >= 0.5 else None
    return Result(item, "", intent, True, 10.0, fused=fused)


def test_the_det_curve_counts_dangerous_accepts_per_family_as_the_point_moves():
    accept = {r: 0.5 for r in Risk}
    results = [
        _result("command", Moment.STEP, Intent.NEXT, ("next", 0.97)),
        _result("command", Moment.CHECK, Intent.YES, ("yes", 0.6)),
        _result("negative", Moment.STEP, None, ("next", 0.92), "sound_alike"),
        _result("negative", Moment.CHECK, None, ("yes", 0.4), "sound_alike"),
        _result("negative", Moment.STEP, None, ("repeat", 0.99), "ordinary"),  # not dangerous
    ]
    curve = det_curve(results, accept)
    rows = {row["point"]: row for row in curve["rows"]}
    assert rows[0.3]["commands"] == 100.0 and rows[0.3]["dangerous"] == {"ordinary": 0, "sound_alike": 2}
    assert rows[0.5]["dangerous"]["sound_alike"] == 1
    assert rows[0.7]["commands"] == 50.0 and rows[0.7]["dangerous"]["sound_alike"] == 1
    assert rows[0.95]["commands"] == 50.0 and rows[0.95]["dangerous"]["sound_alike"] == 0
    assert rows["chosen"] == {**rows[0.5], "point": "chosen"}
    assert curve["decodes"] == {"ordinary": 1, "sound_alike": 2}
