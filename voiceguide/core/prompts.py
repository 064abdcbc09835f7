"""What the session says when asked for help or reminded of what to do: the phrases each
moment accepts, the keys, and the hint for each mode. Pure."""

from __future__ import annotations

from voiceguide.core.intents import ALLOWED, CONFIRM_PHRASE, Intent, Moment, taught_phrase
from voiceguide.core.procedure import Procedure
from voiceguide.core.session_types import Mode

KEYS_HELP = (
    "On a keyboard, switch or pedal: Space or Enter for next, R repeat, B back, S stop, Y yes, C resume."
)
"""One-key control, as "help" says it (ui/keys.py has the full map; a check needs Y, never Space)."""
SAFE_EXIT_HINT = (
    'When it is sorted out, say "go back" to return to this step, or say "end session" to finish.'
)
"""Said after the safe guidance that follows a "no" at a critical check."""


def help_text(mode: Mode, moment: Moment) -> str:
    """The answer to "help" at ``moment``: what can be said here, and the keys."""
    said = ", ".join(f'"{taught_phrase(i, moment)}"' for i in Intent if i in ALLOWED[moment])
    text = f"You can say: {said}."
    if mode is Mode.CHECK:
        text = f'This is a safety check: please answer "yes" or "no". {text}'
    elif mode is Mode.CONFIRM:
        text = (
            f'This is a safety check, and I heard "yes": say "{CONFIRM_PHRASE}" to '
            f'go on, or "no" to hear the question again. {text}'
        )
    return f"{text} {KEYS_HELP}"


def hint(mode: Mode, question: str) -> str:
    """The reminder for ``mode`` after silence or an unclear answer (``question``: the open
    check's question, if any)."""
    return {
        Mode.STEP: 'Say "next step" when this step is done, or "help".',
        Mode.CHECK: f'{question} Please answer "yes" or "no".'.strip(),
        Mode.CONFIRM: f'{question} I heard "yes". Say "{CONFIRM_PHRASE}" to go on, or "no".'.strip(),
        Mode.TIMER: 'The timer is running. Say "repeat" to hear the time left.',
        Mode.PAUSED: 'The session is paused. Say "resume" to carry on, or "end session" to finish.',
        Mode.SAFE_EXIT: SAFE_EXIT_HINT,
    }.get(mode, "")


def opening(procedure: Procedure, first_step: int, total: int, verbosity: str) -> list[str]:
    """What is said before the first step: where a resumed session carries on, what a
    rehearsal is, or the procedure's introduction; and that prompts are short when brief."""
    said = []
    if first_step:
        said.append(f"Carrying on where you stopped last time, at step {first_step + 1} of {total}.")
    elif procedure.rehearsal:
        said.append(
            f"This is a rehearsal of {procedure.title}: a dry run of the set-up and positioning. "
            'Do not inject today. Say "next step" when a step is done, "repeat" to hear '
            'it again, or "stop" at any time.'
        )
    elif procedure.intro:
        said.append(procedure.intro)
    if verbosity == "brief":
        said.append('Prompts are short today. Say "repeat" or "help" for the full explanation of a step.')
    return said
