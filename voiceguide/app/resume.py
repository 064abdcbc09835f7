"""The offer to carry on an unfinished session: said, then asked as a yes/no question.

Resuming is only starting a new session at a step index (``Session(first_step=...)``); the
unfinished session's journal stays as it was, and the new one names it (``resumes``).
"""

from __future__ import annotations

import time

from voiceguide.app.asking import Conversation
from voiceguide.core.procedure import Procedure
from voiceguide.records.sessions import SessionRecord


def resume_index(procedure: Procedure, record: SessionRecord) -> int | None:
    """The 0-based step to carry on at: the step ``record`` reached, found by its id (by its
    number if the step count is unchanged), or None if it is not in ``procedure`` any more."""
    for index, step in enumerate(procedure.steps):
        if step.id == record.step_id:
            return index
    if record.step_id is None and record.total == len(procedure.steps) and 0 < record.step <= record.total:
        return record.step - 1
    return None


def when(at: float | None) -> str:
    if at is None:
        return "at an unknown time"
    local = time.localtime(at)
    return time.strftime(f"on %A {local.tm_mday} %B at %H:%M", local)


def offer_resume(talk: Conversation, procedure: Procedure, record: SessionRecord) -> int | None:
    """The 0-based step to start at (0: from the beginning), or None when no answer came."""
    if record.digest and procedure.digest and record.digest != procedure.digest:
        talk.say(
            f"Your last session, {when(record.started)}, did not finish. The procedure "
            f"file has changed since then, so we will start from the beginning."
        )
        return 0
    index = resume_index(procedure, record)
    if index is None or index == 0:
        talk.say(
            f"Your last session, {when(record.started)}, did not finish. Its step is not in "
            "this procedure any more, so we will start from the beginning."
            if index is None
            else f"Your last session, {when(record.started)}, did not finish. "
            "We will start from the beginning."
        )
        return 0
    step = procedure.steps[index]
    talk.say(
        f"Your last session, {when(record.started)}, did not finish. It stopped at step "
        f"{index + 1} of {len(procedure.steps)}: {step.title}."
    )
    answer = talk.ask_yes_no(
        f"Do you want to carry on at step {index + 1}, {step.title}? "
        'Say "no" to start again from the beginning.'
    )
    if answer is None:
        return None
    return index if answer else 0
