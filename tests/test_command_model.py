"""The command model: its weights are refused unless they are the pinned ones, its posteriors
are probabilities over the moment's intents, its input pooling, its operating point, the
training script's determinism, and the shipped model on synthesized commands."""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from voiceguide.bench import command_scoring
from voiceguide.core.intents import ALLOWED, Intent, Moment
from voiceguide.errors import ModelError
from voiceguide.recognition import command_model
from voiceguide.recognition.command_model import OTHER, CommandModel, masked, pool, save

REPO = Path(__file__).resolve().parents[1]
CLASSES = list(command_model.CLASSES)


def _arrays(width: int = 12, hidden: int = 5, members: int = 2, seed: int = 0) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    return {
        "classes": np.array(CLASSES),
        "mean": rng.standard_normal(width).astype(np.float16),
        "scale": (1.0 + rng.random(width)).astype(np.float16),
        "w1": rng.standard_normal((members, width, hidden)).astype(np.float16),
        "b1": rng.standard_normal((members, hidden)).astype(np.float16),
        "w2": rng.standard_normal((members, hidden, len(CLASSES))).astype(np.float16),
        "b2": rng.standard_normal((members, len(CLASSES))).astype(np.float16),
        "threshold": np.array(0.6, np.float32),
    }


@pytest.fixture
def weights(tmp_path) -> tuple[Path, str]:
    path = tmp_path / "model.npz"
    return path, save(path, _arrays())


@pytest.mark.unit
def test_weights_load_when_their_hash_is_the_pinned_one(weights):
    path, digest = weights
    model = CommandModel.load(path, digest)
    assert model.classes[-1] == OTHER and model.threshold == pytest.approx(0.6)
    assert digest == hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.mark.unit
def test_tampered_weights_are_refused(weights):
    path, digest = weights
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0x01
    path.write_bytes(bytes(data))
    with pytest.raises(ModelError, match="damaged or not the expected version"):
        CommandModel.load(path, digest)


@pytest.mark.unit
def test_missing_weights_name_the_fix(tmp_path):
    with pytest.raises(ModelError, match="train_command_model.py"):
        CommandModel.load(tmp_path / "absent.npz", "0" * 64)


@pytest.mark.unit
def test_the_same_arrays_give_the_same_bytes(tmp_path):
    assert save(tmp_path / "a.npz", _arrays()) == save(tmp_path / "b.npz", _arrays())


@pytest.mark.unit
def test_the_shipped_weights_are_the_pinned_ones():
    assert command_model.DEFAULT_PATH.is_file(), "voiceguide/models/command_model.npz ships in the package"
    model = CommandModel.load()
    assert set(model.classes) == set(Intent) | set(command_model.WORD_CLASSES) | {OTHER}
    assert 0.3 <= model.threshold < 1.0


@pytest.mark.unit
@pytest.mark.parametrize("moment", [None, *Moment])
def test_posteriors_sum_to_one_over_the_moments_intents(weights, moment):
    model = CommandModel.load(*weights)
    features = np.random.default_rng(1).standard_normal(12).astype(np.float32)
    post = model.posteriors(features, moment)
    assert sum(post.values()) == pytest.approx(1.0)
    assert all(0.0 <= p <= 1.0 for p in post.values())
    expected = set(Intent) if moment is None else set(ALLOWED[moment])
    assert set(post) == expected | {OTHER}


@pytest.mark.unit
def test_masking_keeps_the_allowed_classes_in_proportion(weights):
    model = CommandModel.load(*weights)
    features = np.random.default_rng(2).standard_normal(12).astype(np.float32)
    everything = model.posteriors(features)
    at_check = model.posteriors(features, Moment.CHECK)
    assert Intent.NEXT not in at_check
    ratio = at_check[Intent.YES] / everything[Intent.YES]
    assert at_check[OTHER] / everything[OTHER] == pytest.approx(ratio)


@pytest.mark.unit
def test_confirm_is_yes_at_a_check_and_the_only_yes_at_the_confirm_turn():
    probs = np.zeros(len(CLASSES))
    probs[CLASSES.index("yes")] = 0.5
    probs[CLASSES.index("confirm")] = 0.3
    probs[CLASSES.index(OTHER)] = 0.2
    at_check = masked(CLASSES, probs, Moment.CHECK)
    assert at_check[Intent.YES] == pytest.approx(0.8) and at_check[OTHER] == pytest.approx(0.2)
    at_confirm = masked(CLASSES, probs, Moment.CONFIRM)  # a spoken "yes" there is no answer
    assert at_confirm[Intent.YES] == pytest.approx(0.3) and at_confirm[OTHER] == pytest.approx(0.7)


@pytest.mark.unit
def test_pool_is_the_power_weighted_mean_the_loud_mean_and_max_and_the_plain_mean():
    encoded = np.arange(12, dtype=np.float32).reshape(6, 2)
    level = np.array([-60.0, -10.0, -20.0, -60.0, -60.0, -60.0])  # loud: frames 1 and 2
    pooled = pool(encoded, level)
    weight = np.power(10.0, (level + 10.0) / 10.0)
    weighted = (weight / weight.sum()) @ encoded
    assert pooled[:2] == pytest.approx(weighted, rel=1e-6)
    assert weighted[0] == pytest.approx(2.0 + 2.0 / 11.0, rel=1e-3)  # the frame 10 dB down weighs a tenth
    assert pooled[2:].tolist() == [3.0, 4.0, 4.0, 5.0, 5.0, 6.0]
    silent = pool(encoded, np.full(6, -120.0))  # nothing louder than anything: every frame
    assert silent.tolist() == [5.0, 6.0, 5.0, 6.0, 10.0, 11.0, 5.0, 6.0]


@pytest.mark.unit
def test_an_answer_needs_the_threshold_and_the_moment():
    probs = np.zeros((2, len(CLASSES)))
    probs[0, CLASSES.index("next")] = 0.55
    probs[0, CLASSES.index(OTHER)] = 0.45
    probs[1, CLASSES.index("yes")] = 0.6
    probs[1, CLASSES.index("confirm")] = 0.3
    probs[1, CLASSES.index(OTHER)] = 0.1
    assert command_scoring.answers(probs, CLASSES, Moment.STEP, 0.5) == [Intent.NEXT, None]
    assert command_scoring.answers(probs, CLASSES, Moment.STEP, 0.6) == [None, None]
    assert command_scoring.answers(probs, CLASSES, Moment.CHECK, 0.85) == [None, Intent.YES]
    assert command_scoring.answers(probs, CLASSES, Moment.CONFIRM, 0.5) == [None, None]


@pytest.mark.unit
def test_the_threshold_is_the_lowest_that_keeps_other_clips_from_advancing():
    probs = np.zeros((3, len(CLASSES)))
    probs[:, CLASSES.index(OTHER)] = 0.3
    probs[:, CLASSES.index("next")] = 0.7  # each "other" clip says next at 0.7
    labels = [OTHER, OTHER, OTHER]
    assert command_scoring.choose_threshold(probs, CLASSES, labels) == pytest.approx(
        0.71
    )  # 0.70 still takes it


@pytest.mark.engine
@pytest.mark.parametrize(
    ("text", "moment", "expected"),
    [
        ("yes", Moment.CHECK, Intent.YES),
        ("no", Moment.CHECK, Intent.NO),
        ("stop", Moment.STEP, Intent.STOP),
        ("next step", Moment.STEP, Intent.NEXT),
        ("repeat that", Moment.STEP, Intent.REPEAT),
        ("the weather is nice today", Moment.STEP, None),
    ],
)
def test_the_shipped_model_reads_synthesized_commands(corpus, tmp_path, text, moment, expected):
    if shutil.which("espeak-ng") is None:
        pytest.skip("espeak-ng is not installed")
    from voiceguide.recognition.engines.command_features import CommandEncoder

    voice = next(v for v in corpus.VOICES if v.key == "espeak-en-us_m3-160")  # a test-split voice
    audio = corpus.degrade(corpus.synthesize(voice, text, tmp_path), "none", None, text, np.zeros(1))
    model = CommandModel.load()
    best, posterior = model.best(CommandEncoder().features(audio), moment)
    heard = None if best == OTHER or posterior < model.threshold else best
    assert heard is expected


@pytest.mark.engine
@pytest.mark.slow
def test_training_gives_the_same_bytes_twice(tmp_path):
    if shutil.which("espeak-ng") is None:
        pytest.skip("espeak-ng is not installed")
    from voiceguide.bench.recognition import speech_commands_dir

    digests = []
    for run in range(2):
        out = tmp_path / f"run{run}.npz"
        subprocess.run(
            [sys.executable, str(REPO / "scripts" / "train_command_model.py"), "--every", "150", "--no-cache"]
            + ["--out", str(out), "--speech-commands", str(speech_commands_dir())],
            check=True,
            capture_output=True,
            timeout=600,
        )
        digests.append(hashlib.sha256(out.read_bytes()).hexdigest())
    assert digests[0] == digests[1]
