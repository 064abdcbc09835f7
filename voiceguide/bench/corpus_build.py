"""Write the recognition corpus: every accepted phrase (and the retired ones, see
``corpus.CORPUS_PHRASES``) in every voice and condition, and negatives that must never become a
command.

The folder receives WAVs (16 kHz mono 16-bit) and ``manifest.jsonl``, one JSON object per clip:
``{"path", "kind": "command"|"negative", "text", "intent", "moment", "voice", "engine",
"split": "tune"|"test"|"fresh", "condition", "noise", "snr_db", "family"}``. Running it twice gives
identical files. Negatives: real human speech (pocketsphinx-testdata), ordinary sentences,
sentences that contain command words, one-syllable sound-alikes, noise and silence, and the
synthesized ones again over a TV at 20 dB (``corpus.NEGATIVES_OVER_TV``). Speech Commands
recordings (real people saying yes/no/stop and other words) are read by
``voiceguide.bench.recognition.real_items`` straight from their folder. The fresh split
(``corpus.FRESH_VOICES``, its own talking background ``corpus.fresh_talk``) comes last, so
the lines before it do not move; ``--quick`` leaves it out.
"""

from __future__ import annotations

import json
import logging
import shutil
import tempfile
from pathlib import Path

import numpy as np

from voiceguide.audio.wav import write_wav
from voiceguide.bench.corpus import (
    CONDITIONS,
    FRESH_VOICES,
    NEGATIVE_FAMILIES,
    NEGATIVE_VOICES_PER_SPLIT,
    NEGATIVES_OVER_TV,
    PAD_S,
    VOICES,
    Voice,
    available,
    degrade,
    fresh_talk,
    human_recordings,
    phrase_cases,
    pink_noise,
    seed,
    slug,
    synthesize,
    tv_track,
)
from voiceguide.core.ports import SAMPLE_RATE

log = logging.getLogger(__name__)


class Writer:
    def __init__(self, out: Path):
        self.out = out
        self.rows: list[dict] = []

    def add(self, rel: str, audio: np.ndarray, **fields) -> None:
        path = self.out / f"{rel}.wav"
        path.parent.mkdir(parents=True, exist_ok=True)
        write_wav(path, audio, SAMPLE_RATE)
        self.rows.append({"path": f"{rel}.wav", **fields})

    def finish(self) -> None:
        with (self.out / "manifest.jsonl").open("w") as handle:
            for row in self.rows:
                handle.write(json.dumps(row, sort_keys=True) + "\n")


def make(out: Path, quick: bool = False) -> Writer:
    out.mkdir(parents=True, exist_ok=True)
    for old in out.glob("*/"):
        shutil.rmtree(old)
    writer = Writer(out)
    humans = human_recordings()
    tv = tv_track(humans)
    voices = [v for v in VOICES if available(v)]
    missing = [v.key for v in VOICES if not available(v)]
    if missing:
        log.warning("skipping voices whose synthesizer is missing: %s", ", ".join(missing))
    if quick:
        voices = [v for v in voices if v.engine != "festival"][::3]
    conditions = CONDITIONS[:2] + CONDITIONS[4:5] if quick else CONDITIONS
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        _commands(writer, tv, voices, tmp, conditions, "command")
        _synthesized_negatives(writer, tv, voices, tmp, CONDITIONS[0])
        _human_negatives(writer, humans)
        _noise_negatives(writer, tv)
        _synthesized_negatives(writer, tv, voices, tmp, NEGATIVES_OVER_TV)
        if not quick:
            _fresh(writer, tmp)
    writer.finish()
    return writer


def _commands(writer: Writer, tv: np.ndarray, voices: list[Voice], tmp: Path, conditions, top: str) -> None:
    """Every phrase of ``phrase_cases`` by each voice in each condition, under ``top``/."""
    for voice in voices:
        for phrase, intent, moment in phrase_cases():
            speech = synthesize(voice, phrase, tmp)
            for condition, noise, snr in conditions:
                rel = f"{top}/{condition}/{voice.key}/{slug(phrase)}"
                writer.add(
                    rel,
                    degrade(speech, noise, snr, rel, tv),
                    kind="command",
                    text=phrase,
                    intent=intent.value,
                    moment=moment.value,
                    voice=voice.key,
                    engine=voice.engine,
                    split=voice.split,
                    condition=condition,
                    noise=noise,
                    snr_db=snr,
                    family=None,
                )


def _fresh(writer: Writer, tmp: Path) -> None:
    """The fresh split, under ``fresh/``: its voices' commands in every condition, with its own
    talking background as the TV, and their negatives, clean and over that background."""
    voices = [v for v in FRESH_VOICES if available(v)]
    missing = [v.key for v in FRESH_VOICES if not available(v)]
    if missing:
        log.warning("fresh split without voices whose synthesizer is missing: %s", ", ".join(missing))
    talk = fresh_talk(tmp)
    _commands(writer, talk, voices, tmp, CONDITIONS, "fresh/command")
    for condition in (CONDITIONS[0], NEGATIVES_OVER_TV):
        _synthesized_negatives(writer, talk, voices, tmp, condition, ("fresh",), "fresh/negative")


def _human_negatives(writer: Writer, humans: dict[str, np.ndarray]) -> None:
    """Real read speech, whole and cut into 2 s pieces; alternate pieces tune/test."""
    index = 0
    for name, audio in humans.items():
        pieces = (
            [audio]
            if len(audio) <= 3 * SAMPLE_RATE
            else [audio[i : i + 2 * SAMPLE_RATE] for i in range(0, len(audio) - SAMPLE_RATE, 2 * SAMPLE_RATE)]
        )
        for number, piece in enumerate(pieces):
            rel = f"negative/human_speech/{slug(name)}_{number}"
            pad = np.zeros(int(PAD_S * SAMPLE_RATE), np.float32)
            writer.add(
                rel,
                np.concatenate([pad, piece, pad]),
                kind="negative",
                text=None,
                intent=None,
                moment=None,
                voice=f"human-{slug(name)}",
                engine="human",
                split="tune" if index % 2 == 0 else "test",
                condition="clean",
                noise="none",
                snr_db=None,
                family="human_speech",
            )
            index += 1


def _noise_negatives(writer: Writer, tv: np.ndarray) -> None:
    """Silence, hiss, pink noise, hum, a beep, clicks, and the TV on its own."""
    n = int(1.5 * SAMPLE_RATE)
    t = np.arange(n) / SAMPLE_RATE
    for number in range(6):
        rng = np.random.default_rng(seed(f"noise{number}"))
        level = (0.003, 0.02, 0.1)[number % 3]
        clips = {
            "silence": np.zeros(n, np.float32) if number == 0 else rng.standard_normal(n) * 1e-4,
            "hiss": rng.standard_normal(n) * level,
            "pink": pink_noise(n, rng) * level,
            "hum": np.sin(2 * np.pi * (50 + 10 * number) * t) * level * 3,
            "beep": np.sin(2 * np.pi * (440 + 220 * number) * t) * (t < 0.4) * 0.3,
            "clicks": (rng.random(n) > 0.999) * 0.8,
        }
        start = int(rng.integers(0, len(tv) - n))
        clips["tv"] = tv[start : start + n] * 0.1
        for kind, audio in clips.items():
            family = "silence" if kind == "silence" else "noise"
            rel = f"negative/{family}/{kind}_{number}"
            writer.add(
                rel,
                np.asarray(audio, np.float32),
                kind="negative",
                text=None,
                intent=None,
                moment=None,
                voice=kind,
                engine="noise",
                split="tune" if number % 2 == 0 else "test",
                condition="clean",
                noise="none",
                snr_db=None,
                family=family,
            )


def _synthesized_negatives(
    writer: Writer,
    tv: np.ndarray,
    voices: list[Voice],
    tmp: Path,
    condition: tuple[str, str, float | None],
    splits: tuple[str, ...] = ("tune", "test"),
    top: str = "negative",
) -> None:
    """Ordinary sentences, sentences with command words and sound-alikes, by the first
    NEGATIVE_VOICES_PER_SPLIT voices of each split, in ``condition`` (one of CONDITIONS, or
    NEGATIVES_OVER_TV); a clean clip's folder is its family's, another's adds the condition."""
    name, noise, snr = condition
    folder = "" if noise == "none" else f"_{name}"
    for split in splits:
        for voice in [v for v in voices if v.split == split][:NEGATIVE_VOICES_PER_SPLIT]:
            for family, texts in NEGATIVE_FAMILIES:
                for text in texts:
                    rel = f"{top}/{family}{folder}/{voice.key}/{slug(text)}"
                    audio = degrade(synthesize(voice, text, tmp), noise, snr, rel, tv)
                    writer.add(
                        rel,
                        audio,
                        kind="negative",
                        text=text,
                        intent=None,
                        moment=None,
                        voice=voice.key,
                        engine=voice.engine,
                        split=split,
                        condition=name,
                        noise=noise,
                        snr_db=snr,
                        family=family,
                    )
