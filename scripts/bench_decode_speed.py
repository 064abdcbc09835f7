"""Decode speed over a fixed clip list: wall and CPU time per decode.

    python scripts/bench_decode_speed.py [--split tune] [--every 3] [--set M.NAME=V] [--json F]

The clips are bench_recognition's quick subset (every ``--every``-th of them), decoded through
``Recognizer.decode`` as the benchmark does. Wall time is what a user waits; CPU time (this
process, all threads) is the work, which moves far less when other programs share the cores,
so compare CPU times between runs on a busy machine. Prints a table, writes JSON.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from collections import defaultdict
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from voiceguide.audio.wav import read_wav  # noqa: E402
from voiceguide.bench.corpus import default_dir  # noqa: E402
from voiceguide.bench.recognition import corpus_items, real_items, speech_commands_dir  # noqa: E402
from voiceguide.bench.tuning import with_settings  # noqa: E402
from voiceguide.recognition.engines.process import tune_process  # noqa: E402
from voiceguide.recognition.policy import DEFAULT_POLICY  # noqa: E402


def _figures(rows: list[dict]) -> dict:
    def stats(key: str) -> dict:
        values = sorted(r[key] for r in rows)
        return {
            "median": round(statistics.median(values), 1),
            "p95": round(values[int(0.95 * (len(values) - 1))], 1),
        }

    return {
        "n": len(rows),
        "wall_ms": stats("wall_ms"),
        "cpu_ms": stats("cpu_ms"),
    }


def main(argv: list[str] | None = None) -> int:
    tune_process()  # what the command line sets at program start
    parser = argparse.ArgumentParser(description=__doc__.strip().splitlines()[0])
    parser.add_argument("--corpus", default=str(default_dir()), help="default %(default)s")
    parser.add_argument("--real", default=str(speech_commands_dir()), help="'' to skip; default %(default)s")
    parser.add_argument("--split", choices=("tune", "test"), default="tune")
    parser.add_argument("--every", type=int, default=3, help="take every N-th quick clip")
    parser.add_argument("--json", help="write the figures here")
    parser.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="another value of a policy field or recipe constant, as in bench_recognition.py",
    )
    args = parser.parse_args(argv)
    try:
        policy = with_settings(DEFAULT_POLICY, args.set)
    except ValueError as error:
        parser.error(str(error))

    from voiceguide.recognition.recognizer import open_recognizer

    try:
        items = corpus_items(Path(args.corpus), args.split, True)
    except FileNotFoundError as error:
        print(f"bench_decode_speed: {error}", file=sys.stderr)
        return 2
    if args.real:
        items += real_items(Path(args.real), args.split, True)
    items = items[:: args.every]
    recognizer = open_recognizer("whisper", policy=policy)
    load_before = os.getloadavg()
    rows = []
    for item in items:
        audio = read_wav(item.path)
        wall, cpu = time.perf_counter(), time.process_time()
        recognizer.decode(audio, item.moment)
        rows.append(
            {
                "path": str(item.path),
                "moment": item.moment.value,
                "group": item.group,
                "wall_ms": round((time.perf_counter() - wall) * 1000.0, 1),
                "cpu_ms": round((time.process_time() - cpu) * 1000.0, 1),
            }
        )
    load = [round(x, 2) for x in (*load_before, *os.getloadavg())]
    groups = defaultdict(list)
    for row in rows:
        groups[row["group"]].append(row)
        groups[row["moment"]].append(row)
    summary = {"all": _figures(rows), **{k: _figures(v) for k, v in sorted(groups.items())}}
    print(
        f"split {args.split}, every {args.every}th quick clip; load average before "
        f"{load[0]}, after {load[3]}\n"
    )
    print(f"{'':16}{'n':>5}{'wall median':>13}{'p95':>8}{'CPU median':>12}{'p95':>8}")
    for name, f in summary.items():
        print(
            f"{name:16}{f['n']:>5}{f['wall_ms']['median']:>13}{f['wall_ms']['p95']:>8}"
            f"{f['cpu_ms']['median']:>12}{f['cpu_ms']['p95']:>8}"
        )
    if args.json:
        Path(args.json).write_text(
            json.dumps(
                {"summary": summary, "load_average": load, "argv": argv or sys.argv[1:], "clips": rows},
                indent=1,
            )
            + "\n"
        )
        print(f"\nwrote {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
