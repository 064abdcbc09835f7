"""Adapters used together: several displays following the same events, and keys (window,
terminal, switch, pedal) heard alongside the voice, not only instead of it.
"""

from __future__ import annotations

import logging
import time

from voiceguide.core.events import Event
from voiceguide.core.intents import Moment
from voiceguide.core.ports import Display, Heard, Listener

log = logging.getLogger(__name__)

SLICE_S = 0.05
"""How long each listener is asked at a time while waiting on several (seconds)."""


class Fanout:
    """Shows every event on each display in turn."""

    def __init__(self, *displays: Display):
        self.displays = list(displays)

    def show(self, item: Event) -> None:
        for display in self.displays:
            display.show(item)


class Alongside:
    """The main listener (microphone, or typed lines) and key sources heard together.

    Keys are checked first at every slice, so a pedal press is never queued behind speech
    decoding. A key source that closes (window closed, terminal gone) is dropped; the session
    goes on with the others. The end of the main listener's input ends the session as before.
    """

    def __init__(self, main: Listener, *keys: Listener):
        self.main = main
        self.keys = list(keys)

    def set_moment(self, moment: Moment) -> None:
        self.main.set_moment(moment)
        for source in self.keys:
            source.set_moment(moment)

    def listen(self, timeout: float) -> Heard | None:
        deadline = time.monotonic() + max(0.0, timeout)
        while True:
            for source in list(self.keys):
                heard = source.listen(0.0)
                if heard is not None and heard.end_of_input:
                    log.info("a key source closed: %r", source)
                    self.keys.remove(source)
                elif heard is not None:
                    return heard
            left = deadline - time.monotonic()
            heard = self.main.listen(max(0.0, min(SLICE_S, left)) if self.keys else max(0.0, left))
            if heard is not None or left <= SLICE_S:
                return heard

    def flush(self) -> None:
        self.main.flush()
