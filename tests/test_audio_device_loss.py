"""Silence and a lost microphone, through the real audio stack (its own PulseAudio server,
since the microphone is taken away for good).

Silence gets a spoken reminder after the step's expected time (8 s here) and never moves the session. Then the
microphone's source is unloaded mid-session: a spoken and printed notice, keyboard answers,
the session completes, nothing is lost, no traceback.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from audio_rig import Console, MicFeeder, any_loud, espeak_16k, tone_after
from test_audio_session import PROCEDURE

from voiceguide.audio.speaker import EARCONS

ROOT = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="espeak-ng is not installed")
pytestmark = [pytest.mark.audio, pytestmark]


def unload_microphone(env: dict[str, str]) -> None:
    modules = subprocess.run(
        ["pactl", "list", "short", "modules"], env=env, capture_output=True, text=True, timeout=10, check=True
    ).stdout
    [module] = [line.split()[0] for line in modules.splitlines() if "module-pipe-source" in line]
    subprocess.run(["pactl", "unload-module", module], env=env, timeout=10, check=True)


def test_silence_reminds_and_a_lost_microphone_falls_back_to_the_keyboard(pulse, tmp_path):
    server, recorder, report = pulse
    assert report.can_listen and report.can_speak
    procedure = tmp_path / "rig.yaml"
    procedure.write_text(
        PROCEDURE.replace("say: Put the cup down.}", "say: Put the cup down., expect_seconds: 8}")
    )
    feeder = MicFeeder(server.mic_fifo)
    env = {**os.environ, "VOICEGUIDE_DATA_DIR": str(tmp_path / "data")}
    recorder.clear()
    proc = subprocess.Popen(
        [sys.executable, "-m", "voiceguide", "run", str(procedure)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=ROOT,
        env=env,
    )
    console = Console(proc.stdout)
    try:
        console.wait_for("Step 1 of 3.", timeout=60)
        listening: list[float] = []
        assert recorder.wait_until(tone_after(time.monotonic(), EARCONS["listening"][0], listening), 30)
        console.wait_for("I'm still here.", timeout=20)
        reminded_at = time.monotonic()
        silent_for = reminded_at - listening[0]
        assert 7.0 <= silent_for <= 12.0, f"reminder after {silent_for:.1f} s of silence"
        assert recorder.wait_until(tone_after(reminded_at, EARCONS["listening"][0]), 30)

        assert feeder.say(espeak_16k("next step", tmp_path)).wait(timeout=10)
        console.wait_for('"Next step." -> next', timeout=30)
        console.wait_for("Is the cup steady?", timeout=30)
        unload_microphone(env)
        console.wait_for("notice: The microphone stopped working", timeout=30)
        noticed_at = time.monotonic()
        assert recorder.wait_until(lambda chunks: any_loud(c for c in chunks if c[0] > noticed_at), 10), (
            "the notice was not spoken"
        )
        for answer in ("yes", "done"):
            proc.stdin.write(answer + "\n")
            proc.stdin.flush()
        console.wait_for("Session ended: completed", timeout=60)
        proc.stdin.close()
        assert proc.wait(timeout=30) == 0
    finally:
        proc.kill()
        feeder.close()
    stderr = proc.stderr.read()
    assert "Traceback" not in stderr, stderr
    journal = next((tmp_path / "data" / "sessions").glob("*.jsonl"))
    events = [json.loads(line) for line in journal.read_text().splitlines()]
    heard = [(e["source"], e["intent"]) for e in events if e["type"] == "heard"]
    assert heard == [("voice", "next"), ("keyboard", "yes"), ("keyboard", "next")]
    assert [e["type"] for e in events].count("reminder") == 1
    steps = [e["index"] for e in events if e["type"] == "step_started"]
    assert steps == [1, 2, 3], "silence or the lost microphone moved the session"
    assert any("keyboard" in e["text"] for e in events if e["type"] == "notice")
    assert events[-1]["type"] == "session_ended" and events[-1]["outcome"] == "completed"
