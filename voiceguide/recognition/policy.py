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


@dataclass(frozen=True)
class RecognitionPolicy:
    """The recognition decision's thresholds (see the module docstring). Where the command
    model answers, its fitted operating points decide (``fusion.Fusion.accept``); these say
    when a reading is clear at all and which readings the engine makes."""

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


DEFAULT_POLICY = RecognitionPolicy()
"""Today's values."""
