"""Pure helpers of the Whisper engine: speech span, window length, repeated sentences."""

from __future__ import annotations

import numpy as np
import pytest

from voiceguide.core.ports import SAMPLE_RATE
from voiceguide.recognition.engines.utterance import (
    TRIM_MARGIN_S,
    collapse_repeats,
    speech_span,
    window_seconds,
)

pytestmark = pytest.mark.unit


def test_speech_span_cuts_the_loud_part_out_of_quiet_background():
    rng = np.random.default_rng(1)
    audio = (rng.standard_normal(3 * SAMPLE_RATE) * 0.001).astype(np.float32)
    audio[SAMPLE_RATE : 2 * SAMPLE_RATE] += np.sin(np.arange(SAMPLE_RATE) * 0.2) * 0.5
    start, end = speech_span(audio)
    margin = TRIM_MARGIN_S * SAMPLE_RATE
    assert abs(start - (SAMPLE_RATE - margin)) <= 320
    assert abs(end - (2 * SAMPLE_RATE + margin)) <= 320


def test_a_tighter_speech_span_leaves_out_talk_some_way_under_the_speech():
    rng = np.random.default_rng(2)
    audio = (rng.standard_normal(4 * SAMPLE_RATE) * 0.001).astype(np.float32)
    speech = np.sin(np.arange(SAMPLE_RATE) * 0.2) * 0.5
    audio[2 * SAMPLE_RATE : 3 * SAMPLE_RATE] += speech
    audio[SAMPLE_RATE // 2 : SAMPLE_RATE] += speech[: SAMPLE_RATE // 2] * 0.1  # 20 dB under
    assert abs(speech_span(audio)[0] - (SAMPLE_RATE // 2 - TRIM_MARGIN_S * SAMPLE_RATE)) <= 320
    start, end = speech_span(audio, below_peak_db=12.0, margin_s=0.1)
    assert abs(start - 1.9 * SAMPLE_RATE) <= 320
    assert abs(end - 3.1 * SAMPLE_RATE) <= 320


def test_speech_span_keeps_everything_when_it_is_all_loud_or_tiny():
    audio = np.ones(SAMPLE_RATE, np.float32) * 0.3
    assert speech_span(audio) == (0, SAMPLE_RATE)
    assert speech_span(np.ones(100, np.float32)) == (0, 100)


def test_window_fits_the_audio_within_bounds():
    assert window_seconds(SAMPLE_RATE, minimum=3, margin_s=1.0) == 3
    assert window_seconds(int(2.5 * SAMPLE_RATE), minimum=3, margin_s=1.0) == 4
    assert window_seconds(60 * SAMPLE_RATE, minimum=3, margin_s=1.0) == 30


def test_exact_repeats_collapse_and_anything_else_stays():
    assert collapse_repeats("Stop. Stop. Stop.") == "Stop."
    assert collapse_repeats("Next step! Next step.") == "Next step!"
    assert collapse_repeats("Next. Done.") == "Next. Done."
    assert collapse_repeats("Stop. Next step.") == "Stop. Next step."
    assert collapse_repeats("Done.") == "Done."


def test_a_repeat_cut_at_the_token_limit_collapses_only_when_it_begins_the_first():
    assert collapse_repeats("Stop. Stop. St", cut=True) == "Stop."
    assert collapse_repeats("Stop. Stop. St", cut=False) == "Stop. Stop. St"
    assert collapse_repeats("Next step. Stop", cut=True) == "Next step. Stop"
    assert collapse_repeats("Stop. Next", cut=True) == "Stop. Next"


def test_repeated_words_without_full_stops_collapse_too():
    assert collapse_repeats("Help help help help") == "Help"
    assert collapse_repeats("What can i say? What can i say", cut=True) == "What can i say?"
    assert collapse_repeats("What can i say? What can i see", cut=True) == "What can i say? What can i see"
    assert collapse_repeats("Help help hel", cut=True) == "Help"
