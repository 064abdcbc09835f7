"""Train the command model and write its weights: the same bytes from the same inputs.

    python scripts/train_command_model.py [--out voiceguide/models/command_model.npz] [--skip-words W,...]

Clips (``voiceguide/bench/command_training.py``): the corpus's tune voices, augmented, and the
developers' half of the Speech Commands recordings (``--speech-commands``). Features: tiny.en's
encoder on the short window, pooled (``recognition/engines/command_features.py``), cached in
``<cache dir>/command-model/`` (deleting it changes nothing but the time). Model: MEMBERS
one-hidden-layer networks (scikit-learn's MLPClassifier, the ``dev`` extra) averaged, one class
per intent and "other". The rejection threshold is chosen on out-of-fold posteriors of a
cross-validation that leaves whole voices and speakers out (FOLDS folds, ``fold_of``;
``command_scoring.choose_threshold``); a second one that also leaves words out
(``word_fold_of``) gives ``scripts/fit_decision.py`` the model's answers on words it never
heard. Deterministic: sorted inputs, fixed seeds, one BLAS thread, weights stored as float16 in
a fixed order; it prints the file's SHA-256, which
``voiceguide.recognition.command_model.WEIGHTS_SHA256`` pins.

``--skip-words`` leaves those real words' clips out of training (the unseen-word control of
``scripts/bench_command_model.py``); ``--every N`` trains on every Nth clip (a quick check).
"""

from __future__ import annotations

import os

os.environ.setdefault("OMP_NUM_THREADS", "1")  # one BLAS thread: the same sums in the same order
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import argparse  # noqa: E402
import json  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
import warnings  # noqa: E402
import zlib  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from voiceguide.bench import command_scoring  # noqa: E402
from voiceguide.bench.command_training import FEATURES, Clip, Maker, extract, training_clips  # noqa: E402
from voiceguide.bench.recognition import speech_commands_dir  # noqa: E402
from voiceguide.paths import cache_dir  # noqa: E402
from voiceguide.recognition.command_model import CLASSES, DEFAULT_PATH, OTHER, CommandModel, save  # noqa: E402

MEMBERS = 3
"""Networks averaged."""
HIDDEN = 256
"""Units of each network's hidden layer."""
ALPHA = 1e-3
"""L2 penalty."""
EPOCHS = 60
"""Passes over the training clips (Adam, batches of 128)."""
COMMAND_WEIGHT = 3.0
"""A command clip's weight in the loss against an "other" clip's 1 (there are about 17 times as
many "other" clips as clips of one intent). Tune, cross-validated, one network of 128 units:
commands 75.3 % against 74.4 % unweighted at a threshold of 0.6, dangerous answers 40 against
43 of 7,360 decodes."""
FOLDS = 5
"""Cross-validation folds; a voice, a speaker or the noise clips stay in one fold (``fold_of``)."""


def fold_of(clip: Clip, voices: list[str]) -> int:
    """A synthetic voice's fold is its place among the voices; a speaker's, its hash; noise's,
    its kind's."""
    if clip.group in voices:
        return voices.index(clip.group) % FOLDS
    return zlib.crc32(clip.group.encode()) % FOLDS


def word_fold_of(clip: Clip, voices: list[str]) -> int:
    """As ``fold_of``, but a word or sentence that is no command is in the fold of its text, in
    every voice: each fold's model has never heard the words it is scored on, as a session
    meets words no training had."""
    if clip.label == OTHER and clip.source in ("synth", "real"):
        return zlib.crc32(f"word:{clip.word or clip.text}".encode()) % FOLDS
    return fold_of(clip, voices)


def fit(x: np.ndarray, y: list[str], members: int = MEMBERS) -> dict[str, np.ndarray]:
    """Standardise ``x`` and fit ``members`` networks; the weights file's arrays (threshold 0)."""
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.neural_network import MLPClassifier

    mean = x.mean(axis=0)
    scale = x.std(axis=0) + 1e-6
    z = (x - mean) / scale
    target = np.array([CLASSES.index(label) for label in y])
    weight = np.where(target == CLASSES.index(OTHER), 1.0, COMMAND_WEIGHT)
    weight /= weight.mean()
    w1, b1, w2, b2 = [], [], [], []
    for member in range(members):
        net = MLPClassifier(
            hidden_layer_sizes=(HIDDEN,),
            alpha=ALPHA,
            batch_size=128,
            max_iter=EPOCHS,
            random_state=member,
            early_stopping=False,
            n_iter_no_change=EPOCHS,
        )
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            net.fit(z, target, sample_weight=weight)
        # classes absent from the training clips get a column that never wins
        full_w2 = np.zeros((HIDDEN, len(CLASSES)), np.float32)
        full_b2 = np.full(len(CLASSES), -30.0, np.float32)
        full_w2[:, net.classes_] = net.coefs_[1]
        full_b2[net.classes_] = net.intercepts_[1]
        w1.append(net.coefs_[0])
        b1.append(net.intercepts_[0])
        w2.append(full_w2)
        b2.append(full_b2)
    return {
        "classes": np.array(list(CLASSES)),
        "mean": mean.astype(np.float16),
        "scale": scale.astype(np.float16),
        "w1": np.stack(w1).astype(np.float16),
        "b1": np.stack(b1).astype(np.float16),
        "w2": np.stack(w2).astype(np.float16),
        "b2": np.stack(b2).astype(np.float16),
        "threshold": np.array(0.0, np.float32),
    }


def model_of(arrays: dict[str, np.ndarray]) -> CommandModel:
    members = arrays["w1"].shape[0]
    return CommandModel(
        [str(c) for c in arrays["classes"]],
        arrays["mean"],
        arrays["scale"],
        [(arrays["w1"][k], arrays["b1"][k], arrays["w2"][k], arrays["b2"][k]) for k in range(members)],
        float(arrays["threshold"]),
    )


def cross_validate(x: np.ndarray, y: list[str], folds: np.ndarray) -> np.ndarray:
    """Out-of-fold probabilities (n, classes): each fold's clips scored by a model trained
    without that fold (``fold_of``, ``word_fold_of``)."""
    probs = np.zeros((len(y), len(CLASSES)))
    for fold in range(FOLDS):
        test = folds == fold
        train = ~test
        arrays = fit(x[train], [label for label, t in zip(y, train) if t])
        probs[test] = model_of(arrays).probabilities(x[test])
        print(f"  fold {fold + 1}/{FOLDS}: {int(test.sum())} clips scored", flush=True)
    return probs


def oof_report(sha256: str) -> Path:
    """Where the report of the weights with this SHA-256 is kept, with its out-of-fold
    posteriors (``scripts/fit_decision.py`` reads them)."""
    return cache_dir() / "command-model" / f"report-{sha256[:16]}.json"


def features_cache() -> Path:
    return cache_dir() / "command-model" / f"train-features-{FEATURES}.npz"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.strip().splitlines()[0])
    parser.add_argument("--out", default=str(DEFAULT_PATH), help="default %(default)s")
    parser.add_argument("--speech-commands", default=str(speech_commands_dir()), help="default %(default)s")
    parser.add_argument("--skip-words", default="", help="real words left out of training (comma-separated)")
    parser.add_argument("--every", type=int, default=1, help="train on every Nth clip (a quick check)")
    parser.add_argument("--no-cache", action="store_true", help="compute every feature again")
    parser.add_argument("--report", help="write the cross-validation figures here (JSON)")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    folder = Path(args.speech_commands)
    skip = tuple(w for w in args.skip_words.split(",") if w)
    clips = training_clips(folder, skip)[:: args.every]
    print(f"{len(clips)} training clips ({sum(c.source == 'real' for c in clips)} real)", flush=True)

    from voiceguide.recognition.engines.command_features import CommandEncoder

    maker = Maker(folder)
    try:
        x = extract(
            [c.name for c in clips],
            lambda i: maker.audio(clips[i]),
            CommandEncoder(),
            None if args.no_cache else features_cache(),
        )
    finally:
        maker.close()
    y = [c.label for c in clips]
    voices = sorted({c.voice for c in clips if c.voice})
    featured = time.perf_counter()
    print(f"features in {featured - started:.0f} s; cross-validating", flush=True)
    oof = cross_validate(x, y, np.array([fold_of(c, voices) for c in clips]))
    print("cross-validating again, leaving words out", flush=True)
    unseen = cross_validate(x, y, np.array([word_fold_of(c, voices) for c in clips]))
    threshold = command_scoring.choose_threshold(oof, CLASSES, y)
    cv = command_scoring.figures(oof, CLASSES, y, threshold)
    arrays = fit(x, y)
    arrays["threshold"] = np.array(threshold, np.float32)
    out = Path(args.out)
    digest = save(out, arrays)
    seconds = time.perf_counter() - started
    print(f"threshold {threshold:.2f}; cross-validated on tune: {json.dumps(cv)}")
    print(f"wrote {out} ({out.stat().st_size:,} bytes) SHA-256 {digest}")
    print(f"took {seconds:.0f} s (features {featured - started:.0f} s)")
    report = {
        "clips": len(clips),
        "classes": list(CLASSES),
        "skip_words": skip,
        "threshold": threshold,
        "cross_validated": cv,
        "sha256": digest,
        "seconds": round(seconds),
        "oof": {"labels": y, "probs": np.round(oof, 5).tolist(), "names": [c.name for c in clips]},
        "oof_unseen_words": np.round(unseen, 5).tolist(),
    }
    text = json.dumps(report) + "\n"
    if args.report:
        Path(args.report).write_text(text)
    oof_cache = oof_report(digest)
    oof_cache.parent.mkdir(parents=True, exist_ok=True)
    oof_cache.write_text(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
