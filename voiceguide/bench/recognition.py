"""Score recognition on the corpus and on real recordings: the clips to decode (``Item``), the
decoding loop (``run``) and the figures (``summarize``). ``scripts/bench_recognition.py`` is
its command line; the recognition tests decode a slice of the same items.

Every clip goes through ``Recognizer.decode`` (the code ``run`` and ``recognize`` use) at its
listening moment, and the intent is taken exactly as the session runner takes it
(``matching.match`` on a clear transcript). Commands are scored per condition and noise type;
negatives are decoded at a step (where "next" would advance), at a check (where "yes" would
answer it) and at the confirm moment (where "confirm" passes a check after a spoken "yes");
the "confirm" commands are also decoded there ("confirm, when asked"); the synthesized negatives
spoken over a TV are scored on lines of their own ("ordinary tv20"). Clips of a phrase the
vocabulary no longer accepts ("retired <phrase>") are decoded like negatives. Real recordings
(Speech Commands: real people, split by speaker): yes and no at a check, stop at a step and at
a check, every other word at all three. "in a reading %" is the share of clips where some
reading the engine wrote (with the phrase prompt) was exactly a phrase of the expected intent:
a ceiling for any acceptance rule on this engine's text. Latency is the wall time of
``decode`` (after the end of speech).
"""

from __future__ import annotations

import csv
import json
import logging
import os
import statistics
import sys
import time
import zlib
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from voiceguide.audio.wav import read_wav
from voiceguide.core.intents import CONFIRM_PHRASE, Intent, Moment
from voiceguide.paths import data_dir
from voiceguide.recognition.decide import heard_clearly
from voiceguide.recognition.matching import heard_intent, match
from voiceguide.recognition.recognizer import Recognizer
from voiceguide.recognition.risk import Risk

log = logging.getLogger(__name__)


def speech_commands_dir() -> Path:
    """The Speech Commands recordings (``manifest.csv`` with word, speaker and path columns):
    ``$VOICEGUIDE_SPEECH_COMMANDS``, else ``<data dir>/speech-commands``
    (``voiceguide.paths.data_dir``). It may not exist; the real-speech lines are then left out."""
    explicit = os.environ.get("VOICEGUIDE_SPEECH_COMMANDS")
    return Path(explicit).expanduser() if explicit else data_dir() / "speech-commands"


DANGEROUS = {Moment.STEP: Intent.NEXT, Moment.CHECK: Intent.YES, Moment.CONFIRM: Intent.YES}
"""At a step "next" moves on; at a check "yes" answers it, and once a spoken "yes" was heard,
"confirm" passes it: the intents never to give wrongly."""
QUICK_CONDITIONS = ("clean", "pink10", "tv20", "reverb")
"""``--quick`` takes every fifth manifest line of these conditions; a retired phrase's clips
are all taken in them (every fifth line gives "hold on" none)."""
HOMOPHONES = {"dunn": "done"}
"""Negatives that sound exactly like a phrase (the name Dunn and "done"): no listener can
refuse them, so they are scored on their own line ("homophone"), not with the one-syllable
sound-alikes whose false accepts are bounded. On both splits 7 of the 8 "dunn" clips at a step
were heard as "Done.", against 2 of 8 "dawn"."""
ADVANCE = {Intent.NEXT, Intent.YES, Intent.SKIP, Intent.RESUME}
REAL_EXPECTED = {
    "yes": (Intent.YES, (Moment.CHECK,)),
    "no": (Intent.NO, (Moment.CHECK,)),
    "stop": (Intent.STOP, (Moment.STEP, Moment.CHECK)),
}


@dataclass(frozen=True)
class Item:
    """One decode to make: a clip at a moment, and what it should give."""

    path: Path
    moment: Moment
    expected: Intent | None
    group: str  # command | confirm_turn | negative | retired | real_command | real_other
    condition: str  # command: clean/pink10/...; negative: its family; real: the word
    noise: str = "none"


@dataclass
class Result:
    item: Item
    text: str
    intent: Intent | None
    clear: bool
    ms: float
    readings: tuple = ()
    engine_clear: bool = False
    in_readings: bool = False
    """The engine's reading was exactly one allowed phrase of the expected intent
    (``in_readings``)."""
    reason: str = ""
    """Why the decision went as it did (``Decision.reason``)."""
    fused: tuple[str, float] | None = None
    """With the command model: the best candidate and its calibrated probability
    (``Fusion.scores``), accepted or not (the DET curve sweeps its operating point)."""
    evidence: dict | None = None
    """With the command model: its posteriors and the reading's text, average
    log-probability, no_speech and unprompted text, so other decision weights can be scored
    on the same decodes without decoding again."""


class RecordingCommands:
    """Wraps ``CommandEvidence`` to keep its last posteriors (the bench scores them)."""

    def __init__(self, commands):
        self.commands = commands
        self.encoder, self.model, self.fusion = commands.encoder, commands.model, commands.fusion
        self.last = None

    def posteriors(self, audio, moment):
        self.last = self.commands.posteriors(audio, moment)
        return self.last


class Recording:
    """Wraps an engine to keep its last transcript (the bench reports every reading)."""

    def __init__(self, engine):
        self.engine = engine
        self.name = engine.name
        self.last = None

    def transcribe(self, audio, phrases, free=False):
        self.last = self.engine.transcribe(audio, phrases, free)
        return self.last


def recorded(recognizer: Recognizer) -> Recognizer:
    """``recognizer`` with its engine and command model wrapped to keep what they last gave
    (``Recording``, ``RecordingCommands``), as ``run`` reports it."""
    commands = recognizer.commands and RecordingCommands(recognizer.commands)
    return Recognizer(Recording(recognizer.engine), policy=recognizer.policy, commands=commands)


def split_of_speaker(speaker: str) -> str:
    return "tune" if zlib.crc32(speaker.encode()) % 2 == 0 else "test"


def retired(row: dict) -> bool:
    """True for a command clip whose phrase the vocabulary no longer takes as its intent at its
    moment (a phrase dropped from ``PHRASES``): users may still say it, so it is decoded as a
    negative at every dangerous moment, never scored as a command."""
    return match(row["text"], Moment(row["moment"])) is not Intent(row["intent"])


def corpus_items(corpus: Path, split: str, quick: bool) -> list[Item]:
    manifest = corpus / "manifest.jsonl"
    if not manifest.is_file():
        raise FileNotFoundError(f"no corpus at {corpus}; run python scripts/make_speech_corpus.py {corpus}")
    items = []
    for number, line in enumerate(manifest.read_text().splitlines()):
        row = json.loads(line)
        if row["split"] != split and (split != "all" or row["split"] == "fresh"):
            continue  # "all" is tune and test: the fresh split is read only when asked for
        path = corpus / row["path"]
        if row["kind"] == "command" and retired(row):
            if not quick or row["condition"] in QUICK_CONDITIONS:
                items += [
                    Item(path, m, None, "retired", f"retired {row['text']}")
                    for m in DANGEROUS
                    if match(row["text"], m) is None
                ]
            continue
        if quick and (number % 5 or row["condition"] not in QUICK_CONDITIONS):
            continue
        if row["kind"] == "command":
            items.append(
                Item(
                    path,
                    Moment(row["moment"]),
                    Intent(row["intent"]),
                    "command",
                    row["condition"],
                    row["noise"],
                )
            )
            if row["text"] == CONFIRM_PHRASE:  # also said when a spoken "yes" is confirmed
                items.append(
                    Item(path, Moment.CONFIRM, Intent.YES, "confirm_turn", row["condition"], row["noise"])
                )
        else:
            for moment in DANGEROUS:
                if row["text"] and match(row["text"], moment) is not None:
                    continue  # a sound-alike the vocabulary accepts ("yeah" at a check)
                family = "homophone" if row["text"] in HOMOPHONES else row["family"]
                if row["condition"] != "clean":  # the same negatives over a TV: their own line
                    family = f"{family} {row['condition']}"
                items.append(Item(path, moment, None, "negative", family))
    return items


def real_items(folder: Path, split: str, quick: bool) -> list[Item]:
    manifest = folder / "manifest.csv"
    if not manifest.is_file():
        log.warning("no real recordings at %s; skipped", folder)
        return []
    items = []
    with manifest.open() as handle:
        for number, row in enumerate(csv.DictReader(handle)):
            if split != "all" and split_of_speaker(row["speaker"]) != split:
                continue
            if quick and number % 4:
                continue
            word, path = row["word"], folder / row["path"]
            if word in REAL_EXPECTED:
                intent, moments = REAL_EXPECTED[word]
                items.extend(Item(path, m, intent, "real_command", word) for m in moments)
                if word == "yes":  # a one-word "yes" must not pass the confirm turn
                    items.append(Item(path, Moment.CONFIRM, None, "real_other", word))
            else:
                items.extend(Item(path, m, None, "real_other", word) for m in DANGEROUS)
    return items


def run(recognizer: Recognizer, items: list[Item], progress: bool = True) -> list[Result]:
    results = []
    cache: dict[Path, object] = {}
    for number, item in enumerate(items):
        audio = cache.get(item.path)
        if audio is None:
            audio = cache[item.path] = read_wav(item.path)
            if len(cache) > 4:
                cache.pop(next(iter(cache)))
        commands = recognizer.commands if isinstance(recognizer.commands, RecordingCommands) else None
        if commands is not None:
            commands.last = None
        started = time.perf_counter()
        heard, intent = recognizer.decode(audio, item.moment)
        ms = (time.perf_counter() - started) * 1000.0
        as_runner = heard_intent(heard, item.moment)
        if as_runner != intent:
            raise AssertionError(
                f"{item.path}: Recognizer gave {intent} but the runner "
                f"would take {as_runner} from {heard.text!r}"
            )
        last = getattr(recognizer.engine, "last", None)
        readings = ((last.text, round(last.avg_logprob, 3)),) if last and last.avg_logprob is not None else ()
        if last and last.unprompted is not None:
            readings += (("unprompted: " + last.unprompted, None),)
        results.append(
            Result(
                item,
                heard.text,
                intent,
                heard.clear,
                ms,
                readings,
                bool(last and heard_clearly(last, recognizer.policy)),
                in_readings(last, item),
                heard.reason,
                _fused(commands, last, item.moment),
                _evidence(commands, last),
            )
        )
        if progress and number % 200 == 199:
            print(f"  {number + 1}/{len(items)}", file=sys.stderr, flush=True)
    return results


def _evidence(commands, transcript) -> dict | None:
    if commands is None or commands.last is None or transcript is None:
        return None
    return {
        "posteriors": {getattr(c, "value", c): round(p, 6) for c, p in commands.last.items()},
        "text": transcript.text,
        "avg_logprob": round(transcript.avg_logprob, 5) if transcript.avg_logprob is not None else None,
        "no_speech": round(transcript.no_speech, 5),
        "unprompted": transcript.unprompted,
    }


def _fused(commands, transcript, moment: Moment) -> tuple[str, float] | None:
    if commands is None or commands.last is None or transcript is None:
        return None
    scores = commands.fusion.scores(commands.last, transcript, moment)
    return (scores[0][0].value, round(scores[0][1], 5)) if scores else None


def in_readings(transcript, item: Item) -> bool:
    """True when the engine's reading of this utterance with the phrase prompt is exactly a
    phrase of the expected intent: how often the transcript alone names the command."""
    if transcript is None or item.expected is None:
        return False
    return match(transcript.text, item.moment) is item.expected


def pct(part: int, whole: int) -> float | None:
    return round(100.0 * part / whole, 2) if whole else None


def negative_families(results: list[Result]) -> dict[str, list[Result]]:
    """The decodes that must give no command, by family: the corpus's negatives and retired
    phrases by their family, the real other words, and the real "yes" at the confirm turn."""
    families: dict[str, list[Result]] = defaultdict(list)
    for r in results:
        if r.item.group in ("negative", "retired"):
            families[r.item.condition].append(r)
        elif r.item.group == "real_other":
            families["real_yes_at_confirm" if r.item.condition == "yes" else "real_other_words"].append(r)
    return dict(families)


def summarize(results: list[Result], accept: Mapping[Risk, float] | None = None) -> dict:
    """Every figure the table shows, as plain JSON; with the decision's operating points
    (``accept``) and the command model's scores, its DET curve too (``det_curve``)."""
    summary: dict = {"commands": {}, "noise_types": {}, "negatives": {}, "real": {}}
    commands = [r for r in results if r.item.group == "command"]
    for key, attr in (("commands", "condition"), ("noise_types", "noise")):
        groups: dict[str, list[Result]] = defaultdict(list)
        for r in commands:
            groups[getattr(r.item, attr)].append(r)
        for name, rs in sorted(groups.items()):
            summary[key][name] = _command_figures(rs)
    summary["commands_all"] = _command_figures(commands)
    confirms = [r for r in results if r.item.group == "confirm_turn"]
    if confirms:
        summary["confirm_turn"] = _command_figures(confirms)
    families = negative_families(results)
    for family, rs in sorted(families.items()):
        summary["negatives"][family] = _negative_figures(rs)
    for word in REAL_EXPECTED:
        rs = [r for r in results if r.item.group == "real_command" and r.item.condition == word]
        if rs:
            summary["real"][word] = _command_figures(rs)
    stops = [r for r in results if r.item.expected is Intent.STOP]
    summary["stop_to_advance"] = {
        "n": len(stops),
        "count": sum(r.intent in ADVANCE for r in stops),
        "examples": [
            f"{r.item.path.name}: {r.text!r} -> {r.intent.value}" for r in stops if r.intent in ADVANCE
        ][:10],
    }
    if accept is not None and any(r.fused for r in results):
        from voiceguide.bench.det import det_curve

        summary["det"] = det_curve(results, accept)
    times = sorted(r.ms for r in results)
    summary["decode_ms"] = (
        {
            "n": len(times),
            "median": round(statistics.median(times), 1),
            "p95": round(times[int(0.95 * (len(times) - 1))], 1),
        }
        if times
        else {}
    )
    return summary


def _command_figures(rs: list[Result]) -> dict:
    correct = sum(r.intent is r.item.expected for r in rs)
    wrong = sum(r.intent is not None and r.intent is not r.item.expected for r in rs)
    return {
        "n": len(rs),
        "accuracy": pct(correct, len(rs)),
        "wrong_intent": pct(wrong, len(rs)),
        "in_readings": pct(sum(r.in_readings for r in rs), len(rs)),
        "wrong": [
            f"{r.item.path.parent.name}/{r.item.path.name}: {r.text!r} -> {r.intent.value}"
            for r in rs
            if r.intent is not None and r.intent is not r.item.expected
        ][:8],
    }


def _negative_figures(rs: list[Result]) -> dict:
    step = [r for r in rs if r.item.moment is Moment.STEP]
    check = [r for r in rs if r.item.moment is Moment.CHECK]
    confirm = [r for r in rs if r.item.moment is Moment.CONFIRM]
    accepted = [r for r in rs if r.intent is not None]
    return {
        "n": len(rs),
        "any_accept": pct(len(accepted), len(rs)),
        "next_at_step": sum(r.intent is Intent.NEXT for r in step),
        "n_step": len(step),
        "yes_at_check": sum(r.intent is Intent.YES for r in check),
        "n_check": len(check),
        "yes_at_confirm": sum(r.intent is Intent.YES for r in confirm),
        "n_confirm": len(confirm),
        "accepted": [
            f"{r.item.path.parent.name}/{r.item.path.name}@{r.item.moment.value}: "
            f"{r.text!r} -> {r.intent.value}"
            for r in accepted
        ][:10],
    }
