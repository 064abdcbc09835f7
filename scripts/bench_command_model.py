"""Score the command model alone: print a table, write JSON.

    python scripts/make_speech_corpus.py                        # once
    python scripts/train_command_model.py --report R.json        # the shipped weights
    python scripts/train_command_model.py --skip-words zero,one,...,marvin,sheila --out C.npz
    python scripts/bench_command_model.py --train-report R.json --control C.npz [--every 2]

Each clip's pooled encoder vector (``recognition/engines/command_features.py``) is scored by
the model (``recognition/command_model.py``) at a listening moment: masked to its intents,
the best class taken when its posterior reaches the model's threshold. Commands are scored at
their corpus moment; "other" clips (the corpus's negatives, and real words that are no
command) at a step, where next is dangerous, and at a check, where yes is. Sections:

- tune, cross-validated: the training report's out-of-fold figures (voices left out);
- test and fresh splits of the corpus (``--split``; fresh is read only when named);
- held-out real speakers: the Speech Commands half never trained on;
- the unseen-word control (``--control``): a model trained without the real clips of
  ``command_training.UNSEEN_CONTROL_WORDS``, on those words' held-out speakers;
- decode cost: short window, encoder and classifier, wall time per clip.

Negatives that sound exactly like a command (``command_training.HOMOPHONES``: "dunn", "paws",
"pours", "know") are scored on their own line, "homophone".
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from collections import defaultdict
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from voiceguide.audio.wav import read_wav  # noqa: E402
from voiceguide.bench.command_scoring import DANGEROUS, answers  # noqa: E402
from voiceguide.bench.command_training import (  # noqa: E402
    FEATURES,
    HOMOPHONES,
    UNSEEN_CONTROL_WORDS,
    extract,
    real_clips,
)
from voiceguide.bench.corpus import default_dir  # noqa: E402
from voiceguide.bench.recognition import retired, speech_commands_dir  # noqa: E402
from voiceguide.core.intents import Intent, Moment  # noqa: E402
from voiceguide.paths import cache_dir  # noqa: E402
from voiceguide.recognition.command_model import CommandModel  # noqa: E402
from voiceguide.recognition.engines.whisper_model import file_sha256  # noqa: E402


def corpus_rows(corpus: Path, split: str, every: int) -> list[dict]:
    rows = [json.loads(line) for line in (corpus / "manifest.jsonl").read_text().splitlines()]
    return [r for r in rows if r["split"] == split][::every]


def score_corpus(
    model: CommandModel, x: np.ndarray, rows: list[dict], threshold: float | None = None
) -> dict:
    """Commands per condition (right, wrong) and "other" per family (next@step, yes@check, any),
    at ``threshold`` (default the model's)."""
    threshold = model.threshold if threshold is None else threshold
    probs = model.probabilities(x)
    classes = model.classes
    commands: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    negatives: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    examples: list[str] = []
    for row, p in zip(rows, probs):
        if row["kind"] == "command" and not retired(row):
            got = answers(p[None], classes, Moment(row["moment"]), threshold)[0]
            for key in (row["condition"], "all"):
                line = commands[key]
                line[0] += 1
                line[1] += got is Intent(row["intent"])
                line[2] += got is not None and got is not Intent(row["intent"])
        else:
            if row["kind"] == "command":  # a phrase the vocabulary no longer takes
                family = f"retired {row['text']}"
            else:
                family = "homophone" if row["text"] in HOMOPHONES else row["family"]
                family += "" if row["condition"] == "clean" else f" {row['condition']}"
            line = negatives[family]
            line[0] += 1
            for k, (moment, dangerous) in enumerate(DANGEROUS.items()):
                got = answers(p[None], classes, moment, threshold)[0]
                line[1 + k] += got is dangerous
                line[3] += got is not None
                if got is dangerous:
                    examples.append(f"{row['path']}@{moment.value}")
    return {"commands": dict(commands), "negatives": dict(negatives), "dangerous": examples}


SWEEP = (0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 0.99)
"""Thresholds of the trade-off table (commands right against dangerous answers)."""


def sweep_point(model: CommandModel, x: np.ndarray, rows: list[dict], threshold: float) -> dict:
    """Commands right and wrong, and dangerous answers (next@step + yes@check) per kind of
    negative: sentences (ordinary and with command words), sound-alikes, homophones; clean and
    over the TV together."""
    scored = score_corpus(model, x, rows, threshold)
    n, right, wrong = scored["commands"]["all"]
    point = {
        "threshold": threshold,
        "right": round(100.0 * right / n, 1),
        "wrong": round(100.0 * wrong / n, 1),
    }
    kinds = {"sentences": ("ordinary", "contains_command"), "sound_alikes": ("sound_alike",)}
    kinds["homophones"] = ("homophone",)
    for kind, families in kinds.items():
        lines = [v for k, v in scored["negatives"].items() if k.split(" ")[0] in families]
        point[kind] = [sum(v[1] + v[2] for v in lines), sum(2 * v[0] for v in lines)]
    return point


def score_real(model: CommandModel, x: np.ndarray, words: list[str]) -> dict:
    """yes and no at a check, stop at a step and at a check; other words at both."""
    probs = model.probabilities(x)
    out: dict = {"commands": {}, "stop_to_advance": 0, "other": [0, 0, 0, 0]}
    expected = {"yes": (Intent.YES, (Moment.CHECK,)), "no": (Intent.NO, (Moment.CHECK,))}
    expected["stop"] = (Intent.STOP, (Moment.STEP, Moment.CHECK))
    for word, (intent, moments) in expected.items():
        rows = [i for i, w in enumerate(words) if w == word]
        n = right = 0
        for moment in moments:
            got = answers(probs[rows], model.classes, moment, model.threshold) if rows else []
            n += len(got)
            right += sum(g is intent for g in got)
            out["stop_to_advance"] += (
                sum(g in (Intent.NEXT, Intent.YES) for g in got) if word == "stop" else 0
            )
        out["commands"][word] = [n, right]
    rows = [i for i, w in enumerate(words) if w not in expected]
    out["other"][0] = len(rows)
    accepted: dict[str, int] = defaultdict(int)
    for k, (moment, dangerous) in enumerate(DANGEROUS.items()):
        got = answers(probs[rows], model.classes, moment, model.threshold) if rows else []
        out["other"][1 + k] = sum(g is dangerous for g in got)
        out["other"][3] += sum(g is not None for g in got)
        for g, i in zip(got, rows):
            if g is dangerous:
                accepted[f"{words[i]} -> {g.value}@{moment.value}"] += 1
    out["dangerous_examples"] = dict(sorted(accepted.items()))
    return out


def pct(part: int, whole: int) -> str:
    return f"{100.0 * part / whole:5.1f}" if whole else "    -"


def _of(pair: list[int]) -> str:
    return f"{pair[0]}/{pair[1]}"


def table(figures: dict) -> str:
    lines = [f"command model {figures['weights']} (threshold {figures['threshold']:.2f})"]
    cv = figures.get("tune_cv")
    if cv:
        c, s, k = cv["commands"], cv["other_step"], cv["other_check"]
        lines += [
            "",
            f"tune, cross-validated (voices and speakers left out): commands {pct(c['right'], c['n'])} % of "
            f"{c['n']} right, {c['wrong']} wrong; other clips {s['n']}: next@step {s['dangerous']}, "
            f"yes@check {k['dangerous']}",
        ]
    for split, part in figures["splits"].items():
        lines += ["", f"{split + ' split':<24}{'n':>6}{'right %':>9}{'wrong %':>9}"]
        for name, (n, right, wrong) in part["commands"].items():
            lines.append(f"  {name:<22}{n:>6}{pct(right, n):>9}{pct(wrong, n):>9}")
        lines.append(f"  {'other':<22}{'n':>6}{'next@step':>11}{'yes@check':>11}{'any %':>8}")
        for name, (n, nxt, yes, any_) in part["negatives"].items():
            lines.append(f"  {name:<22}{n:>6}{nxt:>11}{yes:>11}{pct(any_, 2 * n):>8}")
    for name in ("real", "control"):
        part = figures.get(name)
        if not part:
            continue
        title = "held-out real speakers" if name == "real" else "unseen-word control (held-out speakers)"
        lines += ["", title]
        for word, (n, right) in part["commands"].items():
            if not n:
                continue
            lines.append(f"  {word:<22}{n:>6}{pct(right, n):>9} % right")
        n, nxt, yes, any_ = part["other"]
        lines.append(
            f"  other words {n}: next@step {nxt}, yes@check {yes} ({pct(nxt + yes, 2 * n)} % of decodes), "
            f"any intent {pct(any_, 2 * n)} %"
        )
        if name == "real" and part["commands"]:
            lines.append(f"  stop -> next or yes: {part['stop_to_advance']}")
        if part["dangerous_examples"]:
            lines.append(
                "  dangerous: " + ", ".join(f"{k} x{v}" for k, v in part["dangerous_examples"].items())
            )
    for split, points in figures.get("sweep", {}).items():
        lines += [
            "",
            f"{split} split, threshold against dangerous answers (next@step + yes@check, of decodes)",
        ]
        lines.append(
            f"  {'threshold':>9}{'right %':>9}{'wrong %':>9}{'sentences':>12}{'sound-alikes':>14}{'homophones':>12}"
        )
        for p in points:
            mark = " <- the model's" if abs(p["threshold"] - figures["threshold"]) < 1e-6 else ""
            lines.append(
                f"  {p['threshold']:>9.2f}{p['right']:>9.1f}{p['wrong']:>9.1f}"
                f"{_of(p['sentences']):>12}{_of(p['sound_alikes']):>14}{_of(p['homophones']):>12}{mark}"
            )
    cost = figures.get("decode_ms")
    if cost:
        lines += ["", f"decode (window, encoder, classifier): median {cost['median']} ms, p95 {cost['p95']} ms "
                  f"over {cost['n']} clips"]  # fmt: skip
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.strip().splitlines()[0])
    parser.add_argument(
        "--weights", help="another weights file (its own hash is trusted; default: the pinned one)"
    )
    parser.add_argument("--corpus", default=str(default_dir()), help="default %(default)s")
    parser.add_argument("--split", action="append", choices=("test", "fresh", "tune"), help="default test")
    parser.add_argument("--every", type=int, default=1, help="score every Nth corpus clip")
    parser.add_argument(
        "--real", default=str(speech_commands_dir()), help="Speech Commands folder ('' to skip)"
    )
    parser.add_argument("--train-report", help="train_command_model.py --report JSON: the tune figures")
    parser.add_argument("--control", help="weights trained with --skip-words (the unseen-word control)")
    parser.add_argument("--timing", type=int, default=100, help="clips timed for the decode cost")
    parser.add_argument("--json", default="bench-command-model.json", help="default %(default)s")
    args = parser.parse_args(argv)
    from voiceguide.recognition.engines.command_features import CommandEncoder

    path = Path(args.weights) if args.weights else None
    model = CommandModel.load(path, file_sha256(path) if path else None)
    encoder = CommandEncoder()
    cache = cache_dir() / "command-model" / f"eval-features-{FEATURES}.npz"
    figures: dict = {"weights": str(path or "pinned"), "threshold": model.threshold, "splits": {}}
    if args.train_report:
        figures["tune_cv"] = json.loads(Path(args.train_report).read_text())["cross_validated"]
    corpus = Path(args.corpus)
    timed: list[Path] = []
    for split in args.split or ["test"]:
        rows = corpus_rows(corpus, split, args.every)
        x = extract(
            [f"corpus/{r['path']}" for r in rows],
            lambda i, rows=rows: read_wav(corpus / rows[i]["path"]),
            encoder,
            cache,
        )
        figures["splits"][split] = score_corpus(model, x, rows)
        points = sorted({*SWEEP, round(model.threshold, 2)})
        figures.setdefault("sweep", {})[split] = [sweep_point(model, x, rows, t) for t in points]
        timed += [corpus / r["path"] for r in rows[:: max(1, len(rows) // max(1, args.timing))]]
    if args.real:
        folder = Path(args.real)
        clips = real_clips(folder, "test", augmented=False)
        x = extract([c.name for c in clips], lambda i: read_wav(folder / clips[i].path), encoder, cache)
        words = [c.word for c in clips]
        figures["real"] = score_real(model, x, words)
        if args.control:
            control = CommandModel.load(args.control, file_sha256(Path(args.control)))
            unseen = [i for i, w in enumerate(words) if w in UNSEEN_CONTROL_WORDS]
            figures["control"] = score_real(control, x[unseen], [words[i] for i in unseen])
            figures["control"]["weights"] = args.control
    times = []
    for file in timed[: args.timing]:
        audio = read_wav(file)
        started = time.perf_counter()
        model.posteriors(encoder.features(audio), Moment.STEP)
        times.append((time.perf_counter() - started) * 1000.0)
    if times:
        times.sort()
        figures["decode_ms"] = {
            "n": len(times),
            "median": round(statistics.median(times), 1),
            "p95": round(times[int(0.95 * (len(times) - 1))], 1),
        }
    figures["command"] = "python scripts/bench_command_model.py " + " ".join(argv or sys.argv[1:])
    print(table(figures))
    Path(args.json).write_text(json.dumps(figures, indent=1) + "\n")
    print(f"\nwrote {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
