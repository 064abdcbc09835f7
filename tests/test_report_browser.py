"""The HTML report rendered by a real headless browser (Debian's chromium): the screenshot must
show the three tables (their black header bands) and the highlighted concerning check-in."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from voiceguide.core.events import EventType, event
from voiceguide.records.journal import FileJournal

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
WIDTH, HEIGHT = 1280, 2400
CONCERNING_RGB = (0xFF, 0xE1, 0x4D)

pytestmark = pytest.mark.skipif(
    CHROMIUM is None, reason="chromium is not installed (apt-get install chromium)"
)
pytestmark = [pytest.mark.gui, pytestmark]


def chromium(tmp_path: Path, *args: str) -> subprocess.CompletedProcess:
    profile = tmp_path / "chromium-profile"
    profile.mkdir(exist_ok=True)
    return subprocess.run(
        [
            CHROMIUM,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--hide-scrollbars",
            f"--user-data-dir={profile}",
            f"--window-size={WIDTH},{HEIGHT}",
            *args,
        ],
        capture_output=True,
        text=True,
        timeout=180,
        env={**os.environ, "HOME": str(tmp_path)},
    )


def record_sessions(root: Path) -> None:
    day = 86400.0
    start = time.time() - 70 * day
    plan = [
        ("left outer thigh", ["soreness"], []),
        ("right outer thigh", ["none"], []),
        ("left outer thigh", ["swelling", "unwell"], ["swelling", "unwell"]),
    ]
    for number, (site, effects, concerning) in enumerate(plan):
        at = start + number * 30 * day
        with FileJournal("b12-im", root) as journal:
            journal.record(
                event(
                    EventType.SESSION_STARTED,
                    procedure="b12-im",
                    steps=19,
                    rehearsal=False,
                    title="Intramuscular vitamin B12 injection",
                ).stamped(at)
            )
            journal.record(event(EventType.SITE_CHOSEN, site=site, step="todays-site").stamped(at + 60))
            journal.record(
                event(EventType.SESSION_ENDED, outcome="completed", step=19, total=19).stamped(at + 600)
            )
            journal.record(
                event(EventType.CHECKIN, effects=effects, concerning=concerning, about=None).stamped(at + 700)
            )


def dark_bands(pixels: np.ndarray, min_fill: float = 0.55) -> list[tuple[int, int]]:
    """(first row, height) of each run of rows that are at least ``min_fill`` near-black."""
    dark = (pixels.max(axis=2) < 60).mean(axis=1) >= min_fill
    bands, begin = [], None
    for row, is_dark in enumerate(list(dark) + [False]):
        if is_dark and begin is None:
            begin = row
        elif not is_dark and begin is not None:
            bands.append((begin, row - begin))
            begin = None
    return bands


def test_the_report_renders_its_tables_in_headless_chromium(tmp_path):
    from PIL import Image

    data = tmp_path / "data"
    record_sessions(data)
    page = tmp_path / "report.html"
    made = subprocess.run(
        [
            sys.executable,
            "-m",
            "voiceguide",
            "report",
            "--format",
            "html",
            "--output",
            str(page),
            "--profile",
            "example",
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**os.environ, "VOICEGUIDE_DATA_DIR": str(data)},
        timeout=60,
    )
    assert made.returncode == 0, made.stderr

    dom = chromium(tmp_path, "--dump-dom", page.as_uri())
    assert dom.returncode == 0, dom.stderr[-2000:]
    assert dom.stdout.count("<tr>") >= 1 + 3 + 1 + 2 + 1 + 3  # header + rows, for each table
    shot = tmp_path / "report.png"
    result = chromium(tmp_path, f"--screenshot={shot}", page.as_uri())
    assert result.returncode == 0 and shot.exists(), result.stderr[-2000:]

    pixels = np.asarray(Image.open(shot).convert("RGB"), dtype=np.int16)
    assert pixels.shape[:2] == (HEIGHT, WIDTH)
    ink = (pixels.max(axis=2) < 128).mean()
    assert 0.01 < ink < 0.5, f"{ink:.3f} of the page is dark: blank or broken rendering"
    headers = [band for band in dark_bands(pixels) if band[1] >= 25]
    assert len(headers) == 3, f"expected 3 table header bands, found {dark_bands(pixels)}"
    assert headers[0][0] > 100  # below the title and the schedule
    # the concerning check-in cells are highlighted (twice: sessions and check-in tables)
    yellow = np.all(np.abs(pixels - np.array(CONCERNING_RGB)) <= 8, axis=2)
    rows_with_yellow = np.flatnonzero(yellow.sum(axis=1) > 50)
    assert rows_with_yellow.size > 40
    assert rows_with_yellow.min() > headers[0][0] and rows_with_yellow.max() > headers[2][0]
