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
    assert of(Risk.RETREAT) == {Intent.BACK, Intent.END}
    assert of(Risk.DECLINE) == {Intent.NO}
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


def test_the_decision_has_at_most_twelve_thresholds_all_in_the_policy():
    assert len(dataclasses.fields(DEFAULT_POLICY)) <= 12
    assert set(DEFAULT_POLICY.operating_points()) == set(Risk)


def test_the_policy_operating_points_are_the_ones_fitted_with_the_shipped_weights():
    """A refit (scripts/fit_decision.py) records its operating points beside its weights; the
    policy's defaults must follow it."""
    from voiceguide.recognition.fusion import Fusion

    assert DEFAULT_POLICY.operating_points() == Fusion.load().fitted


def test_a_setting_gives_another_policy_and_leaves_the_default_alone():
    policy = with_settings(
        DEFAULT_POLICY, ["max_no_speech=0.5", "talking_trim_db=null", 'unprompted_phrases=["yes"]']
    )
    assert policy.max_no_speech == 0.5 and policy.talking_trim_db is None
    assert policy.unprompted_phrases == {"yes"}
    assert DEFAULT_POLICY.max_no_speech == 0.6 and DEFAULT_POLICY.talking_trim_db == 12.0
    for wrong in ("no_such_field=1", "max_no_speech", "max_no_speech=maybe"):
        with pytest.raises(ValueError):
            with_settings(DEFAULT_POLICY, [wrong])


def test_without_the_command_model_a_clear_allowed_phrase_decides():
    def decided(text, policy=DEFAULT_POLICY, moment=Moment.STEP, no_speech=0.0, logprob=-0.2):
        transcript = Transcript(text, 0.5, True, avg_logprob=logprob, no_speech=no_speech)
        return decide(Evidence(transcript), moment, policy)

    taken = decided("Next step.")
    assert taken.intent is Intent.NEXT and taken.clear and taken.reason == "an allowed phrase"
    assert decided("I am not done yet.").reason == "no allowed phrase"
    assert decided("Next step.", no_speech=0.7).reason == "not clearly heard"
    assert decided("Next step.", logprob=-1.2).intent is None
    loose = dataclasses.replace(DEFAULT_POLICY, max_no_speech=0.8)
    assert decided("Next step.", loose, no_speech=0.7).intent is Intent.NEXT
    assert decided("Stop.", moment=Moment.CHECKIN).intent is Intent.STOP
