"""The test WAVs: every command phrase, a few sentences that are not commands, and the
phrases the vocabulary no longer accepts, spoken by espeak-ng. ``scripts/make_test_audio.py``
is its command line; the real-engine tests make them once per run.

Each phrase is spoken by espeak-ng in each voice of ``VOICES``, converted to 16 kHz mono
16-bit PCM with voiceguide's own resampler (no dither, no randomness) and padded with
``PAD_SECONDS`` of silence on both sides, like an endpointed utterance. The same espeak-ng
version gives the same bytes every run. Files are named ``<voice>/<phrase_with_underscores>.wav``.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
from pathlib import Path

import numpy as np

from voiceguide.audio.wav import read_wav, write_wav
from voiceguide.core.intents import PHRASES
from voiceguide.core.ports import SAMPLE_RATE

NON_COMMANDS: tuple[str, ...] = (
    "the weather is nice today",
    "I'm not done yet",
    "put the kettle on",
)
"""Sentences that must never be taken for a command."""

RETIRED: tuple[str, ...] = ("all done", "speak up")
"""Phrases taken out of ``intents.PHRASES`` (it says why): users may still say them, so they
are synthesized too, and must never move the session on."""

VOICES: tuple[tuple[str, int], ...] = (("en-us", 160), ("en", 150))
"""(espeak-ng voice, words per minute) pairs; the first is the main voice."""

PAD_SECONDS = 0.25
"""Silence added before and after each phrase, in seconds."""


def phrases() -> list[str]:
    """Every distinct command phrase, in PHRASES order, then the non-commands and the retired
    phrases."""
    seen: dict[str, None] = {}
    for options in PHRASES.values():
        for phrase in options:
            seen.setdefault(phrase, None)
    for sentence in (*NON_COMMANDS, *RETIRED):
        seen.setdefault(sentence, None)
    return list(seen)


def slug(text: str) -> str:
    """'What can I say' -> 'what_can_i_say'; "I'm" -> 'im'."""
    return re.sub(r"[^a-z0-9]+", "_", text.lower().replace("'", "")).strip("_")


def name_for(text: str, voice: str) -> str:
    """The key (and relative path without .wav) of ``text`` spoken by ``voice``."""
    return f"{voice}/{slug(text)}"


def make(out_dir: str | Path) -> dict[str, Path]:
    """Write every WAV under ``out_dir``; return {name_for(text, voice): path}."""
    espeak = shutil.which("espeak-ng")
    if espeak is None:
        raise RuntimeError("espeak-ng is not installed (apt-get install espeak-ng)")
    out = Path(out_dir)
    made: dict[str, Path] = {}
    pad = np.zeros(int(PAD_SECONDS * SAMPLE_RATE), dtype=np.float32)
    with tempfile.TemporaryDirectory() as tmp:
        raw = Path(tmp) / "raw.wav"
        for voice, wpm in VOICES:
            (out / voice).mkdir(parents=True, exist_ok=True)
            for text in phrases():
                subprocess.run(
                    [espeak, "-v", voice, "-s", str(wpm), "-w", str(raw), text],
                    check=True,
                    capture_output=True,
                )
                audio = np.concatenate([pad, read_wav(raw), pad])
                name = name_for(text, voice)
                path = out / f"{name}.wav"
                write_wav(path, audio, SAMPLE_RATE)
                made[name] = path
    return made
