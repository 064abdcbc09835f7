"""A guided session through the real audio stack: `voiceguide run` with its default whisper
engine speaks through a virtual loudspeaker and hears synthesized replies through a virtual
microphone (PulseAudio; see tests/audio_rig.py). The earcons are checked on the loudspeaker:
a listening tone after each prompt, an accepted tone after each command taken."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from audio_rig import Console, MicFeeder, espeak_16k, spoke_then_quiet, tone_after

ROOT = Path(__file__).resolve().parent.parent
LISTENING_HZ, ACCEPTED_HZ = 880.0, 1320.0
"""voiceguide.audio.speaker.EARCONS, restated: the test pins what users learn to hear."""

PROCEDURE = """\
id: rig-check
title: Rig check
steps:
  - {id: one, title: One, say: Put the cup down.}
  - {id: two, title: Two, say: Look at the cup., check: {question: "Is the cup steady?"}}
  - {id: three, title: Three, say: Put the spoon down.}
"""

pytestmark = pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="espeak-ng is not installed")
pytestmark = [pytest.mark.audio, pytestmark]


def test_spoken_session_completes_through_real_devices(pulse, tmp_path):
    server, recorder, report = pulse
    assert report.can_listen and report.can_speak
    procedure = tmp_path / "rig.yaml"
    procedure.write_text(PROCEDURE)
    replies = {text: espeak_16k(text, tmp_path) for text in ("next step", "yes", "confirm", "done")}
    feeder = MicFeeder(server.mic_fifo)
    env = {**os.environ, "VOICEGUIDE_DATA_DIR": str(tmp_path / "data")}
    recorder.clear()
    proc = subprocess.Popen(
        [sys.executable, "-m", "voiceguide", "run", str(procedure)],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=ROOT,
        env=env,
    )
    console = Console(proc.stdout)
    missed: list[str] = []
    try:
        for prompt, reply, heard in [
            ("Step 1 of 3.", "next step", '"Next step." -> next'),
            ("Is the cup steady?", "yes", '"Yes." -> yes'),
            ('say "confirm"', "confirm", '"Confirm." -> yes'),
            ("Step 3 of 3.", "done", '"Done." -> next'),
        ]:
            console.wait_for(prompt, timeout=60)
            shown_at = time.monotonic()
            # The prompt is being spoken: answer once the listening tone has sounded.
            assert recorder.wait_until(tone_after(shown_at, LISTENING_HZ), timeout=30), "no listening earcon"
            assert recorder.wait_until(spoke_then_quiet(shown_at, 0.4), timeout=30), "the prompt never ended"
            for attempt in range(2):  # a person says it again when asked to
                spoken = feeder.say(replies[reply])
                assert spoken.wait(timeout=10)
                line = console.wait_for("heard:", timeout=30)
                if heard in line:
                    break
                assert "not a command here" in line and attempt == 0, f"{reply!r} was taken as {line!r}"
                missed.append(line.strip())
                assert recorder.wait_until(tone_after(spoken.word_end(), LISTENING_HZ), timeout=30)
                assert recorder.wait_until(spoke_then_quiet(spoken.word_end(), 0.4), timeout=30)
            assert recorder.wait_until(tone_after(spoken.word_end(), ACCEPTED_HZ), timeout=10), (
                "no accepted earcon"
            )
        console.wait_for("Session ended: completed", timeout=30)
        assert proc.wait(timeout=30) == 0, proc.stderr.read()
    finally:
        proc.kill()
        feeder.close()
    assert len(recorder.loud_times()) > 50, "the prompts did not come out of the loudspeaker"
    journal = next((tmp_path / "data" / "sessions").glob("*.jsonl"))
    events = [json.loads(line) for line in journal.read_text().splitlines()]
    heard = [e for e in events if e["type"] == "heard"]
    commands = [(e["source"], e["intent"]) for e in heard if e["intent"] is not None]
    assert commands == [("voice", "next"), ("voice", "yes"), ("voice", "yes"), ("voice", "next")]
    answered = [e for e in events if e["type"] == "check_answered"]
    assert len(answered) == 1 and answered[0]["answer"] == "yes"  # after "confirm" only
    assert len(heard) - len(commands) == len(missed) <= 1, missed  # at most one reply asked again
    assert not [e for e in events if e["type"] == "notice"]  # no fallback was needed
