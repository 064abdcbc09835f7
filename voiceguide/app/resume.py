"""The offer to carry on an unfinished session: said, then asked as a yes/no question.

Resuming is only starting a new session at a step index (``Session(first_step=...)``); the
unfinished session's journal stays as it was, and the new one names it (``resumes``). When
that session passed the dose step, the offer says so and only ever offers a step after it;
"no" then leads to the second-dose guard (``dose_guard``), never straight to step 1.
"""

from __future__ import annotations

import time

from voiceguide.app.asking import Conversation
from voiceguide.core.procedure import Procedure
from voiceguide.records.sessions import SessionRecord


def resume_index(procedure: Procedure, record: SessionRecord) -> int | None:
    """The 0-based step to carry on at: the step ``record`` reached, found by its id (by its
    number if the step count is unchanged), or None if it is not in ``procedure`` any more.
    After a passed dose step, never that step or one before it (the step after it; None when
    there is none)."""
    found = _reached(procedure, record)
    dose = procedure.dose_index
    if record.dose == "yes" and dose is not None and (found is None or found <= dose):
        return dose + 1 if dose + 1 < len(procedure.steps) else None
    return found


def _reached(procedure: Procedure, record: SessionRecord) -> int | None:
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
    dose = procedure.dose_index
    if record.dose == "yes" and dose is not None:
        return _offer_after_dose(talk, procedure, record, index)
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


def _offer_after_dose(
    talk: Conversation, procedure: Procedure, record: SessionRecord, index: int | None
) -> int | None:
    dose_step = procedure.steps[procedure.dose_index]
    passed = (
        f"Your last session, {when(record.started)}, did not finish. It went past step "
        f"{procedure.dose_index + 1}, {dose_step.title}, so your dose is recorded as given"
        + (f" at {time.strftime('%H:%M', time.localtime(record.dose_at))}." if record.dose_at else ".")
    )
    if index is None:
        talk.say(f"{passed} There are no steps after it to carry on with.")
        return 0
    step = procedure.steps[index]
    talk.say(f"{passed} It stopped at step {index + 1} of {len(procedure.steps)}: {step.title}.")
    answer = talk.ask_yes_no(f'Do you want to carry on at step {index + 1}, {step.title}? Say "no" if not.')
    if answer is None:
        return None
    return index if answer else 0
