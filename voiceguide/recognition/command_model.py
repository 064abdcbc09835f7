"""The command model: which command (or none) an utterance is, read from tiny.en's encoder.

Numpy only. The input is the pooled encoder vector of ``engines/command_features.py``
(``pool``); the model is an average of a few one-hidden-layer networks (ReLU, softmax) over
standardised inputs, trained by ``scripts/train_command_model.py`` with one class per intent,
one per phrase of WORD_CLASSES and OTHER for everything that is no command. Its weights
(``voiceguide/models/command_model.npz``, shipped in the package) are checked against
WEIGHTS_SHA256 before they are read, like the Whisper model's files.

``posteriors`` gives the probability of each intent, masked to a listening moment's intents
(the others' share is removed and the rest renormalised), so a "continue" is next at a step
and resume when paused; a class counts as what it means at the moment (``meaning``): "confirm"
is "yes", except that at the confirm turn the word "yes" is OTHER. The threshold stored with
the weights is the model-alone operating point chosen by cross-validation over training voices
(the benchmark of the model alone reads it); the recognizer's decision weighs the posteriors
with the transcript (``fusion``).
"""

from __future__ import annotations

import hashlib
import io
import logging
from pathlib import Path

import numpy as np

from voiceguide.core.intents import ALLOWED, ONLY_PHRASES, Intent, Moment
from voiceguide.errors import ModelError

log = logging.getLogger(__name__)

OTHER = "other"
"""The class of everything that is no command."""
WORD_CLASSES: dict[str, Intent] = {"confirm": Intent.YES}
"""Phrases with a class of their own, and their intent. "confirm" passes a check as "yes" does,
but at the confirm turn only "confirm" does: with one class for both, a spoken "yes" there was
taken as "confirm" (the held-out real half: 64 of 79)."""
CLASSES = (*(intent.value for intent in Intent), *WORD_CLASSES, OTHER)
"""The output order ``scripts/train_command_model.py`` writes."""
WEIGHTS_NAME = "command_model.npz"
MODELS_DIR = Path(__file__).resolve().parents[1] / "models"
"""Where the trained weights ship: inside the package (``voiceguide/models/``)."""
DEFAULT_PATH = MODELS_DIR / WEIGHTS_NAME
WEIGHTS_SHA256 = "30744e483c49634200a38551cbf81bb95251c664b8194d1fdff085e44080643c"
"""SHA-256 (hex) of the shipped weights file; ``scripts/train_command_model.py`` prints it."""
_FIX = "rebuild it with `python scripts/train_command_model.py` or restore it from the repository"


LOUD_DB = 15.0
"""Frames within this many dB of the window's loudest frame are pooled as the utterance."""


def pool(encoded: np.ndarray, level: np.ndarray) -> np.ndarray:
    """One vector from (frames, width) encoder output and each frame's ``level`` (dB): the
    mean weighted by each frame's power, the mean and the max over the loud frames (within
    LOUD_DB of the loudest), and the mean over all frames (4 x width, float32).

    The power-weighted mean lets the utterance outweigh a quieter background that is still
    within LOUD_DB (training clips, cross-validated, leaving voices out, at a posterior of
    0.7: commands 1,888 -> 1,932 of 2,458 right, wrong 12 -> 6, dangerous answers 31 -> 22 of
    7,480 "other" decodes)."""
    level = np.asarray(level, np.float64)[: len(encoded)]
    if level.size < len(encoded):
        level = np.pad(level, (0, len(encoded) - level.size), constant_values=-np.inf)
    top = level.max()
    loud = level >= top - LOUD_DB
    weight = np.power(10.0, (level - top) / 10.0)
    weighted = (weight / weight.sum()) @ encoded
    chosen = encoded[loud]
    return np.concatenate([weighted, chosen.mean(axis=0), chosen.max(axis=0), encoded.mean(axis=0)]).astype(
        np.float32
    )


class CommandModel:
    """Classes, input standardisation and the averaged networks' weights."""

    def __init__(
        self,
        classes: list[str],
        mean: np.ndarray,
        scale: np.ndarray,
        layers: list[tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]],
        threshold: float,
    ):
        """``classes``: intent values, WORD_CLASSES and OTHER, in output order;
        ``mean``/``scale``: the standardisation of the input; ``layers``: per network (W1, b1,
        W2, b2); ``threshold``: the maximum posterior chosen at training (0-1)."""
        unknown = [c for c in classes if c not in CLASSES]
        if unknown or OTHER not in classes:
            raise ModelError(f"the command model names unknown classes {unknown or [OTHER]}; {_FIX}")
        self.classes = [c if c == OTHER or c in WORD_CLASSES else Intent(c) for c in classes]
        self.mean = np.asarray(mean, np.float32)
        self.scale = np.asarray(scale, np.float32)
        self.layers = [tuple(np.asarray(a, np.float32) for a in layer) for layer in layers]
        self.threshold = float(threshold)

    @classmethod
    def load(cls, path: str | Path | None = None, sha256: str | None = None) -> CommandModel:
        """The model in ``path`` (default DEFAULT_PATH), once its SHA-256 is ``sha256``
        (default WEIGHTS_SHA256). Raises ModelError when it is missing, altered or unreadable."""
        file = Path(path) if path is not None else DEFAULT_PATH
        data = verified_bytes(file, sha256 or WEIGHTS_SHA256, "the command model", _FIX)
        try:
            with np.load(io.BytesIO(data), allow_pickle=False) as npz:
                arrays = {name: npz[name] for name in npz.files}
            members = int(arrays["w1"].shape[0])
            return cls(
                [str(c) for c in arrays["classes"]],
                arrays["mean"],
                arrays["scale"],
                [
                    (arrays["w1"][k], arrays["b1"][k], arrays["w2"][k], arrays["b2"][k])
                    for k in range(members)
                ],
                float(arrays["threshold"]),
            )
        except (KeyError, ValueError, IndexError) as exc:
            raise ModelError(f"the command model {file} is not a command model ({exc}); {_FIX}") from exc

    def probabilities(self, features: np.ndarray) -> np.ndarray:
        """(classes,) or (n, classes) probabilities of pooled encoder vector(s), unmasked."""
        x = (np.atleast_2d(np.asarray(features, np.float32)) - self.mean) / self.scale
        total = np.zeros((x.shape[0], len(self.classes)), np.float64)
        for w1, b1, w2, b2 in self.layers:
            logits = (np.maximum(x @ w1 + b1, 0.0) @ w2 + b2).astype(np.float64)
            logits -= logits.max(axis=1, keepdims=True)
            odds = np.exp(logits)
            total += odds / odds.sum(axis=1, keepdims=True)
        total /= len(self.layers)
        return total[0] if np.ndim(features) == 1 else total

    def posteriors(self, features: np.ndarray, moment: Moment | None = None) -> dict[Intent | str, float]:
        """{intent or OTHER: probability} of one pooled vector, over the intents ``moment``
        allows and OTHER (every class when ``moment`` is None), summing to 1."""
        return masked(self.classes, self.probabilities(np.asarray(features).reshape(-1)), moment)

    def best(self, features: np.ndarray, moment: Moment | None = None) -> tuple[Intent | str, float]:
        """The most probable class at ``moment`` and its posterior."""
        post = self.posteriors(features, moment)
        top = max(post, key=post.__getitem__)
        return top, post[top]


def verified_bytes(file: Path, sha256: str, what: str, fix: str) -> bytes:
    """The bytes of ``file`` once their SHA-256 is ``sha256``; ModelError naming ``what`` and
    ``fix`` when it cannot be read or does not match."""
    try:
        data = file.read_bytes()
    except OSError as exc:
        raise ModelError(f"{what} {file} cannot be read ({exc.strerror or exc}); {fix}") from exc
    actual = hashlib.sha256(data).hexdigest()
    if actual != sha256:
        raise ModelError(
            f"{what} {file} is damaged or not the expected version "
            f"(SHA-256 {actual[:12]}..., expected {sha256[:12]}...); {fix}"
        )
    return data


def meaning(label: Intent | str, moment: Moment | None = None) -> Intent | str:
    """What a class (an intent, its value, a word of WORD_CLASSES or OTHER) stands for at
    ``moment``: its intent, or OTHER where the moment takes that intent only from other phrases
    ("yes" at the confirm turn)."""
    if label == OTHER:
        return OTHER
    intent = WORD_CLASSES[label] if label in WORD_CLASSES else Intent(label)
    only = ONLY_PHRASES.get(moment, {}).get(intent) if moment is not None else None
    if only is None:
        return intent
    own = label in WORD_CLASSES and label in only
    other_phrases = label not in WORD_CLASSES and any(p not in WORD_CLASSES for p in only)
    return intent if own or other_phrases else OTHER


def merging(classes: list[Intent | str], moment: Moment | None) -> tuple[list[Intent | str], np.ndarray]:
    """(the intents ``moment`` allows and OTHER, each once, in class order (every intent when
    ``moment`` is None); a (classes, those) matrix of 0 and 1 that adds each class's
    probability to what it means there, ``meaning``: a class of an intent the moment does not
    allow adds to none)."""
    allowed = ALLOWED[moment] if moment is not None else None
    targets = [meaning(label, moment) for label in classes]
    kept = list(dict.fromkeys(t for t in targets if allowed is None or t == OTHER or t in allowed))
    return kept, np.array([[float(t == k) for k in kept] for t in targets])


def masked(
    classes: list[Intent | str], probabilities: np.ndarray, moment: Moment | None
) -> dict[Intent | str, float]:
    """{intent or OTHER: probability} over the intents ``moment`` allows and OTHER (every
    intent when ``moment`` is None), each class counted as its ``meaning`` (``merging``),
    renormalised to sum to 1."""
    kept, matrix = merging(classes, moment)
    merged = (np.asarray(probabilities, np.float64) @ matrix).tolist()
    total = sum(merged)
    if total <= 0.0:
        return {c: (1.0 if c == OTHER else 0.0) for c in kept}
    return {c: p / total for c, p in zip(kept, merged)}


def save(path: Path, model_arrays: dict[str, np.ndarray]) -> str:
    """Write a weights file from arrays (classes, mean, scale, w1, b1, w2, b2, threshold), the
    same bytes for the same arrays; returns its SHA-256."""
    buffer = io.BytesIO()
    np.savez(buffer, **{name: model_arrays[name] for name in sorted(model_arrays)})
    data = buffer.getvalue()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return hashlib.sha256(data).hexdigest()
