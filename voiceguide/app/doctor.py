"""``voiceguide doctor``: what works on this machine, and how to fix what does not."""

from __future__ import annotations

import os
import shutil
import sys
import time
from collections.abc import Callable

from voiceguide.errors import VoiceguideError

Check = Callable[[], tuple[bool | None, str]]
"""One part's check: (True: works, False: broken, None: an optional part not installed; what to
say, with the command that fixes or adds it)."""

_MARKS = {True: "ok ", False: "fix", None: "off"}


def run_doctor(out=None) -> int:
    """Print one line per part: ``ok``, ``fix`` with the remedy, or ``off`` for an optional part
    that is not installed, with the command that adds it. Always exits 0: the keyboard and the
    text display work everywhere, so nothing here stops voiceguide from running."""
    out = out or sys.stdout
    checks: list[tuple[str, Check]] = [
        ("audio devices", _devices),
        ("speech output", _speech_output),
        ("whisper engine", _whisper),
        ("command model", _command_model),
        ("vosk engine", _vosk),
        ("records folder", _records),
    ]
    usable = 0
    for label, check in checks:
        try:
            ok, detail = check()
        except VoiceguideError as error:
            ok, detail = False, str(error)
        usable += ok is True
        print(f"{_MARKS[ok]}  {label:<15} {detail}", file=out)
    print(
        f"\n{usable} of {len(checks)} parts usable. The keyboard and the text display always work: "
        "voiceguide run PROCEDURE --engine keyboard",
        file=out,
    )
    return 0


def _devices() -> tuple[bool, str]:
    from voiceguide.audio.devices import probe

    report = probe()
    found = f"microphone: {report.input_name or 'none'}; speaker: {report.output_name or 'none'}"
    if report.problems:
        return False, f"{found}\n" + "\n".join(f"{'':21}- {problem}" for problem in report.problems)
    return True, found


def _speech_output() -> tuple[bool, str]:
    from voiceguide.audio.tts import Synthesizer

    if not Synthesizer.is_available():
        return False, "no speech synthesizer: sudo apt-get install espeak-ng; pip install pyttsx3"
    synth = Synthesizer()
    try:
        started = time.perf_counter()
        audio, rate = synth.synthesize("Ready.")
        took = (time.perf_counter() - started) * 1000
    finally:
        synth.close()
    return len(audio) > 0, f"{synth.backend}, {len(audio) / rate:.1f} s of speech in {took:.0f} ms"


def _whisper() -> tuple[bool, str]:
    from voiceguide.recognition.engines import install_hint, is_available
    from voiceguide.recognition.engines.whisper_model import locate_whisper_model, verify_whisper_model

    if not is_available("whisper"):
        return False, f"not installed: {install_hint('whisper')}"
    started = time.perf_counter()
    folder = verify_whisper_model(locate_whisper_model())
    took = (time.perf_counter() - started) * 1000
    return True, f"Whisper tiny.en model verified (4 SHA-256 hashes, {took:.0f} ms) at {folder}"


def _command_model() -> tuple[bool, str]:
    from voiceguide.recognition.command_model import DEFAULT_PATH, CommandModel
    from voiceguide.recognition.fusion import Fusion

    started = time.perf_counter()
    CommandModel.load()
    Fusion.load()
    took = (time.perf_counter() - started) * 1000
    return (
        True,
        f"weights and decision weights verified (2 SHA-256 hashes, {took:.0f} ms) in {DEFAULT_PATH.parent}",
    )


def _vosk() -> tuple[bool, str]:
    from voiceguide.recognition.engines import install_hint, is_available
    from voiceguide.recognition.engines.vosk import find_vosk_model

    if not is_available("vosk"):
        return None, f"optional, not installed: add it with {install_hint('vosk')}"
    return True, f"model at {find_vosk_model()}"


def _records() -> tuple[bool, str]:
    from voiceguide.paths import data_dir
    from voiceguide.records.journal import probe_writes

    folder = data_dir()
    try:
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        probe_writes(folder)  # the same write probe a session makes: catches a full disk too
    except OSError as error:
        return False, (
            f"{folder} is not writable ({error.strerror or error}); "
            "set VOICEGUIDE_DATA_DIR to a writable folder"
        )
    free = shutil.disk_usage(folder).free // (1024 * 1024)
    private = (os.stat(folder).st_mode & 0o077) == 0
    note = "" if private else " (readable by others: chmod 700 it)"
    return private, f"{folder}, {free} MB free{note}"
