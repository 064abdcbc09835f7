"""Decoding an utterance before its end silence is over, and when that early result may stand.

Most of the response time is the end silence (0.35 s after a short command) followed by the
decode (~0.25 s). Once the utterance has been silent for ``SPECULATE_AFTER_S`` the microphone
decodes the audio so far on a second thread while endpointing goes on. When the endpoint
arrives, the early result stands for the utterance only if nothing that decides it has changed:
the same utterance, no speech frame after the audio that was decoded, the same listening moment
and no flush. Otherwise it is discarded and the whole utterance is decoded as before. The same
audio (up to trailing silence) and the same rules decide what was said.

When the early decode has found a command and still covers all the speech, the utterance ends
after a shorter silence (``EndpointConfig.decided_end_silence_s``, 0.2 s instead of 0.35 s):
waiting longer could only change the answer if speech came back, and speech coming back
before that shorter silence keeps the utterance going as before.

Pure: no thread and no clock; the microphone's worker owns both.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from voiceguide.audio.endpointing import Ended, Endpointer

SPECULATE_AFTER_S = 0.1
"""Seconds of silence after speech at which the utterance so far is decoded early. Shorter
than the end silence by more than a decode hides the decode; longer than the gaps inside a
spoken command (espeak-ng: at most 40 ms in the command words) keeps wasted decodes rare."""


@dataclass(frozen=True)
class Ticket:
    """One early decode: of which utterance, how much of it, and under what conditions."""

    number: int
    """The endpointer's utterance number."""
    seconds: float
    """Seconds of the utterance (pre-roll included) that were decoded."""
    context: Any
    """What else must not change for the result to stand (the moment, the flush count)."""


def ticket_for(
    endpointer: Endpointer, context: Any, after_s: float = SPECULATE_AFTER_S, last: Ticket | None = None
) -> Ticket | None:
    """A ticket when the utterance under way should be decoded now, else None: it has been
    silent for ``after_s`` and ``last`` (the previous early decode) did not already cover the
    same speech."""
    if not endpointer.in_speech or endpointer.silence_s < after_s - 1e-9:
        return None
    if last is not None and _holds(last, endpointer.number, endpointer.speech_end_s, last.context):
        return None  # this speech has been decoded already
    return Ticket(endpointer.number, endpointer.utterance_s, context)


def covers(ticket: Ticket, endpointer: Endpointer, context: Any) -> bool:
    """True while the early decode of ``ticket`` holds all the speech of the utterance under
    way, in the same context (its result would stand if the utterance ended now)."""
    return endpointer.in_speech and _holds(ticket, endpointer.number, endpointer.speech_end_s, context)


def stands(ticket: Ticket, ended: Ended | None, context: Any) -> bool:
    """True when the early decode of ``ticket`` may be used for the utterance that just
    ``ended``: the same utterance, all its speech inside the decoded audio, the same context."""
    return ended is not None and _holds(ticket, ended.number, ended.speech_end_s, context)


def _holds(ticket: Ticket, number: int, speech_end_s: float, context: Any) -> bool:
    """``ticket`` is of utterance ``number``, its audio reaches ``speech_end_s``, and it was
    taken in ``context``."""
    return ticket.number == number and ticket.seconds >= speech_end_s - 1e-9 and ticket.context == context
