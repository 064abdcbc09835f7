"""Property: whatever is answered, wherever the program dies and whichever writes fail, the
record never shows fewer doses than were given, and resume never offers a step before a
passed dose step (safety rules 5 and 6).

Each example runs a real ``Runner`` over a procedure with a dose step, answered from a random
script, with the real ``FileJournal`` on a temporary folder whose writes fail (a full disk)
over a random span of write calls, and optionally dies at a random write (kill -9: nothing in
memory survives, and a line may be torn). If it died, a second run resumes where the record
says. The records are then read back as ``history`` and ``run`` would read them.

A dose whose own record was cut off by the crash shows as "unknown", which the guard and the
report treat as possibly given. The one case the record may show fewer doses is when neither the journal nor any fallback
folder takes a write and the program then dies (or exits with the rest kept nowhere): the
user was then told that saving fails before moving past the dose step (and, if it failed
before the dose step was reached, answered "yes" to going on without a saved record;
docs/safety.md, "dose not recorded"). Some examples model a fallback folder that cannot be
written either, so that case is met.

Hypothesis runs derandomised in CI (tests/conftest.py's profile), so a red run replays.
"""

from __future__ import annotations

import errno
import io
import os
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, event, example, given, settings
from hypothesis import strategies as st

from voiceguide.app.adapters import Adapters
from voiceguide.app.resume import resume_index
from voiceguide.app.runner import Runner
from voiceguide.core.events import EventType
from voiceguide.core.procedure import parse_procedure
from voiceguide.core.session import Session
from voiceguide.records.history import attempt_dose, attempts
from voiceguide.records.journal import FileJournal
from voiceguide.records.sessions import load_records
from voiceguide.records.unsaved import merge
from voiceguide.ui.text_io import ConsoleDisplay, FakeClock, ScriptedListener

pytestmark = pytest.mark.slow  # 200 whole sessions with crashes and write failures: a few seconds

PROCEDURE = parse_procedure(
    "prop.yaml",
    """\
id: prop
title: Property
steps:
  - {id: ready, title: Ready, say: Ready.}
  - id: label
    title: Label
    say: Check the label.
    check: {question: "Label right", if_no: Do not inject.}
  - {id: inject, title: Inject, say: Inject., dose: true}
  - {id: withdraw, title: Withdraw, say: Withdraw the needle.}
  - id: sharps
    title: Sharps
    say: Sharps away.
    check: {question: "Sharps away", if_no: Put them away now.}
  - {id: after, title: Aftercare, say: Aftercare.}
""",
)
DOSE = PROCEDURE.dose_index
ANSWERS = ["next step", "yes", "no", "go back", "stop", "resume", "end session", "repeat", "skip step"]
TO_THE_DOSE = ["next step", "yes", "next step"]
"""Answers that reach the dose step (most random scripts never would); a "yes" after them
answers the question asked before it when nothing can be saved."""
PREFIXES = [[], TO_THE_DOSE, TO_THE_DOSE + ["next step"], TO_THE_DOSE + ["yes", "next step"]]


class Died(BaseException):
    """kill -9 at a write: nothing after it happens, nothing in memory survives."""


class Disk:
    """``os.write`` for the journal: full over calls [full_from, full_to), dead at ``die_at``
    (after writing ``torn`` bytes of that call)."""

    def __init__(self, full_from, full_to, die_at, torn):
        self.calls = 0
        self.full_from, self.full_to, self.die_at, self.torn = full_from, full_to, die_at, torn

    def __call__(self, fd: int, data) -> int:
        self.calls += 1
        if self.die_at is not None and self.calls >= self.die_at:
            os.write(fd, bytes(data[: self.torn]))
            raise Died()
        if self.full_from is not None and self.full_from <= self.calls < (self.full_to or 10**9):
            raise OSError(errno.ENOSPC, "No space left on device")
        return os.write(fd, data)


class Seen:
    """A display that notes what the session did (it is shown after it is recorded)."""

    def __init__(self):
        self.told_unsaved = False
        self.told_before_dose = False
        """Told that saving fails before moving past the dose step."""
        self.console = ConsoleDisplay(io.StringIO())

    def show(self, item) -> None:
        if item.type is EventType.NOTICE and "can't save your record" in item.data["text"]:
            self.told_unsaved = True
        if item.type is EventType.DOSE_GIVEN:
            self.told_before_dose = self.told_unsaved
        self.console.show(item)


def run_once(root: Path, fallback: list[Path], script, disk: Disk, first=0, resumes=None, dose=False):
    clock = FakeClock()
    journal = FileJournal("prop", root, fallback=fallback, write=disk)
    seen = Seen()
    io_ = Adapters(None, ScriptedListener(script, clock), journal, seen, clock, clock.now)
    from voiceguide.ui.text_io import QuietSpeaker

    io_.speaker = QuietSpeaker()
    runner = Runner(Session(PROCEDURE, first_step=first, resumes=resumes, dose_given=dose), io_)
    died = False
    try:
        runner.run()
        journal.close()  # it may die here too, writing what it kept
    except Died:
        died = True
    lost = died or journal.lost > 0  # in memory only, or kept nowhere
    return runner.state.dose_given, lost, seen


@settings(max_examples=200, suppress_health_check=[HealthCheck.too_slow])
@given(
    script=st.tuples(
        st.sampled_from(PREFIXES),
        st.lists(st.sampled_from(ANSWERS), max_size=20),
    ).map(lambda parts: parts[0] + parts[1]),
    later=st.lists(st.sampled_from(ANSWERS), max_size=12),
    full_from=st.none() | st.integers(1, 30),
    full_for=st.integers(0, 12),
    die_at=st.none() | st.integers(1, 40),
    torn=st.integers(0, 40),
    fallback_full=st.booleans(),
)
# always tried: the disk fills before the dose step and stays full (clean exit; killed after
# the dose), and going back to the dose step after passing it, then killed
@example(TO_THE_DOSE + ["yes", "next step"], [], 5, 0, None, 0, False)
@example(TO_THE_DOSE + ["yes", "next step", "next step"], [], 5, 0, 40, 7, False)
@example(TO_THE_DOSE + ["next step", "go back"], ["next step"], None, 0, 30, 3, False)
def test_the_record_never_shows_fewer_doses_and_resume_never_goes_before_the_dose(
    script, later, full_from, full_for, die_at, torn, fallback_full
):
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder) / "data"
        spare = Path(folder) / "unsaved"
        if fallback_full:  # the fallback folder cannot be made: a file stands in its way
            spare.write_text("")
        fallback = [spare]
        full_to = full_from + full_for if full_from is not None and full_for else None  # 0: to the end
        given_first, lost, seen = run_once(root, fallback, script, Disk(full_from, full_to, die_at, torn))
        doses_given = int(given_first)
        risked = fallback_full and lost and seen.told_before_dose
        event(f"dose given {given_first}, lost {lost}, told {seen.told_unsaved}, risked {risked}")

        records = load_records(root, fallback)
        point = records.resume_point("prop")
        if point is not None:
            index = resume_index(PROCEDURE, point)
            if point.dose == "yes":  # never a step at or before the passed dose step
                assert index is None or index > DOSE
            event(f"resume offered, dose {point.dose}")
            if index:  # carry on there, on a healthy disk this time
                passed = point.dose == "yes"
                given_later, _, _ = run_once(
                    root, fallback, later, Disk(None, None, None, 0), index, point.session, passed
                )
                doses_given = max(doses_given, int(given_later))  # one attempt: at most one dose
        merge(root / "sessions", fallback)
        records = load_records(root, fallback)
        doses = [attempt_dose(parts) for parts in attempts(records)]
        # "unknown" (it died while recording the move past the dose step) counts as a dose:
        # the guard warns about it and the report says "unknown", never "no"
        assert sum(dose in ("yes", "unknown") for dose in doses) >= doses_given or risked
        assert doses.count("yes") <= 1  # one attempt: never two doses out of one
