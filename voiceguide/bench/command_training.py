"""The command model's training clips, made the same way every time: what is said, by whom,
over what, and with which label. ``scripts/train_command_model.py`` turns them into features
and weights; ``scripts/bench_command_model.py`` reuses the clip lists to score the model.

Training material is the corpus's **tune** voices and the **developers' half** of the Speech
Commands recordings only (speakers whose ``recognition.split_of_speaker`` is "tune"; the other
half is held out and only ever scored). Nothing of the test or fresh splits is used.

- Commands: every phrase of ``corpus.phrase_cases`` by each tune voice (a phrase of two intents,
  "continue", once under each), clean and in AUGMENTATIONS, labelled with its intent or, for a
  phrase of ``command_model.WORD_CLASSES`` ("confirm"), with itself; a phrase the vocabulary no
  longer takes at its moment ("all done", "speak up") is labelled "other".
- "other": the corpus's ordinary sentences, sentences with command words and one-syllable
  sound-alikes, and OTHER_WORDS, by each tune voice; pieces of pocketsphinx-testdata's read
  speech; noise and silence; the developers' half of the Speech Commands words that are not
  yes, no or stop.
- Backgrounds: pink and white noise, babble of tune voices saying the ordinary sentences
  three at a time, the pocketsphinx-testdata recordings as a TV, and reverb; each clip also
  gets a random level and speed.

Each clip's randomness comes from a generator seeded by its name (``corpus.seed``).
"""

from __future__ import annotations

import csv
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from voiceguide.audio.wav import read_wav
from voiceguide.bench.corpus import (
    NEGATIVE_FAMILIES,
    ORDINARY,
    VOICES,
    available,
    degrade,
    human_recordings,
    phrase_cases,
    pink_noise,
    seed,
    slug,
    synthesize,
    tv_track,
)
from voiceguide.bench.recognition import split_of_speaker
from voiceguide.core.intents import Intent
from voiceguide.core.ports import SAMPLE_RATE
from voiceguide.recognition.command_model import OTHER, WORD_CLASSES
from voiceguide.recognition.matching import match

REAL_INTENTS = {"yes": Intent.YES, "no": Intent.NO, "stop": Intent.STOP}
"""Speech Commands words that are commands; every other word is "other"."""
UNSEEN_CONTROL_WORDS = (
    "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "marvin", "sheila",
)  # fmt: skip
"""The words of the unseen-word control: the digits and the names. A control model is trained
without their real clips and scored on their held-out speakers."""
OTHER_WORDS = (
    "apple", "water", "kitchen", "window", "table", "garden", "morning", "button", "paper", "yellow",
    "station", "river", "coffee", "letter", "pillow", "jacket", "pocket", "bottle", "finger", "orange",
    "purple", "butter", "basket", "hammer", "silver", "summer", "winter", "castle", "rabbit", "kettle",
    "dinner", "pencil", "carpet", "monkey", "ticket", "yesterday", "chess", "test", "nets", "stuff",
    "stomp", "top up", "snow", "toe", "note", "known", "gosh", "dust", "mess", "cheese",
    "peter", "anna", "george", "lucy", "oliver", "emma", "hundred", "twenty", "thirty", "fifty",
)  # fmt: skip
"""Single words and names said by the tune voices as "other", beyond the corpus's negatives.
None is a Speech Commands word, so the unseen-word control stays unseen."""
HOMOPHONES = ("dunn", "paws", "pours", "know")
"""Negatives of the corpus that sound exactly like a command to some voice ("dunn" is "done",
"paws" and a non-rhotic "pours" are "pause", "know" is "no"): not trained as "other", which
taught the model to refuse the commands themselves (tune, cross-validated, with them: "pause"
missed by 15 of 18 clean test and fresh voices, "done" by 11, "no" by 8)."""
AUGMENTATIONS = ("pink", "white", "babble", "tv", "reverb")
"""What each synthesized command is also heard through (SNR 5-25 dB; reverb RT60 0.3-0.9 s)."""
NEGATIVE_AUGMENTATIONS = 1
"""Each synthesized negative is heard clean and through this many random AUGMENTATIONS."""
REAL_AUGMENTATIONS = 1
"""Each real training clip is heard as recorded and through this many random AUGMENTATIONS."""


@dataclass(frozen=True)
class Clip:
    """One training or scoring clip: how to make it and its label."""

    name: str
    label: str  # an intent's value, a word of WORD_CLASSES, or OTHER
    group: str  # the voice or speaker (cross-validation leaves whole groups out)
    source: str  # synth | real | human | noise
    text: str = ""
    voice: str = ""  # corpus Voice.key for synth
    path: str = ""  # a real recording
    augment: str = "none"
    word: str = ""  # the Speech Commands word of a real clip


def speech_commands_rows(folder: Path) -> list[dict]:
    """manifest.csv's rows sorted by path (empty when the folder has none)."""
    manifest = folder / "manifest.csv"
    if not manifest.is_file():
        return []
    with manifest.open() as handle:
        return sorted(csv.DictReader(handle), key=lambda row: row["path"])


def real_clips(
    folder: Path, split: str, skip_words: tuple[str, ...] = (), augmented: bool = True
) -> list[Clip]:
    """The Speech Commands clips of ``split``'s speakers, as recorded (and, when ``augmented``,
    through REAL_AUGMENTATIONS random backgrounds), without ``skip_words``."""
    clips = []
    for row in speech_commands_rows(folder):
        if split_of_speaker(row["speaker"]) != split or row["word"] in skip_words:
            continue
        label = REAL_INTENTS[row["word"]].value if row["word"] in REAL_INTENTS else OTHER
        name = f"real/{row['path']}"
        extra = _pick(name, REAL_AUGMENTATIONS) if augmented else ()
        for augment in ("none", *extra):
            clips.append(
                Clip(
                    f"{name}/{augment}",
                    label,
                    row["speaker"],
                    "real",
                    path=row["path"],
                    augment=augment,
                    word=row["word"],
                )
            )
    return clips


def training_clips(folder: Path, skip_words: tuple[str, ...] = ()) -> list[Clip]:
    """Every training clip, in a fixed order (see the module docstring)."""
    clips = []
    voices = [v for v in VOICES if v.split == "tune" and available(v)]
    for voice in voices:
        for phrase, intent, moment in phrase_cases():
            # a phrase the vocabulary no longer takes ("all done") is no command: "other"
            label = intent.value if match(phrase, moment) is intent else OTHER
            label = phrase if label != OTHER and phrase in WORD_CLASSES else label
            for augment in ("none", *AUGMENTATIONS):
                name = f"synth/{voice.key}/{slug(phrase)}/{intent.value}/{augment}"
                clips.append(Clip(name, label, voice.key, "synth", phrase, voice.key, augment=augment))
        texts = [t for _, family in NEGATIVE_FAMILIES for t in family if t not in HOMOPHONES]
        texts += list(OTHER_WORDS)
        for text in texts:
            name = f"synth/{voice.key}/{slug(text)}/other"
            for augment in ("none", *_pick(name, NEGATIVE_AUGMENTATIONS)):
                clips.append(
                    Clip(f"{name}/{augment}", OTHER, voice.key, "synth", text, voice.key, augment=augment)
                )
    clips += [
        Clip(f"human/{k}", OTHER, f"human{k % 5}", "human", augment="none") for k in range(HUMAN_PIECES)
    ]
    clips += [
        Clip(f"noise/{kind}/{k}", OTHER, "noise", "noise", text=kind) for kind in NOISES for k in range(4)
    ]
    return clips + real_clips(folder, "tune", skip_words)


HUMAN_PIECES = 60
"""Pieces of 0.6-2.5 s of pocketsphinx-testdata's read speech taken as "other"."""
NOISES = ("silence", "pink", "white", "babble", "tv", "hum")


def _pick(name: str, count: int) -> tuple[str, ...]:
    rng = np.random.default_rng(seed(name))
    return tuple(str(a) for a in rng.choice(AUGMENTATIONS, size=count, replace=False))


class Maker:
    """Makes a clip's audio (16 kHz float32) from its description; synthesis is cached per
    (voice, text) within one run."""

    def __init__(self, speech_commands: Path):
        self.folder = speech_commands
        self._tmp = tempfile.TemporaryDirectory()
        self._synth: dict[tuple[str, str], np.ndarray] = {}
        humans = human_recordings()
        self.tv = tv_track(humans)
        rng = np.random.default_rng(seed("white"))
        self.white = rng.standard_normal(60 * SAMPLE_RATE).astype(np.float32)
        self.babble = self._babble()

    def close(self) -> None:
        self._tmp.cleanup()

    def _say(self, voice_key: str, text: str) -> np.ndarray:
        key = (voice_key, text)
        if key not in self._synth:
            voice = next(v for v in VOICES if v.key == voice_key)
            self._synth[key] = synthesize(voice, text, Path(self._tmp.name))
        return self._synth[key]

    def _babble(self) -> np.ndarray:
        """Three streams of tune voices saying the ordinary sentences, summed, unit RMS."""
        voices = [v for v in VOICES if v.split == "tune" and available(v) and v.engine == "espeak"]
        streams = []
        for stream in range(3):
            parts = [
                self._say(voices[(stream + k) % len(voices)].key, text) for k, text in enumerate(ORDINARY)
            ]
            streams.append(np.concatenate(parts[stream:] + parts[:stream]))
        n = min(len(s) for s in streams)
        track = sum(s[:n] for s in streams)
        return (track / (np.std(track) or 1.0)).astype(np.float32)

    def audio(self, clip: Clip) -> np.ndarray:
        rng = np.random.default_rng(seed(clip.name))
        if clip.source == "noise":
            return self._noise(clip.text, rng)
        if clip.source == "human":
            return self._human(rng)
        if clip.source == "real":
            speech = read_wav(self.folder / clip.path)
        else:
            speech = self._say(clip.voice, clip.text)
        if clip.augment == "none" and clip.source == "real":
            return speech
        out = self.augment(speech, clip.augment, clip.name, rng)
        level = 10 ** (rng.uniform(-20.0, 0.0) / 20.0) if clip.source == "synth" else 1.0
        return (out * level).astype(np.float32)

    def augment(self, speech: np.ndarray, augment: str, name: str, rng: np.random.Generator) -> np.ndarray:
        """``speech`` padded and through ``augment``, at a random speed (0.9-1.1)."""
        factor = rng.uniform(0.9, 1.1)
        n = int(round(len(speech) / factor))
        speech = np.interp(np.arange(n) * factor, np.arange(len(speech)), speech).astype(np.float32)
        snr = float(rng.uniform(5.0, 25.0))
        if augment == "none":
            return degrade(speech, "none", None, name, self.tv)
        if augment == "pink":
            return degrade(speech, "pink", snr, name, self.tv)
        if augment == "reverb":
            return _reverb(speech, rng)
        track = {"white": self.white, "babble": self.babble, "tv": self.tv}[augment]
        return degrade(speech, "tv", snr, name, track)

    def _noise(self, kind: str, rng: np.random.Generator) -> np.ndarray:
        n = int(rng.uniform(0.5, 2.0) * SAMPLE_RATE)
        level = 10 ** (rng.uniform(-40.0, -10.0) / 20.0)
        if kind == "silence":
            return (rng.standard_normal(n) * 1e-4).astype(np.float32)
        if kind == "hum":
            t = np.arange(n) / SAMPLE_RATE
            return (np.sin(2 * np.pi * rng.uniform(50, 400) * t) * level).astype(np.float32)
        if kind == "pink":
            return (pink_noise(n, rng) * level).astype(np.float32)
        track = {"white": self.white, "babble": self.babble, "tv": self.tv}[kind]
        start = int(rng.integers(0, len(track) - n))
        return (track[start : start + n] * level).astype(np.float32)

    def _human(self, rng: np.random.Generator) -> np.ndarray:
        n = int(rng.uniform(0.6, 2.5) * SAMPLE_RATE)
        start = int(rng.integers(0, len(self.tv) - n))
        return (self.tv[start : start + n] * 0.1).astype(np.float32)


def _reverb(speech: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    rt60 = float(rng.uniform(0.3, 0.9))
    n = int(rt60 * SAMPLE_RATE)
    t = np.arange(n) / SAMPLE_RATE
    ir = rng.standard_normal(n) * np.exp(-6.9 * t / rt60) * rng.uniform(0.2, 0.5)
    ir[: int(0.005 * SAMPLE_RATE)] = 0.0
    ir[0] = 1.0
    wet = np.convolve(speech, ir)
    wet *= np.max(np.abs(speech)) / (np.max(np.abs(wet)) or 1.0)
    pad = np.zeros(int(0.3 * SAMPLE_RATE), np.float32)
    return np.concatenate([pad, wet.astype(np.float32), pad])


RECIPE = "1"
"""Changes whenever a clip's audio changes, so stale cached features and readings are not reused
(the cache files' names carry it)."""
FEATURES = f"{RECIPE}.2"
"""Changes with RECIPE and whenever the features change (``command_model.pool``): the feature
caches' names carry it."""


def extract(names: list[str], make_audio, encoder, cache: Path | None, progress: bool = True) -> np.ndarray:
    """(n, 1536) pooled encoder vectors of the clips ``names`` (audio from ``make_audio(i)``),
    reading and extending the ``cache`` file (names and vectors) when given."""
    known: dict[str, np.ndarray] = {}
    if cache is not None and cache.is_file():
        with np.load(cache, allow_pickle=False) as data:
            known = dict(zip((str(n) for n in data["names"]), data["features"]))
    rows, added = [], 0
    for index, name in enumerate(names):
        if name not in known:
            known[name] = encoder.features(make_audio(index))
            added += 1
            if progress and added % 250 == 0:
                print(f"  features: {added} new, {index + 1}/{len(names)}", flush=True)
        rows.append(known[name])
    if cache is not None and added:
        cache.parent.mkdir(parents=True, exist_ok=True)
        order = sorted(known)
        np.savez(cache, names=np.array(order), features=np.stack([known[n] for n in order]))
    return np.stack(rows).astype(np.float32)
