"""Drive the pure session with real or text adapters: speak, listen, and feed what happens
back into the state machine. The only place where time is read.

Barge-in (``core.barge_in``): while the assistant is speaking, or when the microphone heard a
voice over its prompt, a *voice* can only say "stop"; a key press always counts. When speech
ends, whatever the microphone picked up during it is dropped.

Earcons (when the speaker has them): a "listening" tone when a prompt has ended and it
listens, and an "accepted" tone just before the answer to a command that was taken. The
prompts that the likely answers ("next", "yes") would bring are synthesized while the current
one plays (the session is pure, so asking it "what if" costs nothing), to answer sooner.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import replace

from voiceguide.app.adapters import Adapters
from voiceguide.core import barge_in, dose
from voiceguide.core.events import Event, EventType, event
from voiceguide.core.intents import Intent
from voiceguide.core.ports import Heard, Listener
from voiceguide.core.session import Session
from voiceguide.core.session_types import (
    DEFAULT_RATE,
    Command,
    CutSpeech,
    Emit,
    End,
    InputClosed,
    Mode,
    Outcome,
    Saving,
    Say,
    SpeechEnded,
    Start,
    State,
    Tick,
)
from voiceguide.errors import AudioUnavailable
from voiceguide.recognition.matching import heard_intent, known_elsewhere
from voiceguide.ui.text_io import QuietSpeaker

log = logging.getLogger(__name__)

BARGE_IN_POLL_S = 0.02
"""How often, while speaking, the runner checks for "stop" (seconds)."""
IDLE_WAIT_S = 3600.0
"""How long to listen when nothing is due (paused): effectively until something is heard."""
RETRY_SAVING_S = 5.0
"""While the record cannot be saved, the longest wait between two tries (seconds)."""


def check_saving(io: Adapters, retry: bool) -> str | None:
    """Why the record cannot be saved, or None when everything is saved; ``retry``: first try
    to write what the journal keeps."""
    if retry and io.journal.problem is not None:
        io.journal.retry()
    return io.journal.problem


class Runner:
    def __init__(
        self,
        session: Session,
        io: Adapters,
        *,
        rate: int = DEFAULT_RATE,
        volume: float = 1.0,
        fallback: Callable[[], Listener] | None = None,
    ):
        self.session = session
        self.io = io
        self.fallback = fallback
        self.state: State = session.start(rate, volume)
        self._speech_pending = False
        self._earcon: str | None = None  # played just before the next thing said
        self._stepped = False  # a step has started
        self._queued: list[str] = []  # notices said with the next utterance
        self._retry_at = 0.0  # when to try writing the kept record again (monotonic seconds)

    def run(self) -> Outcome:
        try:
            self._feed(Start(self.io.clock.now()))
            while self.state.mode is not Mode.ENDED:
                self._saving()
                self._turn()
        except KeyboardInterrupt:  # Ctrl-C or SIGTERM: cut speech, record where it stopped, leave
            self.io.speaker.stop()
            self._interrupted(show=True)
            raise
        except BrokenPipeError:  # the console's reader went away: record the end, then leave
            self._interrupted(show=False)
            raise
        self.io.speaker.wait(timeout=60)
        return self.state.outcome

    def _interrupted(self, *, show: bool) -> None:
        if self.state.mode is Mode.ENDED:
            return
        ended = dose.ended_event(self.state, Outcome.INTERRUPTED, self.session.total)
        if not self._stepped:
            ended = event(ended.type, **{**ended.data, "step": 0})
        self.state = replace(self.state, mode=Mode.ENDED, outcome=Outcome.INTERRUPTED)
        if show:
            try:
                self._emit(ended)
                return
            except BrokenPipeError:
                pass
        self.io.journal.record(ended.stamped(round(self.io.wall(), 3)))

    def _saving(self, *, speak: bool = True) -> None:
        """Tell the session (and, once, the user) when the record cannot be saved, and when
        it can again; ``speak``: say the notice now, else with the next thing said."""
        now = self.io.clock.now()
        retry = now >= self._retry_at
        if retry:
            self._retry_at = now + RETRY_SAVING_S
        problem = check_saving(self.io, retry)
        if (problem is not None) != self.state.unsaved:
            text = None
            if problem is not None and not self.io.saving_told:
                self.io.saving_told = True
                text = dose.saving_failed(problem)
            elif problem is None and self.io.saving_told:
                text = dose.SAVING_AGAIN
            if text is not None:
                self._emit(event(EventType.NOTICE, text=text))
                self._queued.append(text)
            self._feed(Saving(now, problem is not None))
        if speak and self._queued:
            text, self._queued = " ".join(self._queued), []
            self._speak(text)

    def notice(self, text: str) -> None:
        """Something the user must know that is not part of the procedure (spoken and shown)."""
        self._emit(event(EventType.NOTICE, text=text))
        self._speak(text)

    # -- one turn -------------------------------------------------------------------------

    def _turn(self) -> None:
        if self.io.speaker.speaking:
            heard = self.io.listener.listen(BARGE_IN_POLL_S)
            if heard is not None:
                self._heard(heard, during_speech=True)
            return
        if self._speech_pending:
            self._speech_pending = False
            self.io.listener.flush()
            self._feed(SpeechEnded(self.io.clock.now()))
            if self.state.mode is not Mode.ENDED:
                self._play_earcon("listening")
            return
        deadline = self.session.next_deadline(self.state)
        timeout = IDLE_WAIT_S if deadline is None else max(0.0, deadline - self.io.clock.now())
        if self.state.unsaved:
            timeout = min(timeout, RETRY_SAVING_S)
        heard = self.io.listener.listen(timeout)
        if heard is None:
            self._feed(Tick(self.io.clock.now()))
        else:
            self._heard(heard, during_speech=False)

    def _heard(self, heard: Heard, *, during_speech: bool) -> None:
        if heard.end_of_input:
            self._input_closed(heard)
            return
        moment = self.state.moment
        if heard.source == "voice" and (not heard.text.strip() or (heard.moment and heard.moment != moment)):
            return  # noise, or decoded for a moment that has passed
        keys = heard.source == "keyboard"
        log.debug("runner took %r (mono %.3f)", heard.text, time.monotonic())
        intent = heard_intent(heard, moment)
        if not barge_in.counts(heard, intent, speaking=during_speech):
            log.debug("ignored over the prompt: %r", heard.text)
            return
        self._emit(
            event(
                EventType.HEARD,
                text=heard.text,
                intent=intent.value if intent else None,
                confidence=round(heard.confidence, 3),
                source=heard.source,
                decode_ms=round(heard.decode_ms),
            )
        )
        if during_speech:
            self._cut()
        self._saving(speak=False)  # a write that just failed is known before the command moves on
        elsewhere = known_elsewhere(heard.text, keys=keys) if intent is None and heard.clear else None
        self._earcon = "accepted" if intent is not None else None
        self._feed(
            Command(self.io.clock.now(), intent, heard.text, elsewhere, spoken=heard.source == "voice")
        )
        if self._earcon is not None:  # taken, but nothing to say: the tone alone
            self._play_earcon(self._earcon)

    def _input_closed(self, heard: Heard) -> None:
        if heard.source == "voice" and self.fallback is not None:
            self.io.listener = self.fallback()
            self.fallback = None
            self.io.listener.set_moment(self.state.moment)
            self.notice(
                "The microphone stopped working. Please answer with the keyboard: "
                "type next, repeat, yes, no or stop, then press Enter."
            )
            return
        self._feed(InputClosed(self.io.clock.now()))

    # -- effects ---------------------------------------------------------------------------

    def _feed(self, given) -> None:
        self.state, effects = self.session.transition(self.state, given)
        spoken: list[str] = []
        for effect in effects:
            if isinstance(effect, Say):  # shown in order, spoken as one utterance
                self._emit(event(EventType.SAID, text=effect.text))
                spoken.append(effect.text)
            elif isinstance(effect, CutSpeech):
                self._cut()
            elif isinstance(effect, Emit):
                self._emit(effect.event)
            elif isinstance(effect, End):
                log.info("session ended: %s", effect.outcome.value)
        if spoken:
            spoken, self._queued = [*self._queued, *spoken], []
            self._speak(" ".join(spoken))
            self._prepare_likely_answers()
        if self.state.moment is not None:
            self.io.listener.set_moment(self.state.moment)

    def _speak(self, text: str) -> None:
        self._cut()
        earcon, self._earcon = self._earcon, None
        try:
            if earcon is not None and hasattr(self.io.speaker, "earcon"):
                self.io.speaker.say(text, self.state.rate, self.state.volume, earcon=earcon)
            else:
                self.io.speaker.say(text, self.state.rate, self.state.volume)
        except AudioUnavailable as error:  # the loudspeaker went away: carry on in text
            log.warning("speech output failed: %s", error)
            self.io.speaker = QuietSpeaker()
            self._emit(
                event(
                    EventType.NOTICE,
                    text=f"Speech output stopped working ({error}); the steps are shown as text from now on.",
                )
            )
        self._speech_pending = True

    def _play_earcon(self, name: str) -> None:
        self._earcon = None
        play = getattr(self.io.speaker, "earcon", None)
        if play is None:
            return
        try:
            play(name, self.state.volume)
        except AudioUnavailable as error:
            log.warning("earcon failed: %s", error)

    def _prepare_likely_answers(self) -> None:
        """Synthesize, in the background, what a spoken "next" or "yes" would make it say
        now."""
        prepare = getattr(self.io.speaker, "prepare", None)
        if prepare is None or self.state.moment is None:
            return
        texts = []
        for intent in (Intent.NEXT, Intent.YES):
            state, effects = self.session.transition(
                self.state, Command(self.io.clock.now(), intent, intent.value, None, spoken=True)
            )
            said = " ".join(e.text for e in effects if isinstance(e, Say))
            if said and state is not self.state:
                texts.append((said, state.rate))

        def work() -> None:
            for text, rate in texts:
                try:
                    prepare(text, rate)
                except AudioUnavailable:
                    return

        threading.Thread(target=work, name="voiceguide-prepare", daemon=True).start()

    def _cut(self) -> None:
        if self.io.speaker.speaking:
            self.io.speaker.stop()
            self._emit(event(EventType.SPEECH_CUT))

    def _emit(self, item: Event) -> None:
        if item.type is EventType.STEP_STARTED:
            self._stepped = True
        stamped = item.stamped(round(self.io.wall(), 3))
        self.io.journal.record(stamped)
        self.io.display.show(stamped)
