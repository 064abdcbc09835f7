"""A dose is never lost, misstated or given twice by accident, through the command line: real
``voiceguide run --engine keyboard`` subprocesses on a real full disk (a small tmpfs), killed
with SIGKILL and SIGTERM, with a broken pipe, and ``history`` and ``report`` read back.
Each test waits on what the program shows, never on a fixed sleep.

The numbers are the items of the issue "A dose is never lost, misstated or given twice by
accident"; the pure parts of each are in test_doses.py and test_dose_property.py.
"""

from __future__ import annotations

import csv
import errno
import os
import queue
import re
import signal
import stat
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from cli_runner import voiceguide as run_cli
from test_records_cli import tmpfs

from voiceguide.records.journal import read_journal

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parent.parent
QUICK = """\
id: quick-dose
title: Quick dose
steps:
  - {id: ready, title: Get ready, say: Get ready., rehearsal: true}
  - id: label
    title: Check the label
    say: Check the label.
    check:
      question: Does the label match your prescription?
      if_no: Do not inject. Contact your clinician.
  - {id: site, title: Your site, say: Your site., site: true}
  - {id: inject, title: Inject, say: Inject., dose: true}
  - {id: withdraw, title: Withdraw the needle, say: Withdraw the needle.}
  - id: sharps
    title: Sharps away
    say: Put the sharps away.
    check:
      question: Are the sharps in the container?
      if_no: Put them in the sharps container now, so that nobody can be hurt by them.
  - {id: aftercare, title: Aftercare, say: Aftercare.}
"""
# with the site question rotation adds: 1 ready, 2 label, 3 today's site, 4 site, 5 inject,
# 6 withdraw, 7 sharps, 8 aftercare
TO_THE_DOSE = ["next step", "yes", "yes", "next step"]
PAST_THE_DOSE = TO_THE_DOSE + ["next step"]
TO_THE_END = PAST_THE_DOSE + ["next step", "yes", "next step"]


@pytest.fixture
def place(tmp_path):
    (tmp_path / "quick.yaml").write_text(QUICK)
    (tmp_path / "config").mkdir()
    return tmp_path


def env(place: Path, data: Path | None = None) -> dict:
    return {
        **os.environ,
        "VOICEGUIDE_DATA_DIR": str(data or place / "data"),
        "VOICEGUIDE_CONFIG_DIR": str(place / "config"),
        "PULSE_SERVER": "unix:/nonexistent/pulse",
    }


def run_args(place: Path, *extra: str) -> list[str]:
    return [
        *("run", str(place / "quick.yaml"), "--profile", "example", "--engine", "keyboard", "--no-display"),
        *extra,
    ]


def voiceguide(place, *args, data=None, input="", timeout=120):
    return run_cli(*args, input=input, env=env(place, data), timeout=timeout)


class Live:
    """A running ``voiceguide`` whose console lines are read as they come."""

    def __init__(self, place, *args, data=None):
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "voiceguide", *args],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env(place, data),
            cwd=ROOT,
        )
        self.lines: queue.Queue[str | None] = queue.Queue()
        self.shown: list[str] = []
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        try:
            for line in self.proc.stdout:
                self.lines.put(line)
        except ValueError:  # closed by the test (the broken pipe)
            pass
        self.lines.put(None)

    def wait_for(self, pattern: str, timeout: float = 60) -> str:
        while True:
            line = self.lines.get(timeout=timeout)
            if line is None:
                raise AssertionError(
                    f"ended before {pattern!r}:\n{''.join(self.shown)}{self.proc.stderr.read()}"
                )
            self.shown.append(line)
            if re.search(pattern, line):
                return line

    def send(self, *answers: str) -> None:
        self.proc.stdin.write("".join(answer + "\n" for answer in answers))
        self.proc.stdin.flush()

    def finish(self, timeout: float = 60) -> tuple[int, str, str]:
        try:
            self.proc.stdin.close()
        except BrokenPipeError:
            pass
        code = self.proc.wait(timeout=timeout)
        while (line := self.lines.get(timeout=timeout)) is not None:
            self.shown.append(line)
        return code, "".join(self.shown), self.proc.stderr.read()

    def kill(self, sig=signal.SIGKILL) -> int:
        self.proc.send_signal(sig)
        return self.proc.wait(timeout=60)


def journals(data: Path) -> list[Path]:
    return sorted((data / "sessions").glob("*.jsonl"))


def fill(where: Path, pad: bool = False) -> Path:
    """Fill the file system of ``where`` (a folder: with a new file) until it refuses a byte
    more; ``pad``: append blank lines to the file ``where`` (a journal skips them) so that
    the room left in its last page is used up too."""
    filler = where if pad else where / "filler"
    chunk = b"\n" if pad else b"\0" * 4096
    with open(filler, "ab", buffering=0) as file:
        try:
            while True:
                file.write(chunk)
        except OSError as error:
            assert error.errno == errno.ENOSPC
    return filler


# -- 1. a full disk ----------------------------------------------------------------------------


def test_1_a_full_disk_mid_session_is_said_once_kept_and_read_by_the_next_run(place):
    data = place / "data"
    with tmpfs(data, "size=256k,mode=0700"):
        live = Live(place, *run_args(place), data=data)
        try:
            live.wait_for(r"^Step 1 of 8")
            filler = fill(data)
            fill(journals(data)[0], pad=True)  # the journal's last page too: the next write fails
            live.send(*TO_THE_DOSE)
            live.wait_for(r"Do you want to go on to the injection without a saved record\?")
            live.send("yes", *TO_THE_END[4:], "no problems", "yes")
            code, shown, errors = live.finish()
        finally:
            live.proc.kill()
            live.proc.wait(timeout=60)
        assert code == 0, shown + errors
        assert shown.count("I can't save your record: the disk is full.") == 1  # said once
        assert "recorded: dose given" in shown and "How is the injection site?" in shown
        kept = next((place / "config" / "unsaved").glob("*.jsonl"))
        assert stat.S_IMODE(kept.stat().st_mode) == 0o600 and f"kept in {kept}" in errors
        filler.unlink()  # space again: the next run reads and merges what was kept
        [journal] = journals(data)  # before the next run adds its own (names sort by the second)

        history = voiceguide(place, "history", "--procedure", "quick-dose", "--profile", "example", data=data)
        assert re.search(r"Quick dose\s+completed\s+yes\s", history.stdout), history.stdout
        again = voiceguide(place, *run_args(place), data=data, input="no\n")
        assert "added 1 unsaved part(s) of earlier records back" in again.stderr
        assert "Your last dose was recorded today at" in again.stdout and "Step 1 of 8" not in again.stdout
        assert not kept.exists()
        events, bad = read_journal(journal)
        assert bad == 0 and [e.data["outcome"] for e in events if e.type.value == "session_ended"] == [
            "completed"
        ]


# -- 2. a second dose ---------------------------------------------------------------------------


def test_2_after_kill_9_past_the_dose_the_resume_offer_says_so_and_never_starts_over_unasked(place):
    live = Live(place, *run_args(place))
    live.wait_for(r"^Step 1 of 8")
    live.send(*PAST_THE_DOSE)
    live.wait_for(r"^Step 6 of 8: Withdraw the needle")
    assert live.kill() == -signal.SIGKILL

    refused = voiceguide(place, *run_args(place), input="no\nno\n")
    out = refused.stdout
    assert "It went past step 5, Inject, so your dose is recorded as given at" in out
    assert "Do you want to carry on at step 6, Withdraw the needle?" in out
    assert "Your last dose was recorded today at" in out and "Going on could mean a second dose." in out
    assert refused.returncode == 3 and "Step 1 of 8" not in out

    carried = voiceguide(place, *run_args(place), input="yes\nstop\nend session\n")
    steps = re.findall(r"^Step \d+ of 8: .*", carried.stdout, re.M)
    assert steps == ["Step 6 of 8: Withdraw the needle"]
    assert "Your dose is recorded as given." in carried.stdout


def test_2_a_run_soon_after_a_dose_is_warned_and_needs_yes_then_confirm(place):
    done = voiceguide(place, *run_args(place), input="\n".join([*TO_THE_END, "no problems", "yes"]) + "\n")
    assert done.returncode == 0, done.stdout + done.stderr

    for answers in ("no\n", "yes\nno\n"):
        refused = voiceguide(place, *run_args(place), input=answers)
        assert re.search(r"Your last dose was recorded today at \d\d:\d\d\.", refused.stdout)
        assert "Step 1 of 8" not in refused.stdout and refused.returncode == 3
    started = voiceguide(place, *run_args(place), input="yes\nconfirm\nstop\nend session\n")
    assert "Step 1 of 8: Get ready" in started.stdout
    rehearsal = voiceguide(place, *run_args(place, "--rehearsal"), input="stop\nend session\n")
    assert "last dose" not in rehearsal.stdout and "Step 1 of 1: Get ready" in rehearsal.stdout


# -- 3. a "no" after the dose --------------------------------------------------------------------


def test_3_a_no_after_the_dose_is_guidance_then_aftercare_and_the_checkin_follow(place):
    answers = [*PAST_THE_DOSE, "next step", "no", "next step", "next step", "no problems", "yes"]
    result = voiceguide(place, *run_args(place), input="\n".join(answers) + "\n")
    out = result.stdout
    assert "Put them in the sharps container now, so that nobody can be hurt by them." in out
    assert "try again" not in out and "Step 8 of 8: Aftercare" in out and "How is the injection site?" in out
    assert result.returncode == 0
    history = voiceguide(place, "history", "--procedure", "quick-dose", "--profile", "example").stdout
    assert re.search(r"completed\s+yes\s+Sharps away\s", history), history
    assert "Next dose due:" in history


# -- 4. the report -----------------------------------------------------------------------------


def test_4_the_report_has_one_row_per_attempt_with_its_checkins_declined_checks_and_header(place):
    live = Live(place, *run_args(place))
    live.wait_for(r"^Step 1 of 8")
    live.send("next step", "no", "go back", "yes", "yes", "next step", "next step")  # a "no" put right
    live.wait_for(r"^Step 6 of 8: Withdraw the needle")
    live.kill()
    resumed = voiceguide(place, *run_args(place), input="yes\nnext step\nyes\nnext step\nno problems\nyes\n")
    assert resumed.returncode == 0, resumed.stdout + resumed.stderr
    later = voiceguide(
        place, "checkin", "--profile", "example", "--engine", "keyboard", input="severe pain\nyes\n"
    )
    assert later.returncode == 0, later.stdout + later.stderr

    for fmt in ("html", "csv"):
        report = voiceguide(
            place, "report", "--format", fmt, "--output", str(place / f"r.{fmt}"), "--profile", "example",
            "--procedure", "quick-dose",
        )  # fmt: skip
        assert report.returncode == 0, report.stderr
    [header, row] = list(csv.reader((place / "r.csv").open()))
    assert header[3:5] == ["dose given", "declined checks"]
    assert row[2] == "completed, resumed 1 time" and row[3] == "yes" and row[4] == "Check the label"
    assert row[6] == "left outer thigh"
    times = re.findall(r"\d{4}-\d\d-\d\d \d\d:\d\d (no problems|severe or lasting pain)", row[7])
    assert times == ["no problems", "severe or lasting pain"]
    page = (place / "r.html").read_text()
    assert "<dt>Patient</dt><dd>the example patient</dd>" in page and "<dt>Route</dt>" in page
    assert re.search(r"<td>left outer thigh</td><td>1</td>", page)  # one dose, one count
    checkins = page.split('id="checkins"')[1]
    assert checkins.count("<tr><td>") == 2  # each check-in its own row, at its own time


# -- 5. bad values -------------------------------------------------------------------------------


def test_5_bad_journal_values_are_skipped_and_counted_and_run_still_starts(place):
    folder = place / "data" / "sessions"
    folder.mkdir(parents=True)
    (folder / "20250101T000000-quick-dose-0bad.jsonl").write_text(
        '{"session": "0bad", "type": "session_started", "at": 1735689600, "procedure": "quick-dose", '
        '"title": "Quick dose", "steps": 8, "dose_step": "inject"}\n'
        '{"session": "0bad", "type": "step_started", "at": "yesterday", "index": 2, "total": 8}\n'
        '{"session": "0bad", "type": "step_started", "at": 1735689700, "index": "x", "total": 8}\n'
    )
    history = voiceguide(place, "history", "--procedure", "quick-dose")
    assert history.returncode == 0 and "Traceback" not in history.stderr
    assert history.stdout.startswith("Note: 2 entries were partial")
    report = voiceguide(place, "report", "--output", str(place / "r.html"))
    assert report.returncode == 0 and "2 entries were partial" in report.stderr
    run = voiceguide(place, *run_args(place), input="stop\nend session\n")
    assert run.returncode == 3 and "Traceback" not in run.stderr and "Step 1 of 8" in run.stdout


# -- 6. the report file --------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["symlink", "folder", "fifo", "device"])
def test_6_report_output_refuses_what_is_not_a_regular_file_in_one_line(place, kind):
    target = place / "out.html"
    if kind == "symlink":
        (place / "real.html").write_text("kept")
        target.symlink_to(place / "real.html")
    elif kind == "folder":
        target.mkdir()
    elif kind == "fifo":
        os.mkfifo(target)
    else:  # a private twin of /dev/null: never a system device, which old code would replace
        try:
            os.mknod(target, stat.S_IFCHR | 0o600, os.makedev(1, 3))
        except PermissionError:
            pytest.skip("making a device node needs root")
    before = os.lstat(target)
    result = voiceguide(place, "report", "--output", str(target))
    assert result.returncode == 1 and result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    assert "will not write the report over" in result.stderr
    after = os.lstat(target)
    assert (after.st_mode, after.st_ino) == (before.st_mode, before.st_ino)


def test_6_report_into_a_read_only_folder_is_a_one_line_error(place):
    folder = place / "ro"
    if os.geteuid() == 0:
        with tmpfs(folder, "ro,size=64k"):
            result = voiceguide(place, "report", "--output", str(folder / "r.html"))
    else:
        folder.mkdir()
        folder.chmod(0o500)
        try:
            result = voiceguide(place, "report", "--output", str(folder / "r.html"))
        finally:
            folder.chmod(0o700)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert result.stderr.count("\n") == 1 and result.stderr.startswith("voiceguide: cannot write the report")


# -- 7. SIGTERM and a broken pipe -------------------------------------------------------------------


def test_7_sigterm_ends_the_session_with_its_end_recorded(place):
    live = Live(place, *run_args(place))
    live.wait_for(r"^Step 1 of 8")
    live.send(*PAST_THE_DOSE)
    live.wait_for(r"^Step 6 of 8")
    assert live.kill(signal.SIGTERM) == 143
    [journal] = journals(place / "data")
    events, bad = read_journal(journal)
    assert bad == 0 and events[-1].type.value == "session_ended"
    assert {k: events[-1].data[k] for k in ("outcome", "step", "total", "dose_given")} == {
        "outcome": "interrupted",
        "step": 6,
        "total": 8,
        "dose_given": True,
    }
    history = voiceguide(place, "history", "--procedure", "quick-dose").stdout
    assert "stopped at step 6 of 8: Withdraw the needle (interrupted)" in history
    assert re.search(r"\(interrupted\)\s+yes\s", history)


def test_7_a_broken_pipe_records_the_end_and_history_never_says_step_0(place):
    live = Live(place, *run_args(place))
    live.wait_for(r"^Step 1 of 8")
    live.send("next step")
    live.wait_for(r"^Step 2 of 8")
    live.proc.stdout.close()  # the reader goes away
    live.send("yes")
    code, _, errors = live.finish()
    assert code == 1 and "Traceback" not in errors
    [journal] = journals(place / "data")
    events, _ = read_journal(journal)
    ended = [e.data for e in events if e.type.value == "session_ended"]
    assert ended and ended[-1]["outcome"] == "interrupted" and ended[-1]["step"] >= 2

    at_once = subprocess.Popen(
        [sys.executable, "-m", "voiceguide", *run_args(place, "--rehearsal")],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env(place),
        cwd=ROOT,
    )
    at_once.stdout.close()  # gone before anything is shown
    at_once.communicate(b"next step\n", timeout=60)
    history = voiceguide(place, "history", "--procedure", "quick-dose").stdout
    assert "step 0" not in history and "(interrupted)" in history
