"""Pure helpers around one decoded utterance: where the speech is, how long a window to
encode, and how to read Whisper's answer. No I/O."""

from __future__ import annotations

import math
import re

import numpy as np

from voiceguide.core.ports import SAMPLE_RATE

FRAME = SAMPLE_RATE // 50
"""Samples per 20 ms analysis frame."""
TRIM_BELOW_PEAK_DB = 25.0
"""Frames this many dB under the loudest frame are background, not the user."""
TRIM_MARGIN_S = 0.2
"""Seconds kept either side of the loud part (soft consonants, breath)."""


def speech_span(
    audio: np.ndarray, below_peak_db: float = TRIM_BELOW_PEAK_DB, margin_s: float = TRIM_MARGIN_S
) -> tuple[int, int]:
    """(start, end) sample indices of the loud part of ``audio``: from the first to the last
    frame within ``below_peak_db`` of the loudest one, widened by ``margin_s``."""
    frames = len(audio) // FRAME
    if frames < 3:
        return 0, len(audio)
    power = np.mean(audio[: frames * FRAME].reshape(frames, FRAME) ** 2, axis=1)
    level = 10.0 * np.log10(power + 1e-12)
    loud = np.flatnonzero(level >= level.max() - below_peak_db)
    margin = int(margin_s * SAMPLE_RATE)
    return max(0, loud[0] * FRAME - margin), min(len(audio), (loud[-1] + 1) * FRAME + margin)


def window_seconds(samples: int, minimum: int, margin_s: float, maximum: int = 30) -> int:
    """Whole seconds of encoder window for ``samples`` of audio: the audio plus
    ``margin_s`` of silence, at least ``minimum``, at most ``maximum`` (Whisper's 30 s)."""
    return int(min(maximum, max(minimum, math.ceil(samples / SAMPLE_RATE + margin_s))))


def collapse_repeats(text: str, cut: bool = False) -> str:
    """ "Stop. Stop. Stop." -> "Stop.", "help help help" -> "help": in a short encoder window
    Whisper tends to repeat what it heard until the token limit. Only exact repeats of the
    words collapse; "Next. Done." stays as it is. ``cut``: the text was cut off at the token
    limit, so an unfinished last repeat ("Stop. Stop. St") still counts as one."""
    text = text.strip()
    words = _key(text).split()
    for period in range(1, len(words) // 2 + 1):
        expected = [words[i % period] for i in range(len(words))]
        complete = words == expected and len(words) % period == 0
        cut_short = cut and words[:-1] == expected[:-1] and expected[-1].startswith(words[-1])
        if complete or cut_short:
            return _first_words(text, period)
    return text


def _first_words(text: str, count: int) -> str:
    """The start of ``text`` holding its first ``count`` words, with the punctuation that
    follows them ("Next step! Next step." , 2 -> "Next step!")."""
    found = list(re.finditer(r"[A-Za-z']+", text))
    end = found[count - 1].end()
    while end < len(text) and text[end] in ".!?,":
        end += 1
    return text[:end]


def _key(text: str) -> str:
    return re.sub(r"[^a-z' ]+", " ", text.lower()).strip()
