"""Scoring the command model: its answer at a listening moment, the operating point, and the
figures the training and the benchmark report. Pure numpy on probability arrays."""

from __future__ import annotations

import numpy as np

from voiceguide.core.intents import ALLOWED, Intent, Moment
from voiceguide.recognition.command_model import OTHER, meaning, merging

DANGEROUS = {Moment.STEP: Intent.NEXT, Moment.CHECK: Intent.YES}
"""At a step "next" moves on; at a check "yes" answers it: the answers never to give wrongly."""
MOMENT_ORDER = (Moment.STEP, Moment.CHECK, Moment.TIMER, Moment.PAUSED, Moment.SAFE_EXIT)
TARGET_DANGEROUS = 0.005
"""The operating point: the lowest threshold at which at most this share of the
cross-validated "other" clips, heard at a step and at a check, gives next or yes. 0.1 % was
out of reach (tune, cross-validated: still 8 of 7,400 at 0.99, with half the commands lost):
one-syllable sound-alikes ("guess", "yep", "mess" as yes) sound like the command to the
model, and refusing them is the transcript's part of the decision."""
THRESHOLDS = tuple(round(0.3 + 0.01 * k, 2) for k in range(70))
"""The maximum-posterior thresholds tried (0.30-0.99)."""


def label_moment(label: str) -> Moment:
    """The moment a command of class ``label`` is scored at: the first that allows its intent."""
    intent = meaning(label)
    return next(m for m in MOMENT_ORDER if intent in ALLOWED[m])


def answers(probs: np.ndarray, classes: list, moment: Moment, threshold: float) -> list:
    """Per row of ``probs`` (n, classes): the intent taken at ``moment`` (each class counted
    as what it means there, ``command_model.merging``, renormalised, the best at or above
    ``threshold``), or None."""
    kept, merge = merging(classes, moment)
    masked = np.asarray(probs) @ merge
    masked = masked / np.maximum(masked.sum(axis=1, keepdims=True), 1e-12)
    best = masked.argmax(axis=1)
    top = masked[np.arange(len(best)), best]
    return [None if kept[b] == OTHER or p < threshold else kept[b] for b, p in zip(best, top)]


def figures(probs: np.ndarray, classes: list, labels: list[str], threshold: float) -> dict:
    """Commands (each at its ``label_moment``): right, wrong; "other" clips at a step and at
    a check: how many give next and yes, and any intent."""
    labels = np.asarray(labels)
    out: dict = {"threshold": threshold}
    commands = np.flatnonzero(labels != OTHER)
    right = wrong = 0
    for moment in MOMENT_ORDER:
        rows = [i for i in commands if label_moment(labels[i]) is moment]
        if not rows:
            continue
        got = answers(probs[rows], classes, moment, threshold)
        right += sum(g is not None and g is meaning(labels[i]) for g, i in zip(got, rows))
        wrong += sum(g is not None and g is not meaning(labels[i]) for g, i in zip(got, rows))
    out["commands"] = {"n": len(commands), "right": right, "wrong": wrong}
    negatives = np.flatnonzero(labels == OTHER)
    for moment, dangerous in DANGEROUS.items():
        got = answers(probs[negatives], classes, moment, threshold) if negatives.size else []
        out[f"other_{moment.value}"] = {
            "n": int(negatives.size),
            "dangerous": sum(g is dangerous for g in got),
            "any": sum(g is not None for g in got),
        }
    return out


def choose_threshold(probs: np.ndarray, classes: list, labels: list[str]) -> float:
    """The lowest of THRESHOLDS at which the "other" clips' dangerous answers (next at a
    step, yes at a check) are at most TARGET_DANGEROUS of their decodes."""
    labels = np.asarray(labels)
    negatives = probs[labels == OTHER]
    for threshold in THRESHOLDS:
        dangerous = sum(
            sum(g is intent for g in answers(negatives, classes, moment, threshold))
            for moment, intent in DANGEROUS.items()
        )
        if dangerous <= TARGET_DANGEROUS * 2 * len(negatives):
            return threshold
    return THRESHOLDS[-1]
