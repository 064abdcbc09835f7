"""The fresh corpus split stays untouched: its voices and its background's voices are used by
no other split and by no training, and the benchmark reads it only when asked for."""

from __future__ import annotations

import json

import pytest

from voiceguide.bench import corpus
from voiceguide.bench.command_training import training_clips
from voiceguide.bench.recognition import corpus_items

pytestmark = pytest.mark.unit


def _voice(v: corpus.Voice) -> tuple[str, str]:
    return v.engine, v.name


def test_fresh_voices_are_used_nowhere_else():
    fresh = {_voice(v) for v in corpus.FRESH_VOICES}
    talkers = {_voice(v) for v in corpus.FRESH_TALKERS}
    others = {_voice(v) for v in corpus.VOICES}
    assert all(v.split == "fresh" for v in corpus.FRESH_VOICES)
    assert not fresh & others and not talkers & others and not fresh & talkers


def test_the_fresh_talk_says_no_corpus_phrase_or_sentence():
    spoken = {p for p, _ in corpus.CORPUS_PHRASES} | {t for _, f in corpus.NEGATIVE_FAMILIES for t in f}
    assert not spoken & set(corpus.FRESH_TALK)


def test_training_uses_no_fresh_or_test_voice(tmp_path):
    keys = {c.voice for c in training_clips(tmp_path) if c.voice}
    assert keys <= {v.key for v in corpus.VOICES if v.split == "tune"}


def test_the_fresh_split_is_read_only_when_asked_for(tmp_path):
    rows = [
        {"path": f"{split}.wav", "kind": "negative", "text": "hello", "split": split, "family": "ordinary"}
        | {"condition": "clean"}
        for split in ("tune", "test", "fresh")
    ]
    (tmp_path / "manifest.jsonl").write_text("".join(f"{json.dumps(row)}\n" for row in rows))

    def read(split: str) -> set[str]:
        return {item.path.name for item in corpus_items(tmp_path, split, quick=False)}

    assert read("all") == {"tune.wav", "test.wav"}
    assert read("test") == {"test.wav"}
    assert read("fresh") == {"fresh.wav"}
