"""Every threshold of the recognition decision, as one frozen value passed in. Pure.

``RecognitionPolicy`` is given to the ``Recognizer`` and the engines at construction;
``DEFAULT_POLICY`` is the product's. A test or a benchmark run builds another with
``dataclasses.replace(DEFAULT_POLICY, near_tie=False)`` (``--set near_tie=false``). Each field
says what it means and the measurement behind its value (nats: average token log-probability;
letter similarity: ``difflib.SequenceMatcher.ratio``; tune and test: the corpus splits).
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from voiceguide.core.intents import PHRASES, Intent


def _intents(*intents: Intent) -> frozenset[Intent]:
    return frozenset(intents)


@dataclass(frozen=True)
class RecognitionPolicy:
    """The recognition decision's thresholds (see the module docstring)."""

    # -- is the reading clear at all
    max_no_speech: float = 0.6
    """Above this no_speech_prob (0..1) the audio is taken as not speech."""
    min_avg_logprob: float = -1.0
    """Below this (nats) the words are too unsure to act on."""
    min_word_confidence: float = 0.6
    """Vosk: below this per-word confidence (0..1) the utterance is unclear."""

    # -- when the short window's reading is final (the engine's choice of a 30 s pass)
    sure_logprob: float = -0.6
    """The short window's phrase stands at least this sure (nats). Tune: -0.6 lets 166 right and
    10 wrong stand, -0.65 a wrong intent more; -0.8 let real "off" and "now" through (test)."""
    sure_margin: float = 0.3
    """...and no reading of another phrase within this many nats of it."""
    stricter_sure_logprob: Mapping[str, float] = field(
        default_factory=lambda: MappingProxyType({"next step": -0.45})
    )
    """...and these phrases at least this sure (nats): a real "stop" read "Next step." at -0.52 in
    the short window, "Stop." in the 30 s pass. Both splits: 3 "next step" right before and after."""
    sentence_words: int = 4
    """A short reading of at least this many words, at least ``sentence_logprob`` sure, with no
    reading an allowed phrase, is a sentence, not a command: no 30 s pass."""
    sentence_logprob: float = -0.5
    """...(nats). Tune: the 30 s pass skipped for 49 of 126 negatives, no command lost."""
    sentence_clauses: bool = True
    """...unless a clause of it is an allowed phrase. Full runs: test 5 and tune 4 commands more
    right, none wrong, one retired "speak up" taken as "Speed up." on each."""
    far_logprob: float = -0.4
    """A short reading at least this sure (nats), no allowed phrase and unlike every one, with no
    reading a phrase, is final. Tune, quick: 102 of 514 second passes skipped, no command lost."""
    far_similarity: float = 0.45
    """...unlike: letter similarity to every allowed phrase below this. Test, against 0.6: 13
    commands more right, no wrong intent, 9 negatives more taken, none an advance."""
    far_min_letters: int = 2
    """...and a word, not a fragment: at least this many letters (a reverb "help" read "L.")."""

    # -- extra readings the engine makes
    unprompted_check: bool = True
    """Read the audio again without the phrase prompt when the answer is one of
    ``unprompted_phrases`` (reusing the encoder output)."""
    talking_trim_db: float | None = 12.0
    """Over a talking background the loud part is the frames within this many dB of the loudest
    (None: the ordinary trim). Test, with ``whole_checked``: TV 20 dB 172 -> 211 of 271,
    advances from sound-alikes 7 -> 2."""
    gated_reading: bool = True
    """Over a talking background, when the reading holds a phrase among other words, read it
    again with the background turned down. Test, quick: TV 20 dB 24 -> 31 of 50, no wrong intent."""

    # -- an advance needs no close rival (second opinion)
    second_opinion_margin: float = 0.5
    """Nats: a reading this close to the best one is a real possibility."""
    unprompted_intents: frozenset[Intent] = _intents(Intent.NEXT, Intent.YES)
    """Intents whose unprompted reading must say exactly the same phrase: past a step, through a
    check. Not skip and resume: their unprompted reading in noise is often garbage."""
    unprompted_phrases: frozenset[str] = frozenset(("yes", "done", "continue"))
    """...those of their phrases the prompt pulls sound-alikes towards ("guess" -> "Yes."). Not
    "confirm" or "next step": refusing on them cost right answers (tune clean 88.6 -> 92.9 %)."""
    spelling_rival_phrases: frozenset[str] = frozenset(("resume", "skip step"))
    """Advance phrases whose close near-spelling ("Refume.") is no rival. Tune 3 and test 4
    commands more right, none wrong, no negative."""
    spelling_rival_ratio: float = 0.6
    """...near-spelling: letter similarity at least this."""
    spelling_tie: bool = True
    """Take "resume" or "skip step" from a close reading when the best is a near-spelling of it."""

    # -- the two windows, and the whole utterance, must agree
    passes_alike: bool = True
    """Refuse an unsure final reading that the first pass wrote as something else entirely."""
    unsure_logprob: float = -0.7
    """Nats: a final reading below this must look like the first pass's reading..."""
    alike_similarity: float = 0.4
    """...letter similarity of that reading, or a clause of it, at least this. Tune: refuses 12
    right answers, 6 wrong intents and 9 negatives, the best of a grid."""
    whole_checked: frozenset[Intent] = _intents(Intent.NEXT, Intent.YES)
    """Advances read in the loud part over a talking background that the whole utterance must ask
    for too. Test, talking backgrounds: sound-alikes taken as an advance 10 -> 2."""
    whole_clause: bool = True
    """The whole reading may hold the phrase as a clause of its own among the TV's words. Tune 7
    and test 8 commands more right, no negative but the homophone "dunn" as "Done."."""
    whole_clause_not: frozenset[str] = frozenset(("yes",))
    """...not these phrases: sound-alikes' whole reading was "Yes." among the TV's words."""

    # -- a near tie among the readings
    near_tie: bool = True
    """Let a near tie decide a harmless command."""
    near_tie_margin: float = 0.05
    """Nats: a harmless phrase at most this far below a best reading that is no command wins.
    The largest margin with no wrong intent on tune: 8 commands more right."""
    near_tie_floor: float = -1.0
    """...when that reading is itself sure enough to act on (nats)."""

    # -- the command model
    command_model: bool = True
    """Weigh the command model's posteriors with the short window's reading
    (``recognition.fusion``) at the moments the model answers (``fusion.MODEL_MOMENTS``);
    False: the transcript's rules below decide everywhere."""

    # -- asking the larger model (the cross-check)
    cross_check: bool = True
    """Ask the larger model when the readings all but heard one command."""
    cross_checked: frozenset[Intent] = _intents(
        Intent.REPEAT, Intent.BACK, Intent.HELP, Intent.WHERE, Intent.STOP, Intent.END
    ) | _intents(Intent.NEXT, Intent.SKIP, Intent.RESUME)
    """Intents it may settle: commands 59.6 -> 62.8 % (tune), 58.6 -> 62.1 % (test), no negative.
    Not yes, pause, the settings or no: both models share their sound-alikes."""
    cross_check_several: bool = True
    """...also when the readings name several commands, none of them stop. Tune and test 10
    commands more right each, none wrong, no negative."""
    background_check: bool = True
    """Ask the larger model when no reading named a command (over a talking background, and
    without one too with ``quiet_check``)."""
    background_checked: frozenset[Intent] = _intents(
        Intent.NEXT, Intent.BACK, Intent.SKIP, Intent.RESUME, Intent.HELP, Intent.END
    )
    """Intents it may settle then. Tune TV 20 dB 197 -> 213 of 330, no wrong one."""
    background_sure_words: int = 2
    """A best reading of at most this many words, at least ``background_sure_logprob`` sure, is a
    word heard clearly: the larger model is not asked about it..."""
    background_sure_logprob: float = -0.5
    """...(nats). Tune: 267 of 290 real other-word decodes no longer ask base, 1 of 23 right lost."""
    quiet_check: bool = True
    """Ask it without a talking background too, unless the best reading is a sure sentence. Tune
    52 commands more right, test 47, none wrong; 1 and 2 negatives taken."""
    sure_sentence_words: int = 5
    """A best reading of at least this many words, at least ``sure_sentence_logprob`` sure, is a
    sentence heard clearly: without a talking background the larger model is not asked..."""
    sure_sentence_logprob: float = -0.6
    """...(nats). Tune: base asked for 805 of 1218 decodes instead of all, no right answer lost."""

    @property
    def background_worth(self) -> frozenset[Intent]:
        """The larger model is asked about readings that named no command only at a moment allowing
        one of these: at a check only "help" could come of it, never right there."""
        return self.background_checked - {Intent.HELP}

    @property
    def whole_phrases(self) -> frozenset[str]:
        """The phrases of ``whole_checked``: the engine reads the whole utterance too for them."""
        return frozenset(phrase for intent in self.whole_checked for phrase in PHRASES[intent])

    def with_setting(self, setting: str) -> RecognitionPolicy:
        """This policy with ``NAME=VALUE`` (VALUE as JSON: numbers, true/false, null; a list for
        a set of intents or phrases, an object for a mapping). ValueError when there is no such
        field or VALUE is not JSON."""
        name, equals, value = setting.partition("=")
        fields = {f.name: f for f in dataclasses.fields(self)}
        if not equals or name not in fields:
            raise ValueError(f"{setting!r} is not NAME=VALUE with NAME one of: {', '.join(fields)}")
        try:
            parsed = json.loads(value)
        except json.JSONDecodeError:
            raise ValueError(f"{value!r} is not a JSON value (quote text: '\"text\"')") from None
        current = getattr(self, name)
        if isinstance(current, frozenset) and isinstance(parsed, list):
            kind = Intent if "Intent" in str(fields[name].type) else str
            parsed = frozenset(kind(item) for item in parsed)
        elif isinstance(current, Mapping) and isinstance(parsed, dict):
            parsed = MappingProxyType(dict(parsed))
        return dataclasses.replace(self, **{name: parsed})


DEFAULT_POLICY = RecognitionPolicy()
"""Today's values."""
