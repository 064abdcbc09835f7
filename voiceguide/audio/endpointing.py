"""Where an utterance starts and ends in a stream of microphone frames.

Pure: no I/O and no clock. A frame's duration is its length divided by the sample rate, so
time is carried by the data itself (modelled on Home Assistant's
``assist_pipeline/vad.py`` ``VoiceCommandSegmenter``).

Two parts:

- :class:`EnergyVad` says whether one frame is speech: its level must stand clear of an
  adaptive noise floor (which follows quiet frames down quickly and creeps up slowly, so a TV
  switched on is absorbed within seconds while a spoken command is not) and above an absolute
  minimum.
- :class:`Endpointer` turns those per-frame answers into whole utterances: it starts one after
  ``start_speech_s`` of speech (so a click never counts), keeps ``pre_roll_s`` of audio from
  before the start, and hands the utterance over after ``end_silence_s`` of silence (only
  ``short_end_silence_s`` after a short command, and only ``decided_end_silence_s`` once an
  early decode has already found a command in it: most of the response latency is this wait)
  or when it reaches ``max_utterance_s``.
"""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from voiceguide.core.ports import SAMPLE_RATE

FRAME_SAMPLES = 320
"""Samples in the 20 ms frames the microphone delivers at SAMPLE_RATE."""

_SILENT_DBFS = -120.0  # level given to digital silence, so logarithms stay finite


@dataclass(frozen=True)
class EndpointConfig:
    """How utterances are cut out of the microphone stream."""

    sample_rate: int = SAMPLE_RATE
    """Hz of the frames given to :meth:`Endpointer.process`."""
    start_speech_s: float = 0.1
    """Seconds of speech needed before an utterance starts (clicks and taps are shorter)."""
    end_silence_s: float = 0.5
    """Seconds of silence after speech that end the utterance."""
    short_utterance_s: float = 1.0
    """Seconds of speech up to which an utterance counts as a short command. The command
    phrases (intents.py) spoken by espeak-ng voices en-us, en and en-us+f3 hold 0.32-1.02 s of
    speech frames, with gaps inside of at most 40 ms; at 0.8 s half the two-word commands
    ("next step", "say that again") waited the long end silence."""
    short_end_silence_s: float = 0.35
    """Seconds of silence that end a short command (a longer phrase waits ``end_silence_s``)."""
    decided_end_silence_s: float = 0.2
    """Seconds of silence that end an utterance whose early decode (``speculation.py``, after
    0.1 s of silence) already gave a command (:meth:`Endpointer.end_early`); the same wait as
    "stop" over a prompt. Session response, median 333 -> 200 ms (bench_latency.py); no phrase
    said with a pause is taken as another command for it (bench_early_decoding.py)."""
    max_utterance_s: float = 5.0
    """Seconds after which an utterance is handed over even if speech goes on."""
    pre_roll_s: float = 0.2
    """Seconds of audio from before the detected start kept at the head of the utterance."""
    min_speech_dbfs: float = -50.0
    """dB relative to full scale: quieter frames are never speech, whatever the noise floor."""
    speech_margin_db: float = 9.0
    """dB a frame must stand above the noise floor to count as speech."""
    floor_fall_s: float = 0.1
    """Seconds (time constant) for the noise floor to follow a quieter room down."""
    floor_rise_db_per_s: float = 3.0
    """dB per second the noise floor may creep up while the room is louder than it."""

    def __post_init__(self) -> None:
        positive = (
            "sample_rate",
            "start_speech_s",
            "end_silence_s",
            "max_utterance_s",
            "floor_fall_s",
            "short_end_silence_s",
            "decided_end_silence_s",
        )
        for name in positive:
            if not getattr(self, name) > 0:
                raise ValueError(f"EndpointConfig.{name} must be > 0, not {getattr(self, name)}")
        if self.pre_roll_s < 0 or self.speech_margin_db < 0 or self.floor_rise_db_per_s < 0:
            raise ValueError(
                "EndpointConfig: pre_roll_s, speech_margin_db and floor_rise_db_per_s must be >= 0"
            )


def level_dbfs(frame: np.ndarray) -> float:
    """RMS level of ``frame`` (float samples, full scale 1.0) in dB relative to full scale."""
    if frame.size == 0:
        return _SILENT_DBFS
    rms = math.sqrt(float(np.mean(np.square(frame, dtype=np.float64))))
    return max(_SILENT_DBFS, 20.0 * math.log10(rms)) if rms > 0 else _SILENT_DBFS


class EnergyVad:
    """Energy voice-activity detector with an adaptive noise floor."""

    def __init__(self, config: EndpointConfig | None = None):
        self.config = config or EndpointConfig()
        self._floor_db: float | None = None

    @property
    def noise_floor_dbfs(self) -> float | None:
        """The current noise floor in dBFS, or None before the first frame."""
        return self._floor_db

    def reset(self) -> None:
        self._floor_db = None

    def is_speech(self, frame: np.ndarray) -> bool:
        """Classify one frame, then let the noise floor learn from it."""
        cfg = self.config
        level = level_dbfs(frame)
        seconds = frame.size / cfg.sample_rate
        if self._floor_db is None:
            self._floor_db = level  # calibrate on the first frame; it falls fast if wrong
        speech = level >= cfg.min_speech_dbfs and level >= self._floor_db + cfg.speech_margin_db
        if level < self._floor_db:
            alpha = 1.0 - math.exp(-seconds / cfg.floor_fall_s)
            self._floor_db += (level - self._floor_db) * alpha
        else:
            self._floor_db = min(level, self._floor_db + cfg.floor_rise_db_per_s * seconds)
        return speech


class Ended(NamedTuple):
    """What is known of the last utterance handed over (for :mod:`speculation`)."""

    number: int
    """Which utterance it was (counted from 1 since the endpointer was made)."""
    speech_end_s: float
    """Seconds into the utterance (pre-roll included) at which its last speech frame ended."""


class Endpointer:
    """Cuts utterances out of a stream of frames; feed it every frame, in order."""

    def __init__(self, config: EndpointConfig | None = None, vad: EnergyVad | None = None):
        self.config = config or EndpointConfig()
        self.vad = vad or EnergyVad(self.config)
        self._idle: deque[np.ndarray] = deque()
        self._idle_s = 0.0
        self._speech_s = 0.0
        self._utterance: list[np.ndarray] | None = None
        self._utterance_s = 0.0
        self._voiced_s = 0.0
        self._silence_s = 0.0
        self._number = 0
        self._end_early = False
        self.ended: Ended | None = None
        """The last utterance handed over, or None before the first."""

    @property
    def in_speech(self) -> bool:
        """True while an utterance has started and not been handed over."""
        return self._utterance is not None

    @property
    def voiced_s(self) -> float:
        """Seconds of speech in the utterance under way (0 when idle)."""
        return self._voiced_s if self._utterance is not None else 0.0

    @property
    def number(self) -> int:
        """The utterance under way (or the last one): counted from 1, 0 before the first."""
        return self._number

    @property
    def silence_s(self) -> float:
        """Seconds of silence since the last speech frame of the utterance under way (0 when
        idle)."""
        return self._silence_s if self._utterance is not None else 0.0

    @property
    def utterance_s(self) -> float:
        """Seconds of audio in the utterance under way, pre-roll included (0 when idle)."""
        return self._utterance_s if self._utterance is not None else 0.0

    @property
    def speech_end_s(self) -> float:
        """Seconds into the utterance under way (pre-roll included) at which its last speech
        frame ended (0 when idle)."""
        return self.utterance_s - self.silence_s

    def audio_so_far(self) -> np.ndarray | None:
        """The utterance under way as it stands (a copy), or None when idle."""
        return None if self._utterance is None else np.concatenate(self._utterance)

    def reset(self) -> None:
        """Forget any partial utterance and the noise floor (after a flush)."""
        self.vad.reset()
        self._to_idle()

    def end_early(self) -> None:
        """End the utterance under way after ``decided_end_silence_s`` of silence instead of its
        own end silence, unless speech comes back first (a command was already found in it)."""
        if self._utterance is not None:
            self._end_early = True

    def abandon(self) -> None:
        """Drop the utterance under way (not a command); the noise floor is kept."""
        self._to_idle()

    def _to_idle(self) -> None:
        self._idle.clear()
        self._idle_s = 0.0
        self._speech_s = 0.0
        self._utterance = None
        self._utterance_s = 0.0
        self._voiced_s = 0.0
        self._silence_s = 0.0
        self._end_early = False

    def process(
        self, frame: np.ndarray, speech_allowed: bool = True, end_silence_s: float | None = None
    ) -> np.ndarray | None:
        """Take one frame (mono float32 at ``config.sample_rate``); return a finished
        utterance (float32, pre-roll included) or None. ``speech_allowed=False`` counts the
        frame as silence whatever its level (the noise floor still learns from it);
        ``end_silence_s`` overrides the silence that ends this utterance."""
        cfg = self.config
        frame = np.asarray(frame, dtype=np.float32).reshape(-1)
        seconds = frame.size / cfg.sample_rate
        speech = self.vad.is_speech(frame) and speech_allowed
        if self._utterance is None:
            return self._process_idle(frame, seconds, speech)
        self._utterance.append(frame)
        self._utterance_s += seconds
        self._voiced_s += seconds if speech else 0.0
        self._silence_s = 0.0 if speech else self._silence_s + seconds
        self._end_early = self._end_early and not speech
        if end_silence_s is None:
            short = self._voiced_s <= cfg.short_utterance_s + 1e-9
            end_silence_s = cfg.short_end_silence_s if short else cfg.end_silence_s
        if self._end_early:
            end_silence_s = min(end_silence_s, cfg.decided_end_silence_s)
        if self._silence_s >= end_silence_s - 1e-9 or self._utterance_s >= cfg.max_utterance_s - 1e-9:
            audio = np.concatenate(self._utterance)
            self.ended = Ended(self._number, self._utterance_s - self._silence_s)
            self._to_idle()
            return audio
        return None

    def _process_idle(self, frame: np.ndarray, seconds: float, speech: bool) -> None:
        cfg = self.config
        self._idle.append(frame)
        self._idle_s += seconds
        # A dip inside a word costs back what it gave; a lone click never adds up.
        self._speech_s = self._speech_s + seconds if speech else max(0.0, self._speech_s - seconds)
        # Keep only the pre-roll while nothing is building up (and never more than an
        # utterance's worth, whatever the pattern of dips).
        keep = cfg.pre_roll_s if self._speech_s == 0.0 else cfg.pre_roll_s + cfg.max_utterance_s
        while self._idle and self._idle_s - self._idle[0].size / cfg.sample_rate >= keep - 1e-9:
            self._idle_s -= self._idle.popleft().size / cfg.sample_rate
        if self._speech_s >= cfg.start_speech_s - 1e-9:
            self._number += 1
            self._utterance = list(self._idle)
            self._utterance_s = self._idle_s
            self._voiced_s = self._speech_s
            self._silence_s = 0.0
            self._idle.clear()
            self._idle_s = 0.0
        return None
