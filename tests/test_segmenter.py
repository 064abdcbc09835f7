"""The segmenter on plain arrays: frames in, utterance events out, no thread and no clock."""

from __future__ import annotations

import numpy as np
import pytest

from voiceguide.audio.echo import EchoCanceller
from voiceguide.audio.segmenter import Dropped, Hold, OverPromptConfig, Release, Segmenter, Utterance

pytestmark = pytest.mark.unit

SR = 16_000
FRAME = 320


def speechlike(seconds: float, seed: int, level: float = 0.1) -> np.ndarray:
    """Noise shaped into syllables (4 Hz bursts)."""
    rng = np.random.default_rng(seed)
    t = np.arange(int(seconds * SR)) / SR
    envelope = 0.5 * (1 + np.sin(2 * np.pi * 4 * t)) ** 2
    return (level * rng.standard_normal(t.size) * envelope).astype(np.float32)


def tone(seconds: float) -> np.ndarray:
    t = np.arange(int(seconds * SR)) / SR
    return (0.1 * np.sin(2 * np.pi * 220 * t)).astype(np.float32)


def quiet(seconds: float) -> np.ndarray:
    return np.full(int(seconds * SR), 1e-4, dtype=np.float32)


def echo_of(ref: np.ndarray, delay: int, gain: float = 0.5) -> np.ndarray:
    return gain * np.concatenate([np.zeros(delay, np.float32), ref[:-delay]])


def feed(segmenter: Segmenter, mic: np.ndarray, ref: np.ndarray | None = None, playing: bool = False):
    """Every event, each with the second (end of its frame) at which it came."""
    events = []
    for i in range(0, mic.size - FRAME + 1, FRAME):
        frame_ref = None if ref is None else ref[i : i + FRAME]
        for event in segmenter.process(mic[i : i + FRAME], frame_ref, playing):
            events.append(((i + FRAME) / SR, event))
    return events


def of(kind, events):
    return [(at, event) for at, event in events if isinstance(event, kind)]


def test_without_a_reference_a_word_between_silences_is_one_utterance():
    events = feed(Segmenter(), np.concatenate([quiet(0.5), tone(0.4), quiet(0.6)]))
    assert [type(event) for _, event in events] == [Utterance]
    at, utterance = events[0]
    assert at == pytest.approx(0.5 + 0.4 + 0.35, abs=0.03)  # the short-command end silence
    assert not utterance.over_prompt and utterance.ended.number == 1
    assert 0.4 <= len(utterance.audio) / SR <= 0.4 + 0.2 + 0.35 + 0.03  # pre-roll and tail


def test_a_reset_forgets_the_utterance_under_way():
    segmenter = Segmenter()
    assert not feed(segmenter, np.concatenate([quiet(0.5), tone(0.3)]))
    assert segmenter.endpointer.in_speech
    segmenter.reset()
    assert not feed(segmenter, quiet(0.6))


def test_the_prompts_echo_alone_is_never_an_utterance_nor_a_hold():
    ref = speechlike(4.0, 1)
    mic = echo_of(ref, 2000) + quiet(4.0)
    events = feed(Segmenter(canceller=EchoCanceller()), mic, ref, playing=True)
    assert not of(Utterance, events) and not of(Hold, events)


def test_a_short_voice_over_the_prompt_holds_it_and_is_handed_over_marked():
    ref = speechlike(4.0, 2)
    voice = np.zeros_like(ref)
    voice[int(3.0 * SR) : int(3.4 * SR)] = speechlike(0.4, 3, level=0.2)
    segmenter = Segmenter(canceller=EchoCanceller())
    events = feed(segmenter, echo_of(ref, 2000) + voice + quiet(4.0), ref, playing=True)
    holds, utterances = of(Hold, events), of(Utterance, events)
    assert len(holds) == 1 and 3.0 <= holds[0][0] <= 3.2
    assert len(utterances) == 1
    at, utterance = utterances[0]
    assert utterance.over_prompt
    assert at < 3.4 + 0.2 + 0.1  # the short end silence over a prompt, not 0.35 s
    assert not of(Dropped, events)


def test_speech_over_the_prompt_too_long_for_stop_is_dropped_and_released():
    ref = speechlike(5.0, 4)
    voice = np.zeros_like(ref)
    voice[int(3.0 * SR) : int(4.5 * SR)] = speechlike(1.5, 5, level=0.2)
    segmenter = Segmenter(canceller=EchoCanceller())
    events = feed(segmenter, echo_of(ref, 2000) + voice + quiet(5.0), ref, playing=True)
    dropped = of(Dropped, events)
    assert dropped and dropped[0][0] <= 3.0 + 1.0 + 0.3  # after stop_max_s of speech
    assert any(isinstance(event, Release) for at, event in events if at == dropped[0][0])
    assert not [u for at, u in of(Utterance, events) if at < 4.5]


def test_the_over_prompt_policy_is_data():
    ref = speechlike(4.0, 2)
    voice = np.zeros_like(ref)
    voice[int(3.0 * SR) : int(3.5 * SR)] = speechlike(0.5, 3, level=0.2)
    mic = echo_of(ref, 2000) + voice + quiet(4.0)
    default = feed(Segmenter(canceller=EchoCanceller()), mic, ref, playing=True)
    assert len(of(Utterance, default)) == 1 and not of(Dropped, default)
    strict = Segmenter(canceller=EchoCanceller(), over_prompt=OverPromptConfig(stop_max_s=0.2))
    dropped = of(Dropped, feed(strict, mic, ref, playing=True))
    assert dropped and dropped[0][0] <= 3.0 + 0.2 + 0.15


def test_no_early_decode_while_the_prompt_plays():
    ref = speechlike(2.0, 6)
    segmenter = Segmenter(canceller=EchoCanceller())
    assert segmenter.may_decode_early
    feed(segmenter, echo_of(ref, 2000) + quiet(2.0), ref, playing=True)
    assert not segmenter.may_decode_early


def test_with_headphones_a_voice_over_the_prompt_is_not_marked():
    """The microphone never hears the loudspeaker: once that is known, a voice over the prompt
    is not the prompt's, though it still holds playback (it may be "stop")."""
    ref = speechlike(4.0, 7)
    voice = np.zeros_like(ref)
    voice[int(3.0 * SR) : int(3.4 * SR)] = tone(0.4)
    canceller = EchoCanceller()
    segmenter = Segmenter(canceller=canceller)
    events = feed(segmenter, quiet(4.0) + voice, ref, playing=True)
    assert canceller.echo_free
    assert of(Hold, events)
    (_, utterance), *more = of(Utterance, events)
    assert not more and not utterance.over_prompt
