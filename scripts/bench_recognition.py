"""Benchmark recognition on the synthetic corpus and on real recordings; print a table, write JSON.

    python scripts/make_speech_corpus.py                 # once: <cache dir>/speech-corpus
    python scripts/bench_recognition.py [--split test] [--quick] [--json FILE]

What is decoded and how each figure is counted: ``voiceguide/bench/recognition.py``. Real
recordings (``--real``) are the Speech Commands folder, by default
``$VOICEGUIDE_SPEECH_COMMANDS`` or ``<data dir>/speech-commands``. RSS is this process's peak.
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from voiceguide.bench.corpus import default_dir  # noqa: E402
from voiceguide.bench.recognition import (  # noqa: E402
    Recording,
    RecordingCommands,
    corpus_items,
    real_items,
    run,
    speech_commands_dir,
    summarize,
)
from voiceguide.bench.tuning import retire, with_settings  # noqa: E402
from voiceguide.recognition.command_model import CommandModel  # noqa: E402
from voiceguide.recognition.engines.process import tune_process  # noqa: E402
from voiceguide.recognition.engines.whisper_model import file_sha256  # noqa: E402
from voiceguide.recognition.fusion import Fusion  # noqa: E402
from voiceguide.recognition.policy import DEFAULT_POLICY  # noqa: E402
from voiceguide.recognition.recognizer import CommandEvidence, Recognizer  # noqa: E402


def table(summary: dict, meta: dict) -> str:
    lines = [
        f"engine {meta['engine']}  split {meta['split']}{'  (quick)' if meta['quick'] else ''}"
        f"  decodes {summary['decode_ms'].get('n', 0)}",
        "",
        f"{'commands':<22}{'n':>6}{'accuracy %':>12}{'wrong %':>9}{'in a reading %':>16}",
    ]

    def command_line(name: str, f: dict) -> str:
        return (
            f"  {name:<20}{f['n']:>6}{_f(f['accuracy']):>12}{_f(f['wrong_intent']):>9}"
            f"{_f(f.get('in_readings')):>16}"
        )

    for key in ("commands", "noise_types"):
        lines += [command_line(name, f) for name, f in summary[key].items()] + [""]
    lines.append(command_line("all", summary["commands_all"]))
    if "confirm_turn" in summary:
        lines.append(command_line("confirm, when asked", summary["confirm_turn"]))
    if summary["real"]:
        lines += [
            "",
            f"{'real speech (Speech Commands)':<22}{'n':>6}{'accuracy %':>12}{'wrong %':>9}"
            f"{'in a reading %':>16}",
        ]
        lines += [command_line(word, f) for word, f in summary["real"].items()]
    lines += [
        "",
        f"{'negatives':<22}{'n':>6}{'any accept %':>14}{'next@step':>11}{'yes@check':>11}"
        f"{'confirm@confirm':>17}",
    ]
    for family, f in summary["negatives"].items():
        lines.append(
            f"  {family:<20}{f['n']:>6}{_f(f['any_accept']):>14}"
            f"{f['next_at_step']:>5}/{f['n_step']:<5}{f['yes_at_check']:>5}/{f['n_check']:<5}"
            f"{f['yes_at_confirm']:>8}/{f['n_confirm']:<8}"
        )
    s = summary["stop_to_advance"]
    d = summary["decode_ms"]
    lines += [
        "",
        f"stop -> an advancing intent: {s['count']} of {s['n']} stops",
        f"decode ms: median {d.get('median')}  p95 {d.get('p95')}   "
        f"model load {meta['load_ms']:.0f} ms (with hash check {meta['load_total_ms']:.0f} ms)"
        f"   peak RSS {meta['peak_rss_mb']:.0f} MB",
    ]
    if "det" in summary:
        det = summary["det"]
        families = list(det["decodes"])
        lines += [
            "",
            "DET: the operating point of the advances and answers against dangerous accepts "
            "(next@step + yes@check) per family, of "
            + ", ".join(f"{f} {n}" for f, n in det["decodes"].items()),
            f"  {'point':<8}{'commands %':>11}{'wrong %':>9}" + "".join(f"{f[:14]:>16}" for f in families),
        ]
        for row in det["rows"]:
            point = row["point"] if isinstance(row["point"], str) else f"{row['point']:.3f}"
            lines.append(
                f"  {point:<8}{_f(row['commands']):>11}{_f(row['wrong']):>9}"
                + "".join(f"{row['dangerous'][f]:>16}" for f in families)
            )
        lines.append(f"  chosen: {det['chosen']}")
    return "\n".join(lines)


def _f(value: float | None) -> str:
    return "-" if value is None else f"{value:.1f}"


def main(argv: list[str] | None = None) -> int:
    tune_process()  # what the command line sets at program start
    parser = argparse.ArgumentParser(description=__doc__.strip().splitlines()[0])
    parser.add_argument("--corpus", default=str(default_dir()), help="default %(default)s")
    parser.add_argument(
        "--real",
        default=str(speech_commands_dir()),
        help="Speech Commands folder ('' to skip; default %(default)s)",
    )
    parser.add_argument(
        "--split",
        choices=("tune", "test", "fresh", "all"),
        default="test",
        help="tune: rules are chosen on it; test: used to choose, no longer held out; fresh: never "
        "chooses anything, read only when asked for; all: tune and test (default %(default)s)",
    )
    parser.add_argument("--quick", action="store_true", help="about a fifth of the clips")
    parser.add_argument(
        "--groups",
        default="command,confirm_turn,negative,retired,real_command,real_other",
        help="which clips to decode (comma-separated; default all)",
    )
    parser.add_argument("--engine", default="whisper", choices=("whisper", "vosk"))
    parser.add_argument("--model", help="model directory for the engine")
    parser.add_argument("--json", help="write the figures here (default: <corpus>/bench-<split>.json)")
    parser.add_argument("--clips", action="store_true", help="also put every clip's result in the JSON")
    parser.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="try another value of a field of the recognition policy, e.g. --set accept_advance=0.7 "
        "--set talking_trim_db=null (an engine recipe constant: MODULE.NAME=VALUE, e.g. "
        "--set recognition.engines.whisper.MIN_WINDOW_S=4)",
    )
    parser.add_argument(
        "--command-model",
        help="command model weights to try instead of the shipped ones, such as the unseen-word "
        "control's (scripts/train_command_model.py --skip-words ... --out C.npz)",
    )
    parser.add_argument(
        "--fusion", help="decision weights to try instead of the shipped ones (scripts/fit_decision.py --out)"
    )
    parser.add_argument(
        "--retire",
        action="append",
        default=[],
        metavar="PHRASE",
        help="try the vocabulary without PHRASE, e.g. --retire 'speak up' "
        "(its clips are then decoded as negatives)",
    )
    args = parser.parse_args(argv)
    try:
        policy = with_settings(DEFAULT_POLICY, args.set)
        for phrase in args.retire:
            retire(phrase)
    except ValueError as error:
        parser.error(str(error))

    from voiceguide.recognition.engines import make_engine

    corpus = Path(args.corpus)
    try:
        items = corpus_items(corpus, args.split, args.quick)
    except FileNotFoundError as error:
        print(f"bench_recognition: {error}", file=sys.stderr)
        return 2
    if args.real:
        items += real_items(Path(args.real), args.split, args.quick)
    groups = set(args.groups.split(","))
    items = [item for item in items if item.group in groups]
    with_model = args.engine == "whisper"
    started = time.perf_counter()
    engine = make_engine(args.engine, args.model, policy)
    commands = None
    if with_model:
        fusion = Fusion.from_json(Path(args.fusion).read_text()) if args.fusion else Fusion.load()
        model = (
            CommandModel.load(args.command_model, file_sha256(Path(args.command_model)))
            if args.command_model
            else CommandModel.load()
        )
        commands = RecordingCommands(CommandEvidence(engine.command_encoder(), model, fusion))
    load_total_ms = (time.perf_counter() - started) * 1000.0
    recognizer = Recognizer(Recording(engine), policy=policy, commands=commands)
    results = run(recognizer, items)
    summary = summarize(results, policy.operating_points() if commands is not None else None)
    meta = {
        "engine": args.engine,
        "command_model": with_model,
        "fusion": args.fusion,
        "command_model_file": args.command_model,
        "settings": args.set,
        "retired": args.retire,
        "split": args.split,
        "quick": args.quick,
        "load_ms": getattr(engine, "load_ms", load_total_ms),
        "load_total_ms": load_total_ms,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0,
        "command": "python scripts/bench_recognition.py " + " ".join(argv or sys.argv[1:]),
    }
    print(table(summary, meta))
    out = (
        Path(args.json) if args.json else corpus / f"bench-{args.split}{'-quick' if args.quick else ''}.json"
    )
    payload = {"meta": meta, "summary": summary}
    if args.clips:
        payload["clips"] = [
            {
                "path": str(r.item.path),
                "moment": r.item.moment.value,
                "expected": r.item.expected.value if r.item.expected else None,
                "text": r.text,
                "intent": r.intent.value if r.intent else None,
                "clear": r.clear,
                "ms": round(r.ms, 1),
                "group": r.item.group,
                "readings": r.readings,
                "engine_clear": r.engine_clear,
                "in_readings": r.in_readings,
                "reason": r.reason,
                "fused": r.fused,
                "evidence": r.evidence,
                "condition": r.item.condition,
            }
            for r in results
        ]
    out.write_text(json.dumps(payload, indent=1) + "\n")
    print(f"\nwrote {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
