"""The large-print window at three screen sizes with the largest text setting: no two lines of
text overlap or touch, none is cut off, and everything is on the screen. Checked on the
widgets' boxes (read back from Tk) and on a screenshot of each (Xvfb), not by eye; and the
"no" key where a yes/no question is open."""

from __future__ import annotations

import os
import shutil
import time

import numpy as np
import pytest
from xvfb_rig import Xvfb, write_png

from voiceguide.app.adapters import prepare
from voiceguide.core.events import EventType, event
from voiceguide.core.intents import Moment

pytestmark = pytest.mark.gui

pytest.importorskip("tkinter", reason="tkinter is missing (apt-get install python3-tk)")

SIZES = [(800, 600), (1280, 800), (1920, 1080)]
GAP_PX = 16
"""Lines of text on the same rows closer than this run together."""


def server(size):
    if shutil.which("xwd") is None:
        pytest.skip("xwd is needed (apt-get install x11-apps)")
    x = Xvfb(size)
    try:
        x.start()
    except (RuntimeError, OSError) as error:
        pytest.skip(f"Xvfb could not start: {error}")
    return x


def check_events(procedure):
    """The events of a session at its fifth step, a safety check: the longest header line."""
    step = procedure.steps[4]
    total = len(procedure.steps)
    return [
        event(EventType.SESSION_STARTED, title=procedure.title, steps=total),
        event(EventType.STEP_STARTED, index=5, total=total, step=step.id, title=step.title, text=step.say),
        event(EventType.CHECK_ASKED, step=step.id, question=step.check.question),
        event(EventType.HEARD, text="where am i", intent="where"),
    ]


def timer_events(procedure):
    index = next(i for i, s in enumerate(procedure.steps) if s.timer)
    step = procedure.steps[index]
    total = len(procedure.steps)
    return [
        event(
            EventType.STEP_STARTED,
            index=index + 1,
            total=total,
            step=step.id,
            title=step.title,
            text=step.say,
        ),
        event(EventType.TIMER_STARTED, step=step.id, seconds=step.timer.seconds),
    ]


def overlaps(a, b) -> bool:
    ax, ay, aw, ah = a[:4]
    bx, by, bw, bh = b[:4]
    return ax < bx + bw + GAP_PX and bx < ax + aw + GAP_PX and ay < by + bh and by < ay + ah


def layout_problems(boxes, screen) -> list[str]:
    problems = []
    names = sorted(boxes)
    for i, first in enumerate(names):
        for second in names[i + 1 :]:
            if overlaps(boxes[first], boxes[second]):
                problems.append(f"{first} {boxes[first][:4]} and {second} {boxes[second][:4]} run together")
    for name, (x, y, w, h, want_w, want_h) in boxes.items():
        if w < want_w or h < want_h:
            problems.append(f"{name} is cut off: {w}x{h} shown of {want_w}x{want_h}")
        if x < 0 or y < 0 or x + w > screen[0] or y + h > screen[1]:
            problems.append(f"{name} {x, y, w, h} is off the {screen} screen")
    return problems


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_no_text_runs_together_at_the_largest_text_size(size, tmp_path):
    from voiceguide.ui.display_tk import MAX_SIZE, LargePrintDisplay

    procedure = prepare("b12-im", "example", False)
    x = server(size)
    try:
        for name, events in (("check", check_events(procedure)), ("timer", timer_events(procedure))):
            with LargePrintDisplay(size=MAX_SIZE, screen_name=x.display) as window:
                for item in events:
                    window.show(item.stamped(time.time()))
                state = window.snapshot()
                time.sleep(0.2)
                shot = x.screenshot()
            folder = os.environ.get("VOICEGUIDE_SCREENSHOTS") or tmp_path
            write_png(os.path.join(folder, f"layout-{name}-{size[0]}x{size[1]}.png"), shot)
            assert shot.shape == (size[1], size[0], 3)
            boxes = state["boxes"]
            assert {"position", "status", "title", "body", "say", "keyline"} <= set(boxes)
            assert layout_problems(boxes, size) == [], (name, boxes)
            # the screenshot agrees: ink inside the text boxes, and none outside them
            ink = np.abs(shot.astype(int) - 255).max(axis=-1) <= 60
            inside = np.zeros_like(ink)
            for bx, by, bw, bh, *_ in boxes.values():
                inside[by : by + bh, bx : bx + bw] = True
            assert ink[inside].any() and not ink[~inside & ~bar_area(state, shot)].any()
    finally:
        x.stop()


def bar_area(state, shot):
    """The progress bar (drawn, not text) between the header and the title."""
    area = np.zeros(shot.shape[:2], dtype=bool)
    top = state["boxes"]["status"] if "status" in state["boxes"] else state["boxes"]["position"]
    bottom = state["boxes"]["title"]
    area[top[1] + top[3] : bottom[1], :] = True
    return area


def test_the_n_key_answers_no_at_a_check_and_is_shown():
    from voiceguide.ui.display_tk import LargePrintDisplay
    from voiceguide.ui.keys import key_text

    assert key_text("n", Moment.CHECK) == "n" and key_text("n", Moment.STEP) == "next"
    assert key_text("space", Moment.CHECK) == "next"  # the go-on key never answers a check
    procedure = prepare("b12-im", "example", False)
    x = server((1280, 800))
    try:
        with LargePrintDisplay(screen_name=x.display) as window:
            for item in check_events(procedure):
                window.show(item.stamped(time.time()))
            state = window.snapshot()
            keys = window.keys()
            keys.set_moment(Moment.CHECK)
            x.focus("voiceguide")
            x.key("n")
            pressed = keys.listen(10.0)
    finally:
        x.stop()
    assert "N: no" in state["keys"] and "Y: yes" in state["keys"]
    from voiceguide.recognition.matching import match

    assert pressed is not None and match(pressed.text, Moment.CHECK, keys=True).value == "no"
