"""The decision over both kinds of evidence: what it reads of the command model and the
transcript, its calibrated score, its stored weights (refused unless pinned), and the shipped
weights' behaviour on the cases the design is for: agreement is taken, a sure transcript that
names no command vetoes the model, and a garbled transcript leaves a confident model's answer."""

from __future__ import annotations

import dataclasses
import hashlib

import pytest

from voiceguide.core.intents import ALLOWED, Intent, Moment
from voiceguide.core.ports import Transcript
from voiceguide.errors import ModelError
from voiceguide.recognition import fusion as fusion_module
from voiceguide.recognition.command_model import OTHER
from voiceguide.recognition.decide import Evidence, decide
from voiceguide.recognition.fusion import FEATURES, Fusion, candidates, features
from voiceguide.recognition.policy import DEFAULT_POLICY
from voiceguide.recognition.risk import Risk


def _read(text: str, logprob: float = -0.2, no_speech: float = 0.01, unprompted: str | None = None):
    return Transcript(
        text, 0.8, bool(text), avg_logprob=logprob if text else None, no_speech=no_speech,
        unprompted=unprompted,
    )  # fmt: skip


def _posteriors(moment: Moment, **given: float) -> dict:
    """Posteriors at ``moment``: the named intents' values, the rest of the mass on "other"."""
    post = {i: 0.0 for i in ALLOWED[moment]}
    post.update({Intent(k): v for k, v in given.items()})
    post[OTHER] = 1.0 - sum(post.values())
    return post


@pytest.fixture(scope="module")
def shipped() -> Fusion:
    return Fusion.load()


@pytest.mark.unit
def test_features_read_the_model_and_the_transcript():
    values = dict(
        zip(FEATURES, features(Intent.YES, _posteriors(Moment.CHECK, yes=0.9), _read("Yes."), Moment.CHECK))
    )
    assert values["model_logit"] == pytest.approx(2.197, abs=1e-3) and values["model_top"] == 1.0
    assert values["says"] == 1.0 and values["says_sure"] == pytest.approx(2.8)  # -0.2 nats, from -3
    assert values["says_other"] == values["names_none"] == values["none_sure"] == values["none_alike"] == 0.0
    other = dict(
        zip(FEATURES, features(Intent.YES, _posteriors(Moment.CHECK, yes=0.3), _read("Six."), Moment.CHECK))
    )
    assert other["model_top"] == 0.0 and other["says"] == 0.0
    assert other["names_none"] == 1.0 and other["none_sure"] == pytest.approx(2.8)
    assert other["none_alike"] == pytest.approx(1 / 3)  # "six" against "yes"
    blower = dict(
        zip(FEATURES, features(Intent.LOUDER, _posteriors(Moment.STEP), _read("Blower."), Moment.STEP))
    )
    assert blower["none_alike"] == pytest.approx(2 / 3)  # a louder misheard
    rival = dict(
        zip(FEATURES, features(Intent.YES, _posteriors(Moment.CHECK, yes=0.6), _read("No."), Moment.CHECK))
    )
    assert rival["says_other"] == 1.0 and rival["names_none"] == 0.0
    guessed = features(
        Intent.YES, _posteriors(Moment.CHECK, yes=0.6), _read("Yes.", unprompted="Guess."), Moment.CHECK
    )
    assert dict(zip(FEATURES, guessed))["unprompted_differs"] == 1.0


@pytest.mark.unit
def test_the_model_logit_is_clipped_so_a_certain_model_is_finite():
    assert features(Intent.NEXT, _posteriors(Moment.STEP, next=1.0), _read(""), Moment.STEP)[0] == 9.0
    assert features(Intent.NEXT, _posteriors(Moment.STEP), _read(""), Moment.STEP)[0] == -9.0


@pytest.mark.unit
def test_candidates_are_the_models_best_intent_and_the_one_the_reading_names():
    assert candidates(_posteriors(Moment.STEP, next=0.2, repeat=0.1), _read("Go back."), Moment.STEP) == [
        Intent.NEXT,
        Intent.BACK,
    ]
    assert candidates(_posteriors(Moment.STEP, next=0.7), _read("Next step."), Moment.STEP) == [Intent.NEXT]
    # a phrase of another moment is no candidate
    assert candidates(_posteriors(Moment.CHECK, no=0.1), _read("Next step."), Moment.CHECK) == [Intent.NO]


def _flat(bias_advance: float = 0.0) -> Fusion:
    zero = (0.0,) * len(FEATURES)
    weights = {r: (0.0, *zero) for r in Risk}
    weights[Risk.ADVANCE] = (bias_advance, 1.0, *zero[1:])  # the model's log-odds alone
    return Fusion(weights, {r: 0.9 for r in Risk})


@pytest.mark.unit
def test_the_score_is_the_logistic_of_its_risk_class_and_needs_that_class_operating_point():
    fusion = _flat()
    post = _posteriors(Moment.STEP, next=0.95)
    assert fusion.scores(post, _read(""), Moment.STEP)[0][1] == pytest.approx(0.95)
    policy = dataclasses.replace(DEFAULT_POLICY, accept_advance=0.9)
    taken = decide(Evidence(_read(""), posteriors=post), Moment.STEP, policy, fusion)
    assert taken.intent is Intent.NEXT and "needs 0.900" in taken.reason
    low = decide(
        Evidence(_read(""), posteriors=_posteriors(Moment.STEP, next=0.85)),
        Moment.STEP,
        policy,
        fusion,
    )
    assert low.intent is None and "only at 0.850" in low.reason
    stricter = dataclasses.replace(policy, accept_advance=0.99)
    assert decide(Evidence(_read(""), posteriors=post), Moment.STEP, stricter, fusion).intent is None


@pytest.mark.unit
def test_posteriors_without_fusion_weights_are_an_error_not_ignored():
    with pytest.raises(ValueError, match="fusion"):
        decide(
            Evidence(_read("Yes."), posteriors=_posteriors(Moment.CHECK, yes=1.0)),
            Moment.CHECK,
            DEFAULT_POLICY,
        )


@pytest.mark.unit
def test_weights_round_trip_and_are_refused_unless_pinned(tmp_path):
    fusion = _flat(-1.5)
    path = tmp_path / "decision.json"
    path.write_text(fusion.to_json())
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    assert Fusion.load(path, digest) == dataclasses.replace(fusion)
    path.write_text(fusion.to_json().replace("-1.5", "-1.25"))
    with pytest.raises(ModelError, match="damaged or not the expected version"):
        Fusion.load(path, digest)
    with pytest.raises(ModelError, match="cannot be read"):
        Fusion.load(tmp_path / "missing.json", digest)
    path.write_text('{"features": ["model_logit"]}')
    with pytest.raises(ModelError, match="holds no decision weights"):
        Fusion.load(path, hashlib.sha256(path.read_bytes()).hexdigest())


@pytest.mark.unit
def test_the_shipped_weights_are_the_pinned_ones():
    path = fusion_module.MODELS_DIR / fusion_module.FUSION_NAME
    assert hashlib.sha256(path.read_bytes()).hexdigest() == fusion_module.FUSION_SHA256


@pytest.mark.unit
def test_shipped_weights_take_what_both_sources_agree_on(shipped):
    for moment, intent, text in ((Moment.STEP, Intent.NEXT, "Next step."), (Moment.CHECK, Intent.YES, "Yes."),
                                 (Moment.CHECK, Intent.NO, "No."), (Moment.STEP, Intent.STOP, "Stop.")):  # fmt: skip
        post = _posteriors(moment, **{intent.value: 0.99})
        assert (
            decide(Evidence(_read(text), posteriors=post), moment, DEFAULT_POLICY, shipped).intent is intent
        )


@pytest.mark.unit
def test_shipped_weights_let_a_sure_reading_of_no_command_veto_a_yes(shipped):
    # the unseen-word failure of a model alone: a real "six" taken as yes
    post = _posteriors(Moment.CHECK, yes=0.9)
    assert (
        decide(Evidence(_read("Six."), posteriors=post), Moment.CHECK, DEFAULT_POLICY, shipped).intent is None
    )


@pytest.mark.unit
@pytest.mark.parametrize(
    ("moment", "intent", "phrase"),
    [(Moment.STEP, Intent.NEXT, "Next step."), (Moment.CHECK, Intent.YES, "Yes.")],
)
def test_shipped_weights_rank_the_reading_agreeing_then_garbled_then_sure_of_other_words(
    shipped, moment, intent, phrase
):
    post = _posteriors(moment, **{intent.value: 0.9})

    def score(read: Transcript) -> float:
        return shipped.scores(post, read, moment)[0][1]

    assert score(_read(phrase)) > score(_read("Bzzt blah", -2.0)) > score(_read("Six."))


@pytest.mark.unit
def test_shipped_weights_never_advance_or_answer_on_the_reading_alone(shipped):
    post = _posteriors(Moment.STEP, next=0.01)
    assert (
        decide(Evidence(_read("Next step."), posteriors=post), Moment.STEP, DEFAULT_POLICY, shipped).intent
        is None
    )
    check = _posteriors(Moment.CHECK, yes=0.01)
    assert (
        decide(Evidence(_read("Yes."), posteriors=check), Moment.CHECK, DEFAULT_POLICY, shipped).intent
        is None
    )
