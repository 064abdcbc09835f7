#!/usr/bin/env python3
"""Does decoding early change what is heard? (voiceguide/audio/speculation.py)

For each phrase (commands, sound-alikes, sentences holding commands) spoken by espeak-ng voices
and moments: cut the utterance with the real Endpointer, take the early decode's audio as the
microphone would (after SPECULATE_AFTER_S of silence) and the whole utterance, decode both with
the real recognizer (Whisper), and count where they disagree. An early decode must never accept
what the whole utterance would not. Prints a table, writes JSON.

    python scripts/bench_early_decoding.py [--out bench_early_decoding.json]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT))

from audio_rig import NOISE_RMS, espeak_16k  # noqa: E402

from voiceguide.audio.endpointing import FRAME_SAMPLES, Endpointer  # noqa: E402
from voiceguide.audio.speculation import stands, ticket_for  # noqa: E402
from voiceguide.core.intents import Moment  # noqa: E402
from voiceguide.recognition.engines.process import tune_process  # noqa: E402
from voiceguide.recognition.engines.whisper import WhisperEngine  # noqa: E402
from voiceguide.recognition.recognizer import Recognizer  # noqa: E402

PHRASES = (
    "next step",
    "done",
    "go back",
    "stop",
    "yes",
    "no",
    "repeat that",
    "say again",
    "slow down",
    "skip step",
    "resume",
    "what can i say",
    "previous step",
    "where am i",
    "all done",
    "nest",
    "necks step",
    "dumb",
    "go",
    "step",
    "next",
    "stopwatch",
    "the next step is hard",
    "I am not done yet",
    "don't stop",
    "yes please",
    "no way",
    "can you go back",
    "I said stop",
    "hello there",
)
VOICES = ("en-us", "en-us+f3")
MOMENTS = (Moment.STEP, Moment.CHECK)


def early_and_whole(audio: np.ndarray) -> tuple[np.ndarray, np.ndarray] | None:
    signal = np.concatenate([np.zeros(8000, np.float32), audio, np.zeros(24000, np.float32)])
    signal = signal + np.random.default_rng(2).normal(0, NOISE_RMS, signal.size).astype(np.float32)
    endpointer, last, early = Endpointer(), None, None
    for i in range(0, signal.size - FRAME_SAMPLES + 1, FRAME_SAMPLES):
        whole = endpointer.process(signal[i : i + FRAME_SAMPLES])
        if whole is not None:
            return (early[1], whole) if early and stands(early[0], endpointer.ended, 0) else None
        ticket = ticket_for(endpointer, 0, last=last)
        if ticket is not None:
            last, early = ticket, (ticket, endpointer.audio_so_far())
    return None


def main() -> int:
    tune_process()  # what the command line sets at program start
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", default="bench_early_decoding.json", help="JSON output file")
    args = parser.parse_args()
    recognizer = Recognizer(WhisperEngine())
    folder = Path(tempfile.mkdtemp(prefix="vg-early-"))
    rows, differ, accepted_only_early, no_early = [], 0, 0, 0
    for voice in VOICES:
        for text in PHRASES:
            pair = early_and_whole(espeak_16k(text, folder, voice=voice))
            if pair is None:
                no_early += 1
                continue
            for moment in MOMENTS:
                (early, early_intent), (whole, whole_intent) = (
                    recognizer.decode(audio, moment) for audio in pair
                )
                row = {
                    "voice": voice,
                    "phrase": text,
                    "moment": moment.value,
                    "early": early.text,
                    "early_intent": early_intent and early_intent.value,
                    "whole": whole.text,
                    "whole_intent": whole_intent and whole_intent.value,
                }
                rows.append(row)
                if early_intent != whole_intent:
                    differ += 1
                    accepted_only_early += early_intent is not None
                    print(
                        f"{voice:9s} {moment.value:6s} {text!r:26s} early {early.text!r} -> "
                        f"{row['early_intent']}   whole {whole.text!r} -> {row['whole_intent']}"
                    )
    result = {
        "decoded": len(rows),
        "intent_differs": differ,
        "accepted_only_early": accepted_only_early,
        "no_early_decode": no_early,
        "rows": rows,
    }
    print(
        f"{len(rows)} utterances decoded both ways: {differ} with another intent, "
        f"{accepted_only_early} accepted only early; {no_early} phrases had no early decode"
    )
    Path(args.out).write_text(json.dumps(result, indent=2) + "\n")
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
