"""The real audio stack: sounddevice playing to and recording from a private PulseAudio
server's virtual devices (tier 4; the rig is tests/audio_rig.py, the ``pulse`` fixture is in
conftest.py and skips with the reason when the server cannot start).
"""

from __future__ import annotations

import shutil
import threading
import time

import numpy as np
import pytest
from audio_rig import RATE, MicFeeder, any_loud, espeak_16k, quiet_since

from voiceguide.audio.endpointing import EndpointConfig
from voiceguide.audio.microphone import MicrophoneListener
from voiceguide.audio.speaker import AudioSpeaker
from voiceguide.audio.tts import Synthesizer
from voiceguide.core.intents import Moment
from voiceguide.core.ports import Heard

pytestmark = pytest.mark.audio

SENTENCE = "Clean the injection site with an alcohol swab, and let it dry for thirty seconds."


@pytest.fixture(scope="module")
def synthesizer():
    if not Synthesizer.is_available():
        pytest.skip("no speech synthesizer (apt-get install espeak-ng)")
    synth = Synthesizer()
    yield synth
    synth.close()


def test_probe_finds_the_virtual_devices(pulse):
    _, _, report = pulse
    assert report.portaudio_ok
    assert report.input_name and report.output_name
    assert report.can_listen and report.can_speak
    assert report.problems == ()


def test_speaker_plays_a_sentence(pulse, synthesizer):
    _, recorder, _ = pulse
    expected_s = len(synthesizer.synthesize(SENTENCE, 200)[0]) / 22050
    recorder.clear()
    with AudioSpeaker(synthesizer) as speaker:
        started = time.monotonic()
        speaker.say(SENTENCE, 200, 0.8)
        assert speaker.speaking
        assert speaker.wait(timeout=expected_s + 5)
        took = time.monotonic() - started
        assert not speaker.speaking
    assert recorder.wait_until(quiet_since(time.monotonic(), 0.3), timeout=5)
    loud = recorder.loud_times()
    assert loud, "nothing came out of the speaker"
    # Played in real time: it lasted about as long as the speech itself.
    assert expected_s * 0.8 < took < expected_s + 2.0
    assert loud[-1] - loud[0] > expected_s * 0.7
    audio = recorder.audio()
    assert 0.05 < np.abs(audio).max() <= 0.81  # volume 0.8 scaled the samples


def test_stop_cuts_speech_within_a_block_or_two(pulse, synthesizer):
    _, recorder, _ = pulse
    recorder.clear()
    with AudioSpeaker(synthesizer) as speaker:
        speaker.say(SENTENCE, 160, 0.8)
        assert recorder.wait_until(any_loud, timeout=5), "speech never reached the sink"
        assert not speaker.wait(timeout=0.5)  # still speaking half a second in
        stopped_at = time.monotonic()
        speaker.stop()
        stop_returned_s = time.monotonic() - stopped_at
        assert not speaker.speaking
        assert speaker.wait(timeout=0)
    assert stop_returned_s < 0.3
    assert recorder.wait_until(quiet_since(stopped_at, 0.5), timeout=5)
    sound_after_stop_s = max(recorder.loud_times()) - stopped_at
    print(
        f"stop() returned in {1000 * stop_returned_s:.1f} ms; "
        f"last sound reached the sink {1000 * sound_after_stop_s:.0f} ms after stop()"
    )
    assert sound_after_stop_s < 0.3


def test_speaker_survives_many_says_and_stops(pulse, synthesizer):
    _, recorder, _ = pulse
    with AudioSpeaker(synthesizer) as speaker:
        for i in range(5):
            speaker.say(f"Step {i + 1}.", 220, 0.5)
            speaker.stop() if i % 2 else speaker.wait(timeout=5)
        speaker.play_tone(880, 0.2, 0.5)
        assert speaker.wait(timeout=3)
        speaker.say("", 160, 0.5)  # nothing to say: not speaking
        assert not speaker.speaking


@pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="espeak-ng is not installed")
def test_microphone_hears_phrases_flushes_and_reports_the_lost_device(pulse, tmp_path):
    server, _, _ = pulse
    phrase = espeak_16k("next step", tmp_path)
    silence = np.zeros(RATE, dtype=np.float32)
    decoded: list[tuple[np.ndarray, Moment]] = []
    second_decoded = threading.Event()

    def decode(audio: np.ndarray, moment: Moment):
        decoded.append((audio, moment))
        if len(decoded) == 2:
            second_decoded.set()
        return Heard(text=f"utterance {len(decoded)}", source="voice"), None

    feeder = None
    listener = MicrophoneListener(decode, endpointer_config=EndpointConfig(), stall_timeout_s=1.0)
    try:
        with listener:
            listener.set_moment(Moment.CHECK)
            feeder = MicFeeder(server.mic_fifo)
            spoken = feeder.say(np.concatenate([silence, phrase, silence, phrase, silence]))
            heard = listener.listen(timeout=10)
            assert heard is not None and heard.text == "utterance 1"
            assert heard.moment is Moment.CHECK and heard.source == "voice"
            # The second phrase is dropped by a flush, whether it is still being decoded or
            # already queued.
            assert second_decoded.wait(timeout=10)
            listener.flush()
            assert listener.listen(timeout=0.3) is None
            # The writer stops after its audio: the source falls silent for good, which is
            # what a pulled USB microphone looks like. One end-of-input, no hang.
            assert spoken.wait(timeout=10)
            feeder.close()
            end = listener.listen(timeout=10)
            assert end is not None and end.end_of_input and not end.clear
            assert listener.listen(timeout=0.2) is None
    finally:
        if feeder is not None:
            feeder.close()
    assert [moment for _, moment in decoded] == [Moment.CHECK, Moment.CHECK]
    speech = int(np.flatnonzero(np.abs(phrase) > 0.02)[-1]) + 1  # the phrase minus its tail
    for audio, _ in decoded:  # decoded early (after 0.1 s of silence) or at its end
        assert speech <= len(audio) <= len(phrase) + int(0.8 * RATE)


def test_an_early_decode_is_discarded_when_speech_resumes(pulse):
    """Early decoding through the real stack: a pause long enough to start decoding early but
    too short to end the utterance, then more speech. The early result is dropped; the one
    handed over is decoded from audio holding both bursts."""
    server, _, _ = pulse
    burst = (0.1 * np.sin(2 * np.pi * 220 * np.arange(int(0.3 * RATE)) / RATE)).astype(np.float32)
    gap = np.zeros(int(0.2 * RATE), dtype=np.float32)  # > SPECULATE_AFTER_S, < end silence
    decoded: list[np.ndarray] = []

    def decode(audio: np.ndarray, moment: Moment):
        decoded.append(audio)
        return Heard(text=f"decode {len(decoded)}", source="voice"), None

    feeder = None
    listener = MicrophoneListener(decode, endpointer_config=EndpointConfig(), stall_timeout_s=None)
    try:
        with listener:
            feeder = MicFeeder(server.mic_fifo)
            feeder.say(np.concatenate([gap, burst, gap, burst, gap, gap, gap]))
            heard = listener.listen(timeout=10)
            assert heard is not None
            assert listener.listen(timeout=0.5) is None  # one utterance, one answer
    finally:
        if feeder is not None:
            feeder.close()
    assert listener.early_decodes == 2 and listener.early_used == 1, (
        listener.early_decodes,
        listener.early_used,
        [len(a) / RATE for a in decoded],
    )
    first, second = decoded
    assert heard.text == "decode 2"
    assert len(first) < len(burst) + len(gap) + int(0.25 * RATE)  # the first burst only
    loud = np.flatnonzero(np.abs(second) > 0.05)
    assert loud.size and (loud[-1] - loud[0]) >= len(burst) + len(gap) - int(0.05 * RATE)


@pytest.mark.parametrize("device_rate", [44_100, 48_000, 22_050])
def test_stream_resampler_is_seamless(device_rate):
    """Block-by-block resampling (device rate -> 16 kHz) equals a clean 16 kHz tone."""
    from voiceguide.audio.capture import _StreamResampler

    seconds, freq = 1.0, 440.0
    t_in = np.arange(int(seconds * device_rate)) / device_rate
    tone_in = np.sin(2 * np.pi * freq * t_in).astype(np.float32)
    resampler = _StreamResampler(device_rate, RATE)
    block = device_rate // 50
    out = np.concatenate([resampler.process(tone_in[i : i + block]) for i in range(0, len(tone_in), block)])
    resampler.reset()
    whole = resampler.process(tone_in)
    np.testing.assert_allclose(out, whole, atol=1e-6)  # no seams between blocks
    assert abs(len(out) - seconds * RATE) <= 2
    # The ideal 16 kHz tone, delayed by the low-pass filter's half-length (32 input samples).
    t_out = np.arange(len(out)) / RATE - 32 / device_rate
    ideal = np.sin(2 * np.pi * freq * t_out)
    settled = slice(RATE // 10, len(out) - 10)
    assert np.max(np.abs(out[settled] - ideal[settled])) < 0.01


def test_a_voice_over_playback_that_is_not_stop_releases_the_hold_at_once(pulse, synthesizer):
    """Headphones (the microphone never hears the loudspeaker): someone talks over a tone,
    which holds (mutes) it while it may be "stop"; once decoded as something else the tone
    comes back at once, not after the hold's 2.5 s (which used to mute the answer to a reply
    that began as the listening earcon ended)."""
    from voiceguide.audio.echo import HOLD_S, PlaybackReference

    server, recorder, _ = pulse
    burst = (0.1 * np.sin(2 * np.pi * 220 * np.arange(int(0.4 * RATE)) / RATE)).astype(np.float32)
    reference = PlaybackReference()
    decoded = threading.Event()
    held_while_decoding: list[bool] = []

    def decode(audio: np.ndarray, moment: Moment):
        held_while_decoding.append(reference.held)
        decoded.set()
        return Heard(text="hello", source="voice"), None

    feeder = None
    listener = MicrophoneListener(
        decode, endpointer_config=EndpointConfig(), stall_timeout_s=None, reference=reference
    )
    try:
        with AudioSpeaker(synthesizer, reference=reference) as speaker, listener:
            feeder = MicFeeder(server.mic_fifo)
            speaker.play_tone(440.0, 12.0, 0.5)
            deadline = time.monotonic() + 8.0
            while not listener.echo_free:  # a few seconds of playback the microphone never hears
                assert time.monotonic() < deadline, "playback was never found not to come back"
                assert not listener.listen(timeout=0.05)
            feeder.say(burst).wait(timeout=5)
            assert decoded.wait(timeout=10)
            heard = listener.listen(timeout=5)
            assert heard is not None and heard.text == "hello"
            released_at = time.monotonic()
            assert held_while_decoding and held_while_decoding[0], "the voice never held playback"
            assert not reference.held
            assert recorder.wait_until(
                lambda c: any_loud([x for x in c if x[0] > released_at]), timeout=HOLD_S / 2
            ), "the tone stayed muted"
            speaker.stop()
    finally:
        if feeder is not None:
            feeder.close()
