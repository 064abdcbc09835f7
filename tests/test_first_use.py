"""What a nervous patient and a low-vision user meet first, through the real command line with
the keyboard engine (and the session with the text adapters): help that is true here, commands
at a check, reminders that fit the step, timers that wait for the user, the "no" key, one step
count, spoken dates, free check-in answers, the dose line, validate, resume and doctor."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import pytest
from cli_runner import cli_env, voiceguide

from voiceguide.app.adapters import Adapters, prepare_with_profile
from voiceguide.app.runner import Runner
from voiceguide.core.events import EventType
from voiceguide.core.procedure import load_procedure, parse_procedure
from voiceguide.core.rotation import with_site_choice
from voiceguide.core.session import Session
from voiceguide.ui.text_io import ConsoleDisplay, FakeClock, MemoryJournal, QuietSpeaker, ScriptedListener

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parent.parent


def vg(*args, input="", data=None, env=None):
    """``voiceguide ARGS`` as a user runs it, with no sound server and no window."""
    return voiceguide(*args, input=input, env=cli_env(data, extra=env))


def run_b12(lines, data, *more):
    return vg(
        "run",
        "b12-im",
        "--profile",
        "example",
        "--engine",
        "keyboard",
        *more,
        input="".join(f"{x}\n" for x in lines),
        data=data,
    )


def to_step(number):
    """Typed answers that reach step ``number`` of the B12 session (19 steps with the site step)."""
    procedure, profile = prepare_with_profile("b12-im", "example", False)
    steps = with_site_choice(procedure, profile, None).steps
    answers = []
    for step in steps[: number - 1]:
        answers.append("yes" if step.check else "next step")
    return answers, steps


def said_after(output: str, marker: str) -> str:
    return output[output.index(marker) :]


# -- 1. help says what is true here, for this input; an empty line is next ------------------------


def test_help_lists_only_what_works_on_this_step_and_input_and_an_empty_line_is_next(tmp_path):
    mine = tmp_path / "mine.yaml"
    mine.write_text(
        "id: mine\ntitle: Mine\nsteps:\n"
        "  - {id: a, title: A, say: First.}\n"
        "  - {id: b, title: B, say: Second., skippable: true}\n"
        "  - {id: c, title: C, say: Third.}\n"
    )
    script = "help\n\nhelp\nnext step\nhelp\nstop\nend session\n"
    out = vg("run", str(mine), "--engine", "keyboard", input=script, data=tmp_path / "data").stdout
    helps = [part.splitlines()[0] for part in out.split('heard: "help" -> help\n')[1:]]
    assert len(helps) == 3, out
    assert '"skip step"' not in helps[0] and '"go back"' not in helps[0]  # step 1: neither works
    assert "Space or Enter" not in helps[0] and "An empty line is next" in helps[0]
    assert "Step 2 of 3: B" in out  # the empty line moved on
    assert '"skip step"' in helps[1] and '"go back"' in helps[1]
    assert '"skip step"' not in helps[2] and '"go back"' in helps[2]


def test_an_empty_line_at_a_check_says_why_it_does_not_answer(tmp_path):
    answers, _ = to_step(5)
    result = run_b12([*answers, "", "stop", "end session"], tmp_path)
    at_check = said_after(result.stdout, "Step 5 of 19")
    assert 'This is a safety check: please answer "yes" or "no".' in at_check
    assert "Step 6 of 19" not in result.stdout and "didn't catch" not in at_check


# -- 2. where am I, repeat, help at a check; a refused command gets its reason --------------------


def test_where_repeat_and_help_work_at_a_check_and_next_step_never_passes_it(tmp_path):
    answers, _ = to_step(5)
    script = [*answers, "where am i", "next step", "repeat", "help", "yes", "stop", "end session"]
    result = run_b12(script, tmp_path)
    at_check = said_after(result.stdout, "Step 5 of 19")
    assert 'heard: "where am i" -> where' in at_check
    assert "voiceguide: Step 5 of 19: Sharps container within reach." in at_check
    assert "didn't catch" not in at_check
    reason = at_check.split('heard: "next step" -> not a command here\n')[1].splitlines()[0]
    assert 'This is a safety check: please answer "yes" or "no".' in reason
    assert 'heard: "repeat" -> repeat' in at_check and 'heard: "help" -> help' in at_check
    events = journal_events(tmp_path)
    answered = [e for e in events if e["type"] == "check_answered" and e["step"] == "sharps-container"]
    assert [e["answer"] for e in answered] == ["yes"]  # only the explicit yes passed it


def journal_events(data):
    events = []
    for path in sorted((Path(data) / "sessions").glob("*.jsonl")):
        events += [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
    return events


# -- 3. reminders fit the step; "wait" holds them until the user speaks ---------------------------


def run_text(procedure, script):
    clock = FakeClock(0.0)
    journal = MemoryJournal()
    runner = Runner(
        Session(procedure),
        Adapters(
            speaker=QuietSpeaker(),
            listener=ScriptedListener(script, clock),
            clock=clock,
            journal=journal,
            display=ConsoleDisplay(open(os.devnull, "w")),
            wall=clock.now,
        ),
    )
    runner.run()
    return journal


def test_reminders_wait_for_the_steps_expected_time_and_wait_holds_them():
    procedure, profile = prepare_with_profile("b12-im", "example", False)
    wash = [s.id for s in procedure.steps].index("wash-hands")
    assert procedure.steps[wash].expect_seconds == 60
    journal = run_text(procedure, ["next step", None, None])  # silence on "wash your hands"
    reminders = journal.of(EventType.REMINDER)
    started = journal.of(EventType.STEP_STARTED)[-1].at
    assert reminders and reminders[0].at - started == pytest.approx(60, abs=0.5)  # not 8 s
    first = journal.of(EventType.STEP_STARTED)[0].at
    journal = run_text(procedure, [None])  # step 1 has no expected time: the longer default
    assert journal.of(EventType.REMINDER)[0].at - first == pytest.approx(20, abs=0.5)
    journal = run_text(procedure, ["wait", None, None, "next step"])  # hours of silence
    assert journal.of(EventType.HELD) and not journal.of(EventType.REMINDER)
    assert journal.of(EventType.STEP_STARTED)[-1].data["index"] == 2  # speaking carries on


def test_expect_seconds_is_validated_and_reported_with_what_was_found(tmp_path):
    bad = tmp_path / "p.yaml"
    bad.write_text("id: p\ntitle: P\nsteps:\n  - {id: a, title: A, say: Hi, expect_seconds: 2}\n")
    result = vg("validate", str(bad))
    assert result.returncode == 1 and "expect_seconds" in result.stdout and "not 2" in result.stdout


# -- 4. a timer starts when the user says the action before it is done -----------------------------


def test_the_skin_drying_timer_starts_when_the_swabbing_is_done_and_says_so(tmp_path):
    answers, steps = to_step(13)
    assert steps[12].id == "clean-skin"
    result = run_b12([*answers, "repeat", "done", "stop", "end session"], tmp_path)
    at_timer = said_after(result.stdout, "Step 13 of 19")
    before, after = at_timer.split('heard: "done" -> next')
    assert "I will start the 30-second timer" in before and "The timer has started" not in before
    assert "The timer has started. Now let the skin dry." in after
    events = journal_events(tmp_path)
    kinds = [e["type"] for e in events]
    done = next(i for i, e in enumerate(events) if e["type"] == "heard" and e["text"] == "done")
    assert kinds.index("timer_started") > done


# -- 5. "n" is "no" at a yes/no question, also at the resume question ------------------------------


def test_n_answers_no_at_a_check_and_at_the_resume_question(tmp_path):
    answers, _ = to_step(5)
    result = run_b12([*answers, "n", "end session"], tmp_path)
    assert 'heard: "n" -> no' in result.stdout and "Do not go on without it" in result.stdout
    run_b12(["next step", "next step"], tmp_path)  # the input closes at step 3: unfinished
    result = run_b12(["n", "stop", "end session"], tmp_path)
    assert "Do you want to carry on at step 3" in result.stdout
    assert 'heard: "n" -> no' in result.stdout
    assert "Step 1 of 19: Make time" in result.stdout and "Step 3 of 19" not in result.stdout


# -- 7. one step count ---------------------------------------------------------------------------


def test_list_validate_and_the_session_give_one_step_count(tmp_path):
    listed = vg("list").stdout
    checked = vg("validate", "b12-im").stderr
    ran = run_b12(["stop", "end session"], tmp_path).stdout
    assert "(19 steps)" in listed and "(19 steps)" in checked and "Step 1 of 19" in ran


# -- 8. dates as people say them -----------------------------------------------------------------


def write_journal(data, name, events):
    folder = Path(data) / "sessions"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{name}.jsonl").write_text("".join(json.dumps({"session": name, **e}) + "\n" for e in events))


def started_at(day, hour=9):
    return time.mktime((2026, 12, day, hour, 5, 0, 0, 0, -1))


def unfinished(at, step_id, index, digest=None):
    extra = {"digest": digest} if digest else {}
    return [
        {"type": "session_started", "at": at, "procedure": "b12-im", "title": "B12", "steps": 19, **extra},
        {
            "type": "step_started",
            "at": at + 1,
            "index": index,
            "total": 19,
            "step": step_id,
            "title": step_id,
        },
    ]


def test_the_resume_offer_says_the_date_without_a_leading_zero(tmp_path):
    write_journal(tmp_path, "a", unfinished(started_at(7), "clean-surface", 3))
    result = run_b12(["no", "stop", "end session"], tmp_path)
    assert "on Monday 7 December at 09:05" in result.stdout and " 07 " not in result.stdout


# -- 9. a free check-in answer is recorded as said, for the clinician ------------------------------


def test_a_free_checkin_answer_is_recorded_as_said_and_marked_for_the_clinician(tmp_path):
    result = vg(
        "checkin", "--profile", "example", "--engine", "keyboard", input="my leg hurts\nyes\n", data=tmp_path
    )
    assert result.returncode == 0 and "didn't catch" not in result.stdout
    assert "I've noted that for your clinician" in result.stdout and "my leg hurts" in result.stdout
    checkin = [e for e in journal_events(tmp_path) if e["type"] == "checkin"][0]
    assert checkin["said"] == "my leg hurts" and checkin["for_clinician"] is True
    history = vg("history", data=tmp_path).stdout
    assert '"my leg hurts" (in their words, for the clinician)' in history


# -- 10. the "not sure whether you had your dose" line only when it applies -----------------------


def completed(at):
    return [
        {"type": "session_started", "at": at, "procedure": "b12-im", "title": "B12", "steps": 19},
        {"type": "session_ended", "at": at + 60, "outcome": "completed", "step": 19, "total": 19},
    ]


def test_the_dose_doubt_line_only_after_an_unfinished_session_that_got_near_the_dose(tmp_path):
    write_journal(tmp_path, "a", completed(started_at(1)))
    write_journal(tmp_path, "b", unfinished(started_at(2), "make-time", 1))
    history = vg("history", "--profile", "example", data=tmp_path).stdout
    assert "not sure whether you had your dose" not in history
    write_journal(tmp_path, "c", unfinished(started_at(3), "inject", 14))
    history = vg("history", "--profile", "example", data=tmp_path).stdout
    assert "not sure whether you had your dose" in history


# -- 11, 12. validate takes shipped ids, lists every problem, and says what it found ---------------


def test_validate_accepts_a_shipped_id_and_lists_every_problem_with_what_was_found(tmp_path):
    assert vg("validate", "b12-im").returncode == 0
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        "id: bad\ntitle: Bad\nsteps:\n"
        "  - {id: a, title: A, say: Hi, timer: {seconds: 1e9}}\n"
        "  - {id: b, title: B, say: Hi, colour: red}\n"
        "  - {id: c, title: C, say: 'Hi {nope}'}\n"
    )
    result = vg("validate", str(bad))
    lines = result.stdout.splitlines()
    assert result.returncode == 1 and len(lines) == 3, lines
    assert lines[0].startswith(f"{bad}:4:") and "found '1e9' (text)" in lines[0]
    assert "whole number" in lines[0] and "not str" not in lines[0]
    assert lines[1].startswith(f"{bad}:5:") and "colour" in lines[1]
    assert lines[2].startswith(f"{bad}:6:") and "{nope}" in lines[2]


# -- 13. resume by id and content ------------------------------------------------------------------


def test_resume_matches_the_procedure_by_content_and_says_when_it_changed(tmp_path):
    mine = tmp_path / "mine.yaml"
    text = (ROOT / "voiceguide" / "procedures" / "b12-im.yaml").read_text()
    mine.write_text(text)
    data = tmp_path / "data"
    args = ("run", str(mine), "--profile", "example", "--engine", "keyboard")
    vg(*args, input="next step\nnext step\n", data=data)  # unfinished at step 3
    same = vg(*args, input="no\nstop\nend session\n", data=data).stdout
    assert "Do you want to carry on at step 3" in same
    vg(*args, input="next step\nnext step\n", data=data)
    mine.write_text(text.replace("Wash your hands thoroughly", "Wash your hands well"))
    changed = vg(*args, input="stop\nend session\n", data=data).stdout
    assert "The procedure file has changed since then" in changed
    assert "Do you want to carry on" not in changed
    assert "Step 1 of 19" in changed
    digest = load_procedure(str(mine)).digest
    assert digest and digest != parse_procedure("x.yaml", text).digest


# -- 14. doctor checks, it never writes anything ----------------------------------------------------


def test_doctor_only_checks_and_writes_nothing(tmp_path):
    cache = tmp_path / "cache"
    result = vg("doctor", env={"VOICEGUIDE_CACHE_DIR": str(cache)}, data=tmp_path / "data")
    assert result.returncode == 0
    assert not cache.exists()
    assert next(x for x in result.stdout.splitlines() if "command model" in x).startswith("ok ")
