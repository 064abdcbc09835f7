"""One calibrated score over both kinds of evidence: the command model and the transcript. Pure.

For each command worth weighing (the command model's most probable intent, and the intent the
short window's reading names, when it names one) a handful of FEATURES are read from both
sources, and a logistic regression of the command's risk class (``risk.Risk``) turns them into
the probability that the user said that command. The command with the highest probability is
taken when that probability reaches the operating point of its risk class
(``RecognitionPolicy.operating_point``); otherwise nothing is.

The weights and the operating points are fitted by ``scripts/fit_decision.py`` on the command
model's out-of-fold posteriors and the short window's readings of the same training clips (tune
voices and the developers' half of the real recordings), and stored in ``FUSION_NAME`` beside
the command model, checked against FUSION_SHA256 before they are read.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from voiceguide.core.intents import Intent, Moment, phrases_for
from voiceguide.core.ports import Transcript
from voiceguide.errors import ModelError
from voiceguide.recognition.command_model import MODELS_DIR, OTHER, verified_bytes
from voiceguide.recognition.matching import letter_similarity, match, normalise
from voiceguide.recognition.risk import RISK, Risk

FEATURES = (
    "model_logit",
    "model_top",
    "says",
    "says_sure",
    "says_other",
    "names_none",
    "none_sure",
    "none_alike",
    "unprompted_differs",
    "no_speech",
)
"""What the score reads of a command c:
- ``model_logit``: the log-odds of the command model's posterior of c at the moment (clipped to
  +-LOGIT_LIMIT);
- ``model_top``: 1 when c is the model's most probable class, "other" included;
- ``says``: 1 when the reading is exactly a phrase of c; ``says_sure``: then how sure it is
  (its average log-probability, from -LOGPROB_LIMIT, plus LOGPROB_LIMIT), else 0;
- ``says_other``: 1 when the reading is exactly a phrase of another command;
- ``names_none``: 1 when the reading is words that are no allowed phrase; ``none_sure``: then
  how sure it is, as ``says_sure`` (a sure "Six." vetoes what the model heard), and
  ``none_alike`` how alike it is spelled to c's closest phrase (0..1: "Blower." is a louder
  misheard, "Six." no yes);
- ``unprompted_differs``: 1 when the reading without the prompt wrote something else;
- ``no_speech``: Whisper's probability that the audio holds no speech."""
LOGIT_LIMIT = 9.0
LOGPROB_LIMIT = 3.0
"""A reading's average log-probability counts from -LOGPROB_LIMIT (0: a guess) to 0 nats (its
most sure: LOGPROB_LIMIT)."""
FUSION_NAME = "decision.json"
FUSION_SHA256 = "e8559ac44d4fa95d95034bee0174a0e428f47d6ba93271efc790ca9abf43a9ed"
"""SHA-256 (hex) of the shipped decision weights; ``scripts/fit_decision.py`` prints it."""
_FIX = "refit it with `python scripts/fit_decision.py` or restore it from the repository"
MODEL_MOMENTS = frozenset(
    (Moment.STEP, Moment.CHECK, Moment.CONFIRM, Moment.TIMER, Moment.PAUSED, Moment.SAFE_EXIT, Moment.ALL)
)
"""The moments the command model answers at: all but the check-in, whose answers are free words
the model does not know (there the transcript alone decides). At the confirm turn the model's
class of the word "confirm" is the only "yes" (``command_model.WORD_CLASSES``)."""


def features(
    intent: Intent, posteriors: Mapping[Intent | str, float], transcript: Transcript, moment: Moment
) -> tuple[float, ...]:
    """The FEATURES of ``intent`` (see there), in that order."""
    p = min(max(posteriors.get(intent, 0.0), 1e-12), 1.0 - 1e-12)
    logit = max(-LOGIT_LIMIT, min(LOGIT_LIMIT, math.log(p / (1.0 - p))))
    top = max(posteriors, key=posteriors.__getitem__) if posteriors else OTHER
    named = match(transcript.text, moment) if transcript.text else None
    score = transcript.avg_logprob
    if score is None:
        score = math.log(max(transcript.confidence, 1e-9))
    sure = max(-LOGPROB_LIMIT, min(0.0, score)) + LOGPROB_LIMIT
    says = named is intent
    none = bool(normalise(transcript.text)) and named is None
    alike = (
        max((letter_similarity(said, p) for p, i in phrases_for(moment).items() if i is intent), default=0.0)
        if none and (said := normalise(transcript.text))
        else 0.0
    )
    differs = transcript.unprompted is not None and normalise(transcript.unprompted) != normalise(
        transcript.text
    )
    return (
        logit,
        float(top == intent),
        float(says),
        sure if says else 0.0,
        float(named is not None and named is not intent),
        float(none),
        sure if none else 0.0,
        alike,
        float(differs),
        transcript.no_speech,
    )


def candidates(
    posteriors: Mapping[Intent | str, float], transcript: Transcript, moment: Moment
) -> list[Intent]:
    """The commands worth weighing: the model's most probable intent and the one the reading
    names, in that order, without repeats."""
    intents = [c for c in posteriors if isinstance(c, Intent)]
    chosen: list[Intent] = []
    if intents:
        chosen.append(max(intents, key=lambda c: posteriors[c]))
    named = match(transcript.text, moment) if transcript.text else None
    if named is not None and named not in chosen:
        chosen.append(named)
    return chosen


@dataclass(frozen=True)
class Fusion:
    """Per risk class: the logistic regression's bias and weights (one per FEATURES) and the
    operating point (0..1) the fit chose for it."""

    weights: Mapping[Risk, tuple[float, ...]]
    """Bias first, then one weight per feature."""
    fitted: Mapping[Risk, float]
    """The fit's operating points, kept with the weights they belong to; the decision reads
    ``RecognitionPolicy``'s, whose defaults are these (a test checks it)."""

    def probability(self, intent: Intent, values: tuple[float, ...]) -> float:
        """How likely ``intent`` was said, from its feature ``values``."""
        bias, *weights = self.weights[RISK[intent]]
        z = bias + sum(w * v for w, v in zip(weights, values))
        return 1.0 / (1.0 + math.exp(-max(-60.0, min(60.0, z))))

    def scores(
        self, posteriors: Mapping[Intent | str, float], transcript: Transcript, moment: Moment
    ) -> list[tuple[Intent, float]]:
        """(candidate, probability) best first."""
        scored = [
            (c, self.probability(c, features(c, posteriors, transcript, moment)))
            for c in candidates(posteriors, transcript, moment)
        ]
        return sorted(scored, key=lambda item: -item[1])

    def to_json(self) -> str:
        """The weights file's text: the same text for the same values."""
        data = {
            "features": list(FEATURES),
            "weights": {r.value: [round(w, 6) for w in self.weights[r]] for r in Risk if r in self.weights},
            "accept": {r.value: round(self.fitted[r], 6) for r in Risk if r in self.fitted},
        }
        return json.dumps(data, indent=1, sort_keys=True) + "\n"

    @classmethod
    def from_json(cls, text: str) -> Fusion:
        data = json.loads(text)
        if list(data["features"]) != list(FEATURES):
            raise ValueError(f"features {data['features']} are not {list(FEATURES)}")
        weights = {Risk(k): tuple(float(w) for w in v) for k, v in data["weights"].items()}
        if any(len(w) != len(FEATURES) + 1 for w in weights.values()) or set(weights) != set(Risk):
            raise ValueError("a weight row per risk class, bias first, is needed")
        accept = {Risk(k): float(v) for k, v in data["accept"].items()}
        if set(accept) != set(Risk):
            raise ValueError("an operating point per risk class is needed")
        return cls(weights, accept)

    @classmethod
    def load(cls, path: str | Path | None = None, sha256: str | None = None) -> Fusion:
        """The weights in ``path`` (default: beside the command model), once their SHA-256 is
        ``sha256`` (default FUSION_SHA256). Raises ModelError when missing, altered or unreadable."""
        file = Path(path) if path is not None else MODELS_DIR / FUSION_NAME
        data = verified_bytes(file, sha256 or FUSION_SHA256, "the decision weights file", _FIX)
        try:
            return cls.from_json(data.decode())
        except (KeyError, ValueError, TypeError) as exc:
            raise ModelError(
                f"the decision weights file {file} holds no decision weights ({exc}); {_FIX}"
            ) from exc
