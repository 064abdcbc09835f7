"""Decoding utterances off the capture thread, early when it is safe, and handing them over.

The microphone's worker calls :meth:`DecodeScheduler.decode_early` on every frame of an
utterance and :meth:`DecodeScheduler.hand_over` when an utterance has ended. An early decode
runs on a second thread; its result stands for the utterance only under the rules of
:mod:`voiceguide.audio.speculation`, else the whole utterance is decoded again. An early
decode that found a command lets the utterance end sooner (``Endpointer.end_early``). One decode
runs at a time. What was heard is queued for ``Listener.listen`` with the moment it was
decoded for and whether it was heard over the prompt; repeated decode failures end voice input.
"""

from __future__ import annotations

import dataclasses
import logging
import queue
import threading
import time
from collections.abc import Callable
from typing import Any

import numpy as np

from voiceguide.audio.capture import drain
from voiceguide.audio.echo import PlaybackReference
from voiceguide.audio.endpointing import Endpointer
from voiceguide.audio.segmenter import Utterance
from voiceguide.audio.speculation import SPECULATE_AFTER_S, Ticket, covers, stands, ticket_for
from voiceguide.core.intents import Intent, Moment
from voiceguide.core.ports import Heard

log = logging.getLogger(__name__)

Decode = Callable[[np.ndarray, Moment], tuple[Heard, Any]]
"""``Recognizer.decode``: 16 kHz float32 audio and the moment -> (Heard, intent or None)."""

MAX_DECODE_FAILURES = 3
"""Decode errors in a row after which voice input is given up (end of input)."""
_LOST_HEARD = Heard(text="", clear=False, source="voice", end_of_input=True)


class DecodeScheduler:
    """Decodes utterances with ``decode`` and queues what was heard.

    ``speculate_after_s``: seconds of silence after which the utterance so far is decoded
    early (None: never). ``playback``: the loudspeaker's reference, whose hold (see
    :class:`~voiceguide.audio.segmenter.Hold`) is released when what was heard is not "stop".
    """

    def __init__(
        self,
        decode: Decode,
        speculate_after_s: float | None = SPECULATE_AFTER_S,
        playback: PlaybackReference | None = None,
    ):
        self._decode = decode
        self._speculate_after_s = speculate_after_s
        self._playback = playback
        self._early: _EarlyDecode | None = None  # the last early decode
        self._failures = 0
        self._ended = threading.Event()
        self.heard: queue.Queue[Heard] = queue.Queue()
        self.moment = Moment.STEP
        self.flushes = 0
        """Bumped by :meth:`flush`; a result decoded across a flush is dropped."""
        self.decodes = 0
        """Utterances handed to the recognizer (for tests and the latency benchmark)."""
        self.early_decodes = 0
        """Utterances decoded before their end silence was over."""
        self.early_used = 0
        """Early decodes that stood for their utterance (the rest were discarded)."""

    def flush(self) -> None:
        """Drop what was heard so far (never the end of input) and results still decoding."""
        self.flushes += 1
        for heard in drain(self.heard):
            if heard.end_of_input:
                self.heard.put(heard)

    def end_of_input(self, why: str) -> None:
        """Voice input has ended: ``listen`` hands over one end of input."""
        if not self._ended.is_set():
            self._ended.set()
            log.warning("%s; voice input has ended", why)
            self.heard.put(_LOST_HEARD)

    def decode_early(self, endpointer: Endpointer, flushes: int) -> None:
        """Start decoding the utterance so far on a second thread if it has gone quiet, and
        no other decode runs; once an early decode has found a command in all of its speech,
        let ``endpointer`` end it sooner. ``flushes``: the flush count the worker has seen."""
        if self._speculate_after_s is None:
            return
        early = self._early
        if early is not None and not early.done.is_set():
            return
        if (
            early is not None
            and early.result is not None
            and early.result[1] is not None
            and covers(early.ticket, endpointer, (self.moment, flushes))
        ):
            endpointer.end_early()
        ticket = ticket_for(
            endpointer,
            (self.moment, flushes),
            self._speculate_after_s,
            early.ticket if early is not None else None,
        )
        if ticket is None:
            return
        self.early_decodes += 1
        log.debug(
            "decoding %.2f s early, after %.2f s of silence (mono %.3f)",
            ticket.seconds,
            endpointer.silence_s,
            time.monotonic(),
        )
        self._early = _EarlyDecode(ticket, endpointer.audio_so_far(), self.moment, self._decode)

    def wait_early(self, timeout: float) -> bool:
        """Wait until no early decode runs (a worker stepped by hand, frame by frame, as tests
        and benchmarks do); False when one still runs after ``timeout`` seconds."""
        early = self._early
        return early is None or early.done.wait(timeout)

    def hand_over(self, utterance: Utterance, flushes: int) -> bool:
        """Decode ``utterance`` (unless an early decode stands for it) and queue what was
        heard; False when voice input must end."""
        moment = self.moment
        early = self._early_result(utterance, flushes)
        intent = None
        try:
            self.decodes += 1
            heard, intent = early if early is not None else self._decode(utterance.audio, moment)
            self._failures = 0
            over = " over the prompt" if utterance.over_prompt else ""
            log.debug("decoded %r%s (mono %.3f)", heard.text, over, time.monotonic())
        except Exception:  # noqa: BLE001 - logged with its traceback, then re-prompted
            log.exception("decoding an utterance failed")
            self._failures += 1
            if self._failures >= MAX_DECODE_FAILURES:
                self.end_of_input("speech recognition keeps failing")
                return False
            heard = Heard(text="", clear=False, source="voice")
        if intent is not Intent.STOP and self._playback is not None and self._playback.held:
            # Not "stop": the hold it started must not mute the prompt that carries on or
            # the answer to it (a reply that began as the listening earcon ended).
            log.debug("%r is not stop: releasing the hold", heard.text)
            self._playback.release()
        if flushes == self.flushes:  # a flush during decoding drops the result
            self.heard.put(
                dataclasses.replace(heard, moment=heard.moment or moment, over_prompt=utterance.over_prompt)
            )
        return True

    def _early_result(self, utterance: Utterance, flushes: int) -> tuple[Heard, Any] | None:
        """The early decode's (heard, intent) when it stands for ``utterance``, else None.
        Waits for a decode still running (one decode at a time)."""
        early, self._early = self._early, None
        if early is None:
            return None
        early.done.wait()
        if (
            utterance.over_prompt
            or early.error is not None
            or not stands(early.ticket, utterance.ended, (self.moment, flushes))
        ):
            log.debug("early decode %r discarded", early.result and early.result[0].text)
            return None
        self.early_used += 1
        return early.result


class _EarlyDecode:
    """One decode running on its own thread; ``done`` is set when ``result`` (or ``error``)
    is there."""

    def __init__(self, ticket: Ticket, audio: np.ndarray, moment: Moment, decode: Decode):
        self.ticket = ticket
        self.result: tuple[Heard, Any] | None = None
        self.error: BaseException | None = None
        self.done = threading.Event()
        threading.Thread(
            target=self._run, args=(audio, moment, decode), name="voiceguide-early-decode", daemon=True
        ).start()

    def _run(self, audio: np.ndarray, moment: Moment, decode: Decode) -> None:
        try:
            self.result = decode(audio, moment)
        except Exception as error:  # noqa: BLE001 - the utterance is decoded again, logged there
            self.error = error
        finally:
            self.done.set()
