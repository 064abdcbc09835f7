"""The large-print display, for real: a Tk window on a private X server (Xvfb), driven by a
real session, read back from its widgets and checked on a screenshot; keys pressed with
xdotool drive the session (one-key control)."""

from __future__ import annotations

import io
import os
import shutil
import threading
import time
from dataclasses import replace

import numpy as np
import pytest
from xvfb_rig import Xvfb, text_rows, write_png

from voiceguide.app.adapters import Adapters, prepare
from voiceguide.app.runner import Runner
from voiceguide.core.events import EventType
from voiceguide.core.session import Session
from voiceguide.core.session_types import Outcome
from voiceguide.ui.combine import Fanout
from voiceguide.ui.text_io import ConsoleDisplay, MemoryJournal, QuietSpeaker

pytestmark = pytest.mark.gui

pytest.importorskip("tkinter", reason="tkinter is missing (apt-get install python3-tk)")


@pytest.fixture(scope="module")
def xserver():
    if shutil.which("xdotool") is None or shutil.which("xwd") is None:
        pytest.skip("xdotool and xwd are needed (apt-get install xdotool x11-apps)")
    server = Xvfb()
    try:
        server.start()
    except (RuntimeError, OSError) as error:
        pytest.skip(f"Xvfb could not start: {error}")
    yield server
    server.stop()


def b12_with_short_timer(seconds=6):
    """The shipped B12 procedure; its 30-second timer cut to ``seconds`` so a real-time
    walk stays short."""
    procedure = prepare("b12-im", "example", False)
    steps = tuple(
        replace(s, timer=replace(s.timer, seconds=seconds)) if s.timer else s for s in procedure.steps
    )
    return replace(procedure, steps=steps)


class Live:
    """A real session in a background thread, shown in the window and driven by its keys."""

    def __init__(self, xserver, procedure, **display_options):
        from voiceguide.ui.display_tk import LargePrintDisplay

        self.x = xserver
        self.window = LargePrintDisplay(screen_name=xserver.display, **display_options)
        self.journal = MemoryJournal()
        self.procedure = procedure
        self.outcome = None

    def __enter__(self):
        self.window.__enter__()
        self.runner = Runner(
            Session(self.procedure),
            Adapters(
                speaker=QuietSpeaker(),
                listener=self.window.keys(),
                journal=self.journal,
                display=Fanout(ConsoleDisplay(io.StringIO()), self.window),
            ),
        )
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()
        self.x.focus("voiceguide")
        return self

    def _run(self):
        self.outcome = self.runner.run()

    def __exit__(self, *exc):
        self.window.__exit__(*exc)

    def wait_for(self, condition, timeout=20.0):
        """The window's read-back state once ``condition(state)`` holds (polled, with a timeout)."""
        deadline = time.monotonic() + timeout
        while True:
            state = self.window.snapshot()
            if condition(state):
                return state
            if time.monotonic() > deadline:
                raise AssertionError(f"the window never showed what was expected; it shows {state}")
            time.sleep(0.05)

    def at_step(self, number, **more):
        total = len(self.procedure.steps)
        return self.wait_for(
            lambda s: s["position"] == f"Step {number} of {total}" and all(v in s[k] for k, v in more.items())
        )


def save(shot, name):
    folder = os.environ.get("VOICEGUIDE_SCREENSHOTS")
    if folder:
        write_png(os.path.join(folder, name), shot)


def test_window_shows_the_step_in_large_high_contrast_text(xserver):
    procedure = b12_with_short_timer()
    with Live(xserver, procedure) as live:
        live.at_step(1)
        for number in range(2, 5):
            xserver.key("space")
            live.at_step(number)
        xserver.key("Return")
        state = live.at_step(5, status="SAFETY CHECK")
        shot = xserver.screenshot()
        save(shot, "display-step5-dark.png")
        xserver.key("s")
        live.wait_for(lambda s: s["status"] == "PAUSED")
        xserver.key("e")
        live.thread.join(timeout=20)
    assert live.outcome is Outcome.ENDED

    # read back from the widgets
    step = procedure.steps[4]
    assert state["title"] == step.title == "Sharps container within reach"
    assert state["body"].startswith(step.say) and step.check.question in state["body"]
    assert state["body_size"] >= 48 and state["title_size"] >= 40
    assert '"yes"' in state["say"] and "Y: yes" in state["keys"] and "next" not in state["keys"]
    assert state["heard"] == 'Heard: "next" → next'

    # the screenshot: the window, in its colours, with big lines of text where the step text is
    assert shot.shape == (800, 1280, 3)
    colours, counts = np.unique(shot.reshape(-1, 3), axis=0, return_counts=True)
    assert tuple(colours[counts.argmax()]) == (0, 0, 0)  # black background: light on dark
    white = np.abs(shot.astype(int) - 255).max(axis=-1) <= 60
    assert 0.01 < white.mean() < 0.5, "the screen is blank or flooded"
    x, y, w, h = state["body_box"]
    box = shot[y : y + h, x : x + w]
    assert (np.abs(box.astype(int) - 255).max(axis=-1) <= 60).mean() > 0.03  # text is drawn there
    lines = [b - a + 1 for a, b in text_rows(box, (255, 255, 255))]
    assert len(lines) >= 2 and max(lines) >= 45, lines  # lines of large print (px tall)
    assert not ((box[..., 0] > 200) & (box[..., 2] < 100)).any()  # no coloured pixels: white on black


def test_yellow_theme_and_size(xserver):
    procedure = b12_with_short_timer()
    with Live(xserver, procedure, theme="yellow", size=72) as live:
        state = live.at_step(1)
        shot = xserver.screenshot()
        save(shot, "display-step1-yellow.png")
        xserver.key("s")
        live.wait_for(lambda s: s["status"] == "PAUSED")
        xserver.key("e")
        live.thread.join(timeout=20)
    assert state["title_size"] == 72 * 4 // 5 and state["foreground"] == "#FFFF00"
    assert 48 <= state["body_size"] <= 72  # shrunk only as far as needed to fit 1280x800
    x, y, w, h = state["body_box"]
    box = shot[y : y + h, x : x + w].astype(int)
    yellow = (box[..., 0] > 200) & (box[..., 1] > 200) & (box[..., 2] < 80)
    assert yellow.mean() > 0.03
    assert not ((box[..., 2] > 200) & (box[..., 0] > 200)).any()  # no white: only yellow on black
    lines = [b - a + 1 for a, b in text_rows(shot[y : y + h, x : x + w], (255, 255, 0))]
    assert max(lines) >= 60, lines


def test_one_key_walks_the_whole_b12_procedure_in_the_window(xserver):
    """Real key presses (XTEST) into the window: Space on every step, Space at a check does
    nothing, Y answers it; the timer shows its countdown and the session completes."""
    procedure = b12_with_short_timer()
    total = len(procedure.steps)
    with Live(xserver, procedure) as live:
        for number, step in enumerate(procedure.steps, 1):
            live.at_step(number)
            if step.check:
                live.wait_for(lambda s: s["status"].startswith("SAFETY CHECK"))
                xserver.key("space")  # the go-on key never answers a check
                live.wait_for(lambda s: len(live.journal.of(EventType.UNCLEAR)) >= 1)
                assert live.runner.state.index == number - 1
                xserver.key("y")
            elif step.timer:
                xserver.key("space")  # the swabbing is done: the timer starts now
                shown = live.wait_for(lambda s: s["timer"].startswith("0:0") and s["timer"] != "0:06")
                assert shown["status"] == "TIMER"
                if os.environ.get("VOICEGUIDE_SCREENSHOTS"):
                    save(xserver.screenshot(), "display-timer.png")
                live.wait_for(lambda s: s["status"] == "TIME IS UP", timeout=30)
                xserver.key("space")
            else:
                xserver.key("space")
        live.thread.join(timeout=30)
        final = live.wait_for(lambda s: s["status"] == "FINISHED")
    assert live.outcome is Outcome.COMPLETED
    assert final["position"] == f"Step {total} of {total}"
    started = [e.data["index"] for e in live.journal.of(EventType.STEP_STARTED)]
    assert started == list(range(1, total + 1))
    assert [e.data["answer"] for e in live.journal.of(EventType.CHECK_ANSWERED)] == ["yes"] * 6
    said = [e.data["text"] for e in live.journal.of(EventType.SAID)]
    counted = [text for text in said if text in ("5.", "4.", "3.", "2.", "1.")]
    assert counted == sorted(set(counted), reverse=True) and len(counted) >= 3  # each once, in order


def test_run_opens_the_window_by_default_and_its_keys_work_alongside_typed_answers(xserver, tmp_path):
    """The real CLI with a graphical display present: the window opens without being asked,
    a Space pressed in it moves the session on, and typed answers still work."""
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    env = {
        **xserver.env(),
        "VOICEGUIDE_DATA_DIR": str(tmp_path / "data"),
        "VOICEGUIDE_CONFIG_DIR": str(tmp_path / "config"),
        "PULSE_SERVER": "unix:/nonexistent/pulse",
    }
    proc = subprocess.Popen(
        [sys.executable, "-m", "voiceguide", "run", "b12-im", "--profile", "example", "--engine", "keyboard"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=root,
        env=env,
    )
    try:
        xserver.focus("voiceguide")  # waits (--sync) until the window exists
        xserver.key("space")
        shown = []
        for line in proc.stdout:
            shown.append(line)
            if line.startswith("Step 2 of 19"):
                proc.stdin.write("stop\nend session\n")
                proc.stdin.flush()
            if line.startswith("Session ended"):
                break
        proc.wait(timeout=30)
    finally:
        proc.kill()
    output = "".join(shown)
    assert 'heard: "next" -> next' in output and "Step 2 of 19: Wash and dry your hands" in output
    assert "Session ended: ended (step 2 of 19)" in output
    assert proc.returncode == 3, output + proc.stderr.read()
