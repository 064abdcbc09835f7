"""The recognition corpus, its parts: voices, conditions, the texts spoken, and how a clip is
synthesized and degraded. ``corpus_build.make`` writes the corpus from these;
``scripts/make_speech_corpus.py`` is its command line.

Deterministic: synthesis by espeak-ng, flite and festival (same versions give the same bytes),
noise and reverb from NumPy generators seeded by each clip's name, no dither. Voices are split
into tune and test halves; a clip's split is its voice's. Conditions: clean, pink noise at
20/10/5 dB, real speech as a TV in the background at 20/10/5 dB (the LibriVox/cards recordings
of Debian's pocketsphinx-testdata), and reverb.

A third split, **fresh**, is never used to choose anything: its voices (``FRESH_VOICES``) appear
in no other split and in no training, and its TV is a talking background of its own
(``fresh_talk``: synthesized talk by ``FRESH_TALKERS``, voices used nowhere else, over a few
held tones), never heard in tuning. Its clips are appended after every other clip.
"""

from __future__ import annotations

import shutil
import subprocess
import zlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from voiceguide.audio.wav import read_wav
from voiceguide.core.intents import ALLOWED, PHRASES, Intent, Moment, phrases_for
from voiceguide.core.ports import SAMPLE_RATE
from voiceguide.paths import cache_dir


def default_dir() -> Path:
    """Where the corpus is written and read unless a folder is given:
    ``<cache dir>/speech-corpus`` (``voiceguide.paths.cache_dir``; regenerated at will)."""
    return cache_dir() / "speech-corpus"


HUMAN_DIR = Path("/usr/share/pocketsphinx/test/data")
"""Debian's pocketsphinx-testdata: real read speech (LibriVox, cards, digits)."""
FESTIVAL_VOICES = Path("/usr/share/festival/voices/english")
"""Where Debian's festvox packages put their English voices."""
PAD_S = 0.3
"""Seconds of background before and after each utterance, like an endpointed utterance."""


@dataclass(frozen=True)
class Voice:
    engine: str  # espeak | flite | festival
    name: str  # espeak voice+variant, flite voice, festival voice
    rate: int  # espeak words per minute; flite/festival: percent duration stretch
    split: str

    @property
    def key(self) -> str:
        return f"{self.engine}-{self.name.replace('+', '_')}-{self.rate}"


VOICES: tuple[Voice, ...] = (
    # tune half
    Voice("espeak", "en-us", 160, "tune"),
    Voice("espeak", "en+f3", 150, "tune"),
    Voice("espeak", "en-gb-scotland+m2", 175, "tune"),
    Voice("espeak", "en-029+f2", 140, "tune"),
    Voice("espeak", "en-us+klatt2", 190, "tune"),
    Voice("espeak", "en-gb-x-gbcwmd+m5", 130, "tune"),
    Voice("espeak", "en-us-nyc+f4", 165, "tune"),
    Voice("flite", "slt", 100, "tune"),
    Voice("flite", "rms", 110, "tune"),
    Voice("festival", "voice_kal_diphone", 100, "tune"),
    # test half (voices never tuned on)
    Voice("espeak", "en", 150, "test"),
    Voice("espeak", "en-us+m3", 160, "test"),
    Voice("espeak", "en-gb-x-rp+f2", 170, "test"),
    Voice("espeak", "en-gb-x-gbclan+m4", 145, "test"),
    Voice("espeak", "en-us+f5", 185, "test"),
    Voice("espeak", "en-029+m7", 135, "test"),
    Voice("espeak", "en+klatt4", 155, "test"),
    Voice("flite", "awb", 100, "test"),
    Voice("flite", "kal16", 90, "test"),
    Voice("flite", "kal", 115, "test"),
)

FRESH_VOICES: tuple[Voice, ...] = (
    Voice("espeak", "en-us+m6", 150, "fresh"),
    Voice("espeak", "en+f1", 165, "fresh"),
    Voice("espeak", "en-gb-scotland+klatt3", 140, "fresh"),
    Voice("espeak", "en-us-nyc+klatt5", 180, "fresh"),
    Voice("espeak", "en-gb-x-rp+robert", 155, "fresh"),
    Voice("espeak", "en-us+linda", 170, "fresh"),
    Voice("espeak", "en-029+m8", 145, "fresh"),
    Voice("festival", "voice_ked_diphone", 100, "fresh"),
)
"""Voices of the fresh split: espeak-ng variants never used by tune or test, and festival's
ked diphone voice (Debian's festvox-kdlpc16k). Nothing is chosen on them."""

FRESH_TALKERS: tuple[Voice, ...] = (
    Voice("espeak", "en-gb-x-gbclan+steph", 165, "fresh"),
    Voice("espeak", "en-us+benjamin", 150, "fresh"),
    Voice("espeak", "en+Andy", 175, "fresh"),
)
"""Voices of the fresh split's talking background only, in turns."""

FRESH_TALK = (
    "good evening and welcome to the programme",
    "tonight we look at the history of the railway in the north",
    "the first line opened nearly two hundred years ago",
    "farmers say the harvest came early this summer",
    "and now over to the studio for the latest scores",
    "the council will meet on thursday to discuss the new library",
    "scientists have found a rare orchid growing by the river",
    "our reporter spoke to families waiting at the station",
    "temperatures will fall sharply overnight with frost in places",
    "after the break we have music from the local choir",
    "the museum reopens its doors to visitors this weekend",
    "traffic is heavy on the coast road this morning",
)
"""What the fresh background says (none of it is a corpus phrase or sentence)."""

CONDITIONS: tuple[tuple[str, str, float | None], ...] = (
    ("clean", "none", None),
    ("pink20", "pink", 20.0),
    ("pink10", "pink", 10.0),
    ("pink5", "pink", 5.0),
    ("tv20", "tv", 20.0),
    ("tv10", "tv", 10.0),
    ("tv5", "tv", 5.0),
    ("reverb", "reverb", None),
)
"""(condition, noise type, SNR in dB)."""

ORDINARY = (
    "the weather is nice today",
    "put the kettle on",
    "I think it's going to rain",
    "can you pass me the salt",
    "my sister is coming round later",
    "where did I leave my glasses",
    "the cat wants to go outside",
    "I need to buy some milk",
    "turn the television down",
    "what time is the doctor's appointment",
    "it's a bit cold in here",
    "have you seen my phone",
    "let me find a pen",
    "the bus was late again",
    "I'll call you back in a minute",
)
WITH_COMMAND_WORDS = (
    "I'm not done yet",
    "is it done",
    "done already? no way",
    "the next step is the hard part",
    "I want to stop smoking",
    "yes but not now",
    "no I said the other one",
    "please don't stop the music",
    "go back to the kitchen",
    "can you repeat the question",
    "I'll continue after lunch",
    "slow down there",
    "wait for me",
    "help me with this jar",
    "where am I supposed to put it",
    "say again what you said",
    "is that confirmed or not",
    "next time I'll know",
    "all done with the dishes",
    "the bus stop is far",
)
SOUND_ALIKES = (
    "guess",
    "yet",
    "yell",
    "jess",
    "yes sir",
    "nest",
    "text",
    "necks",
    "pose",
    "paws",
    "pours",
    "stock",
    "top",
    "shop",
    "step",
    "dawn",
    "dunn",
    "fun",
    "none",
    "known",
    "now",
    "know",
    "go",
    "slow",
    "bone",
    "hello",
    "west",
    "best",
    "rest",
    "nope",
    "yep",
    "yeah",
    "sure",
    "okay",
    "right",
)
"""Short words near commands. "yeah"/"yep"/"sure"/"okay" are false accepts only where the
vocabulary does not list them (see family sound_alike in the benchmark)."""

NEGATIVE_FAMILIES = (
    ("ordinary", ORDINARY),
    ("contains_command", WITH_COMMAND_WORDS),
    ("sound_alike", SOUND_ALIKES),
)

NEGATIVE_VOICES_PER_SPLIT = 4
"""Synthesized negatives are spoken by the first voices of each split only (they are many)."""

NEGATIVES_OVER_TV = ("tv20", "tv", 20.0)
"""The synthesized negatives are also spoken over a TV at this level: the background that comes
and goes is where the recognizer reads the utterance again and asks the larger model, so
that is where a sentence or a sound-alike must be refused too. Appended after every other
clip, so the earlier manifest lines (and ``--quick``'s every fifth) stay the same."""


CORPUS_PHRASES: tuple[tuple[str, Intent], ...] = (
    ("next step", Intent.NEXT),
    ("done", Intent.NEXT),
    ("all done", Intent.NEXT),
    ("continue", Intent.NEXT),
    ("repeat", Intent.REPEAT),
    ("repeat that", Intent.REPEAT),
    ("say again", Intent.REPEAT),
    ("say that again", Intent.REPEAT),
    ("go back", Intent.BACK),
    ("previous step", Intent.BACK),
    ("previous", Intent.BACK),
    ("skip step", Intent.SKIP),
    ("stop", Intent.STOP),
    ("wait", Intent.PAUSE),
    ("hold on", Intent.PAUSE),
    ("pause", Intent.PAUSE),
    ("resume", Intent.RESUME),
    ("continue", Intent.RESUME),
    ("carry on", Intent.RESUME),
    ("end session", Intent.END),
    ("quit", Intent.END),
    ("help", Intent.HELP),
    ("what can i say", Intent.HELP),
    ("where am i", Intent.WHERE),
    ("yes", Intent.YES),
    ("confirm", Intent.YES),
    ("no", Intent.NO),
    ("slow down", Intent.SLOWER),
    ("slower", Intent.SLOWER),
    ("speed up", Intent.FASTER),
    ("faster", Intent.FASTER),
    ("louder", Intent.LOUDER),
    ("speak up", Intent.LOUDER),
    ("quieter", Intent.QUIETER),
    ("softer", Intent.QUIETER),
)
"""The spoken commands, in a fixed order: ``intents.PHRASES`` as it was when the corpus was
built. Not read from ``PHRASES``: when the vocabulary changes, the corpus must not (the same
clips, the same manifest lines, so the same ``--quick`` subset and comparable figures).
A phrase since dropped from the vocabulary ("all done", "speak up") is still spoken: users
may say it, and the benchmark decodes it as a negative (``retired``). A phrase added to
``PHRASES`` since is appended after these (``phrase_cases``)."""


def phrase_cases() -> list[tuple[str, Intent, Moment]]:
    """(phrase, intent, moment): every phrase of ``CORPUS_PHRASES``, then any newer phrase of
    ``PHRASES``, at the first moment that allows its intent and does not give the phrase to
    another intent ("continue" is next at a step, resume when paused)."""
    order = (Moment.STEP, Moment.CHECK, Moment.TIMER, Moment.PAUSED, Moment.SAFE_EXIT)
    newer = [
        (phrase, intent)
        for intent, phrases in PHRASES.items()
        for phrase in phrases
        if (phrase, intent) not in CORPUS_PHRASES
    ]
    cases = []
    for phrase, intent in (*CORPUS_PHRASES, *newer):
        moment = next(
            (m for m in order if intent in ALLOWED[m] and phrases_for(m).get(phrase) in (intent, None)), None
        )
        if moment is not None:
            cases.append((phrase, intent, moment))
    return cases


def seed(name: str) -> int:
    return zlib.crc32(name.encode())


def synthesize(voice: Voice, text: str, tmp: Path) -> np.ndarray:
    """``text`` spoken by ``voice`` as float32 at 16 kHz."""
    raw = tmp / "raw.wav"
    if voice.engine == "espeak":
        cmd = ["espeak-ng", "-v", voice.name, "-s", str(voice.rate), "-w", str(raw), text]
    elif voice.engine == "flite":
        cmd = [
            "flite",
            "-voice",
            voice.name,
            "--setf",
            f"duration_stretch={voice.rate / 100}",
            "-t",
            text,
            "-o",
            str(raw),
        ]
    else:
        script = tmp / "say.txt"
        script.write_text(text + "\n")
        cmd = ["text2wave", "-eval", f"({voice.name})", "-o", str(raw), str(script)]
    subprocess.run(cmd, check=True, capture_output=True, timeout=60)
    audio = read_wav(raw)
    peak = float(np.max(np.abs(audio))) or 1.0
    return (audio * (0.5 / peak)).astype(np.float32)


def pink_noise(n: int, rng: np.random.Generator) -> np.ndarray:
    """1/f noise by shaping white noise in the frequency domain."""
    spectrum = np.fft.rfft(rng.standard_normal(n))
    freqs = np.fft.rfftfreq(n)
    freqs[0] = freqs[1]
    noise = np.fft.irfft(spectrum / np.sqrt(freqs), n)
    return (noise / (np.std(noise) or 1.0)).astype(np.float32)


def human_recordings() -> dict[str, np.ndarray]:
    """{name: float32 16 kHz audio} of pocketsphinx-testdata (empty when not installed)."""
    found: dict[str, np.ndarray] = {}
    if not HUMAN_DIR.is_dir():
        return found
    for path in sorted(HUMAN_DIR.rglob("*")):
        if path.suffix == ".wav":
            found[str(path.relative_to(HUMAN_DIR))] = read_wav(path)
        elif path.suffix == ".raw":  # 16 kHz 16-bit little-endian mono
            pcm = np.frombuffer(path.read_bytes(), dtype="<i2")
            found[str(path.relative_to(HUMAN_DIR))] = (pcm / 32768.0).astype(np.float32)
    return found


def tv_track(humans: dict[str, np.ndarray]) -> np.ndarray:
    """Real speech to play as a TV in the background: the long recordings end to end."""
    parts = [a for a in humans.values() if len(a) > 2 * SAMPLE_RATE]
    if not parts:
        raise RuntimeError(
            "pocketsphinx-testdata is needed for the TV background (apt-get install pocketsphinx-testdata)"
        )
    track = np.concatenate(parts)
    return (track / (np.std(track) or 1.0)).astype(np.float32)


def reverb_ir(rng: np.random.Generator, rt60: float = 0.5) -> np.ndarray:
    """A room impulse response: a direct path and exponentially decaying diffuse noise."""
    n = int(rt60 * SAMPLE_RATE)
    t = np.arange(n) / SAMPLE_RATE
    tail = rng.standard_normal(n) * np.exp(-6.9 * t / rt60) * 0.35
    tail[: int(0.005 * SAMPLE_RATE)] = 0.0
    tail[0] = 1.0
    return tail.astype(np.float32)


def degrade(speech: np.ndarray, noise: str, snr_db: float | None, name: str, tv: np.ndarray) -> np.ndarray:
    """``speech`` padded with PAD_S on each side, then noise at ``snr_db`` or reverb."""
    rng = np.random.default_rng(seed(name))
    pad = np.zeros(int(PAD_S * SAMPLE_RATE), np.float32)
    if noise == "reverb":
        wet = np.convolve(speech, reverb_ir(rng))[: len(speech) + len(pad)]
        wet *= np.max(np.abs(speech)) / (np.max(np.abs(wet)) or 1.0)
        return np.concatenate([pad, wet, pad[: len(pad) - (len(wet) - len(speech))]])
    audio = np.concatenate([pad, speech, pad])
    if noise == "none":
        return audio
    if noise == "pink":
        background = pink_noise(len(audio), rng)
    else:
        start = int(rng.integers(0, len(tv) - len(audio)))
        background = tv[start : start + len(audio)]
    active = speech[np.abs(speech) > 0.02 * np.max(np.abs(speech))]
    speech_power = float(np.mean(active**2)) if active.size else 1e-6
    gain = np.sqrt(speech_power / (10 ** (snr_db / 10)) / (np.mean(background**2) or 1e-9))
    mixed = audio + gain * background
    peak = float(np.max(np.abs(mixed)))
    return (mixed * (0.9 / peak) if peak > 0.9 else mixed).astype(np.float32)


def fresh_talk(tmp: Path) -> np.ndarray:
    """The fresh split's talking background: ``FRESH_TALK`` said by ``FRESH_TALKERS`` in turns
    with short gaps, over soft held tones (a programme's music bed), at unit RMS."""
    parts = []
    gap = np.zeros(int(0.25 * SAMPLE_RATE), np.float32)
    for number, text in enumerate(FRESH_TALK):
        parts += [synthesize(FRESH_TALKERS[number % len(FRESH_TALKERS)], text, tmp), gap]
    talk = np.concatenate(parts)
    t = np.arange(len(talk)) / SAMPLE_RATE
    chord = np.array((220.0, 277.2, 329.6, 293.7, 349.2, 440.0))
    notes = np.floor(t / 2.0).astype(int)
    tones = sum(np.sin(2 * np.pi * chord[(notes + k) % len(chord)] * t) for k in range(2))
    track = talk + 0.03 * tones.astype(np.float32)
    return (track / (np.std(track) or 1.0)).astype(np.float32)


def slug(text: str) -> str:
    return "".join(c if c.isalnum() else "_" for c in text.lower().replace("'", "")).strip("_")


def available(voice: Voice) -> bool:
    if voice.engine == "festival" and not (FESTIVAL_VOICES / voice.name.removeprefix("voice_")).is_dir():
        return False
    tool = {"espeak": "espeak-ng", "flite": "flite", "festival": "text2wave"}[voice.engine]
    return shutil.which(tool) is not None
