"""Fitting the decision's weights (``recognition.fusion``): the cases, their rows, the operating
points and the figures. Used by ``scripts/fit_decision.py``; no I/O here.

A case is one training clip heard at one listening moment, with the intent it asks for there
(None: no command) and the command model's posteriors of one cross-validation. Commands are heard
at their corpus moment, and an answer also at a moment that takes it from fewer phrases ("yes"
at the confirm turn is no command, "confirm" is); everything else (and a phrase the vocabulary
no longer takes) at a step and at a check, where a mistake advances or answers. Each case gives
one row per candidate command (``fusion.candidates``), labelled 1 when it is the case's intent.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from voiceguide.core.intents import ALLOWED, ONLY_PHRASES, Intent, Moment
from voiceguide.core.ports import Transcript
from voiceguide.recognition.command_model import OTHER, meaning
from voiceguide.recognition.fusion import FEATURES, Fusion, candidates, features
from voiceguide.recognition.matching import match
from voiceguide.recognition.risk import RISK, Risk

NEGATIVE_MOMENTS = (Moment.STEP, Moment.CHECK)
"""Where a clip that is no command is heard: a false "next" or "yes" there is the dangerous
mistake."""
FALSE_ACCEPT_TARGET: dict[Risk, float] = {
    Risk.ADVANCE: 0.005,
    Risk.ANSWER: 0.005,
    Risk.STOP: 0.01,
    Risk.RETREAT: 0.004,
    Risk.DECLINE: 0.02,
    Risk.HARMLESS: 0.02,
    Risk.SETTING: 0.005,
}
"""The operating point of a risk class is the lowest probability at which the decision takes
one of its intents wrongly (for no command, or for another intent) in at most this share of
the cases heard where the class is allowed (out-of-fold posteriors). The advances and answers
are held to the 0.5 % of sound-alikes the product allows; "no", which passes nothing and
costs a turn when false, to the 2 % of the harmless commands (the developers' half out of
fold: 286 of 324 real "no"s taken; 250 when "no" was held to 0.4 % with go back and end). The
training cases are harder than a session (most "other" clips are sound-alikes and words, five
of six heard through 5-25 dB of noise). Against targets about half as large for the six classes
there were then (0.003, 0.003, 0.003, 0.002, 0.005, 0.002), with "no" among the answers, on the
test split's quick clips: commands 88.1 against 80.4 % right, none wrong, one sound-alike
against none taken as yes at a check."""
GRID = tuple(round(0.05 + 0.005 * k, 3) for k in range(190))
"""Operating points tried: 0.05 to 0.995."""


@dataclass(frozen=True)
class Case:
    name: str
    moment: Moment
    truth: Intent | None


def cases_of(name: str, label: str, text: str, moment: Moment | None) -> list[Case]:
    """The cases of one training clip: its class ``label`` said as ``text`` at its corpus
    ``moment``, and at each moment that takes its intent from fewer phrases (``ONLY_PHRASES``)
    as what it is there; or, for "other" and for a phrase the vocabulary no longer takes, none
    at each of NEGATIVE_MOMENTS."""
    if label != OTHER and moment is not None:
        intent = meaning(label)
        if not text or match(text, moment) is intent:
            fewer = [m for m, only in ONLY_PHRASES.items() if intent in only]
            return [Case(name, moment, intent)] + [
                Case(name, m, intent if meaning(label, m) is intent else None) for m in fewer
            ]
    return [Case(name, m, None) for m in NEGATIVE_MOMENTS]


@dataclass
class Rows:
    x: np.ndarray  # (rows, FEATURES)
    y: np.ndarray  # 1 when the row's candidate is the case's intent
    risk: list[Risk]
    case: np.ndarray  # the row's case index
    intent: list[Intent]


def rows_of(
    cases: list[Case], posteriors: list[Mapping[Intent | str, float]], transcripts: list[Transcript]
) -> Rows:
    x, y, risk, index, intents = [], [], [], [], []
    for k, (case, post, read) in enumerate(zip(cases, posteriors, transcripts)):
        for intent in candidates(post, read, case.moment):
            x.append(features(intent, post, read, case.moment))
            y.append(int(intent is case.truth))
            risk.append(RISK[intent])
            index.append(k)
            intents.append(intent)
    return Rows(np.array(x, float).reshape(-1, len(FEATURES)), np.array(y), risk, np.array(index), intents)


def fit_weights(rows: Rows) -> dict[Risk, tuple[float, ...]]:
    """A logistic regression per risk class (scikit-learn, lbfgs, L2 with C=1): bias, weights."""
    from sklearn.linear_model import LogisticRegression

    weights = {}
    for r in Risk:
        chosen = np.array([k for k, risk in enumerate(rows.risk) if risk is r])
        if chosen.size == 0 or len(set(rows.y[chosen])) < 2:
            weights[r] = (-30.0,) + (0.0,) * len(FEATURES)  # never accepted: nothing to learn from
            continue
        model = LogisticRegression(C=1.0, max_iter=5000)
        model.fit(rows.x[chosen], rows.y[chosen])
        weights[r] = (float(model.intercept_[0]), *(float(w) for w in model.coef_[0]))
    return weights


def best_per_case(
    fusion_weights: Mapping[Risk, tuple[float, ...]], rows: Rows, count: int
) -> list[tuple[Intent, float] | None]:
    """Each case's best candidate and its probability under ``fusion_weights``."""
    probe = Fusion(fusion_weights, {r: 1.0 for r in Risk})
    best: list[tuple[Intent, float] | None] = [None] * count
    for k in range(len(rows.y)):
        p = probe.probability(rows.intent[k], tuple(rows.x[k]))
        case = int(rows.case[k])
        if best[case] is None or p > best[case][1]:
            best[case] = (rows.intent[k], p)
    return best


def operating_points(best: list[tuple[Intent, float] | None], cases: list[Case]) -> dict[Risk, float]:
    """Per risk class the lowest GRID point at which its wrong takes are at most
    FALSE_ACCEPT_TARGET of the cases heard where the class is allowed."""
    points = {}
    for r in Risk:
        intents = {i for i, risk in RISK.items() if risk is r}
        exposed = [k for k, c in enumerate(cases) if ALLOWED[c.moment] & intents]
        wrong = [
            best[k][1]
            for k in exposed
            if best[k] is not None and RISK[best[k][0]] is r and best[k][0] is not cases[k].truth
        ]
        allowed = FALSE_ACCEPT_TARGET[r] * len(exposed)
        points[r] = next((t for t in GRID if sum(p >= t for p in wrong) <= allowed), GRID[-1])
    return points


def figures(best: list[tuple[Intent, float] | None], cases: list[Case], accept: Mapping[Risk, float]) -> dict:
    """Commands right and wrong, and what the cases that are no command were taken as."""
    taken = [b[0] if b is not None and b[1] >= accept[RISK[b[0]]] else None for b in best]
    commands = [(t, c) for t, c in zip(taken, cases) if c.truth is not None]
    negatives = [(t, c) for t, c in zip(taken, cases) if c.truth is None]
    dangerous = sum(
        (t is Intent.NEXT and c.moment is Moment.STEP)
        or (t is Intent.YES and c.moment in (Moment.CHECK, Moment.CONFIRM))
        for t, c in negatives
    )
    return {
        "commands": len(commands),
        "right": sum(t is c.truth for t, c in commands),
        "wrong": sum(t is not None and t is not c.truth for t, c in commands),
        "negative_decodes": len(negatives),
        "negatives_taken": sum(t is not None for t, _ in negatives),
        "dangerous": dangerous,
    }
