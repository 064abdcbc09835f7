"""Short spoken exchanges outside a guided session: the resume offer and the check-in.

They use the same ports as the runner (speaker, listener, clock, journal, display) and the
same rules: only an answer clearly heard and allowed at this moment counts; anything else
gets a re-prompt; silence gets a reminder; "stop" ends the exchange, also while speaking.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TypeVar

from voiceguide.app.adapters import Adapters
from voiceguide.core import barge_in
from voiceguide.core.dose import saving_failed
from voiceguide.core.events import Event, EventType, event
from voiceguide.core.intents import Intent, Moment
from voiceguide.core.ports import Heard
from voiceguide.core.session_types import DEFAULT_RATE
from voiceguide.recognition.matching import heard_intent, known_elsewhere

log = logging.getLogger(__name__)

T = TypeVar("T")

POLL_S = 0.05
"""How often, while speaking, a "stop" or a typed answer is looked for (seconds)."""
REMINDERS_S = (8.0, 30.0, 60.0)
"""Seconds of silence before each reminder; after the last, the question is given up."""
MAX_UNCLEAR = 3
"""Unclear answers in a row after which the question is given up."""


class Conversation:
    def __init__(self, io: Adapters, *, rate: int = DEFAULT_RATE, volume: float = 1.0):
        self.io = io
        self.rate = rate
        self.volume = volume
        self.closed = False
        """True once the input has closed (end of a piped script)."""
        self.stopped = False
        """True once the user said "stop"."""
        self._pending: list[str] = []

    def say(self, text: str) -> None:
        """Shown now; spoken with whatever else is said before the next answer, as one utterance."""
        self.emit(event(EventType.SAID, text=text))
        self._pending.append(text)

    def notice(self, text: str) -> None:
        """Something the user must know that is not part of the procedure (spoken and shown)."""
        self.emit(event(EventType.NOTICE, text=text))
        self._pending.append(text)

    def finish(self, timeout: float = 120.0) -> None:
        """Speak what is still to be said and let it end (before a session takes over)."""
        self._speak_pending()
        self.io.speaker.wait(timeout=timeout)

    def _speak_pending(self) -> None:
        if self._pending:
            if self.io.speaker.speaking:
                self.io.speaker.stop()
            self.io.speaker.say(" ".join(self._pending), self.rate, self.volume)
            self._pending = []

    def emit(self, item: Event) -> None:
        stamped = item.stamped(round(self.io.wall(), 3))
        self.io.journal.record(stamped)
        self.io.display.show(stamped)
        problem = self.io.journal.problem
        if problem is not None and not self.io.saving_told:  # said once, as in the session
            self.io.saving_told = True
            self.notice(saving_failed(problem))

    def ask_yes_no(self, question: str) -> bool | None:
        """True for "yes", False for "no", None when no clear answer came (or "stop")."""
        answer = self.ask(
            f'{question} Please answer "yes" or "no".',
            Moment.CHECK,
            lambda heard, command: {Intent.YES: True, Intent.NO: False}.get(command),
            hint=f'{question} Please answer "yes" or "no".',
        )
        return answer

    def ask(
        self,
        prompt: str,
        moment: Moment,
        understand: Callable[[Heard, Intent | None], T | None],
        hint: str,
    ) -> T | None:
        """Say ``prompt`` and return what ``understand(heard, command)`` makes of a clear answer
        (``command``: the intent it asks for at ``moment``, ``matching.heard_intent``); None
        after too many unclear answers or too long a silence, at "stop" or when input closes."""
        self.say(prompt)
        unclear = reminders = 0
        while not (self.closed or self.stopped):
            self._speak_pending()
            heard = self._next_answer(moment, REMINDERS_S[min(reminders, len(REMINDERS_S) - 1)])
            if heard is None:
                if reminders >= len(REMINDERS_S):
                    break
                reminders += 1
                self.emit(event(EventType.REMINDER, count=reminders))
                self.say(f"I'm still here. {hint}")
                continue
            if heard.end_of_input:
                self.closed = True
                break
            keys = heard.source == "keyboard"
            command = heard_intent(heard, moment)
            value = understand(heard, command) if heard.clear else None
            shown = command.value if command else ("answer" if value is not None else None)
            self.emit(
                event(
                    EventType.HEARD,
                    text=heard.text,
                    source=heard.source,
                    intent=shown,
                    confidence=round(heard.confidence, 3),
                )
            )
            if value is not None:
                return value
            if command is Intent.STOP:
                self.stopped = True
                break
            if command in (Intent.REPEAT, Intent.HELP, Intent.WHERE):
                self.say(hint)
                continue
            unclear += 1
            self.emit(event(EventType.UNCLEAR, text=heard.text, moment=moment.value))
            if unclear >= MAX_UNCLEAR:
                break
            elsewhere = heard.clear and known_elsewhere(heard.text, keys=keys) is not None
            lead = "That is not an answer to this question." if elsewhere else "Sorry, I didn't catch that."
            self.say(f"{lead} {hint}")
        return None

    def _next_answer(self, moment: Moment, silence_s: float) -> Heard | None:
        self.io.listener.set_moment(moment)
        while self.io.speaker.speaking:
            heard = self.io.listener.listen(POLL_S)
            if heard is None:
                continue
            intent = heard_intent(heard, moment)
            if heard.end_of_input or barge_in.counts(heard, intent, speaking=True):
                self.io.speaker.stop()
                self.emit(event(EventType.SPEECH_CUT))
                return heard
            log.debug("ignored while speaking: %r", heard.text)
        self.io.listener.flush()
        while True:
            heard = self.io.listener.listen(silence_s)
            if heard is None or heard.end_of_input or heard.source != "voice":
                return heard
            intent = heard_intent(heard, moment)
            if (
                heard.text.strip()
                and heard.moment in (None, moment)
                and barge_in.counts(heard, intent, speaking=False)
            ):
                return heard  # voice: noise, its own echo and answers for an earlier moment are dropped
