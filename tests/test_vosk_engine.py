"""The Vosk engine: model lookup and refusals always; real decoding when a model is present."""

from __future__ import annotations

import re
import sys

import pytest

from voiceguide.core.intents import ALLOWED, PHRASES, Moment, phrases_for
from voiceguide.errors import EngineUnavailable, ModelError
from voiceguide.recognition.engines import install_hint, is_available, make_engine
from voiceguide.recognition.engines.vosk import (
    ENV_VAR,
    VoskEngine,
    find_vosk_model,
    layout_problem,
    search_dirs,
)
from voiceguide.recognition.recognizer import Recognizer

HOW_TO_GET = "voiceguide model download vosk-small-en"


def fake_model(path):
    """A directory with a Vosk model's layout (not a working model)."""
    (path / "am").mkdir(parents=True)
    (path / "conf").mkdir()
    (path / "am" / "final.mdl").write_bytes(b"junk")
    (path / "conf" / "model.conf").write_text("--junk-option=1\n")
    return path


@pytest.fixture
def no_env(monkeypatch, tmp_path):
    """No VOICEGUIDE_VOSK_MODEL, an empty data dir and an empty working directory."""
    monkeypatch.delenv(ENV_VAR, raising=False)
    monkeypatch.setenv("VOICEGUIDE_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.mark.unit
def test_a_missing_named_dir_says_how_to_get_a_model(no_env):
    with pytest.raises(ModelError) as caught:
        find_vosk_model(no_env / "nowhere")
    assert "nowhere is not a directory" in str(caught.value)
    assert "--model" in str(caught.value) and HOW_TO_GET in str(caught.value)


@pytest.mark.unit
def test_an_invalid_dir_is_refused_before_vosk_sees_it(no_env):
    (no_env / "empty").mkdir()
    with pytest.raises(ModelError, match=r"missing am/final\.mdl, conf/model\.conf"):
        find_vosk_model(no_env / "empty")
    if is_available("vosk"):  # without it, the engine first says what to install
        with pytest.raises(ModelError, match=HOW_TO_GET):
            VoskEngine(no_env / "empty")


@pytest.mark.unit
def test_the_environment_variable_is_used_and_named(no_env, monkeypatch):
    model = fake_model(no_env / "mine")
    monkeypatch.setenv(ENV_VAR, str(model))
    assert find_vosk_model() == model.resolve()
    monkeypatch.setenv(ENV_VAR, str(no_env / "gone"))
    with pytest.raises(ModelError, match=ENV_VAR):
        find_vosk_model()


@pytest.mark.unit
def test_a_folder_holding_one_model_is_accepted(no_env):
    model = fake_model(no_env / "models" / "vosk-model-small-en-us-0.15")
    assert find_vosk_model(no_env / "models") == model.resolve()


@pytest.mark.unit
def test_the_data_dir_is_searched(no_env):
    model = fake_model(no_env / "data" / "models" / "vosk-small-en")
    assert find_vosk_model() == model.resolve()


@pytest.mark.unit
def test_only_the_data_dir_is_searched_by_default(no_env):
    """A model in the working directory's (or a checkout's) models/ is not picked up unasked:
    models live in the user's data folder, or are named with --model DIR."""
    fake_model(no_env / "models" / "vosk-small-en")
    assert search_dirs() == [no_env / "data" / "models"]
    with pytest.raises(ModelError, match="no Vosk model found"):
        find_vosk_model()


@pytest.mark.unit
def test_without_vosk_the_engine_says_what_to_install(no_env, monkeypatch):
    monkeypatch.setitem(sys.modules, "vosk", None)  # what an installation without the extra sees
    assert not is_available("vosk")
    hint = install_hint("vosk")
    assert hint.endswith("'.[vosk]'") or hint == "pip install 'voiceguide[vosk]'", hint
    with pytest.raises(EngineUnavailable, match=re.escape(hint)):
        make_engine("vosk")
    with pytest.raises(EngineUnavailable, match=re.escape(hint)):
        VoskEngine()


@pytest.mark.unit
def test_none_found_lists_where_it_looked(no_env):
    if any(
        layout_problem(child) is None
        for folder in search_dirs()
        if folder.is_dir()
        for child in folder.iterdir()
    ):
        pytest.skip("a Vosk model is installed on this machine")
    with pytest.raises(ModelError) as caught:
        find_vosk_model()
    message = str(caught.value)
    assert message.startswith("no Vosk model found") and HOW_TO_GET in message
    assert str(no_env / "data" / "models") in message


@pytest.mark.engine
@pytest.mark.skipif(not is_available("vosk"), reason="vosk is not installed")
def test_a_broken_model_is_a_model_error_not_a_crash(no_env):
    with pytest.raises(ModelError, match="Vosk could not load the model"):
        make_engine("vosk", fake_model(no_env / "broken"))


def _real_model():
    if not is_available("vosk"):
        return None, f"vosk is not installed ({install_hint('vosk')})"
    try:
        return find_vosk_model(), ""
    except ModelError:
        return None, (
            "no Vosk model on this machine (voiceguide model download "
            "vosk-small-en, or set VOICEGUIDE_VOSK_MODEL)"
        )


@pytest.mark.engine
def test_real_decoding(make_test_audio, request):
    model, why = _real_model()
    if model is None:
        pytest.skip(why)
    speech_wavs = request.getfixturevalue("speech_wavs")
    recognizer = Recognizer(VoskEngine(model))
    order = (Moment.STEP, Moment.CHECK, Moment.TIMER, Moment.PAUSED, Moment.SAFE_EXIT)
    misses = []
    for intent, phrases in PHRASES.items():
        for phrase in phrases:
            moment = next(m for m in order if intent in ALLOWED[m] and phrases_for(m).get(phrase) == intent)
            path = speech_wavs[make_test_audio.name_for(phrase, "en-us")]
            result = recognizer.recognize_file(path, moment)
            if result["intent"] != intent.value:
                misses.append(result)
    assert not misses
    for sentence in make_test_audio.NON_COMMANDS:
        path = speech_wavs[make_test_audio.name_for(sentence, "en-us")]
        assert recognizer.recognize_file(path, Moment.STEP)["intent"] is None
