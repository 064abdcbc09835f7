"""Text adapters: the console display, a speaker that only shows text, the keyboard (or a
piped script) as a listener, and scripted and recording adapters for tests.

They are real adapters: users without audio devices get exactly these.
"""

from __future__ import annotations

import queue
import sys
import threading
from collections.abc import Callable, Iterable
from dataclasses import replace
from typing import TextIO

from voiceguide.core.events import Event, EventType
from voiceguide.core.intents import Intent, Moment
from voiceguide.core.ports import Heard
from voiceguide.ui.keys import key_text


class ConsoleDisplay:
    """Shows the session as it happens: ``Step N of M: <title>``, what is said and heard."""

    def __init__(self, out: TextIO | None = None):
        self.out = out or sys.stdout

    def show(self, item: Event) -> None:
        line = self.format(item)
        if line is not None:
            print(line, file=self.out, flush=True)

    @staticmethod
    def format(item: Event) -> str | None:
        data = item.data
        kind = item.type
        if kind is EventType.STEP_STARTED:
            return f"\nStep {data['index']} of {data['total']}: {data['title']}"
        if kind is EventType.SAID:
            return f"  voiceguide: {data['text']}"
        if kind is EventType.HEARD:
            intent = data.get("intent") or "not a command here"
            return f'  heard: "{data["text"]}" -> {intent}'
        if kind is EventType.NOTICE:
            return f"  notice: {data['text']}"
        if kind is EventType.SPEECH_CUT:
            return "  (speech cut off)"
        if kind is EventType.SESSION_STARTED:
            what = "Rehearsal" if data.get("rehearsal") else "Session"
            return f"{what}: {data['title']} ({data['steps']} steps)"
        if kind is EventType.DOSE_GIVEN:
            site = f" ({data['site']})" if data.get("site") else ""
            return f"  recorded: dose given{site}"
        if kind is EventType.SESSION_ENDED:
            return f"\nSession ended: {data['outcome']} (step {data['step']} of {data['total']})"
        return None


class QuietSpeaker:
    """Speaks nothing: the display already shows every prompt. Used without a loudspeaker."""

    speaking = False

    def say(self, text: str, rate: int, volume: float) -> None:
        pass

    def stop(self) -> None:
        pass

    def wait(self, timeout: float | None = None) -> bool:
        return True


class KeyboardListener:
    """Each line typed (or piped) on ``source`` is what was said; single keys work too. An
    empty line is the go-on key: next on a step, resume when paused (at a check it is not an
    answer, and the session says so); it is skipped at the check-in question.

    A reader thread fills a queue so ``listen`` can time out (silence reminders) on a
    terminal and on a pipe alike. End of input is reported once as ``end_of_input``.
    """

    def __init__(self, source: TextIO | None = None):
        self.source = source or sys.stdin
        self.moment: Moment | None = None
        self._lines: queue.Queue[Heard] = queue.Queue()
        self._thread = threading.Thread(target=self._read, name="keyboard", daemon=True)
        self._thread.start()

    def _read(self) -> None:
        try:
            for line in self.source:
                self._lines.put(Heard(text=line.strip(), source="keyboard"))
        except (OSError, ValueError):  # closed or unreadable stdin: same as end of input
            pass
        self._lines.put(Heard(text="", source="keyboard", end_of_input=True))

    def set_moment(self, moment: Moment) -> None:
        self.moment = moment

    def listen(self, timeout: float) -> Heard | None:
        while True:
            try:
                heard = self._lines.get(timeout=max(0.0, timeout))
            except queue.Empty:
                return None
            if heard.text or heard.end_of_input:
                return heard
            if self.moment not in (None, Moment.CHECKIN):
                return replace(heard, text=key_text("Return", self.moment))

    def flush(self) -> None:
        pass  # typed answers are deliberate: never dropped


class FakeClock:
    """A clock that moves only when told to (tests, and the demo's simulated time)."""

    def __init__(self, start: float = 1000.0):
        self.t = start

    def now(self) -> float:
        return self.t

    def advance(self, seconds: float) -> None:
        self.t += max(0.0, seconds)


class ScriptedListener:
    """Answers from a list: a string is what was said (as typed), None is silence that lasts
    the whole timeout (the fake clock moves on). When the script runs out: end of input.
    As a voice (``source="voice"``), ``recognize(text, moment)`` stands for the recognizer's
    decision on each line (a test passes ``recognition.matching.match``)."""

    def __init__(
        self,
        script: Iterable[str | None],
        clock: FakeClock,
        source: str = "keyboard",
        recognize: Callable[[str, Moment], Intent | None] | None = None,
    ):
        self.script = list(script)
        self.clock = clock
        self.source = source
        self.recognize = recognize
        self.moment: Moment | None = None

    def set_moment(self, moment: Moment) -> None:
        self.moment = moment

    def listen(self, timeout: float) -> Heard | None:
        if not self.script:
            return Heard(text="", source=self.source, end_of_input=True)
        item = self.script.pop(0)
        if item is None:
            self.clock.advance(timeout)
            return None
        intent = None
        if self.recognize is not None and self.moment is not None:
            intent = self.recognize(item, self.moment)
        return Heard(text=item, source=self.source, intent=intent)

    def flush(self) -> None:
        pass


class MemoryJournal:
    """Keeps events in a list (tests; and sessions run with records switched off)."""

    problem: str | None = None
    """Why saving fails (never, in memory)."""

    def __init__(self):
        self.events: list[Event] = []

    def retry(self) -> bool:
        return True

    def record(self, item: Event) -> None:
        self.events.append(item)

    def of(self, kind: EventType) -> list[Event]:
        return [item for item in self.events if item.type is kind]
