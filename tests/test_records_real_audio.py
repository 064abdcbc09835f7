"""Resume offer, site rotation and check-in through the real audio stack: a session killed
with SIGKILL, then `voiceguide run` (default whisper engine) speaking through a virtual
loudspeaker and hearing synthesized replies through a virtual microphone (PulseAudio; see
tests/audio_rig.py and the ``pulse`` fixture)."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from audio_rig import Console, MicFeeder, espeak_16k, spoke_then_quiet

ROOT = Path(__file__).resolve().parent.parent

PROCEDURE = """\
id: rig-injection
title: Rig injection
steps:
  - {id: one, title: One, say: Put the cup down.}
  - {id: site, title: Site, say: Find the site., site: true, check: {question: "Are you sure of the site?"}}
  - {id: three, title: Three, say: Put the spoon down.}
"""

pytestmark = pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="espeak-ng is not installed")
pytestmark = [pytest.mark.audio, pytestmark]


def test_killed_session_is_resumed_and_checked_in_by_voice(pulse, tmp_path):
    server, recorder, report = pulse
    assert report.can_listen and report.can_speak
    procedure = tmp_path / "rig.yaml"
    procedure.write_text(PROCEDURE)
    env = {**os.environ, "VOICEGUIDE_DATA_DIR": str(tmp_path / "data")}
    run = [sys.executable, "-m", "voiceguide", "run", str(procedure), "--profile", "example", "--rate", "240"]

    # 1. typed answers, then SIGKILL at step 2 (the process cannot record anything more)
    first = subprocess.Popen(
        run + ["--engine", "keyboard"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=ROOT,
        env=env,
    )
    console = Console(first.stdout)
    try:
        console.wait_for("Step 1 of 4.", timeout=60)
        first.stdin.write("next step\n")
        first.stdin.flush()
        console.wait_for("Step 2 of 4: Today's site", timeout=30)
        first.send_signal(signal.SIGKILL)
        assert first.wait(timeout=30) == -signal.SIGKILL
    finally:
        first.kill()

    # 2. by voice: "yes" to the resume offer, "yes" and "confirm" to the site and to the check;
    # then the check-in
    replies = {text: espeak_16k(text, tmp_path) for text in ("yes", "confirm", "done", "soreness")}
    feeder = MicFeeder(server.mic_fifo)
    recorder.clear()
    second = subprocess.Popen(
        run,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=ROOT,
        env=env,
    )
    console = Console(second.stdout)
    try:
        for prompt, reply, heard in [
            ("Do you want to carry on at step 2, Today's site?", "yes", '"Yes." -> yes'),
            ("Is left outer thigh the site your clinician's plan says for today?", "yes", '"Yes." -> yes'),
            ('say "confirm"', "confirm", '"Confirm." -> yes'),
            ("Are you sure of the site?", "yes", '"Yes." -> yes'),
            ('say "confirm"', "confirm", '"Confirm." -> yes'),
            ("Step 4 of 4.", "done", '"Done." -> next'),
            ("How is the injection site?", "soreness", '"Soreness." -> answer'),
            ("I heard: soreness. Is that right?", "yes", '"Yes." -> yes'),
        ]:
            console.wait_for(prompt, timeout=90)
            shown_at = time.monotonic()
            # answer once the loudspeaker has fallen silent after the prompt
            assert recorder.wait_until(spoke_then_quiet(shown_at, 0.7), timeout=60), f"{prompt!r} never ended"
            assert feeder.say(replies[reply]).wait(timeout=10)
            console.wait_for(heard, timeout=30)
        console.wait_for("I have recorded soreness.", timeout=30)
        assert second.wait(timeout=90) == 0, second.stderr.read()
    finally:
        second.kill()
        feeder.close()
    output = "".join(console.seen)
    assert "Carrying on where you stopped last time, at step 2 of 4." in output
    assert "Step 1 of 4:" not in output
    journal = max((tmp_path / "data" / "sessions").glob("*.jsonl"), key=lambda path: path.stat().st_mtime)
    events = [json.loads(line) for line in journal.read_text().splitlines()]
    started = next(e for e in events if e["type"] == "session_started")
    assert started["first_step"] == 2 and started["resumes"]
    assert [e["site"] for e in events if e["type"] == "site_chosen"] == ["left outer thigh"]
    assert [(e["effects"], e["concerning"]) for e in events if e["type"] == "checkin"] == [(["soreness"], [])]
    assert {e["source"] for e in events if e["type"] == "heard"} == {"voice"}
