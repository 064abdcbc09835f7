"""Remembered preferences and the session count behind the "auto" verbosity."""

from __future__ import annotations

import stat

import pytest

from voiceguide.core.events import EventType, event
from voiceguide.paths import config_dir
from voiceguide.records.experience import FIRST_SESSIONS, auto_verbosity, completed_sessions
from voiceguide.records.journal import FileJournal
from voiceguide.records.settings import Settings, SettingsKeeper, load_settings, reset_settings, save_settings

pytestmark = pytest.mark.unit


def test_config_dir_precedence(monkeypatch, tmp_path):
    monkeypatch.delenv("VOICEGUIDE_CONFIG_DIR", raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    assert config_dir() == tmp_path / "xdg" / "voiceguide"
    monkeypatch.setenv("VOICEGUIDE_CONFIG_DIR", str(tmp_path / "mine"))
    assert config_dir() == tmp_path / "mine"


def test_settings_round_trip_private_and_atomic(tmp_path):
    path = tmp_path / "cfg" / "settings.json"
    wanted = Settings(rate=140, volume=0.6, verbosity="brief", display_size=72, theme="yellow")
    save_settings(wanted, path)
    assert load_settings(path) == (wanted, [])
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert [p.name for p in path.parent.iterdir()] == ["settings.json"]  # no temporary left
    reset_settings(path)
    assert load_settings(path) == (Settings(), [])


@pytest.mark.parametrize(
    "text, warning",
    [
        ("{broken", "not valid JSON"),
        ("[1, 2]", "does not hold a JSON object"),
        ('{"rate": 9000, "theme": "pink", "volume": 0.4}', "'rate' must be a number from 100 to 260"),
    ],
)
def test_a_bad_file_gives_warnings_and_defaults_never_a_crash(tmp_path, text, warning):
    path = tmp_path / "settings.json"
    path.write_text(text)
    settings, warnings = load_settings(path)
    assert any(warning in w for w in warnings), warnings
    assert settings.rate == Settings().rate and settings.theme == "dark"
    if "volume" in text:
        assert settings.volume == 0.4 and len(warnings) == 2  # the good value is kept


def test_keeper_saves_what_the_voice_changes(tmp_path):
    path = tmp_path / "settings.json"
    keeper = SettingsKeeper(Settings(), path)
    keeper.show(event(EventType.SETTING_CHANGED, name="rate", value=140))
    keeper.show(event(EventType.SAID, text="Slower."))
    keeper.update(display_size=64)
    assert load_settings(path)[0] == Settings(rate=140, display_size=64)


def record_session(root, procedure="b12-im", outcome="completed", rehearsal=False):
    with FileJournal(procedure, root) as journal:
        journal.record(
            event(
                EventType.SESSION_STARTED, procedure=procedure, title="T", steps=2, rehearsal=rehearsal
            ).stamped(1.0)
        )
        journal.record(event(EventType.SESSION_ENDED, outcome=outcome, step=2, total=2).stamped(2.0))


def test_auto_verbosity_turns_brief_after_the_first_completed_sessions(tmp_path):
    assert completed_sessions("b12-im", tmp_path) == 0 and auto_verbosity("b12-im", tmp_path) == "detailed"
    record_session(tmp_path, outcome="ended")
    record_session(tmp_path, rehearsal=True)
    record_session(tmp_path, procedure="tea")
    for _ in range(FIRST_SESSIONS - 1):
        record_session(tmp_path)
    assert completed_sessions("b12-im", tmp_path) == FIRST_SESSIONS - 1
    assert auto_verbosity("b12-im", tmp_path) == "detailed"
    record_session(tmp_path)
    assert auto_verbosity("b12-im", tmp_path) == "brief"
