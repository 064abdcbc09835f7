"""Frames in, utterance events out: endpointing with the prompt's echo taken out.

Pure: no thread, no clock, no I/O. Time is carried by the frames themselves (20 ms each), and
what the world knows -- what the loudspeaker played for this frame, and whether a prompt is
playing -- is passed in with each frame, like Home Assistant's
``VoiceCommandSegmenter.process(seconds, is_speech)``.

Without a reference it is the :class:`~voiceguide.audio.endpointing.Endpointer` alone. With an
:class:`~voiceguide.audio.echo.EchoCanceller` the predicted echo is subtracted first, and over
a prompt:

- a frame is speech only when what is left stands near the predicted echo and does not follow
  it (so the prompt never passes for a voice);
- the start of speech asks for the playback to be held (:class:`Hold`): it may be "stop";
- a short silence ends the utterance, and speech longer than any "stop" is dropped undecoded
  (:class:`Dropped`) and the hold released (:class:`Release`);
- an utterance the reference explains is dropped as the prompt's own echo;
- what is handed over (:class:`Utterance`) says it was heard over the prompt. Whether it counts
  is for the session to decide.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import numpy as np

from voiceguide.audio.echo import EchoCanceller
from voiceguide.audio.endpointing import Ended, EndpointConfig, Endpointer, level_dbfs

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class OverPromptConfig:
    """How a voice is told from the prompt's echo while the prompt plays."""

    stop_max_s: float = 1.0
    """Seconds of speech over a prompt after which it cannot be "stop": dropped undecoded."""
    stop_end_silence_s: float = 0.2
    """Seconds of silence that end an utterance heard over a prompt (the fast "stop" path)."""
    echo_explained_db: float = 8.0
    """An utterance over a prompt is its echo when the reference explains this many dB of it."""
    voice_over_echo_db: float = 6.0
    """Over a prompt, a frame is someone talking when what is left after subtracting the echo
    is at least the predicted echo minus max(this, fit quality - 10 dB)..."""
    max_voice_margin_db: float = 20.0
    """... and never less than the echo minus this (what a fit claims on one stretch may not
    hold on the next)."""
    max_echo_correlation: float = 0.3
    """Above this (absolute) correlation with the predicted echo, what is left after subtraction
    is a failed prediction, not a voice (a double-talk detector)."""
    echo_present_dbfs: float = -60.0
    """A frame whose predicted echo is louder than this (dBFS) is heard over the prompt."""
    recheck_s: float = 0.2
    """Seconds of an utterance over a prompt between checks that it is not the echo, moved."""


@dataclass(frozen=True)
class Utterance:
    """A finished utterance, to be decoded."""

    audio: np.ndarray
    """Mono float32 at 16 kHz, pre-roll included (the echo taken out when over the prompt)."""
    over_prompt: bool
    """It overlapped the prompt or its echo."""
    ended: Ended | None
    """The endpointer's record of it (for :func:`~voiceguide.audio.speculation.stands`)."""


@dataclass(frozen=True)
class Hold:
    """Someone started talking over the prompt: mute it while it may be "stop"."""


@dataclass(frozen=True)
class Release:
    """The held prompt may play again."""


@dataclass(frozen=True)
class Dropped:
    """An utterance over the prompt dropped undecoded."""

    reason: str


Event = Utterance | Hold | Release | Dropped


class Segmenter:
    """Cuts utterances out of 20 ms frames; feed it every frame, in order.

    ``canceller``: subtracts the prompt's echo (None: nothing is ever played back into the
    microphone's path, or no reference is known).
    """

    def __init__(
        self,
        config: EndpointConfig | None = None,
        canceller: EchoCanceller | None = None,
        over_prompt: OverPromptConfig | None = None,
    ):
        self.endpointer = Endpointer(config)
        self.canceller = canceller
        self.policy = over_prompt or OverPromptConfig()
        self.over_prompt = False
        """The utterance under way overlaps the prompt or its echo."""
        self.playing = False
        """The prompt played (or was held) at the last frame the reference was active for."""
        self._next_check_s = 0.0

    @property
    def may_decode_early(self) -> bool:
        """Early decoding stays off over the prompt (its "stop" path and echo checks stay as
        they are)."""
        return not (self.over_prompt or self.playing)

    def reset(self) -> None:
        """Forget any partial utterance and the noise floor (after a flush)."""
        self.endpointer.reset()
        self.over_prompt = False

    def process(
        self, frame: np.ndarray, reference: np.ndarray | None = None, playing: bool = False
    ) -> list[Event]:
        """Take one microphone frame with what the loudspeaker played for it (``reference``,
        same length) and whether a prompt plays now; return what happened."""
        canceller = self.canceller
        if canceller is None or reference is None:
            return self._ended(self.endpointer.process(frame), [])
        events: list[Event] = []
        utterance = self._process_with_echo(canceller, frame, reference, playing, events)
        return self._ended(utterance, events)

    def _process_with_echo(
        self,
        canceller: EchoCanceller,
        frame: np.ndarray,
        reference: np.ndarray,
        playing: bool,
        events: list[Event],
    ) -> np.ndarray | None:
        endpointer, policy = self.endpointer, self.policy
        residual, echo_db, active = canceller.process(frame, reference, adapt=not endpointer.in_speech)
        if not active:
            return endpointer.process(frame)
        allowed = canceller.trusted
        if allowed and canceller.fit is not None and echo_db > -100:
            margin = min(
                policy.max_voice_margin_db, max(policy.voice_over_echo_db, canceller.fit.erle_db - 10.0)
            )
            allowed = (
                level_dbfs(residual) >= echo_db - margin
                and abs(canceller.last_echo_correlation) < policy.max_echo_correlation
            )
        was_idle = not endpointer.in_speech
        self.playing = playing
        utterance = endpointer.process(
            residual, speech_allowed=allowed, end_silence_s=policy.stop_end_silence_s if playing else None
        )
        if echo_db > policy.echo_present_dbfs and (endpointer.in_speech or utterance is not None):
            self.over_prompt = True
        if endpointer.in_speech and (was_idle or endpointer.voiced_s >= self._next_check_s):
            self._next_check_s = endpointer.voiced_s + policy.recheck_s
            if canceller.realign():  # only the echo, moved: not a voice
                endpointer.abandon()
                self.over_prompt = False
                events.append(Release())
                return None
        if was_idle and endpointer.in_speech and playing:
            log.debug(
                "voice over the prompt (%.0f dBFS left of %.0f dBFS echo, fit %s)",
                level_dbfs(residual),
                echo_db,
                canceller.fit,
            )
            events.append(Hold())
        if endpointer.in_speech and playing and endpointer.voiced_s > policy.stop_max_s:
            endpointer.abandon()  # too long for "stop": not decoded while speaking
            self.over_prompt = False
            events += [Dropped("too long for stop"), Release()]
        return utterance

    def _ended(self, utterance: np.ndarray | None, events: list[Event]) -> list[Event]:
        """``events``, with the utterance that has just ended unless it is the prompt's echo."""
        if utterance is None:
            return events
        over_prompt, self.over_prompt = self.over_prompt, False
        canceller = self.canceller
        if over_prompt and canceller is not None:
            explained, utterance = canceller.explained(len(utterance))
            if explained >= self.policy.echo_explained_db and not canceller.echo_free:
                log.debug("dropped an utterance the prompt explains (%.0f dB)", explained)
                return [*events, Dropped("the prompt's echo"), Release()]
        return [*events, Utterance(utterance, over_prompt, self.endpointer.ended)]
