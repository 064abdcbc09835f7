"""The microphone's worker without a device: its PortAudio callback fed by hand, the real
worker thread behind it (fast; the rig tests in test_audio_devices.py cover the stream)."""

from __future__ import annotations

import io
import threading

import numpy as np
import pytest

from voiceguide.app.adapters import Adapters, prepare
from voiceguide.app.runner import Runner
from voiceguide.audio import microphone
from voiceguide.audio.decoding import DecodeScheduler
from voiceguide.audio.echo import PlaybackReference
from voiceguide.audio.endpointing import FRAME_SAMPLES, Endpointer
from voiceguide.audio.segmenter import Utterance
from voiceguide.core.events import EventType
from voiceguide.core.intents import Intent, Moment
from voiceguide.core.ports import Heard
from voiceguide.core.session import Session
from voiceguide.recognition.matching import match
from voiceguide.ui.text_io import ConsoleDisplay, FakeClock, MemoryJournal, QuietSpeaker

pytestmark = pytest.mark.unit

SR = 16_000


def tone(seconds: float) -> np.ndarray:
    t = np.arange(int(seconds * SR)) / SR
    return (0.1 * np.sin(2 * np.pi * 220 * t)).astype(np.float32)


def quiet(seconds: float) -> np.ndarray:
    return np.zeros(int(seconds * SR), dtype=np.float32) + np.float32(1e-4)


def test_the_microphone_timeline_skips_audio_dropped_by_a_flush():
    """Audio a flush drops from the microphone's queue still counts on its timeline (which
    lines it up with what the loudspeaker played); otherwise it falls behind by every
    flush's backlog. Real worker and callback, fed by hand; the decode blocks so frames queue up."""
    release = threading.Event()
    decoding = threading.Event()

    def decode(audio, moment):
        decoding.set()
        release.wait(10)
        return Heard(text="word", source="voice"), None

    listener = microphone.MicrophoneListener(decode, stall_timeout_s=None, speculate_after_s=None)
    worker = threading.Thread(target=listener._run, daemon=True)
    worker.start()
    fed = 0

    def feed(signal):
        nonlocal fed
        for i in range(0, len(signal), FRAME_SAMPLES):
            block = signal[i : i + FRAME_SAMPLES].reshape(-1, 1)
            listener._capture.callback(block, FRAME_SAMPLES, None, None)
            fed += FRAME_SAMPLES

    try:
        feed(np.concatenate([quiet(0.5), tone(0.4), quiet(0.6)]))
        assert decoding.wait(10)
        feed(quiet(1.0))  # queued behind the decode
        listener.flush()  # ... and dropped
        release.set()
        feed(np.concatenate([quiet(0.5), tone(0.4), quiet(0.6)]))
        assert listener.listen(timeout=10) is not None
    finally:
        release.set()
        listener.__exit__(None, None, None)
        worker.join(timeout=5)
    # the second word ended 0.35 s into its trailing silence: everything fed before that counts
    assert fed - listener._capture.position <= int(0.6 * SR), (fed, listener._capture.position)


def test_what_is_heard_over_the_prompt_is_handed_over_marked_and_the_hold_released():
    """The microphone does not decide what counts over a prompt: it hands every decoded
    utterance over, marked, and releases the hold unless it was "stop"."""
    reference = PlaybackReference()
    answers = iter(
        [
            (Heard(text="Next step.", source="voice"), None),
            (Heard(text="Stop.", source="voice", intent=Intent.STOP), Intent.STOP),
        ]
    )
    scheduler = DecodeScheduler(
        lambda audio, moment: next(answers), speculate_after_s=None, playback=reference
    )
    scheduler.moment = Moment.STEP
    for _ in range(2):
        reference.hold()
        assert scheduler.hand_over(Utterance(tone(0.3), True, None), scheduler.flushes)
        heard = scheduler.heard.get_nowait()
        assert heard.over_prompt and heard.moment is Moment.STEP
        assert reference.held is (heard.text == "Stop.")


class OverThePrompt:
    """A microphone that heard ``texts`` over the prompt (not while the runner was speaking:
    over the prompt's echo, just after it)."""

    def __init__(self, texts):
        self.texts = list(texts)
        self.moment = None

    def set_moment(self, moment):
        self.moment = moment

    def listen(self, timeout):
        if not self.texts:
            return Heard(text="", source="voice", end_of_input=True)
        text = self.texts.pop(0)
        return Heard(
            text=text, source="voice", moment=self.moment, over_prompt=True, intent=match(text, self.moment)
        )

    def flush(self):
        pass


def test_the_runner_takes_only_stop_from_what_was_heard_over_the_prompt():
    clock = FakeClock()
    journal = MemoryJournal()
    adapters = Adapters(
        speaker=QuietSpeaker(),
        listener=OverThePrompt(["Next step.", "Stop."]),
        clock=clock,
        journal=journal,
        display=ConsoleDisplay(io.StringIO()),
        wall=clock.now,
    )
    Runner(Session(prepare("b12-im", "example", False)), adapters).run()
    assert [h.data["text"] for h in journal.of(EventType.HEARD)] == ["Stop."]
    assert journal.of(EventType.PAUSED)
    assert max(e.data["index"] for e in journal.of(EventType.STEP_STARTED)) == 1


@pytest.mark.parametrize("intent", [Intent.NEXT, None])
def test_an_early_decode_that_found_a_command_ends_the_utterance_sooner(intent):
    """The scheduler as the worker drives it, frame by frame: once the early decode has given a
    command the utterance ends after the decided end silence (0.2 s), else after the short
    one (0.35 s); either way the early result stands and nothing is decoded twice."""
    calls = []

    def decode(audio, moment):
        calls.append(len(audio))
        return Heard(text="done", source="voice"), intent

    scheduler = DecodeScheduler(decode)
    endpointer = Endpointer()
    signal = np.concatenate([quiet(0.5), tone(0.4), quiet(1.0)])
    silence_at_end = None
    for i in range(0, len(signal), FRAME_SAMPLES):
        audio = endpointer.process(signal[i : i + FRAME_SAMPLES])
        if audio is not None:
            silence_at_end = len(audio) / SR - endpointer.ended.speech_end_s
            assert scheduler.hand_over(Utterance(audio, False, endpointer.ended), 0)
            break
        if endpointer.in_speech:
            scheduler.decode_early(endpointer, 0)
            assert scheduler.wait_early(10)  # it runs on its own thread: let it finish
    config = endpointer.config
    expected = config.decided_end_silence_s if intent else config.short_end_silence_s
    assert silence_at_end is not None and abs(silence_at_end - expected) <= 0.021
    assert len(calls) == 1 and scheduler.early_used == 1
    assert scheduler.heard.get_nowait().text == "done"
