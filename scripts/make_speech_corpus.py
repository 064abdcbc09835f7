"""Generate the recognition corpus: every accepted phrase (and the retired ones, see
``CORPUS_PHRASES``), many synthetic voices, noise, reverb, and negatives that must never become
a command.

    python scripts/make_speech_corpus.py [OUT_DIR] [--quick]

OUT_DIR defaults to ~/.cache/voiceguide-corpus (kept out of git). It receives WAVs (16 kHz
mono 16-bit) and ``manifest.jsonl``, one JSON object per clip:
``{"path", "kind": "command"|"negative", "text", "intent", "moment", "voice", "engine",
"split": "tune"|"test", "condition", "noise", "snr_db", "family"}``.

Deterministic: synthesis by espeak-ng, flite and festival (same versions give the same bytes),
noise and reverb from NumPy generators seeded by each clip's name, no dither. Running it twice
gives identical files. Voices are split into tune and test halves; a clip's split is its
voice's. Conditions: clean, pink noise at 20/10/5 dB, real speech as a TV in the background at
20/10/5 dB (the LibriVox/cards recordings of Debian's pocketsphinx-testdata), and reverb.
Negatives: real human speech (pocketsphinx-testdata), ordinary sentences, sentences that
contain command words, one-syllable sound-alikes, noise and silence, and the synthesized ones
again over a TV at 20 dB (``NEGATIVES_OVER_TV``). Speech Commands
recordings (real people saying yes/no/stop and other words) are read by
scripts/bench_recognition.py straight from their folder.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import zlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from voiceguide.audio.wav import read_wav, write_wav  # noqa: E402
from voiceguide.core.intents import ALLOWED, PHRASES, Intent, Moment, phrases_for  # noqa: E402
from voiceguide.core.ports import SAMPLE_RATE  # noqa: E402

DEFAULT_OUT = Path.home() / ".cache" / "voiceguide-corpus"
HUMAN_DIR = Path("/usr/share/pocketsphinx/test/data")
"""Debian's pocketsphinx-testdata: real read speech (LibriVox, cards, digits)."""
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


def slug(text: str) -> str:
    return "".join(c if c.isalnum() else "_" for c in text.lower().replace("'", "")).strip("_")


def available(voice: Voice) -> bool:
    tool = {"espeak": "espeak-ng", "flite": "flite", "festival": "text2wave"}[voice.engine]
    return shutil.which(tool) is not None


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
        print(f"skipping voices whose synthesizer is missing: {', '.join(missing)}", file=sys.stderr)
    if quick:
        voices = [v for v in voices if v.engine != "festival"][::3]
    conditions = CONDITIONS[:2] + CONDITIONS[4:5] if quick else CONDITIONS
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        for voice in voices:
            for phrase, intent, moment in phrase_cases():
                speech = synthesize(voice, phrase, tmp)
                for condition, noise, snr in conditions:
                    rel = f"command/{condition}/{voice.key}/{slug(phrase)}"
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
        _synthesized_negatives(writer, tv, voices, tmp, CONDITIONS[0])
        _human_negatives(writer, humans)
        _noise_negatives(writer, tv)
        _synthesized_negatives(writer, tv, voices, tmp, NEGATIVES_OVER_TV)
    writer.finish()
    return writer


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
    writer: Writer, tv: np.ndarray, voices: list[Voice], tmp: Path, condition: tuple[str, str, float | None]
) -> None:
    """Ordinary sentences, sentences with command words and sound-alikes, by the first
    NEGATIVE_VOICES_PER_SPLIT voices of each split, in ``condition`` (one of CONDITIONS, or
    NEGATIVES_OVER_TV); a clean clip's folder is its family's, another's adds the condition."""
    name, noise, snr = condition
    folder = "" if noise == "none" else f"_{name}"
    for split in ("tune", "test"):
        for voice in [v for v in voices if v.split == split][:NEGATIVE_VOICES_PER_SPLIT]:
            for family, texts in NEGATIVE_FAMILIES:
                for text in texts:
                    rel = f"negative/{family}{folder}/{voice.key}/{slug(text)}"
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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.strip().splitlines()[0])
    parser.add_argument("out", nargs="?", default=str(DEFAULT_OUT), help=f"default {DEFAULT_OUT}")
    parser.add_argument("--quick", action="store_true", help="a few voices and conditions only (for tests)")
    args = parser.parse_args(argv)
    if shutil.which("espeak-ng") is None:
        print("make_speech_corpus: espeak-ng is needed (apt-get install espeak-ng)", file=sys.stderr)
        return 3
    writer = make(Path(args.out), quick=args.quick)
    kinds = {k: sum(r["kind"] == k for r in writer.rows) for k in ("command", "negative")}
    print(
        f"wrote {len(writer.rows)} clips ({kinds['command']} commands, "
        f"{kinds['negative']} negatives) and manifest.jsonl under {args.out}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
