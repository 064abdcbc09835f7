"""Fit the decision's weights: one logistic regression per risk class over both kinds of evidence.

    python scripts/train_command_model.py        # once: the weights and their out-of-fold report
    python scripts/fit_decision.py [--out voiceguide/models/decision.json]

The training clips of the command model (``bench/command_training.py``: tune voices and the
developers' half of the real recordings, nothing of test or fresh) are heard as cases
(``bench/decision_fitting.py``): each at its moment, twice, with the command model's two
**out-of-fold** posteriors from the training report (from models that never heard the clip's
voice or speaker, and from models that also never heard its words), and the short window's
reading of tiny.en (``WhisperEngine.transcribe``, prompted as the recognizer prompts it;
cached in ``<cache dir>/command-model/``). The weights are fitted on all cases, the
operating points chosen for ``decision_fitting.FALSE_ACCEPT_TARGET`` (recorded in the file and
printed when they differ from ``RecognitionPolicy``'s); the file's SHA-256 is printed for
``voiceguide.recognition.fusion.FUSION_SHA256``. The same bytes from the same
readings; tiny.en's int8 readings may differ by a clip between CPUs (docs/recognition.md).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from voiceguide.bench import decision_fitting as fitting  # noqa: E402
from voiceguide.bench.command_training import RECIPE, Maker, training_clips  # noqa: E402
from voiceguide.bench.corpus import phrase_cases  # noqa: E402
from voiceguide.bench.recognition import speech_commands_dir  # noqa: E402
from voiceguide.core.checkin_phrases import answer_phrases  # noqa: E402
from voiceguide.core.intents import Moment, phrases_for  # noqa: E402
from voiceguide.core.ports import Transcript  # noqa: E402
from voiceguide.paths import cache_dir  # noqa: E402
from voiceguide.recognition.command_model import (  # noqa: E402
    MODELS_DIR,
    OTHER,
    WEIGHTS_SHA256,
    masked,
    meaning,
)
from voiceguide.recognition.engines.process import tune_process  # noqa: E402
from voiceguide.recognition.fusion import FUSION_NAME, Fusion  # noqa: E402
from voiceguide.recognition.policy import DEFAULT_POLICY  # noqa: E402
from voiceguide.recognition.risk import Risk  # noqa: E402

REAL_MOMENTS = {"yes": Moment.CHECK, "no": Moment.CHECK, "stop": Moment.STEP}
"""The moment a real command clip is heard at."""


def readings_cache() -> Path:
    return cache_dir() / "command-model" / f"short-readings-{RECIPE}.json"


def transcript_of(row: list) -> Transcript:
    """A cached reading: [text, average log-probability, no_speech, unprompted, ...]."""
    text, logprob, no_speech, unprompted = row[:4]
    return Transcript(
        text,
        float(np.exp(logprob)) if text else 0.0,
        bool(text),
        avg_logprob=logprob if text else None,
        no_speech=no_speech,
        unprompted=unprompted,
    )


def short_readings(cases, clips_by_name, folder: Path) -> list[Transcript]:
    """The short window's reading of every case, from the cache or decoded now."""
    cache = readings_cache()
    known = json.loads(cache.read_text()) if cache.is_file() else {}
    missing = [c for c in cases if f"{c.name}@{c.moment.value}" not in known]
    if missing:
        from voiceguide.recognition.engines.whisper import WhisperEngine

        engine = WhisperEngine()
        maker = Maker(folder)
        audio_of: dict[str, np.ndarray] = {}
        try:
            for done, case in enumerate(missing, 1):
                if case.name not in audio_of:
                    audio_of.clear()
                    audio_of[case.name] = maker.audio(clips_by_name[case.name])
                phrases = sorted(phrases_for(case.moment)) + list(answer_phrases(case.moment))
                read = engine.transcribe(audio_of[case.name], phrases)
                score = read.avg_logprob if read.avg_logprob is not None else 0.0
                known[f"{case.name}@{case.moment.value}"] = [
                    read.text,
                    round(score, 5),
                    round(read.no_speech, 5),
                    read.unprompted,
                ]
                if done % 500 == 0:
                    print(f"  readings: {done}/{len(missing)}", flush=True)
                    cache.parent.mkdir(parents=True, exist_ok=True)
                    cache.write_text(json.dumps(known, sort_keys=True))
        finally:
            maker.close()
        cache.parent.mkdir(parents=True, exist_ok=True)
        cache.write_text(json.dumps(known, sort_keys=True))
    return [transcript_of(known[f"{c.name}@{c.moment.value}"]) for c in cases]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.strip().splitlines()[0])
    parser.add_argument("--out", default=str(MODELS_DIR / FUSION_NAME), help="default %(default)s")
    parser.add_argument("--speech-commands", default=str(speech_commands_dir()), help="default %(default)s")
    parser.add_argument(
        "--report",
        default=str(cache_dir() / "command-model" / f"report-{WEIGHTS_SHA256[:16]}.json"),
        help="the training report with out-of-fold posteriors (default: the shipped weights')",
    )
    parser.add_argument("--json", help="write the figures here")
    args = parser.parse_args(argv)
    tune_process()
    started = time.perf_counter()
    report_path = Path(args.report)
    if not report_path.is_file():
        print(f"fit_decision: no training report at {report_path}; run python scripts/train_command_model.py")
        return 2
    report = json.loads(report_path.read_text())
    oof = dict(zip(report["oof"]["names"], report["oof"]["probs"]))
    unseen = dict(zip(report["oof"]["names"], report["oof_unseen_words"]))
    folder = Path(args.speech_commands)
    clips = [c for c in training_clips(folder) if c.name in oof]
    by_name = {c.name: c for c in clips}
    moments = {(phrase, intent.value): moment for phrase, intent, moment in phrase_cases()}
    cases = []
    for clip in clips:
        if clip.source == "real":
            moment = REAL_MOMENTS.get(clip.word)
        else:
            moment = moments.get((clip.text, getattr(meaning(clip.label), "value", OTHER)))
        cases += fitting.cases_of(clip.name, clip.label, clip.text if clip.source == "synth" else "", moment)
    print(f"{len(cases)} cases from {len(clips)} clips", flush=True)
    classes = report["classes"]
    posteriors = [masked(classes, np.array(oof[c.name]), c.moment) for c in cases]
    posteriors += [masked(classes, np.array(unseen[c.name]), c.moment) for c in cases]
    transcripts = short_readings(cases, by_name, folder)
    cases, transcripts = cases + cases, transcripts + transcripts
    rows = fitting.rows_of(cases, posteriors, transcripts)
    from threadpoolctl import threadpool_limits

    with threadpool_limits(1):  # one BLAS thread: the same sums in the same order
        weights = fitting.fit_weights(rows)
    best = fitting.best_per_case(weights, rows, len(cases))
    accept = fitting.operating_points(best, cases)
    fusion = Fusion(weights, accept)
    text = fusion.to_json()
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text)
    digest = hashlib.sha256(text.encode()).hexdigest()
    result = {
        "figures": fitting.figures(best, cases, accept),
        "accept": {r.value: accept[r] for r in Risk},
        "rows": int(len(rows.y)),
        "cases": len(cases),
        "sha256": digest,
        "seconds": round(time.perf_counter() - started),
    }
    print(json.dumps(result, indent=1))
    print(f"wrote {out} SHA-256 {digest}")
    if DEFAULT_POLICY.operating_points() != accept:
        chosen = ", ".join(f"accept_{r.value}={accept[r]}" for r in Risk)
        print(f"the operating points changed: set {chosen} in RecognitionPolicy (recognition/policy.py)")
    if args.json:
        Path(args.json).write_text(json.dumps(result) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
