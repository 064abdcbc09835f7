#!/usr/bin/env python3
"""Measure one-key control through the large-print window: from a real key press (xdotool,
XTEST) on a private Xvfb to the window showing the next step. Prints a table and writes JSON.

    PYTHONPATH=$PWD python scripts/bench_display.py [--presses 17] [--json bench_display.json]
"""

from __future__ import annotations

import argparse
import io
import json
import statistics
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT))

from xvfb_rig import Xvfb  # noqa: E402

from voiceguide.app.adapters import Adapters, prepare  # noqa: E402
from voiceguide.app.runner import Runner  # noqa: E402
from voiceguide.core.session import Session  # noqa: E402
from voiceguide.ui.combine import Fanout  # noqa: E402
from voiceguide.ui.display_tk import LargePrintDisplay  # noqa: E402
from voiceguide.ui.text_io import ConsoleDisplay, MemoryJournal, QuietSpeaker  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--presses", type=int, default=4, help="key presses to time (plain steps 1-4)")
    parser.add_argument("--rounds", type=int, default=5, help="sessions to run")
    parser.add_argument("--json", default="bench_display.json")
    args = parser.parse_args()
    server = Xvfb()
    server.start()
    opened, latencies = [], []
    try:
        for _ in range(args.rounds):
            t0 = time.monotonic()
            window = LargePrintDisplay(screen_name=server.display)
            with window:
                opened.append((time.monotonic() - t0) * 1000)
                procedure = prepare("b12-im", "example", False)
                runner = Runner(
                    Session(procedure),
                    Adapters(
                        speaker=QuietSpeaker(),
                        listener=window.keys(),
                        journal=MemoryJournal(),
                        display=Fanout(ConsoleDisplay(io.StringIO()), window),
                    ),
                )
                thread = threading.Thread(target=runner.run, daemon=True)
                thread.start()
                server.focus("voiceguide")
                wait_for(window, "Step 1 of 18")
                for number in range(2, 2 + args.presses):
                    start = time.monotonic()
                    server.key("space")
                    wait_for(window, f"Step {number} of 18")
                    latencies.append((time.monotonic() - start) * 1000)
                server.key("s")
                wait_for(window, "PAUSED", key="status")
                server.key("e")
                thread.join(timeout=20)
    finally:
        server.stop()
    rows = {"window_open_ms": opened, "key_to_screen_ms": latencies}
    print(f"{'measure':<18} {'n':>3} {'median':>8} {'max':>8}")
    for name, values in rows.items():
        print(f"{name:<18} {len(values):>3} {statistics.median(values):>8.0f} {max(values):>8.0f}")
    Path(args.json).write_text(
        json.dumps(
            {
                k: {"n": len(v), "median": statistics.median(v), "max": max(v), "values": v}
                for k, v in rows.items()
            },
            indent=2,
        )
    )
    return 0


def wait_for(window, text, key="position", timeout=20.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if window.snapshot()[key] == text:
            return
        time.sleep(0.005)
    raise SystemExit(f"the window never showed {text!r}")


if __name__ == "__main__":
    sys.exit(main())
