"""Records through the real command line: crashes, unwritable folders, torn journals, resume,
check-in, history and report (subprocesses, keyboard engine, no sound server)."""

from __future__ import annotations

import contextlib
import csv
import json
import os
import re
import resource
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest
from cli_runner import voiceguide as run_cli

from voiceguide.records.journal import read_journal
from voiceguide.records.sessions import load_records

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parent.parent
RUN = ["run", "b12-im", "--profile", "example", "--engine", "keyboard"]


def env_for(data_dir) -> dict:
    return {**os.environ, "VOICEGUIDE_DATA_DIR": str(data_dir), "PULSE_SERVER": "unix:/nonexistent/pulse"}


def voiceguide(*args, data_dir, input="", preexec_fn=None, timeout=120):
    return run_cli(*args, input=input, env=env_for(data_dir), timeout=timeout, preexec_fn=preexec_fn)


def run_until(data_dir, shown_pattern, answers, extra=()):
    """Start ``voiceguide run``, answer each prompt from ``answers`` until a console line
    matches ``shown_pattern``, then SIGKILL it there (mid-step). Returns what was shown."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "voiceguide", *RUN, *extra],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=ROOT,
        env=env_for(data_dir),
    )
    shown, answers = [], list(answers)
    try:
        for line in proc.stdout:
            shown.append(line)
            if re.search(shown_pattern, line):
                proc.send_signal(signal.SIGKILL)
                break
            if line.startswith("  voiceguide: Step") or "Please answer" in line:
                proc.stdin.write(answers.pop(0) + "\n")
                proc.stdin.flush()
        proc.wait(timeout=60)
    finally:
        proc.kill()
    assert proc.returncode == -signal.SIGKILL, "".join(shown) + proc.stderr.read()
    return "".join(shown)


def journals(data_dir) -> list[Path]:
    return sorted((data_dir / "sessions").glob("*.jsonl"))


def test_sigkill_mid_step_leaves_a_journal_that_parses_and_the_next_run_offers_to_resume(tmp_path):
    run_until(tmp_path, r"^Step 4 of 19: Gather your supplies", ["next step"] * 3)
    [killed] = journals(tmp_path)
    events, bad = read_journal(killed)
    assert bad == 0
    assert events[-1].type.value in ("step_started", "said")
    assert [e.data["index"] for e in events if e.type.value == "step_started"][-1] == 4
    assert not [e for e in events if e.type.value == "session_ended"]
    assert stat.S_IMODE(killed.stat().st_mode) == 0o600

    result = voiceguide(*RUN, data_dir=tmp_path, input="yes\nstop\nend session\n")
    out = result.stdout
    assert result.returncode == 3, out + result.stderr
    assert re.search(
        r"Your last session, on \w+ \d+ \w+ at \d\d:\d\d, did not finish\. "
        r"It stopped at step 4 of 19: Gather your supplies\.",
        out,
    )
    assert "Do you want to carry on at step 4, Gather your supplies?" in out
    assert re.findall(r"^Step \d+ of 19: .*", out, re.M) == ["Step 4 of 19: Gather your supplies"]
    assert "Carrying on where you stopped last time, at step 4 of 19." in out
    records = load_records(tmp_path)
    assert records.sessions[-1].resumes == records.sessions[0].session
    assert records.sessions[-1].outcome == "ended"  # ended by the user: not offered again
    again = voiceguide(*RUN, data_dir=tmp_path, input="stop\nend session\n")
    assert "did not finish" not in again.stdout and "Step 1 of 19: Make time" in again.stdout


def test_no_to_the_resume_offer_starts_over(tmp_path):
    run_until(tmp_path, r"^Step 3 of 19", ["next step"] * 2)
    result = voiceguide(*RUN, data_dir=tmp_path, input="no\nstop\nend session\n")
    assert "did not finish" in result.stdout
    assert re.findall(r"^Step \d+ of 19: .*", result.stdout, re.M) == ["Step 1 of 19: Make time"]


def test_a_rehearsal_is_recorded_as_one_and_never_offered_as_a_resume_point(tmp_path):
    run_until(tmp_path, r"^Step 3 of 7", ["next step"] * 2, extra=["--rehearsal"])
    [record] = load_records(tmp_path).sessions
    assert record.rehearsal and record.outcome is None and record.step == 3
    result = voiceguide(*RUN, data_dir=tmp_path, input="stop\nend session\n")
    assert "did not finish" not in result.stdout and "Step 1 of 19: Make time" in result.stdout
    rehearsal = voiceguide(*RUN, "--rehearsal", data_dir=tmp_path, input="stop\nend session\n")
    assert "did not finish" not in rehearsal.stdout and "Rehearsal:" in rehearsal.stdout
    history = voiceguide("history", data_dir=tmp_path).stdout
    assert re.search(r"stopped at step 3 of 7: [^(]+\(no end recorded\)\s+no\s+-\s+yes", history)


@contextlib.contextmanager
def tmpfs(folder: Path, options: str):
    """A small tmpfs mounted on ``folder`` (root only), so root meets a real read-only or full
    filesystem; skipped where mounting is not allowed."""
    folder.mkdir(parents=True, exist_ok=True)
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(folder)], capture_output=True, text=True
    )
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {mounted.stderr.strip()}")
    try:
        yield folder
    finally:
        subprocess.run(["umount", str(folder)], check=True)


def test_a_read_only_records_folder_is_a_clear_error_before_the_session_starts(tmp_path):
    folder = tmp_path / "records"
    if os.geteuid() == 0:  # root writes through permissions: use a read-only filesystem
        with tmpfs(folder, "ro,size=64k,mode=0700"):
            result = voiceguide(*RUN, data_dir=folder, input="next step\n")
        reason = "Read-only file system"
    else:
        (folder / "sessions").mkdir(parents=True)
        (folder / "sessions").chmod(0o500)
        try:
            result = voiceguide(*RUN, data_dir=folder, input="next step\n")
        finally:
            (folder / "sessions").chmod(0o700)
        reason = "Permission denied"
    assert result.returncode == 1, result.stdout + result.stderr
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    assert re.match(
        rf"voiceguide: cannot write session records in .*records/sessions: {reason}\. "
        r"Free some space or fix its permissions",
        result.stderr,
    ), result.stderr
    assert result.stdout == ""  # nothing started


def test_a_really_full_records_disk_is_a_clear_error_before_the_session_starts(tmp_path):
    if os.geteuid() != 0:
        pytest.skip("mounting a small tmpfs needs root; the RLIMIT_FSIZE test covers this path")
    folder = tmp_path / "records"
    with tmpfs(folder, "size=64k,mode=0700"):
        (folder / "sessions").mkdir(mode=0o700)
        filler = folder / "sessions" / "filler"
        with open(filler, "wb", buffering=0) as file:  # fill it up to the last block
            with contextlib.suppress(OSError):
                while True:
                    file.write(b"\0" * 4096)
        result = voiceguide(*RUN, data_dir=folder, input="next step\n")
        left = sorted(path.name for path in (folder / "sessions").iterdir())
    assert result.returncode == 1, result.stdout + result.stderr
    assert re.match(
        r"voiceguide: cannot write session records in .*: No space left on device\. "
        r"Free some space",
        result.stderr,
    ), result.stderr
    assert result.stdout == "" and left == ["filler"]


def _no_room():
    resource.setrlimit(resource.RLIMIT_FSIZE, (0, 0))  # every write fails, like a full disk


def test_a_full_records_disk_is_a_clear_error_before_the_session_starts(tmp_path):
    result = voiceguide(*RUN, data_dir=tmp_path, input="next step\n", preexec_fn=_no_room)
    assert result.returncode == 1, result.stdout + result.stderr
    assert re.match(
        r"voiceguide: cannot write session records in .*: File too large\. Free some space", result.stderr
    )
    assert result.stdout == "" and "Traceback" not in result.stderr
    assert not list((tmp_path / "sessions").iterdir())  # the probe left nothing behind


QUICK = """\
id: quick-im
title: Quick injection
steps:
  - {id: prepare, title: Prepare, say: Get your supplies ready.}
  - id: site
    title: Your trained site
    say: Find your trained site.
    site: true
    check: {question: "Are you sure of the site?"}
  - {id: inject, title: Inject, say: Inject as you were trained.}
"""
"""A short procedure with a site step, so whole real sessions take seconds, not the B12
skin-drying timer's 30 s each (the full B12 run with its check-in is in test_cli.py)."""


def complete_session(data_dir, procedure, checkin="no problems"):
    """A whole session through the CLI, answered as prompts appear, check-in included."""
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "voiceguide",
            "run",
            str(procedure),
            "--profile",
            "example",
            "--engine",
            "keyboard",
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=ROOT,
        env=env_for(data_dir),
    )
    shown = []
    try:
        for line in proc.stdout:
            shown.append(line)
            if not line.startswith("  voiceguide:"):
                continue
            if "Please answer" in line:
                proc.stdin.write("yes\n")
            elif "How is the injection site?" in line:
                proc.stdin.write(checkin + "\n")
            elif re.match(r"  voiceguide: Step \d+ of \d+\.", line):
                proc.stdin.write("next step\n")
            elif "I have recorded" in line:
                proc.stdin.close()
            if not proc.stdin.closed:
                proc.stdin.flush()
        proc.wait(timeout=60)
    finally:
        proc.kill()
    assert proc.returncode == 0, "".join(shown) + proc.stderr.read()
    return "".join(shown)


def test_real_sessions_feed_history_report_rotation_and_a_torn_line_is_reported(tmp_path):
    procedure = tmp_path / "quick-im.yaml"
    procedure.write_text(QUICK)
    data = tmp_path / "data"
    first = complete_session(data, procedure, checkin="a bit sore and redness")
    assert "There is no site on record from an earlier session." in first
    assert "Is left outer thigh the site your clinician's plan says for today?" in first
    assert "I have recorded soreness and mild redness. Brief soreness" in first
    second = complete_session(data, procedure)
    assert (
        "Last time you used left outer thigh. Next in your clinician's rotation is right outer thigh."
        in second
    )
    # a third session, cut by a power failure in the middle of writing a line
    earlier = set(journals(data))  # names sort by the second: the new one is found, not sorted
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "voiceguide",
            "run",
            str(procedure),
            "--profile",
            "example",
            "--engine",
            "keyboard",
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=ROOT,
        env=env_for(data),
    )
    for line in proc.stdout:
        if line.startswith("Step 1 of 4"):
            proc.kill()
            break
    proc.wait(timeout=30)
    [third] = set(journals(data)) - earlier
    with open(third, "a") as file:
        file.write('{"session": "x", "type": "step_st')

    history = voiceguide("history", "--profile", "example", "--procedure", "quick-im", data_dir=data)
    assert history.returncode == 0, history.stderr
    out = history.stdout
    assert out.startswith("Note: 1 entry was partial")
    rows = [line for line in out.splitlines() if "Quick injection" in line]
    assert len(rows) == 3
    assert "completed" in rows[0] and "left outer thigh" in rows[0] and "soreness and mild redness" in rows[0]
    assert "right outer thigh" in rows[1] and "no problems" in rows[1]
    assert re.search(r"stopped at step 1 of 4: [^(]+ \(no end recorded\)\s+no\s", rows[2])
    assert re.search(r"Next dose due: \w+ \d+ \w+ \d{4} \(in 30 days\)", out)
    assert "Your last session, on" in out and "did not finish" in out

    for fmt in ("html", "csv"):
        target = tmp_path / f"report.{fmt}"
        result = voiceguide(
            "report",
            "--format",
            fmt,
            "--output",
            str(target),
            "--profile",
            "example",
            "--procedure",
            "quick-im",
            data_dir=data,
        )
        assert result.returncode == 0, result.stderr
        assert "1 entry was partial" in result.stderr and "Wrote 3 entries" in result.stdout
        assert stat.S_IMODE(target.stat().st_mode) == 0o600
    table = list(csv.reader((tmp_path / "report.csv").open()))
    assert table[0] == [
        "date",
        "procedure",
        "result",
        "dose given",
        "declined checks",
        "rehearsal",
        "site",
        "check-in",
    ]
    assert [row[3] for row in table[1:]] == ["yes", "yes", "no"]
    assert [row[6] for row in table[1:]] == ["left outer thigh", "right outer thigh", "-"]
    assert [row[7][17:] for row in table[1:]] == ["soreness and mild redness", "no problems", ""]
    page = (tmp_path / "report.html").read_text()
    assert "1 entry was partial" in page
    assert re.search(r"<td>left outer thigh</td><td>1</td>", page)


def test_report_since_filters_and_bad_dates_are_usage_errors(tmp_path):
    from voiceguide.core.events import EventType, event
    from voiceguide.records.journal import FileJournal

    for at, site in (
        (time.mktime((2025, 1, 10, 9, 0, 0, 0, 0, -1)), "left outer thigh"),
        (time.mktime((2025, 3, 10, 9, 0, 0, 0, 0, -1)), "right outer thigh"),
    ):
        with FileJournal("b12-im", tmp_path) as journal:
            journal.record(
                event(
                    EventType.SESSION_STARTED, procedure="b12-im", title="B12", steps=2, rehearsal=False
                ).stamped(at)
            )
            journal.record(event(EventType.SITE_CHOSEN, site=site, step="todays-site").stamped(at + 1))
            journal.record(
                event(EventType.SESSION_ENDED, outcome="completed", step=2, total=2).stamped(at + 2)
            )
    target = tmp_path / "r.csv"
    result = voiceguide(
        "report", "--format", "csv", "--since", "2025-02-01", "--output", str(target), data_dir=tmp_path
    )
    assert result.returncode == 0 and "Wrote 1 entry" in result.stdout
    assert [row[6] for row in csv.reader(target.open())][1:] == ["right outer thigh"]
    bad = voiceguide("report", "--since", "last week", "--output", str(target), data_dir=tmp_path)
    assert bad.returncode == 2 and "is not a date like" in bad.stderr
    overdue = voiceguide("history", "--profile", "example", data_dir=tmp_path).stdout
    assert re.search(
        r"Your next dose was due on Wednesday 9 April 2025 \(\d+ days ago\)\. "
        r"Contact your clinician for the right catch-up plan\.",
        overdue,
    )
    unwritable = voiceguide("report", "--output", str(tmp_path / "no" / "such" / "r.html"), data_dir=tmp_path)
    assert unwritable.returncode == 1 and unwritable.stderr.startswith("voiceguide: cannot write the report")


def test_checkin_command_records_concerning_effects_and_reads_the_clinician_contact(tmp_path):
    result = voiceguide(
        "checkin",
        "--profile",
        "example",
        "--engine",
        "keyboard",
        data_dir=tmp_path,
        input="it itches a lot\nno\nswelling and feeling unwell\nyes\n",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    out = result.stdout
    assert 'I heard: "it itches a lot". Is that right?' in out  # in their own words; "no": asked again
    assert "I heard: worsening swelling and feeling unwell. Is that right?" in out
    assert (
        "please contact your clinician, the example clinic on 0000 000 000, now, rather than "
        "waiting it out. I can't tell what is causing it."
    ) in out
    [checkin] = load_records(tmp_path).loose_checkins
    assert checkin.effects == ("swelling", "unwell") and checkin.concerning == ("swelling", "unwell")
    [path] = journals(tmp_path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert [json.loads(line)["type"] for line in path.read_text().splitlines()].count("checkin") == 1


def test_checkin_no_at_the_confirmation_asks_again_and_nothing_unclear_is_recorded(tmp_path):
    result = voiceguide(
        "checkin", "--engine", "keyboard", data_dir=tmp_path, input="redness\nno\nsmall bruise\nyes\n"
    )
    assert result.returncode == 0
    assert (
        "I have recorded a small bruise." in result.stdout
        and "contact your clinician rather" in result.stdout
    )
    assert [c.effects for c in load_records(tmp_path).loose_checkins] == [("bruise",)]
    closed = voiceguide("checkin", "--engine", "keyboard", data_dir=tmp_path / "other", input="mumble\n")
    assert closed.returncode == 3 and "The check-in was not recorded." in closed.stdout
    assert load_records(tmp_path / "other").loose_checkins == []
