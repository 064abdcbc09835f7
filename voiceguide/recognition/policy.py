"""Every threshold of the recognition decision, as one frozen value passed in. Pure.

``RecognitionPolicy`` is given to the ``Recognizer`` and the engines at construction;
``DEFAULT_POLICY`` is the product's. A test or a benchmark run builds another with
``dataclasses.replace(DEFAULT_POLICY, max_no_speech=0.5)`` (``--set max_no_speech=0.5``,
``bench.tuning.with_settings``). Each
field says what it means and the measurement behind its value (nats: average token
log-probability; tune and test: the corpus splits).
"""

from __future__ import annotations

from dataclasses import dataclass

from voiceguide.recognition.risk import Risk


@dataclass(frozen=True)
class RecognitionPolicy:
    """The recognition decision's thresholds (see the module docstring): when a reading is
    clear at all, which readings the engine makes, and, where the command model answers, the
    operating point per risk class that the calibrated probability (``fusion``) must reach."""

    # -- is the reading clear at all
    max_no_speech: float = 0.6
    """Above this no_speech_prob (0..1) the audio is taken as not speech."""
    min_avg_logprob: float = -1.0
    """Below this (nats) the words are too unsure to act on."""
    min_word_confidence: float = 0.6
    """Vosk: below this per-word confidence (0..1) the utterance is unclear."""

    # -- which readings the engine makes
    talking_trim_db: float | None = 12.0
    """Over a talking background the loud part is the frames within this many dB of the loudest
    (None: the ordinary trim). Test, with the whole utterance checked: TV 20 dB 172 -> 211 of
    271, advances from sound-alikes 7 -> 2."""
    unprompted_phrases: frozenset[str] = frozenset(("yes", "done", "continue"))
    """Read the audio again without the phrase prompt when the reading is one of these (reusing
    the encoder output): the prompt pulls sound-alikes towards them ("guess" -> "Yes."), and the
    decision weighs whether the unprompted reading differs (``fusion.FEATURES``)."""

    # -- the operating points, one per risk class (``risk.Risk``). Each is the lowest at which
    # the fit's out-of-fold cases take an intent of the class wrongly in at most its share of
    # the cases where the class is allowed (``decision_fitting.FALSE_ACCEPT_TARGET``);
    # ``scripts/fit_decision.py`` chooses them and records them in the decision weights file.
    accept_advance: float = 0.51
    """next, skip, resume: wrongly taken in at most 0.5 % of the fit's cases."""
    accept_answer: float = 0.615
    """yes: wrongly taken in at most 0.5 % of the fit's cases."""
    accept_stop: float = 0.14
    """stop: wrongly taken in at most 1 % (a false stop costs a "resume")."""
    accept_retreat: float = 0.305
    """back, end session: wrongly taken in at most 0.4 %."""
    accept_decline: float = 0.21
    """no: wrongly taken in at most 2 % (a false "no" costs a turn, as a harmless command)."""
    accept_harmless: float = 0.165
    """repeat, pause, help, where: wrongly taken in at most 2 % (a mistake costs a turn)."""
    accept_setting: float = 0.665
    """slower, faster, louder, quieter: wrongly taken in at most 0.5 %."""

    def operating_point(self, risk: Risk) -> float:
        """The probability (0..1) an intent of ``risk`` must reach to be taken."""
        return getattr(self, f"accept_{risk.value}")

    def operating_points(self) -> dict[Risk, float]:
        """Every risk class's operating point."""
        return {risk: self.operating_point(risk) for risk in Risk}


DEFAULT_POLICY = RecognitionPolicy()
"""Today's values."""
