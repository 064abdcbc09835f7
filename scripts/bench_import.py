#!/usr/bin/env python3
"""Measure importing a two-page PDF leaflet: the whole `voiceguide import` command (a new
process, as a user runs it), and the import alone with each PDF reader (poppler's pdftotext
program, the pypdf package; pypdf's first call includes importing it). Prints a table and
writes JSON.

    python scripts/bench_import.py [--rounds 5] [--json bench_import.json]
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from voiceguide.bench.pdf_writer import LEAFLET, pdf_bytes  # noqa: E402
from voiceguide.importing import import_file  # noqa: E402

LIMIT_S = 2.0
"""The whole command must take less than this for a two-page PDF."""


def timed(action) -> float:
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5, help="times each measurement is taken")
    parser.add_argument("--json", default="bench_import.json", help="where to write the figures")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="bench-import-"))
    pdf = folder / "leaflet.pdf"
    pdf.write_bytes(pdf_bytes(LEAFLET))
    rows: dict[str, list[float]] = {}
    command = [sys.executable, "-m", "voiceguide", "import", str(pdf), "--output", str(folder / "out.yaml")]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}

    def run_command():
        subprocess.run(command, check=True, capture_output=True, env=env, cwd=ROOT)

    rows["voiceguide import (new process, pdftotext)"] = [timed(run_command) for _ in range(args.rounds)]
    if shutil.which("pdftotext"):
        rows["import_file, pdftotext"] = [
            timed(lambda: import_file(str(pdf), pdf_tool="pdftotext")) for _ in range(args.rounds)
        ]
    if importlib.util.find_spec("pypdf"):
        first = [
            float(
                subprocess.run(
                    [
                        sys.executable,
                        "-c",
                        "import time, sys; t = time.perf_counter(); "
                        "from voiceguide.importing import import_file; "
                        f"import_file({str(pdf)!r}, pdf_tool='pypdf'); print(time.perf_counter() - t)",
                    ],
                    check=True,
                    capture_output=True,
                    text=True,
                    env=env,
                ).stdout
            )
            for _ in range(args.rounds)
        ]
        rows["import_file, pypdf (first call: imports pypdf)"] = first
        rows["import_file, pypdf (later calls)"] = [
            timed(lambda: import_file(str(pdf), pdf_tool="pypdf")) for _ in range(args.rounds)
        ]
    steps = len(import_file(str(pdf)).procedure.steps)
    print(f"Two-page PDF leaflet ({pdf.stat().st_size} bytes, {steps} steps), {args.rounds} rounds:")
    print(f"{'what':<50} {'median s':>9} {'max s':>7}")
    figures = {}
    for name, times in rows.items():
        figures[name] = {"median_s": round(statistics.median(times), 4), "max_s": round(max(times), 4)}
        print(f"{name:<50} {statistics.median(times):>9.3f} {max(times):>7.3f}")
    whole = max(rows["voiceguide import (new process, pdftotext)"])
    verdict = "under" if whole < LIMIT_S else "OVER"
    print(f"The whole command: {whole:.2f} s at most, {verdict} the {LIMIT_S:.0f} s limit.")
    Path(args.json).write_text(
        json.dumps({"pdf_bytes": pdf.stat().st_size, "steps": steps, **figures}, indent=2)
    )
    shutil.rmtree(folder, ignore_errors=True)
    return 0 if whole < LIMIT_S else 1


if __name__ == "__main__":
    sys.exit(main())
