"""The command line, through its real entry point (a subprocess), as users and scripts use it."""

from __future__ import annotations

import json
import os
import re
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from cli_runner import cli_env
from cli_runner import voiceguide as run_cli

from voiceguide.app.cli import build_parser

ROOT = Path(__file__).resolve().parent.parent


def voiceguide(*args, input=None, env_extra=None, timeout=300, data_dir=None):
    return run_cli(*args, input=input, env=cli_env(data_dir, extra=env_extra), timeout=timeout)


@pytest.mark.unit
def test_console_script_is_installed():
    assert shutil.which("voiceguide") or (Path(sys.executable).parent / "voiceguide").exists()


@pytest.mark.slow
def test_every_command_has_help_and_is_documented():
    parser = build_parser()
    commands = parser._subparsers._group_actions[0].choices
    cli_doc = (ROOT / "docs" / "cli.md").read_text()
    readme = (ROOT / "README.md").read_text()
    for name, sub in commands.items():
        assert sub.description, name
        assert f"voiceguide {name}" in cli_doc, f"docs/cli.md does not show 'voiceguide {name}'"
        result = voiceguide(name, "--help")
        assert result.returncode == 0 and "usage:" in result.stdout
    assert "docs/cli.md" in readme and "docs/procedures.md" in readme


@pytest.mark.slow
def test_list_shows_the_shipped_procedure():
    result = voiceguide("list")
    assert result.returncode == 0
    assert re.search(r"^b12-im\s+Intramuscular vitamin B12 injection \(19 steps\)", result.stdout, re.M)


@pytest.mark.slow
def test_validate_accepts_the_shipped_files():
    result = voiceguide(
        "validate",
        "voiceguide/procedures/b12-im.yaml",
        "voiceguide/profiles/example.yaml",
        "--profile",
        "example",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout == ""


@pytest.mark.slow
def test_validate_reports_file_line_message_and_exits_1(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        "id: x\ntitle: X\nsteps:\n  - id: a\n    title: A\n    say: Hi\n    timer: {seconds: -5}\n"
    )
    also = tmp_path / "also.yaml"
    also.write_text("product: [not, text]\n")
    good = tmp_path / "good.yaml"
    good.write_text("id: ok\ntitle: OK\nsteps:\n  - {id: a, title: A, say: Hi}\n")
    result = voiceguide("validate", str(bad), str(good), str(also))
    assert result.returncode == 1
    lines = result.stdout.splitlines()
    assert lines == [
        f"{bad}:7: 'seconds' in the timer of step 'a' must be between 1 and 3600, not -5",
        f"{also}:1: 'product' in the profile must be text, not a list",
    ]


@pytest.mark.slow
def test_validate_exit_0_on_the_documented_examples(tmp_path):
    blocks = re.findall(r"```yaml\n(.*?)```", (ROOT / "docs" / "procedures.md").read_text(), re.S)
    paths = []
    for index, block in enumerate(blocks):
        path = tmp_path / f"doc{index}.yaml"
        path.write_text(block)
        paths.append(str(path))
    assert len(paths) >= 2
    result = voiceguide("validate", *paths)
    assert result.returncode == 0, result.stdout


@pytest.mark.slow
def test_run_with_piped_keyboard_answers_completes_b12(tmp_path):
    """The whole B12 procedure driven by a script, the way a switch or a test harness would.
    The 30-second skin-drying timer runs in real time: answers are sent as prompts appear."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "voiceguide", "run", "b12-im", "--profile", "example", "--engine", "keyboard"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=ROOT,
        env={**os.environ, "VOICEGUIDE_DATA_DIR": str(tmp_path), "PULSE_SERVER": "unix:/nonexistent/pulse"},
    )
    shown = []
    try:
        for line in proc.stdout:
            shown.append(line)
            if line.startswith("  voiceguide:"):
                if 'Please answer "yes" or "no".' in line:
                    proc.stdin.write("yes\n")
                elif "How is the injection site?" in line:  # the check-in after the injection
                    proc.stdin.write("a bit sore\n")
                elif "when you are ready" in line or "when it is done" in line:
                    proc.stdin.write("done\n")
                elif (
                    re.match(r"  voiceguide: Step \d+ of 19\.", line)
                    and "I will tell you" not in line
                    and "Please answer" not in line
                ):
                    proc.stdin.write("skip step\n" if 'say "skip step"' in line else "next step\n")
                proc.stdin.flush()
            if line.startswith("  voiceguide: I have recorded"):
                proc.stdin.close()
        proc.wait(timeout=120)
    finally:
        proc.kill()
    output = "".join(shown)
    assert proc.returncode == 0, output + proc.stderr.read()
    for number in range(1, 20):  # 18 steps and "Today's site" (site rotation)
        assert re.search(rf"^Step {number} of 19: ", output, re.M)
    assert "Session ended: completed" in output
    assert "notice: No speaker found" in output  # no audio devices: text instead
    journals = list((tmp_path / "sessions").glob("*.jsonl"))
    assert len(journals) == 1
    assert stat.S_IMODE(journals[0].stat().st_mode) == 0o600
    assert stat.S_IMODE((tmp_path / "sessions").stat().st_mode) == 0o700
    events = [json.loads(line) for line in journals[0].read_text().splitlines()]
    ended = [e for e in events if e["type"] == "session_ended"]
    assert len(ended) == 1 and ended[0]["outcome"] == "completed"
    assert [e["site"] for e in events if e["type"] == "site_chosen"] == ["left outer thigh"]
    checkin = [e for e in events if e["type"] == "checkin"]
    assert checkin == [
        {**checkin[0], "effects": ["soreness"], "concerning": [], "about": ended[0]["session"]}
    ]


@pytest.mark.slow
def test_run_falls_back_to_keyboard_without_a_microphone(tmp_path):
    result = voiceguide(
        "run", "b12-im", "--profile", "example", input="stop\nend session\n", data_dir=tmp_path
    )
    assert result.returncode == 3, result.stdout + result.stderr
    assert "No microphone found" in result.stdout and "keyboard" in result.stdout
    assert "Traceback" not in result.stderr
    assert "Session ended: ended" in result.stdout


@pytest.mark.slow
def test_run_refuses_a_missing_profile_before_starting(tmp_path):
    result = voiceguide("run", "b12-im", "--engine", "keyboard", input="", data_dir=tmp_path)
    assert result.returncode == 1
    assert re.match(
        r"voiceguide: <shipped>/procedures/b12-im\.yaml:\d+: needs the profile value", result.stderr
    )
    assert not (tmp_path / "sessions").exists()


@pytest.mark.slow
def test_run_refuses_an_unwritable_records_folder(tmp_path):
    blocked = tmp_path / "records"
    blocked.write_text("a file, not a folder")
    result = voiceguide(
        "run", "b12-im", "--profile", "example", "--engine", "keyboard", input="", data_dir=blocked
    )
    assert result.returncode == 1
    assert "cannot write session records" in result.stderr and "Traceback" not in result.stderr


@pytest.mark.slow
def test_unknown_procedure_is_a_clean_error():
    result = voiceguide("run", "nope", "--engine", "keyboard", input="")
    assert result.returncode == 1 and "b12-im" in result.stderr and "Traceback" not in result.stderr


@pytest.mark.engine
def test_recognize_prints_one_json_object_per_file(speech_wavs, tmp_path):
    done, yes, sentence = (
        speech_wavs["en-us/next_step"],
        speech_wavs["en-us/yes"],
        speech_wavs["en-us/the_weather_is_nice_today"],
    )
    result = voiceguide("recognize", str(done), str(yes), str(sentence), "--expect", "step")
    assert result.returncode == 0, result.stderr
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert [list(row) for row in rows] == [["file", "intent", "text", "confidence", "decode_ms"]] * 3
    assert rows[0]["file"] == str(done) and rows[0]["intent"] == "next"
    assert rows[1]["intent"] is None  # "yes" is not an answer on a plain step
    assert rows[2]["intent"] is None
    at_check = json.loads(voiceguide("recognize", str(yes), "--expect", "check").stdout)
    assert at_check["intent"] == "yes"


@pytest.mark.engine
def test_recognize_refuses_a_bad_wav_cleanly(tmp_path):
    bad = tmp_path / "not.wav"
    bad.write_text("not audio")
    result = voiceguide("recognize", str(bad))
    assert result.returncode == 1 and str(bad) in result.stderr and "Traceback" not in result.stderr


@pytest.mark.engine
def test_demo_walks_every_b12_step_through_the_real_recognizer(tmp_path):
    result = voiceguide("demo", data_dir=tmp_path)
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr
    out = result.stdout
    for number in range(1, 20):  # 18 steps and "Today's site", as a real session has them
        assert f"Step {number} of 19: " in out
    assert 'heard: "Repeat." -> repeat' in out
    assert "-> not a command here" in out and "Sorry, I didn't catch that." in out
    assert out.count('"Yes." -> yes') == 7  # each check: a spoken "yes", then "confirm"
    assert out.count('"Confirm." -> yes') == 7 and out.count('say "confirm"') == 7
    assert "Session ended: completed" in out


@pytest.mark.slow
def test_preferences_set_by_voice_and_flags_survive_a_restart(tmp_path):
    config = {"VOICEGUIDE_CONFIG_DIR": str(tmp_path / "config")}
    first = voiceguide(
        "run",
        "b12-im",
        "--profile",
        "example",
        "--engine",
        "keyboard",
        "--theme",
        "yellow",
        "--verbosity",
        "brief",
        input="slow down\nslow down\nquieter\nstop\nend session\n",
        data_dir=tmp_path / "data",
        env_extra=config,
    )
    assert first.returncode == 3, first.stdout + first.stderr
    saved = tmp_path / "config" / "settings.json"
    assert stat.S_IMODE(saved.stat().st_mode) == 0o600
    shown = voiceguide("settings", env_extra=config).stdout
    assert "rate: 115 words per minute  (changed)" in shown and "volume: 0.8" in shown
    assert "theme: yellow  (changed)" in shown and "verbosity: brief  (changed)" in shown
    second = voiceguide(
        "run",
        "b12-im",
        "--profile",
        "example",
        "--engine",
        "keyboard",
        input="speed up\nstop\nend session\n",
        data_dir=tmp_path / "data2",
        env_extra=config,
    )
    assert second.returncode == 3, second.stdout + second.stderr
    assert "Prompts are short today" in second.stdout  # the remembered verbosity
    assert "Step 1 of 19. Make time. Choose a time when you are not rushed, and set up" in second.stdout
    journal = next((tmp_path / "data2" / "sessions").glob("*.jsonl"))
    changed = [json.loads(line) for line in journal.read_text().splitlines() if '"setting_changed"' in line]
    assert changed[0]["name"] == "rate" and changed[0]["value"] == 140  # it started at the saved 115
    reset = voiceguide("settings", "--reset", env_extra=config)
    assert reset.returncode == 0 and "rate: 165 words per minute\n" in reset.stdout
    assert not saved.exists()


@pytest.mark.slow
def test_a_corrupt_settings_file_warns_and_uses_the_defaults(tmp_path):
    (tmp_path / "settings.json").write_text("{not json")
    result = voiceguide("settings", env_extra={"VOICEGUIDE_CONFIG_DIR": str(tmp_path)})
    assert result.returncode == 0 and "rate: 165" in result.stdout
    assert "not valid JSON" in result.stderr and "Traceback" not in result.stderr
    bad = voiceguide("settings", "--volume", "3", env_extra={"VOICEGUIDE_CONFIG_DIR": str(tmp_path)})
    assert bad.returncode == 2 and "--volume" in bad.stderr


@pytest.mark.slow
def test_display_asked_for_without_a_screen_is_a_notice_not_a_failure(tmp_path):
    result = voiceguide(
        "run",
        "b12-im",
        "--profile",
        "example",
        "--engine",
        "keyboard",
        "--display",
        input="stop\nend session\n",
        data_dir=tmp_path,
    )
    assert result.returncode == 3, result.stderr
    assert "notice: The large-print display cannot open" in result.stdout
    assert "Traceback" not in result.stderr
