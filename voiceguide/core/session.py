"""The guided session as a pure state machine: ``transition(state, input) -> (state, effects)``.

No I/O and no clock: every input carries the time (``now``, monotonic seconds) and every
effect is data the runner carries out. The safety rules (docs/safety.md) live here:
- only an intent allowed at this moment moves anything; unclear speech gets a re-prompt;
- silence gets reminders, never a step change;
- "stop" cuts speech and pauses; resuming or ending is a separate choice;
- a critical check needs an explicit "yes"; "no" leads to safe guidance, never onward. A
  spoken one-word "yes" must then be confirmed with "confirm" (``intents.CONFIRM_PHRASE``):
  sound-alikes ("guess") are heard as "Yes." too often to pass a check on their own.
"""

from __future__ import annotations

from dataclasses import replace

from voiceguide.core import gather
from voiceguide.core.events import EventType, event
from voiceguide.core.intents import ALLOWED, CONFIRM_PHRASE, Intent, normalise, taught_phrase
from voiceguide.core.procedure import Procedure, Step
from voiceguide.core.prompts import SAFE_EXIT_HINT, help_text, hint, opening
from voiceguide.core.session_types import (
    DEFAULT_RATE,
    Command,
    CutSpeech,
    Effects,
    Emit,
    End,
    Input,
    InputClosed,
    Mode,
    Outcome,
    Say,
    SpeechEnded,
    Start,
    State,
    Tick,
)
from voiceguide.core.timer import TIMER_NOTICE_AT_S, time_left, timer_deadline, timer_tick
from voiceguide.core.voice import RATE_STEP, VOLUME_STEP, voice_change

REMINDER_AFTER_S = (8.0, 30.0, 60.0)
"""Seconds of silence before the 1st, 2nd and every later reminder."""


class Session:
    """The rules of one guided session over a bound procedure."""

    def __init__(
        self,
        procedure: Procedure,
        verbosity: str = "detailed",
        first_step: int = 0,
        resumes: str | None = None,
    ):
        """``first_step`` (0-based) > 0 resumes an unfinished session (id ``resumes``) there."""
        self.procedure = procedure
        self.total = len(procedure.steps)
        self.verbosity = verbosity
        """"detailed" or "brief": how steps are first said ("help" and "repeat" are always detailed)."""
        self.first_step = min(max(0, first_step), self.total - 1)
        self.resumes = resumes

    # -- public -----------------------------------------------------------------------

    def start(self, rate: int = DEFAULT_RATE, volume: float = 1.0) -> State:
        return State(rate=rate, volume=volume, verbosity=self.verbosity)

    def transition(self, state: State, given: Input) -> tuple[State, Effects]:
        if state.mode is Mode.ENDED:
            return state, []
        if isinstance(given, Start):
            return self._begin(state)
        if isinstance(given, SpeechEnded):
            return self._speech_ended(state, given.now)
        if isinstance(given, Tick):
            return self._tick(state, given.now)
        if isinstance(given, InputClosed):
            return self._end(
                state,
                Outcome.INPUT_CLOSED,
                "The input has closed, so I have stopped here. The session was not completed.",
            )
        return self._command(state, given)

    def next_deadline(self, state: State) -> float | None:
        """When a Tick must arrive for a reminder or the timer, or None if nothing is due."""
        if state.mode is Mode.TIMER:
            return timer_deadline(state, self.step(state).timer.seconds)
        if (
            state.mode in (Mode.STEP, Mode.CHECK, Mode.CONFIRM, Mode.SAFE_EXIT)
            and state.quiet_since is not None
        ):
            return state.quiet_since + REMINDER_AFTER_S[min(state.reminders, len(REMINDER_AFTER_S) - 1)]
        return None

    def step(self, state: State) -> Step:
        return self.procedure.steps[state.index]

    # -- inputs -----------------------------------------------------------------------

    def _begin(self, state: State) -> tuple[State, Effects]:
        p = self.procedure
        resuming = {"resumes": self.resumes, "first_step": self.first_step + 1} if self.first_step else {}
        effects: Effects = [
            Emit(
                event(
                    EventType.SESSION_STARTED,
                    procedure=p.id,
                    title=p.title,
                    steps=self.total,
                    rehearsal=p.rehearsal,
                    **resuming,
                )
            )
        ]
        effects += [Say(text) for text in opening(p, self.first_step, self.total, state.verbosity)]
        state, more = self._enter(state, self.first_step)
        return state, effects + more

    def _speech_ended(self, state: State, now: float) -> tuple[State, Effects]:
        if state.mode is Mode.TIMER and state.timer_end is None:
            left = state.timer_left if state.timer_left is not None else self.step(state).timer.seconds
            running = Emit(event(EventType.TIMER_RUNNING, step=self.step(state).id, left=round(left, 1)))
            return replace(state, timer_end=now + left, timer_left=None, quiet_since=now), [running]
        return replace(state, quiet_since=now), []

    def _tick(self, state: State, now: float) -> tuple[State, Effects]:
        deadline = self.next_deadline(state)
        if deadline is None or now < deadline:
            return state, []
        if state.mode is Mode.TIMER:
            return self._timer_tick(state, now)
        effects = [
            Emit(event(EventType.REMINDER, count=state.reminders + 1, step=state.index + 1)),
            Say(f"I'm still here. {self._hint(state)}"),
        ]
        return replace(state, reminders=state.reminders + 1, quiet_since=None), effects

    def _timer_tick(self, state: State, now: float) -> tuple[State, Effects]:
        return timer_tick(state, self.step(state), now)

    def _command(self, state: State, heard: Command) -> tuple[State, Effects]:
        if heard.intent is None:
            return self._unclear(state, heard)
        if heard.intent not in ALLOWED[state.moment]:  # defence in depth: matching filters too
            return self._unclear(state, replace(heard, intent=None, elsewhere=heard.intent))
        state = replace(state, reminders=0, quiet_since=None)
        if state.mode is Mode.CHECK and heard.intent is Intent.YES and _needs_confirming(heard):
            return replace(state, mode=Mode.CONFIRM), [
                Emit(event(EventType.CONFIRM_ASKED, step=self.step(state).id)),
                Say(f'I heard "yes". To be sure, say "{CONFIRM_PHRASE}" to go on, or "no".'),
            ]
        handler = _HANDLERS.get((state.mode, heard.intent)) or _HANDLERS.get((None, heard.intent))
        if handler is None:  # allowed by the vocabulary but meaningless here: treat as unclear
            return self._unclear(state, replace(heard, intent=None, elsewhere=heard.intent))
        return handler(self, state, heard.now)

    def _unclear(self, state: State, heard: Command) -> tuple[State, Effects]:
        effects: Effects = [
            Emit(
                event(
                    EventType.UNCLEAR,
                    text=heard.text,
                    step=state.index + 1,
                    moment=state.moment.value if state.moment else None,
                )
            )
        ]
        if state.mode is Mode.CONFIRM and heard.elsewhere is Intent.YES:
            lead = f'To be sure, I need the word "{CONFIRM_PHRASE}".'
        elif heard.elsewhere is not None and state.mode not in (Mode.CHECK, Mode.CONFIRM):
            lead = f'"{taught_phrase(heard.elsewhere).capitalize()}" isn\'t available now.'
        else:
            lead = "Sorry, I didn't catch that."
        effects.append(Say(f"{lead} {self._hint(state)}"))
        return replace(state, quiet_since=None), effects

    # -- intents ----------------------------------------------------------------------

    def _next(self, state: State, now: float) -> tuple[State, Effects]:
        if item := gather.next_item(self.step(state), state):
            return item
        return self._onward(state)

    def _onward(self, state: State) -> tuple[State, Effects]:
        if state.index + 1 >= self.total:
            return self._complete(state)
        return self._enter(state, state.index + 1)

    def _yes(self, state: State, now: float) -> tuple[State, Effects]:
        step = self.step(state)
        answered = [Emit(event(EventType.CHECK_ANSWERED, step=step.id, answer="yes"))]
        if step.site_choice:
            answered.append(
                Emit(event(EventType.SITE_CHOSEN, step=step.id, site=step.site_choice.sites[state.site_pick]))
            )
        state, effects = self._next(state, now)
        return state, [*answered, *effects]

    def _no(self, state: State, now: float) -> tuple[State, Effects]:
        step = self.step(state)
        answered = Emit(event(EventType.CHECK_ANSWERED, step=step.id, answer="no"))
        choice = step.site_choice
        if choice and state.site_pick + 1 < len(choice.sites):  # offer the next trained site
            state = replace(state, site_pick=state.site_pick + 1)
            question = self._question(state)
            return state, [
                answered,
                Emit(event(EventType.CHECK_ASKED, step=step.id, question=question)),
                Say(f'{question} Please answer "yes" or "no".'),
            ]
        return replace(state, mode=Mode.SAFE_EXIT), [answered, self._safe_guidance(state)]

    def _not_confirmed(self, state: State, now: float) -> tuple[State, Effects]:
        """ "no" instead of "confirm": the "yes" may have been misheard, so the check is asked
        again (a "no" to it then leads to the safe guidance)."""
        question = self._question(state)
        return replace(state, mode=Mode.CHECK), [
            Emit(event(EventType.CHECK_ASKED, step=self.step(state).id, question=question)),
            Say(f'All right. {question} Please answer "yes" or "no".'),
        ]

    def _question(self, state: State) -> str:
        step = self.step(state)
        if step.site_choice:
            return step.site_choice.question(state.site_pick)
        return step.check.question if step.check else ""

    def _safe_guidance(self, state: State) -> Say:
        guidance = self.step(state).check.if_no or "Do not inject. Contact your clinician for advice."
        return Say(f"{guidance} {SAFE_EXIT_HINT}")

    def _repeat(self, state: State, now: float) -> tuple[State, Effects]:
        if state.mode is Mode.TIMER:
            return state, [Say(time_left(state, self.step(state).timer.seconds, now))]
        if state.mode is Mode.SAFE_EXIT:
            return state, [self._safe_guidance(state)]
        if state.mode is Mode.CONFIRM or (state.mode is Mode.CHECK and state.site_pick):
            return state, [Say(self._hint(state))]
        if item := gather.repeat_item(self.step(state), state):
            return state, item
        return self._enter(state, state.index, announce=False, detailed=True)

    def _back(self, state: State, now: float) -> tuple[State, Effects]:
        if state.mode is Mode.SAFE_EXIT:  # back to the step whose check was answered "no"
            return self._enter(state, state.index)
        if item := gather.previous_item(self.step(state), state):
            return item
        if gather.reading(self.step(state), state) and state.item == 0:
            return self._enter(state, state.index, announce=False)
        if state.index == 0:
            return state, [Say(f"This is the first step. {self._hint(state)}")]
        return self._enter(state, state.index - 1)

    def _skip(self, state: State, now: float) -> tuple[State, Effects]:
        step = self.step(state)
        if not step.skippable:
            return state, [Say(f"This step can't be skipped. {self._hint(replace(state, mode=Mode.STEP))}")]
        return self._onward(replace(state, mode=Mode.STEP, timer_end=None))

    def _next_during_timer(self, state: State, now: float) -> tuple[State, Effects]:
        if self.step(state).skippable:
            return self._skip(state, now)
        return state, [
            Say(
                f"Please wait: {time_left(state, self.step(state).timer.seconds, now)} I will tell you when the time is up."
            )
        ]

    def _pause(self, state: State, now: float) -> tuple[State, Effects]:
        left = None
        if state.mode is Mode.TIMER:
            left = max(1.0, state.timer_end - now) if state.timer_end is not None else state.timer_left
        paused = replace(state, mode=Mode.PAUSED, resume_to=state.mode, timer_end=None, timer_left=left)
        data = {"timer_left": round(left, 1)} if left is not None else {}
        what = "The timer is paused" if left is not None else "Paused"
        return paused, [
            CutSpeech(),
            Emit(event(EventType.PAUSED, step=state.index + 1, **data)),
            Say(f'{what}. Say "resume" to carry on, or "end session" to finish.'),
        ]

    def _still_paused(self, state: State, now: float) -> tuple[State, Effects]:
        return state, [
            CutSpeech(),
            Say('Still paused. Say "resume" to carry on, or "end session" to finish.'),
        ]

    def _resume(self, state: State, now: float) -> tuple[State, Effects]:
        back_to = state.resume_to or Mode.STEP
        resumed = Emit(event(EventType.RESUMED, step=state.index + 1))
        if back_to is Mode.TIMER:
            noticed = state.timer_noticed or (state.timer_left or 0) <= TIMER_NOTICE_AT_S
            state = replace(state, mode=Mode.TIMER, resume_to=None, timer_noticed=noticed)
            return state, [resumed, Say(f"Resuming the timer: {round(state.timer_left or 0)} seconds left.")]
        if back_to is Mode.SAFE_EXIT:
            return replace(state, mode=Mode.SAFE_EXIT, resume_to=None), [resumed, self._safe_guidance(state)]
        state, effects = self._enter(replace(state, resume_to=None), state.index, announce=False)
        return state, [resumed, Say("Resuming."), *effects]

    def _end_by_user(self, state: State, now: float) -> tuple[State, Effects]:
        declined = state.mode is Mode.SAFE_EXIT or state.resume_to is Mode.SAFE_EXIT
        if declined:
            return self._end(
                state,
                Outcome.DECLINED_CHECK,
                "The session has ended. Please contact your clinician before you try again.",
            )
        return self._end(
            state, Outcome.ENDED, f"The session has ended at step {state.index + 1} of {self.total}."
        )

    def _help(self, state: State, now: float) -> tuple[State, Effects]:
        step = self.step(state)
        extra = step.help
        if state.verbosity == "brief" and step.brief and state.mode in (Mode.STEP, Mode.CHECK):
            extra = f"{step.say} {extra or ''}".strip()  # the detailed form of a brief prompt
        text = help_text(state.mode, state.moment)
        return state, [Say(f"{text} {extra}" if extra and state.mode is not Mode.PAUSED else text)]

    def _where(self, state: State, now: float) -> tuple[State, Effects]:
        step = self.step(state)
        paused = " The session is paused." if state.mode is Mode.PAUSED else ""
        item = gather.where(step, state)
        return state, [Say(f"Step {state.index + 1} of {self.total}: {step.title}{item}.{paused}")]

    # -- helpers ----------------------------------------------------------------------

    def _enter(
        self, state: State, index: int, announce: bool = True, detailed: bool = False
    ) -> tuple[State, Effects]:
        """Say step ``index`` (announce=False for a repeat: no new STEP_STARTED event; a
        repeat is always ``detailed``, a brief session otherwise says the step's brief form)."""
        step = self.procedure.steps[index]
        effects: Effects = []
        if announce:
            effects.append(
                Emit(
                    event(
                        EventType.STEP_STARTED,
                        index=index + 1,
                        total=self.total,
                        step=step.id,
                        title=step.title,
                        text=step.say,
                    )
                )
            )
        words = step.brief if step.brief and state.verbosity == "brief" and not detailed else step.say
        listed = f" {gather.announce(step)}" if step.items else ""
        effects.append(Say(f"Step {index + 1} of {self.total}. {step.title}. {words}{listed}"))
        base = replace(
            state,
            index=index,
            quiet_since=None,
            reminders=0,
            timer_end=None,
            timer_left=None,
            timer_noticed=False,
            timer_counted=None,
            resume_to=None,
            site_pick=0,
            item=None,
        )
        if step.check:
            effects += [
                Emit(event(EventType.CHECK_ASKED, step=step.id, question=step.check.question)),
                Say(f'{step.check.question} Please answer "yes" or "no".'),
            ]
            return replace(base, mode=Mode.CHECK), effects
        if step.timer:
            effects.append(Emit(event(EventType.TIMER_STARTED, step=step.id, seconds=step.timer.seconds)))
            if step.timer.say:
                effects.append(Say(step.timer.say))
            return replace(base, mode=Mode.TIMER), effects
        if index == 0 and not step.items:
            effects.append(Say('Say "next step" when it is done.'))
        return replace(base, mode=Mode.STEP), effects

    def _complete(self, state: State) -> tuple[State, Effects]:
        if self.procedure.rehearsal:
            text = (
                "The rehearsal is finished. You did not inject today. When you are ready "
                "for a real session, start it without the rehearsal option."
            )
        else:
            text = self.procedure.finish or "That is the end of the procedure."
        return self._end(state, Outcome.COMPLETED, text)

    def _end(self, state: State, outcome: Outcome, text: str) -> tuple[State, Effects]:
        ended = replace(state, mode=Mode.ENDED, outcome=outcome, quiet_since=None, timer_end=None)
        return ended, [
            Say(text),
            Emit(
                event(EventType.SESSION_ENDED, outcome=outcome.value, step=state.index + 1, total=self.total)
            ),
            End(outcome),
        ]

    def _hint(self, state: State) -> str:
        return gather.hint(self.step(state), state) or hint(state.mode, self._question(state))


def _needs_confirming(heard: Command) -> bool:
    """A "yes" to a check that was spoken, and not as the confirm word itself."""
    return heard.spoken and normalise(heard.text) != CONFIRM_PHRASE


_HANDLERS = {
    (None, Intent.NEXT): Session._next,
    (Mode.TIMER, Intent.NEXT): Session._next_during_timer,
    (Mode.CHECK, Intent.YES): Session._yes,
    (Mode.CHECK, Intent.NO): Session._no,
    (Mode.CONFIRM, Intent.YES): Session._yes,
    (Mode.CONFIRM, Intent.NO): Session._not_confirmed,
    (None, Intent.REPEAT): Session._repeat,
    (None, Intent.BACK): Session._back,
    (None, Intent.SKIP): Session._skip,
    (None, Intent.STOP): Session._pause,
    (None, Intent.PAUSE): Session._pause,
    (Mode.PAUSED, Intent.STOP): Session._still_paused,
    (Mode.PAUSED, Intent.RESUME): Session._resume,
    (None, Intent.END): Session._end_by_user,
    (None, Intent.HELP): Session._help,
    (None, Intent.WHERE): Session._where,
    (None, Intent.SLOWER): voice_change("rate", -RATE_STEP),
    (None, Intent.FASTER): voice_change("rate", RATE_STEP),
    (None, Intent.LOUDER): voice_change("volume", VOLUME_STEP),
    (None, Intent.QUIETER): voice_change("volume", -VOLUME_STEP),
}
