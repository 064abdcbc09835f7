"""What the journal could not write: kept in memory during the session and, at exit, in a
private fallback file the next run merges back (safety rule 5: nothing is lost).

The fallback folders, first that takes the write wins (documented in docs/safety.md):
1. ``<config dir>/unsaved`` (``$VOICEGUIDE_CONFIG_DIR``, else ``~/.config/voiceguide/unsaved``),
   usually outside the records folder whose disk filled up;
2. ``<temporary folder>/voiceguide-<uid>/unsaved`` (``/tmp`` is often a separate, memory-backed
   file system, but it is emptied on restart: the last resort).

A fallback file has the same name as the journal it belongs to and holds the whole lines that
did not reach it, so the journal followed by its fallback is the whole session (a line in
both, after a crash just as the journal caught up, is read once). Folders are
0700 and files 0600; a folder owned by someone else is never used.
"""

from __future__ import annotations

import errno
import logging
import os
from pathlib import Path

from voiceguide.paths import config_dir

log = logging.getLogger(__name__)


def fallback_dirs() -> list[Path]:
    """Where what the journal cannot write goes, in order of preference (nothing is created
    or probed here: ``tempfile.gettempdir`` would, and fails on a full disk)."""
    temporary = Path(os.environ.get("TMPDIR") or "/tmp")
    return [config_dir() / "unsaved", temporary / f"voiceguide-{os.getuid()}" / "unsaved"]


def plain(error: OSError) -> str:
    """Why a write failed, in words a patient can act on."""
    return {
        errno.ENOSPC: "the disk is full",
        errno.EDQUOT: "the disk quota is used up",
        errno.EROFS: "the disk is read-only",
        errno.EACCES: "permission was refused",
        errno.EPERM: "permission was refused",
        errno.EIO: "the disk reported an error",
    }.get(error.errno, (error.strerror or str(error)).lower())


def _private_folder(folder: Path) -> bool:
    try:
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        for part in (folder.parent, folder):  # in a shared /tmp, someone may have made it first
            if part.is_symlink() or part.stat().st_uid != os.getuid():
                log.error("not using %s for unsaved records: %s is not yours", folder, part)
                return False
        os.chmod(folder.parent, 0o700)
        os.chmod(folder, 0o700)
        return True
    except OSError as error:
        log.error("cannot use %s for unsaved records: %s", folder, error)
        return False


def keep(name: str, data: bytes, folders: list[Path] | None = None) -> Path | None:
    """Append ``data`` to the fallback file ``name`` in the first folder that takes it; the
    file written, or None if none did."""
    for folder in folders if folders is not None else fallback_dirs():
        if not _private_folder(folder):
            continue
        path = folder / name
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND | os.O_NOFOLLOW, 0o600)
            try:
                os.fchmod(fd, 0o600)
                _write_all(fd, data)
            finally:
                os.close(fd)
            return path
        except OSError as error:
            log.error("could not keep unsaved records in %s: %s", path, error)
    return None


def found(folders: list[Path] | None = None) -> dict[str, list[Path]]:
    """Fallback files by journal file name."""
    files: dict[str, list[Path]] = {}
    for folder in folders if folders is not None else fallback_dirs():
        try:
            if folder.is_dir() and folder.stat().st_uid == os.getuid():
                for path in sorted(folder.glob("*.jsonl")):
                    files.setdefault(path.name, []).append(path)
        except OSError as error:
            log.warning("cannot look for unsaved records in %s: %s", folder, error)
    return files


def merge(sessions: Path, folders: list[Path] | None = None) -> int:
    """Append each fallback file to its journal in ``sessions`` and remove it; the number
    merged. A fallback whose journal is not in ``sessions`` (another records folder) is left
    alone; one that cannot be merged yet stays, and is still read (``load_records``)."""
    merged = 0
    for name, paths in found(folders).items():
        journal = sessions / name
        if not journal.is_file():
            continue
        for path in paths:
            try:
                have = set(journal.read_bytes().splitlines())
                missing = [
                    line
                    for line in path.read_bytes().splitlines(keepends=True)
                    if line.rstrip(b"\n") not in have
                ]
                _append(journal, b"".join(missing))
            except OSError as error:
                log.warning("could not merge the unsaved records %s yet: %s", path, error)
                continue
            path.unlink(missing_ok=True)
            merged += 1
            log.info("merged the unsaved records %s into %s", path, journal)
    return merged


def _append(journal: Path, data: bytes) -> None:
    """All of ``data`` at the end of ``journal``, or nothing (cut back on failure)."""
    fd = os.open(journal, os.O_WRONLY | os.O_APPEND | os.O_NOFOLLOW)
    try:
        size = os.fstat(fd).st_size
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view) :]
            os.fsync(fd)
        except OSError:
            os.ftruncate(fd, size)
            raise
    finally:
        os.close(fd)


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]
    os.fsync(fd)
