"""The recognition policy, the risk table and the one decision (tier 1: plain data)."""

from __future__ import annotations

import dataclasses

import pytest

from voiceguide.bench.tuning import with_settings
from voiceguide.core.intents import Intent, Moment
from voiceguide.core.ports import Transcript
from voiceguide.recognition.decide import Evidence, decide
from voiceguide.recognition.policy import DEFAULT_POLICY
from voiceguide.recognition.risk import ADVANCING, HARMLESS, RISK, Risk, of

pytestmark = pytest.mark.unit


def test_every_intent_has_one_risk():
    assert set(RISK) == set(Intent)
    assert of(Risk.ADVANCE) == {Intent.NEXT, Intent.SKIP, Intent.RESUME}
    assert of(Risk.ANSWER) == {Intent.YES}
    assert of(Risk.RETREAT) == {Intent.BACK, Intent.END, Intent.NO}
    assert ADVANCING == {Intent.NEXT, Intent.SKIP, Intent.RESUME, Intent.YES}
    assert HARMLESS == {Intent.REPEAT, Intent.PAUSE, Intent.HELP, Intent.WHERE}


def test_every_policy_field_says_what_it_means():
    import ast
    import inspect

    from voiceguide.recognition import policy

    body = ast.parse(inspect.getsource(policy.RecognitionPolicy)).body[0].body
    documented = {
        node.target.id
        for node, after in zip(body, body[1:])
        if isinstance(node, ast.AnnAssign)
        and isinstance(after, ast.Expr)
        and isinstance(after.value, ast.Constant)
    }
    assert documented == {field.name for field in dataclasses.fields(DEFAULT_POLICY)}


def test_a_setting_gives_another_policy_and_leaves_the_default_alone():
    policy = with_settings(
        DEFAULT_POLICY,
        [
            "near_tie=false",
            'cross_checked=["next","stop"]',
            "talking_trim_db=null",
            'stricter_sure_logprob={"done": -0.5}',
        ],
    )
    assert policy.near_tie is False and policy.talking_trim_db is None
    assert policy.cross_checked == {Intent.NEXT, Intent.STOP}
    assert dict(policy.stricter_sure_logprob) == {"done": -0.5}
    assert DEFAULT_POLICY.near_tie is True and DEFAULT_POLICY.talking_trim_db == 12.0
    for wrong in ("no_such_field=1", "near_tie", "near_tie=maybe"):
        with pytest.raises(ValueError):
            with_settings(DEFAULT_POLICY, [wrong])


def test_a_decision_says_why():
    def decided(readings, policy=DEFAULT_POLICY, moment=Moment.STEP, no_speech=0.0):
        transcript = Transcript(readings[0][0], 0.5, True, readings=tuple(readings), no_speech=no_speech)
        return decide(Evidence(transcript), moment, policy)

    taken = decided([("Next step.", -0.2)])
    assert taken.intent is Intent.NEXT and taken.clear and taken.reason == "an allowed phrase"
    refused = decided([("Next step.", -0.2), ("Stop.", -0.3)])
    assert refused.intent is None and not refused.clear and "another reading disagrees" in refused.reason
    assert decided([("Next step.", -0.2)], no_speech=0.7).reason == "not clearly heard"
    loose = dataclasses.replace(DEFAULT_POLICY, max_no_speech=0.8)
    assert decided([("Next step.", -0.2)], loose, no_speech=0.7).intent is Intent.NEXT
    tie = decided([("With.", -0.825), ("Wait.", -0.858)])
    assert tie.intent is Intent.PAUSE and tie.reason.startswith("a near tie")
    # the larger model is worth asking: the readings all but named "go back"
    asking = decided([("Read this.", -0.4), ("Previous.", -0.9)])
    assert asking.intent is None and asking.may_settle == {Intent.BACK}
