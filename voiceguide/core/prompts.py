"""What the session says when asked for help or reminded of what to do: the phrases each
moment accepts, the keys, and the hint for each mode. Pure."""

from __future__ import annotations

from voiceguide.core.intents import ALLOWED, CONFIRM_PHRASE, Intent, Moment, taught_phrase
from voiceguide.core.procedure import Procedure
from voiceguide.core.session_types import Mode

KEY_GUIDE = (
    ("Space or Enter", Intent.NEXT),
    ("R", Intent.REPEAT),
    ("B", Intent.BACK),
    ("S or Esc", Intent.STOP),
    ("Y", Intent.YES),
    ("N", Intent.NO),
    ("H", Intent.HELP),
    ("W", Intent.WHERE),
    ("C", Intent.RESUME),
    ("E", Intent.END),
)
"""The one-key control (window, terminal keys, switch or pedal) as help and the window show it;
ui/keys.py maps the keys. A check needs Y, never Space; N is "no" where a yes/no question is open."""
TYPED_KEYS = (
    ("n", Intent.NEXT),
    ("y", Intent.YES),
    ("n", Intent.NO),
    ("r", Intent.REPEAT),
    ("b", Intent.BACK),
    ("s", Intent.STOP),
    ("p", Intent.PAUSE),
    ("h", Intent.HELP),
    ("w", Intent.WHERE),
    ("c", Intent.RESUME),
    ("e", Intent.END),
)
"""Single letters typed on a line with ``--engine keyboard`` (``intents.KEYS``)."""
SAFE_EXIT_HINT = (
    'When it is sorted out, say "go back" to return to this step, or say "end session" to finish.'
)
"""Said after the safe guidance that follows a "no" at a critical check."""
REHEARSAL_FINISHED = (
    "The rehearsal is finished. You did not inject today. When you are ready "
    "for a real session, start it without the rehearsal option."
)
CHECK_REASON = 'This is a safety check: please answer "yes" or "no".'
"""Why a command other than an answer does nothing at a critical check."""


def one_key_help(allowed: frozenset[Intent] | set[Intent]) -> str:
    """ "Space or Enter: next, R: repeat, ..." for the keys that do something here."""
    shown = []
    for key, intent in KEY_GUIDE:
        if intent is Intent.NEXT and Intent.NEXT not in allowed and Intent.RESUME in allowed:
            intent = Intent.RESUME  # the go-on key resumes a paused session
        elif intent not in allowed or (intent is Intent.RESUME and Intent.NEXT not in allowed):
            continue
        shown.append(f"{key}: {intent.value}")
    return ", ".join(shown)


def typed_help(allowed: frozenset[Intent] | set[Intent], moment: Moment) -> str:
    """What can be typed here with ``--engine keyboard``: the empty line, and the letters."""
    yes_no = Intent.YES in allowed and Intent.NO in allowed
    letters = [
        f"{key} {intent.value}"
        for key, intent in TYPED_KEYS
        if intent in allowed and not (key == "n" and intent is Intent.NEXT and yes_no)
    ]
    if Intent.NEXT in allowed:
        empty = "An empty line is next. "
    elif Intent.RESUME in allowed:
        empty = "An empty line is resume. "
    else:
        empty = ""
    return f"Type a command and press Enter. {empty}Letters: {', '.join(letters)}."


def allowed_here(moment: Moment, skippable: bool, first: bool) -> frozenset[Intent]:
    """The intents that do something at ``moment`` on this step: "skip step" only where the
    step may be skipped, "go back" not on the first step (outside the safe guidance)."""
    allowed = set(ALLOWED[moment])
    if not skippable:
        allowed.discard(Intent.SKIP)
    if first and moment is not Moment.SAFE_EXIT:
        allowed.discard(Intent.BACK)
    return frozenset(allowed)


def help_text(
    mode: Mode, moment: Moment, allowed: frozenset[Intent], inputs: frozenset[str] = frozenset()
) -> str:
    """The answer to "help" at ``moment``: what can be said here (``allowed``), and the keys of
    the ``inputs`` in use ("typed": lines on standard input; "keys": one-key control)."""
    said = ", ".join(f'"{taught_phrase(i, moment)}"' for i in Intent if i in allowed)
    text = f"You can say: {said}."
    if mode is Mode.CHECK:
        text = f"{CHECK_REASON} {text}"
    elif mode is Mode.CONFIRM:
        text = (
            f'This is a safety check, and I heard "yes": say "{CONFIRM_PHRASE}" to '
            f'go on, or "no" to hear the question again. {text}'
        )
    if "typed" in inputs:
        text += f" {typed_help(allowed, moment)}"
    if "keys" in inputs:
        text += f" Keys: {one_key_help(allowed)}."
    return text


def hint(mode: Mode, question: str) -> str:
    """The reminder for ``mode`` after silence or an unclear answer (``question``: the open
    check's question, if any)."""
    return {
        Mode.STEP: 'Say "next step" when this step is done, or "help".',
        Mode.READY: 'Say "next step" when this is done, and I will start the timer.',
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
