"""Room mode: the microphone hears the loudspeaker too (a laptop without headphones).

A whole session runs through `voiceguide run` with its default whisper engine while every
prompt -- which say "done", "stop", "yes" and "next step", as the B12 prompts do -- comes back
into the microphone. Only the injected replies may move it, and "stop" said over a prompt must
still cut it. The procedure is a short one with the same kinds of steps as B12 (plain steps,
critical checks, a counted-down timer) so that the test stays within CI's time.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
from audio_rig import LOUD, Console, MicFeeder, espeak_16k, spoke_then_quiet, tone_after

from voiceguide.audio.speaker import EARCONS
from voiceguide.core.procedure import load_procedure

ROOT = Path(__file__).resolve().parent.parent
RATE = 260
"""Words per minute for the prompts (fast, to keep the test short)."""

LISTENING_HZ = EARCONS["listening"][0]

ROOM_PROCEDURE = """\
id: room-check
title: A room check
intro: This check says the words done, stop, yes and next step, as the real steps do.
finish: All done. That was the last step, so there is nothing more to say yes or stop to.
steps:
  - id: words
    title: Words in a prompt
    say: When you are done, say "done". If anything is wrong, say "stop", and I will stop.
  - id: question
    title: A critical check
    say: A check needs an explicit yes. Say "yes" only when you are sure, or "stop" to pause.
    check:
      question: Is your sharps container within reach? Answer yes or no.
  - id: long
    title: A long prompt to talk over
    say: >-
      This prompt is long on purpose, so that you can say "stop" over it. It says done, and
      next step, and yes, and stop, more than once, the way the injection steps do. When you
      are done with it, say "done" or "next step", and we go on to the timer. Done. Stop. Yes.
  - id: dry
    title: A short timer
    say: Let it dry. Do not say "next step" yet; I will count down and tell you when it is done.
    timer:
      seconds: 8
  - id: second-question
    title: Another check
    say: One more check. Say "yes" or "no"; say "stop" if you need a moment.
    check:
      question: Are you ready to finish? Answer yes when you are done.
  - id: last
    title: The last step
    say: This is the last step. Say "done" or "next step" when you are done, or "stop".
"""

pytestmark = pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="espeak-ng is not installed")
pytestmark = [pytest.mark.audio, pytestmark]


def first_quiet_after(recorder, moment: float, timeout: float, lasting: float = 0.35) -> float:
    """Monotonic time at which the sink fell silent, after ``moment``, for at least ``lasting``
    seconds (longer than the pauses between a prompt's sentences)."""
    found: list[float] = []

    def check(chunks) -> bool:
        quiet_since = None
        for t, c in chunks:
            if t <= moment:
                continue
            if c.size and np.sqrt(np.mean(c**2)) > LOUD:
                quiet_since = None
            elif quiet_since is None:
                quiet_since = t - c.size / 16000  # the chunk's audio began a chunk ago
            elif t - quiet_since >= lasting:
                found.append(quiet_since)
                return True
        return False

    assert recorder.wait_until(check, timeout), "the loudspeaker never went quiet"
    return found[0]


def wait_listening(recorder, since: float, timeout: float) -> bool:
    """Wait for the listening earcon after ``since``, then for its echo to have died away
    (a person answers after the beep)."""
    found: list[float] = []
    return recorder.wait_until(tone_after(since, LISTENING_HZ, found), timeout) and recorder.wait_until(
        spoke_then_quiet(found[0] - 0.05, 0.4), timeout
    )


def test_room_mode_session_never_hears_itself(pulse, tmp_path):
    server, recorder, report = pulse
    assert report.can_listen and report.can_speak
    procedure_file = tmp_path / "room-check.yaml"
    procedure_file.write_text(ROOM_PROCEDURE)
    steps = load_procedure(str(procedure_file)).steps
    replies = {
        text: espeak_16k(text, tmp_path) for text in ("next step", "done", "yes", "confirm", "stop", "resume")
    }
    recorder.clear()
    feeder = MicFeeder(server.mic_fifo, room=recorder.tap(), room_gain=0.5)
    env = {
        **os.environ,
        "VOICEGUIDE_DATA_DIR": str(tmp_path / "data"),
        "VOICEGUIDE_CONFIG_DIR": str(tmp_path / "config"),
    }
    env.pop("DISPLAY", None)
    log = open(tmp_path / "stderr.log", "w")
    proc = subprocess.Popen(
        [sys.executable, "-m", "voiceguide", "-v", "run", str(procedure_file), "--rate", str(RATE)],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=log,
        text=True,
        cwd=ROOT,
        env=env,
    )
    console = Console(proc.stdout)
    injected: list[str] = []

    def answer(reply: str, intent: str) -> None:
        """Say ``reply`` until it is heard as ``intent`` (a person repeats what was missed)."""
        for _ in range(3):
            shown_at = time.monotonic()
            assert feeder.say(replies[reply]).wait(timeout=10)
            injected.append(reply)
            try:
                line = console.wait_for("heard:", timeout=20)
            except AssertionError:
                line = ""  # not heard at all (taken for the prompt's echo): say it again
            if line.endswith(f"-> {intent}\n"):
                return
            assert "not a command here" in line or not line, f"{reply!r} was taken as {line!r}"
            if line:  # a re-prompt: wait for it to end
                assert wait_listening(recorder, shown_at, timeout=30)
        raise AssertionError(f"{reply!r} was never understood")

    cut_off_s = None
    try:
        for number, step in enumerate(steps, 1):
            console.wait_for(f"Step {number} of {len(steps)}:", timeout=60)
            shown_at = time.monotonic()
            if number == 3:  # barge in: "stop" over the prompt, then carry on
                assert recorder.wait_until(lambda c: any(t > shown_at + 0.8 for t, _ in c), 10)  # noqa: B023 (called here)
                stop = feeder.say(replies["stop"])
                injected.append("stop")
                assert stop.wait(timeout=10)
                quiet_at = first_quiet_after(recorder, stop.started, timeout=10)
                cut_off_s = quiet_at - stop.word_end()
                # the command model hears the stop even where the prompt's echo garbles the
                # reading ("Free your top.")
                console.wait_for('" -> stop', timeout=30)
                console.wait_for("Paused.", timeout=30)
                assert wait_listening(recorder, time.monotonic(), timeout=30)
                answer("resume", "resume")
                shown_at = time.monotonic()
            if step.timer:  # the action before the timer is done: the timer starts, then runs out
                assert wait_listening(recorder, shown_at, timeout=60), (
                    f"the prompt of step {number} never ended"
                )
                answer("next step", "next")
                console.wait_for("The timer has started", timeout=30)
                console.wait_for('Say "next step" when you are ready', timeout=step.timer.seconds + 30)
                shown_at = time.monotonic()
            # the listening earcon says the prompt has ended (a held prompt is quiet too)
            assert wait_listening(recorder, shown_at, timeout=60), f"the prompt of step {number} never ended"
            if step.check:  # a spoken "yes" is then confirmed
                answer("yes", "yes")
                console.wait_for('say "confirm"', timeout=30)
                assert wait_listening(recorder, time.monotonic(), timeout=30)
                answer("confirm", "yes")
            else:
                answer("done" if number % 2 else "next step", "next")
        console.wait_for("Session ended: completed", timeout=60)
        assert proc.wait(timeout=30) == 0
    finally:
        proc.kill()
        feeder.close()
        log.close()
    echo_s = feeder.echo_s
    journal = next((tmp_path / "data" / "sessions").glob("*.jsonl"))
    events = [json.loads(line) for line in journal.read_text().splitlines()]
    heard = [(e["source"], e["intent"]) for e in events if e["type"] == "heard"]
    commands = [intent for source, intent in heard if intent is not None]
    assert all(source == "voice" for source, _ in heard)
    assert len(heard) <= len(injected), "the assistant heard itself"
    assert commands.count("stop") == 1 and commands.count("resume") == 1
    assert commands.count("yes") == 2 * sum(1 for s in steps if s.check)
    assert commands.count("next") == sum(
        1 + bool(s.timer) for s in steps if not s.check
    )  # a timer: start, then on
    assert [e["type"] for e in events].count("paused") == 1
    assert cut_off_s is not None and cut_off_s <= 0.3, f"speech went on {cut_off_s:.3f} s after 'stop'"
    stderr = (tmp_path / "stderr.log").read_text()
    counts = re.search(r"microphone: (\d+) utterances decoded, (\d+) dropped", stderr)
    assert counts, stderr[-2000:]
    decoded, _dropped = map(int, counts.groups())
    assert echo_s > 20, f"only {echo_s:.0f} s of the prompts reached the microphone: not a room"
    # the prompts were not decoded (only the replies, and at most a few echoes checked as "stop")
    assert decoded <= len(injected) + 3, f"{decoded} decodes for {len(injected)} replies"
