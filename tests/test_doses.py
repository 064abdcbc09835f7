"""A dose is never lost, misstated or given twice by accident (safety rule 6), in pure logic
and with the text adapters: the dose step, the journal that keeps what it cannot write, the
summaries, the report rows, the second-dose guard and the resume offer. The same items
through the command line are in test_doses_cli.py."""

from __future__ import annotations

import errno
import io
import json
import os
import stat
import time

import pytest

from voiceguide.app.adapters import Adapters
from voiceguide.app.asking import Conversation
from voiceguide.app.dose_guard import starting_point, warning
from voiceguide.app.resume import resume_index
from voiceguide.app.runner import Runner
from voiceguide.core.events import Event, EventType, event
from voiceguide.core.intents import Intent
from voiceguide.core.procedure import load_procedure, parse_procedure
from voiceguide.core.profile import load_profile
from voiceguide.core.rotation import with_site_choice
from voiceguide.core.session import Session
from voiceguide.core.session_types import Command, Mode, Outcome, Saving, Say, SpeechEnded, Start
from voiceguide.errors import FileProblem, ReportError
from voiceguide.records.history import rows, sites_used
from voiceguide.records.journal import FileJournal
from voiceguide.records.report import render_html, write_private
from voiceguide.records.sessions import load_records, summarise
from voiceguide.records.unsaved import merge
from voiceguide.ui.text_io import ConsoleDisplay, FakeClock, MemoryJournal, QuietSpeaker, ScriptedListener

pytestmark = pytest.mark.unit

QUICK = """\
id: quick-dose
title: Quick dose
steps:
  - {id: ready, title: Get ready, say: Get ready.}
  - {id: site, title: Your site, say: Your site., site: true}
  - {id: inject, title: Inject, say: Inject., dose: true}
  - id: sharps
    title: Sharps away
    say: Put the sharps away.
    check:
      question: Are the sharps in the container?
      if_no: Put them in the sharps container now.
  - {id: aftercare, title: Aftercare, say: Aftercare.}
"""
T0 = 1_765_000_000.0


def quick(sites=("left thigh", "right thigh"), last=None):
    profile = load_profile("example")
    from dataclasses import replace

    return with_site_choice(parse_procedure("quick.yaml", QUICK), replace(profile, sites=sites), last)


def said(effects) -> str:
    return " ".join(e.text for e in effects if isinstance(e, Say))


def kinds(effects) -> list[EventType]:
    return [e.event.type for e in effects if hasattr(e, "event")]


def drive(session, *intents, state=None):
    """Feed commands (keyboard, so a "yes" needs no "confirm"); every effect, in order."""
    effects = []
    if state is None:
        state, more = session.transition(session.start(), Start(0.0))
        effects += more
    for number, intent in enumerate(intents, 1):
        state, more = session.transition(state, Command(float(number), intent, intent.value))
        effects += more
    return state, effects


# -- the dose step ------------------------------------------------------------------------


def test_the_b12_procedure_marks_its_injection_step_as_the_dose_step():
    procedure = load_procedure("b12-im")
    assert [step.id for step in procedure.steps if step.dose] == ["inject"]


def test_a_second_dose_step_is_refused_naming_file_and_line(tmp_path):
    text = QUICK.replace(
        "{id: aftercare, title: Aftercare, say: Aftercare.}", "{id: more, title: M, say: M., dose: true}"
    )
    with pytest.raises(FileProblem) as caught:
        parse_procedure("two.yaml", text)
    assert str(caught.value).startswith("two.yaml:13: only one step may have 'dose: true'")
    assert "inject" in str(caught.value)


def test_moving_past_the_dose_step_records_dose_given_once_with_the_site():
    session = Session(quick())
    state, effects = drive(
        session, Intent.NEXT, Intent.YES, Intent.NEXT, Intent.NEXT, Intent.BACK, Intent.NEXT
    )
    given = [e.event for e in effects if hasattr(e, "event") and e.event.type is EventType.DOSE_GIVEN]
    assert [item.data for item in given] == [{"step": "inject", "site": "left thigh"}]
    assert state.dose_given


def test_after_the_dose_a_no_is_guidance_recorded_and_the_session_carries_on():
    """Item 3: the sharps check after the injection answered "no"."""
    session = Session(quick())
    state, effects = drive(session, Intent.NEXT, Intent.YES, Intent.NEXT, Intent.NEXT, Intent.NO)
    assert state.mode is Mode.STEP and state.index == 4
    text = said(effects[-2:])
    assert "Put them in the sharps container now." in text and "try again" not in text
    answered = [
        e.event.data for e in effects if hasattr(e, "event") and e.event.type is EventType.CHECK_ANSWERED
    ]
    assert answered[-1] == {"step": "sharps", "answer": "no", "after_dose": True}
    state, effects = drive(session, Intent.NEXT, Intent.NEXT, state=state)
    assert state.outcome is Outcome.COMPLETED
    ended = [e.event.data for e in effects if hasattr(e, "event") and e.event.type is EventType.SESSION_ENDED]
    assert ended == [{"outcome": "completed", "step": 6, "total": 6, "dose_given": True}]


def test_ending_after_the_dose_keeps_it_and_never_says_try_again():
    session = Session(quick())
    state, effects = drive(
        session, Intent.NEXT, Intent.YES, Intent.NEXT, Intent.NEXT, Intent.NO, Intent.STOP, Intent.END
    )
    assert state.outcome is Outcome.ENDED
    assert "try again" not in said(effects) and "Your dose is recorded as given." in said(effects)
    assert effects[-2].event.data["dose_given"] is True


def test_when_nothing_can_be_saved_the_dose_step_waits_for_yes_then_confirm():
    """The decision in docs/safety.md: said, and an explicit "yes" (spoken: then "confirm")."""
    session = Session(quick())
    state, _ = drive(session, Intent.NEXT, Intent.YES)
    state, _ = session.transition(state, Saving(3.0, failing=True))
    state, effects = session.transition(state, Command(4.0, Intent.NEXT, "next step"))
    assert state.mode is Mode.CHECK and state.saving_check and EventType.STEP_STARTED not in kinds(effects)
    assert "I can't save your record" in said(effects) and "write down the time" in said(effects)
    state, effects = session.transition(state, Command(5.0, Intent.YES, "yes", spoken=True))
    assert state.mode is Mode.CONFIRM
    state, effects = session.transition(state, Command(6.0, Intent.YES, "confirm", spoken=True))
    assert state.mode is Mode.STEP and state.index == 3 and EventType.STEP_STARTED in kinds(effects)
    # a "no" instead is safe guidance: do not inject yet
    state, _ = drive(session, Intent.NEXT, Intent.YES)
    state, _ = session.transition(state, Saving(3.0, failing=True))
    state, _ = session.transition(state, Command(4.0, Intent.NEXT, "n"))
    state, effects = session.transition(state, Command(5.0, Intent.NO, "no"))
    assert state.mode is Mode.SAFE_EXIT and "Do not inject yet." in said(effects)


class FailingWrites:
    """``os.write`` that fails with a full disk while ``full`` is set."""

    def __init__(self):
        self.full = False

    def __call__(self, fd: int, data: bytes) -> int:
        if self.full:
            raise OSError(errno.ENOSPC, "No space left on device")
        return os.write(fd, data)


def test_a_failed_write_is_kept_retried_and_the_rest_goes_to_a_private_fallback(tmp_path):
    """Item 1, the journal: nothing is dropped; the next run reads and merges the fallback."""
    disk = FailingWrites()
    fallback = [tmp_path / "unsaved"]
    journal = FileJournal("quick-dose", tmp_path / "data", fallback=fallback, write=disk)
    journal.record(
        event(
            EventType.SESSION_STARTED, procedure="quick-dose", title="Q", steps=5, dose_step="inject"
        ).stamped(T0)
    )
    disk.full = True
    journal.record(
        event(EventType.STEP_STARTED, index=3, total=5, step="inject", title="Inject").stamped(T0 + 1)
    )
    assert journal.problem == "the disk is full" and journal.unwritten
    disk.full = False
    journal.record(event(EventType.DOSE_GIVEN, step="inject", site="left thigh").stamped(T0 + 2))
    assert journal.problem is None and not journal.unwritten  # caught up, in order
    disk.full = True
    journal.record(
        event(EventType.SESSION_ENDED, outcome="completed", step=5, total=5, dose_given=True).stamped(T0 + 3)
    )
    journal.close()
    assert journal.kept == fallback[0] / journal.path.name
    assert stat.S_IMODE(journal.kept.stat().st_mode) == 0o600
    assert stat.S_IMODE(fallback[0].stat().st_mode) == 0o700
    [record] = load_records(tmp_path / "data", fallback).sessions
    assert record.completed and record.dose == "yes" and record.site == "left thigh"
    assert merge(tmp_path / "data" / "sessions", fallback) == 1 and not journal.kept.exists()
    [record] = load_records(tmp_path / "data", fallback).sessions
    assert record.completed and record.dose == "yes"


def test_the_runner_says_once_that_saving_fails_and_asks_before_the_dose_step(tmp_path):
    disk = FailingWrites()
    clock = FakeClock()
    journal = FileJournal("quick-dose", tmp_path, fallback=[tmp_path / "unsaved"], write=disk)
    out = io.StringIO()

    class FillsUp(ScriptedListener):
        def listen(self, timeout):
            if len(self.script) == 3:  # the disk fills up before "next step" at the site step
                disk.full = True
            return super().listen(timeout)

    script = ["next step", "yes", "next step", "yes", "next step"]

    class Heard(QuietSpeaker):
        said: list[str] = []

        def say(self, text, rate, volume):
            self.said.append(text)

    speaker = Heard()
    io_ = Adapters(speaker, FillsUp(script, clock), journal, ConsoleDisplay(out), clock, clock.now)
    outcome = Runner(Session(quick()), io_).run()
    journal.close()
    shown = out.getvalue()
    assert shown.count("I can't save your record: the disk is full.") == 1
    assert "Do you want to go on to the injection without a saved record?" in shown
    [told] = [text for text in speaker.said if "I can't save your record: the disk is full." in text]
    assert "Do you want to go on to the injection" in told  # one utterance: the notice is not cut off
    assert outcome is Outcome.INPUT_CLOSED
    [record] = load_records(tmp_path, [tmp_path / "unsaved"]).sessions
    assert record.dose == "yes" and record.outcome == "input_closed"


# -- reading the journals back -------------------------------------------------------------


def started(**more) -> Event:
    return event(
        EventType.SESSION_STARTED,
        session="a1",
        procedure="quick-dose",
        title="Quick dose",
        steps=5,
        dose_step="inject",
        **more,
    ).stamped(T0)


def test_bad_values_are_skipped_and_counted_never_a_traceback(tmp_path):
    """Item 5: "at": "yesterday" and "index": "x"."""
    folder = tmp_path / "sessions"
    folder.mkdir()
    lines = [
        started().to_json(),
        '{"type": "step_started", "at": "yesterday", "index": 2, "total": 5, "step": "site", "title": "S"}',
        '{"type": "step_started", "at": 1765000003, "index": "x", "total": 5, "step": "site", "title": "S"}',
        '{"type": "step_started", "at": 1765000004, "index": 1, "total": 5, "step": "ready", "title": "Get ready"}',
        '{"type": "checkin", "at": 1765000005, "effects": 5}',
    ]
    (folder / "a.jsonl").write_text("\n".join(lines) + "\n")
    opening = started().to_dict() | {"session": "b2", "steps": "x"}  # one bad value in the opening
    (folder / "b.jsonl").write_text(json.dumps(opening) + "\n")
    records = load_records(tmp_path, [])
    assert records.partial == 4 and "4 entries were partial" in records.partial_note()
    first, second = records.sessions
    assert first.step == 1 and first.status() == "stopped at step 1 of 5: Get ready (no end recorded)"
    assert second.session == "b2" and second.procedure == "quick-dose"  # the session is kept


def test_a_session_that_stopped_before_its_first_step_never_says_step_0():
    record, _, _ = summarise(
        [started(), event(EventType.SESSION_ENDED, outcome="interrupted", step=0, total=5).stamped(T0 + 1)]
    )
    assert record.status() == "stopped before the first step (interrupted)"


def parts_of_one_attempt() -> list[list[Event]]:
    """A session crashed after the dose (site confirmed, a "no" put right), resumed and
    completed; two check-ins at their own times."""
    first = [
        started(),
        event(EventType.STEP_STARTED, index=2, total=5, step="site", title="Your site").stamped(T0 + 60),
        event(EventType.SITE_CHOSEN, step="today", site="left thigh").stamped(T0 + 70),
        event(EventType.STEP_STARTED, index=3, total=5, step="inject", title="Inject").stamped(T0 + 80),
        event(EventType.DOSE_GIVEN, step="inject", site="left thigh").stamped(T0 + 13 * 60),
        event(EventType.STEP_STARTED, index=4, total=5, step="sharps", title="Sharps away").stamped(
            T0 + 14 * 60
        ),
        event(EventType.CHECK_ANSWERED, step="sharps", answer="no").stamped(T0 + 14 * 60 + 5),
    ]
    second = [
        event(
            EventType.SESSION_STARTED,
            session="b2",
            procedure="quick-dose",
            title="Quick dose",
            steps=5,
            dose_step="inject",
            resumes="a1",
            first_step=4,
            dose_given=True,
        ).stamped(T0 + 15 * 60),
        event(EventType.STEP_STARTED, index=4, total=5, step="sharps", title="Sharps away").stamped(
            T0 + 15 * 60
        ),
        event(EventType.CHECK_ANSWERED, step="sharps", answer="yes").stamped(T0 + 16 * 60),
        event(EventType.SESSION_ENDED, outcome="completed", step=5, total=5, dose_given=True).stamped(
            T0 + 17 * 60
        ),
        event(EventType.CHECKIN, effects=["none"], concerning=[], about="b2").stamped(T0 + 19 * 60),
        event(EventType.CHECKIN, effects=["severe_pain"], concerning=["severe_pain"], about="b2").stamped(
            T0 + 28 * 60
        ),
    ]
    return [first, second]


def write_journals(root, parts):
    folder = root / "sessions"
    folder.mkdir(parents=True)
    for number, events in enumerate(parts):
        session = events[0].data["session"]
        (folder / f"2025120{number}-quick-dose-{session}.jsonl").write_text(
            "".join(json.dumps({"session": session, **item.to_dict()}) + "\n" for item in events)
        )


def test_one_row_per_injection_attempt_sites_count_doses_and_checkins_keep_their_time(tmp_path):
    """Item 4: resumed parts merged; the site counted once; check-ins not merged."""
    write_journals(tmp_path, parts_of_one_attempt())
    records = load_records(tmp_path, [])
    [row] = rows(records)
    assert row.dose == "yes" and row.site == "left thigh" and row.declined == ("Sharps away",)
    assert row.result.startswith("completed")
    assert sites_used([row], None) == [("left thigh", 1, time.strftime("%Y-%m-%d", time.localtime(T0)))]
    page = render_html([row], sites_used([row], None), [], [], None, [("Patient", "P. Example")])
    hhmm = [time.strftime("%H:%M", time.localtime(T0 + m * 60)) for m in (19, 28)]
    assert all(f"{t}</td><td>" in page for t in hhmm)  # each check-in on its own row, at its time
    assert "<dt>Patient</dt><dd>P. Example</dd>" in page


def test_an_unfinished_attempt_names_its_last_step_and_whether_the_dose_was_given(tmp_path):
    write_journals(tmp_path, parts_of_one_attempt()[:1])
    [row] = rows(load_records(tmp_path, []))
    assert row.cells()[2] == "stopped at step 4 of 5: Sharps away (no end recorded)"
    assert row.cells()[3] == "yes" and row.cells()[4] == "Sharps away"


# -- guard and resume ------------------------------------------------------------------------


def test_the_guard_warns_within_the_interval_and_after_an_unfinished_dose(tmp_path):
    write_journals(tmp_path, parts_of_one_attempt())
    records = load_records(tmp_path, [])
    text = warning(records, "quick-dose", 30, T0 + 3600)
    when = time.strftime("%H:%M", time.localtime(T0 + 13 * 60))
    assert text.startswith(f"Your last dose was recorded today at {when}.") or "yesterday" in text
    assert warning(records, "quick-dose", 30, T0 + 31 * 86400) is None
    (tmp_path / "sessions" / "20251201-quick-dose-b2.jsonl").unlink()
    unfinished = load_records(tmp_path, [])
    assert "Your last dose was recorded" in warning(unfinished, "quick-dose", 30, T0 + 40 * 86400)


def talk_with(script, tmp_path):
    clock = FakeClock()
    out = io.StringIO()
    io_ = Adapters(
        QuietSpeaker(),
        ScriptedListener(script, clock),
        MemoryJournal(),
        ConsoleDisplay(out),
        clock,
        clock.now,
    )
    return Conversation(io_), out


@pytest.mark.parametrize(
    ("script", "started"),
    [(["yes", "confirm"], True), (["yes", "no"], False), (["no"], False), (["yes"], False)],
)
def test_the_guard_needs_yes_then_confirm(tmp_path, script, started):
    write_journals(tmp_path, parts_of_one_attempt())
    talk, out = talk_with(script, tmp_path)
    found = starting_point(talk, quick(), None, load_records(tmp_path, []), T0 + 3600)
    assert (found is not None) is started
    assert "Going on could mean a second dose." in out.getvalue()


def test_the_resume_offer_after_a_passed_dose_says_so_and_offers_only_later_steps(tmp_path):
    first = parts_of_one_attempt()[0]
    back = event(EventType.STEP_STARTED, index=2, total=5, step="site", title="Your site").stamped(T0 + 900)
    write_journals(tmp_path, [first + [back]])  # it went back before the dose step, then crashed
    [record] = load_records(tmp_path, []).sessions
    procedure = quick()
    assert record.dose == "yes" and resume_index(procedure, record) == procedure.dose_index + 1
    talk, out = talk_with(["no", "no"], tmp_path)
    assert starting_point(talk, procedure, None, load_records(tmp_path, []), T0 + 3600) is None
    shown = out.getvalue()
    assert "so your dose is recorded as given" in shown and "carry on at step 5, Sharps away" in shown
    assert "Going on could mean a second dose." in shown  # "no" leads to the guard, not step 1


# -- the report file -------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["symlink", "folder", "fifo"])
def test_a_report_target_that_is_not_a_regular_file_is_refused(tmp_path, kind):
    """Item 6, in one line; the thing that was there is left as it was."""
    target = tmp_path / "out.html"
    if kind == "symlink":
        (tmp_path / "real").write_text("kept")
        target.symlink_to(tmp_path / "real")
    elif kind == "folder":
        target.mkdir()
    else:
        os.mkfifo(target)
    with pytest.raises(ReportError) as caught:
        write_private(target, "<html>")
    assert "\n" not in str(caught.value) and "will not write the report over" in str(caught.value)
    assert kind != "symlink" or (target.is_symlink() and (tmp_path / "real").read_text() == "kept")


def test_a_report_replaces_a_regular_file_atomically(tmp_path):
    target = tmp_path / "out.csv"
    target.write_text("old")
    write_private(target, "new")
    assert target.read_text() == "new" and stat.S_IMODE(target.stat().st_mode) == 0o600
    assert [p.name for p in tmp_path.iterdir()] == ["out.csv"]


def test_first_and_last_steps_of_a_procedure_without_a_dose_step_record_no_dose():
    procedure = parse_procedure("plain.yaml", QUICK.replace(", dose: true", ""))
    session = Session(procedure)
    state, effects = drive(session, *[Intent.NEXT] * 3, Intent.YES, Intent.NEXT)
    assert EventType.DOSE_GIVEN not in kinds(effects) and state.outcome is Outcome.COMPLETED
    assert effects[-2].event.data["dose_given"] is False


def test_speech_end_does_not_change_the_dose(tmp_path):
    session = Session(quick(), first_step=4, resumes="a1", dose_given=True)
    state, effects = session.transition(session.start(), Start(0.0))
    assert effects[0].event.data["dose_given"] is True
    state, _ = session.transition(state, SpeechEnded(1.0))
    assert state.dose_given


def test_the_guard_says_an_older_dose_date_without_a_leading_zero():
    from datetime import datetime

    from voiceguide.app.dose_guard import spoken_time

    dose = datetime(2026, 12, 2, 9, 5).timestamp()
    now = datetime(2026, 12, 7, 14, 0).timestamp()
    assert spoken_time(dose, now) == "on Wednesday 2 December at 09:05"
    assert spoken_time(now - 3600, now) == "today at 13:00"
