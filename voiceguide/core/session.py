"""The guided session as a pure state machine: ``transition(state, input) -> (state, effects)``.

No I/O and no clock: every input carries the time (``now``, monotonic seconds) and every
effect is data the runner carries out. The safety rules (docs/safety.md) live here:
- only an intent allowed at this moment moves anything; unclear speech gets a re-prompt;
- silence gets reminders, never a step change;
- "stop" cuts speech and pauses; resuming or ending is a separate choice;
- a critical check needs an explicit "yes"; "no" leads to safe guidance, never onward. A
  spoken one-word "yes" must then be confirmed with "confirm" (``intents.CONFIRM_PHRASE``):
  sound-alikes ("guess") are heard as "Yes." too often to pass a check on their own;
- the dose step is a fact of its own (``core.dose``): after it a "no" is not a failure to start.
"""

from __future__ import annotations

from dataclasses import replace

from voiceguide.core import checks, dose, gather, prompts
from voiceguide.core import timer as timers
from voiceguide.core.events import EventType, event
from voiceguide.core.intents import ALLOWED, CONFIRM_PHRASE, Intent, taught_phrase
from voiceguide.core.procedure import Procedure, Step
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
    ReminderPolicy,
    Saving,
    Say,
    SpeechEnded,
    Start,
    State,
    Tick,
)
from voiceguide.core.voice import RATE_STEP, VOLUME_STEP, voice_change

DEFAULT_REMINDERS = ReminderPolicy()


class Session:
    """The rules of one guided session over a bound procedure."""

    def __init__(
        self,
        procedure: Procedure,
        verbosity: str = "detailed",
        first_step: int = 0,
        resumes: str | None = None,
        dose_given: bool = False,
        inputs: frozenset[str] = frozenset(),
        reminders: ReminderPolicy = DEFAULT_REMINDERS,
    ):
        """``first_step`` (0-based) > 0 resumes an unfinished session (id ``resumes``) there;
        ``dose_given``: that session had passed the dose step already. ``inputs``: the key
        inputs in use, for "help" ("typed": lines with ``--engine keyboard``; "keys": one-key
        control in the window or terminal)."""
        self.procedure = procedure
        self.total = len(procedure.steps)
        self.verbosity = verbosity
        """"detailed" or "brief": how steps are first said ("help" and "repeat" are always detailed)."""
        self.first_step = min(max(0, first_step), self.total - 1)
        self.resumes = resumes
        self.dose_given = dose_given and procedure.dose_index is not None
        self.inputs = inputs
        self.reminders = reminders

    # -- public -----------------------------------------------------------------------

    def start(self, rate: int = DEFAULT_RATE, volume: float = 1.0) -> State:
        return State(rate=rate, volume=volume, verbosity=self.verbosity, dose_given=self.dose_given)

    def transition(self, state: State, given: Input) -> tuple[State, Effects]:
        if state.mode is Mode.ENDED:
            return state, []
        if isinstance(given, Start):
            return self._begin(state)
        if isinstance(given, SpeechEnded):
            return self._speech_ended(state, given.now)
        if isinstance(given, Tick):
            return self._tick(state, given.now)
        if isinstance(given, Saving):
            return replace(state, unsaved=given.failing), []
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
            return timers.timer_deadline(state, self.step(state).timer.seconds)
        if (
            state.mode in (Mode.STEP, Mode.READY, Mode.CHECK, Mode.CONFIRM, Mode.SAFE_EXIT)
            and state.quiet_since is not None
            and not state.held
        ):
            policy = self.reminders
            if state.reminders == 0:
                return state.quiet_since + (self.step(state).expect_seconds or policy.first_s)
            return state.quiet_since + policy.later_s[min(state.reminders, len(policy.later_s)) - 1]
        return None

    def step(self, state: State) -> Step:
        return self.procedure.steps[state.index]

    # -- inputs -----------------------------------------------------------------------

    def _begin(self, state: State) -> tuple[State, Effects]:
        p = self.procedure
        resuming = {"resumes": self.resumes, "first_step": self.first_step + 1} if self.first_step else {}
        if state.dose_given:
            resuming["dose_given"] = True
        dose = p.dose_index
        effects: Effects = [
            Emit(
                event(
                    EventType.SESSION_STARTED,
                    procedure=p.id,
                    title=p.title,
                    steps=self.total,
                    rehearsal=p.rehearsal,
                    dose_step=p.steps[dose].id if dose is not None else None,
                    digest=p.digest,
                    **resuming,
                )
            )
        ]
        effects += [Say(text) for text in prompts.opening(p, self.first_step, self.total, state.verbosity)]
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
        return timers.timer_tick(state, self.step(state), now)

    def _command(self, state: State, heard: Command) -> tuple[State, Effects]:
        if heard.intent is None:
            return self._unclear(state, heard)
        if heard.intent not in ALLOWED[state.moment]:  # defence in depth: matching filters too
            return self._unclear(state, replace(heard, intent=None, elsewhere=heard.intent))
        state = replace(state, reminders=0, quiet_since=None, held=False)
        if state.mode is Mode.CHECK and heard.intent is Intent.YES and checks.needs_confirming(heard):
            return checks.ask_confirm(self, state)
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
        elif heard.elsewhere is not None and state.mode in (Mode.CHECK, Mode.CONFIRM):
            return replace(state, quiet_since=None, held=False), [
                *effects,
                Say(f"{prompts.CHECK_REASON} {checks.question(self, state)}".strip()),
            ]
        elif heard.elsewhere is not None:
            lead = f'"{taught_phrase(heard.elsewhere).capitalize()}" isn\'t available now.'
        else:
            lead = "Sorry, I didn't catch that."
        effects.append(Say(f"{lead} {self._hint(state)}"))
        return replace(state, quiet_since=None, held=False), effects

    # -- intents ----------------------------------------------------------------------

    def _next(self, state: State, now: float) -> tuple[State, Effects]:
        if item := gather.next_item(self.step(state), state):
            return item
        return self._onward(state)

    def _onward(self, state: State) -> tuple[State, Effects]:
        state, given = dose.passing(self.procedure, state)
        if state.index + 1 >= self.total:
            state, effects = self._complete(state)
        else:
            state, effects = self._enter(state, state.index + 1)
        return state, [*given, *effects]

    def _repeat(self, state: State, now: float) -> tuple[State, Effects]:
        if state.mode is Mode.TIMER:
            return state, [Say(timers.time_left(state, self.step(state).timer.seconds, now))]
        if state.mode is Mode.SAFE_EXIT:
            return state, [checks.safe_guidance(self, state)]
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
                f"Please wait: {timers.time_left(state, self.step(state).timer.seconds, now)} I will tell you when the time is up."
            )
        ]

    def _hold(self, state: State, now: float) -> tuple[State, Effects]:
        """ "wait" on a step: no reminders until the user speaks; the step stays as it is."""
        return replace(state, held=True), [
            Emit(event(EventType.HELD, step=state.index + 1)),
            Say('Take your time. I will not remind you until you speak. Say "next step" when it is done.'),
        ]

    def _start_timer(self, state: State, now: float) -> tuple[State, Effects]:
        return timers.start_timer(state, self.step(state))

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
            noticed = state.timer_noticed or (state.timer_left or 0) <= timers.TIMER_NOTICE_AT_S
            state = replace(state, mode=Mode.TIMER, resume_to=None, timer_noticed=noticed)
            return state, [resumed, Say(f"Resuming the timer: {round(state.timer_left or 0)} seconds left.")]
        if back_to is Mode.SAFE_EXIT:
            return replace(state, mode=Mode.SAFE_EXIT, resume_to=None), [
                resumed,
                checks.safe_guidance(self, state),
            ]
        state, effects = self._enter(replace(state, resume_to=None), state.index, announce=False)
        return state, [resumed, Say("Resuming."), *effects]

    def _end_by_user(self, state: State, now: float) -> tuple[State, Effects]:
        declined = state.mode is Mode.SAFE_EXIT or state.resume_to is Mode.SAFE_EXIT
        if state.dose_given:
            return self._end(state, Outcome.ENDED, dose.ended_after_dose(state, self.total))
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
        allowed = prompts.allowed_here(state.moment, step.skippable, state.index == 0)
        text = prompts.help_text(state.mode, state.moment, allowed, self.inputs)
        return state, [Say(f"{text} {extra}" if extra and state.mode is not Mode.PAUSED else text)]

    def _where(self, state: State, now: float) -> tuple[State, Effects]:
        step = self.step(state)
        paused = " The session is paused." if state.mode is Mode.PAUSED else ""
        question = (
            f" {prompts.CHECK_REASON} {checks.question(self, state)}"
            if state.mode in (Mode.CHECK, Mode.CONFIRM)
            else ""
        )
        item = gather.where(step, state)
        return state, [Say(f"Step {state.index + 1} of {self.total}: {step.title}{item}.{paused}{question}")]

    # -- helpers ----------------------------------------------------------------------

    def _enter(
        self, state: State, index: int, announce: bool = True, detailed: bool = False
    ) -> tuple[State, Effects]:
        """Say step ``index`` (announce=False for a repeat: no new STEP_STARTED event; a
        repeat is always ``detailed``, a brief session otherwise says the step's brief form)."""
        if dose.must_ask_unsaved(self.procedure, state, index):
            return dose.ask_unsaved(state, index)
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
            held=False,
            timer_end=None,
            timer_left=None,
            timer_noticed=False,
            timer_counted=None,
            resume_to=None,
            site_pick=0,
            saving_check=False,
            item=None,
        )
        if step.check:
            effects += [
                Emit(event(EventType.CHECK_ASKED, step=step.id, question=step.check.question)),
                Say(f'{step.check.question} Please answer "yes" or "no".'),
            ]
            return replace(base, mode=Mode.CHECK), effects
        if step.timer:  # the timer starts when the user says this is done
            effects.append(Say(timers.ready_prompt(step.timer.seconds)))
            return replace(base, mode=Mode.READY), effects
        if index == 0 and not step.items:
            effects.append(Say('Say "next step" when it is done.'))
        return replace(base, mode=Mode.STEP), effects

    def _complete(self, state: State) -> tuple[State, Effects]:
        if self.procedure.rehearsal:
            text = prompts.REHEARSAL_FINISHED
        else:
            text = self.procedure.finish or "That is the end of the procedure."
        return self._end(state, Outcome.COMPLETED, text)

    def _end(self, state: State, outcome: Outcome, text: str) -> tuple[State, Effects]:
        ended = replace(state, mode=Mode.ENDED, outcome=outcome, quiet_since=None, timer_end=None)
        return ended, [
            Say(text),
            Emit(dose.ended_event(state, outcome, self.total)),
            End(outcome),
        ]

    def _hint(self, state: State) -> str:
        return gather.hint(self.step(state), state) or prompts.hint(state.mode, checks.question(self, state))


_HANDLERS = {
    (None, Intent.NEXT): Session._next,
    (Mode.TIMER, Intent.NEXT): Session._next_during_timer,
    (Mode.READY, Intent.NEXT): Session._start_timer,
    (Mode.STEP, Intent.PAUSE): Session._hold,
    (Mode.READY, Intent.PAUSE): Session._hold,
    (Mode.CHECK, Intent.YES): checks.yes,
    (Mode.CHECK, Intent.NO): checks.no,
    (Mode.CONFIRM, Intent.YES): checks.yes,
    (Mode.CONFIRM, Intent.NO): checks.not_confirmed,
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
