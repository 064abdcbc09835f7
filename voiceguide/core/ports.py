"""The small boundaries between the pure core and the world, and the values that cross them.

Adapters (console, keyboard, microphone, loudspeaker, engines, journal) implement these
protocols and are passed into the session runner; tests pass text adapters instead.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np

from voiceguide.core.events import Event
from voiceguide.core.intents import Intent, Moment

SAMPLE_RATE = 16_000
"""Hz: every engine takes mono float32 audio at this rate."""


@dataclass(frozen=True)
class Transcript:
    """What an engine made of one utterance: evidence only. Whether it is a command, and
    whether it was heard clearly enough to act on, is decided once, by ``recognition.decide``."""

    text: str
    """The raw transcript, as the engine wrote it."""
    confidence: float
    """0..1; how sure the engine is of ``text``."""
    clear: bool
    """False when the engine has nothing to offer: it wrote nothing, or (Vosk) an
    out-of-grammar word. Thresholds on the scores are the decision's (``no_speech``,
    ``avg_logprob``)."""
    decode_ms: float = 0.0
    """Milliseconds spent decoding."""
    avg_logprob: float | None = None
    """Whisper: the average token log-probability of ``text`` (nats); None for an engine that
    gives none."""
    word_confidence: float | None = None
    """0..1: the least sure word's confidence, for an engine that gives no ``avg_logprob``
    (Vosk; None: the engine does not say)."""
    no_speech: float = 0.0
    """0..1: how likely the engine thinks the audio holds no speech (Whisper's no_speech_prob;
    0 for an engine that does not say)."""
    unprompted: str | None = None
    """The same audio read without the allowed phrases as a prompt (None: not done). The
    prompt pulls sound-alikes towards the phrases ("guess" -> "Yes."); this reading does not."""


@dataclass(frozen=True)
class Heard:
    """One thing the user said or typed, as it reaches the session runner."""

    text: str
    confidence: float = 1.0
    clear: bool = True
    source: str = "keyboard"
    """"keyboard" or "voice"; keys (n, r, b, ...) are honoured only from keyboards."""
    moment: Moment | None = None
    """The moment the audio was decoded for (voice only); a stale one is dropped."""
    end_of_input: bool = False
    """The input closed (end of a piped script, a lost microphone with no fallback)."""
    decode_ms: float = 0.0
    over_prompt: bool = False
    """Voice heard while a prompt played or its echo could still be arriving: it may be the
    prompt's own voice, so only "stop" counts (the session runner decides)."""
    intent: Intent | None = None
    """Voice only: the command the recognizer decided (``recognition.decide``), or None. The
    runner acts on it and never matches voice text again; typed text is matched by the runner."""
    reason: str = ""
    """Voice only: why the recognizer decided so (for the log)."""


class Engine(Protocol):
    """A speech recognizer told which phrases are allowed at this moment."""

    name: str

    def transcribe(self, audio: np.ndarray, phrases: Sequence[str], free: bool = False) -> Transcript:
        """Decode mono float32 ``audio`` at SAMPLE_RATE, biased towards ``phrases``; ``free``:
        the user may answer in their own words (the check-in), worth a fuller reading."""
        ...


class Speaker(Protocol):
    """Says text aloud; ``say`` returns at once, ``stop`` cuts speech immediately."""

    def say(self, text: str, rate: int, volume: float) -> None: ...

    def stop(self) -> None: ...

    @property
    def speaking(self) -> bool: ...

    def wait(self, timeout: float | None = None) -> bool:
        """Block until speech has finished (True) or ``timeout`` seconds passed (False)."""
        ...


class Listener(Protocol):
    """Hands over what the user said, one item at a time."""

    def set_moment(self, moment: Moment) -> None:
        """What is allowed now (engines decode towards these phrases)."""
        ...

    def listen(self, timeout: float) -> Heard | None:
        """The next thing heard, or None when ``timeout`` seconds pass in silence."""
        ...

    def flush(self) -> None:
        """Drop anything heard so far (used when the assistant stops speaking, so the tail of
        its own prompt is never taken as an answer)."""
        ...


class Clock(Protocol):
    def now(self) -> float:
        """Seconds, monotonic."""
        ...


class Journal(Protocol):
    problem: str | None
    """Why the last write failed ("the disk is full"), or None while everything is saved."""

    def record(self, event: Event) -> None: ...

    def retry(self) -> bool:
        """Write what could not be written; True when nothing is left."""
        ...


class Display(Protocol):
    def show(self, event: Event) -> None: ...
