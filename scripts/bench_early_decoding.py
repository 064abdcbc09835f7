#!/usr/bin/env python3
"""Does decoding early change what is heard? (voiceguide/audio/speculation.py)

1. For each phrase (commands, sound-alikes, sentences holding commands) spoken by espeak-ng
   voices and moments: cut the utterance with the real Endpointer, take the early decode's
   audio as the microphone would (after SPECULATE_AFTER_S of silence) and the whole utterance,
   decode both with the product's recognizer, and count where they disagree. An early decode
   must never accept what the whole utterance would not.
2. An early decode that found a command ends the utterance after a shorter silence
   (``EndpointConfig.decided_end_silence_s``). Every phrase of two or more words allowed at a
   step, a check and the safe exit is said with a pause between two of its words (``--gaps``,
   seconds) and cut by the microphone's endpointer and decode scheduler, frame by frame, with
   and without that shorter end; counted: phrases cut in two, and parts taken as a command
   other than the phrase's.

Prints a table, writes JSON.

    python scripts/bench_early_decoding.py [--gaps 0.15 0.25 0.3] [--out bench_early_decoding.json]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from dataclasses import replace
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT))

from audio_rig import NOISE_RMS, espeak_16k  # noqa: E402

from voiceguide.audio.capture import drain  # noqa: E402
from voiceguide.audio.decoding import DecodeScheduler  # noqa: E402
from voiceguide.audio.endpointing import FRAME_SAMPLES, EndpointConfig, Endpointer  # noqa: E402
from voiceguide.audio.segmenter import Utterance  # noqa: E402
from voiceguide.audio.speculation import stands, ticket_for  # noqa: E402
from voiceguide.core.intents import Moment, phrases_for  # noqa: E402
from voiceguide.recognition.engines.process import tune_process  # noqa: E402
from voiceguide.recognition.recognizer import open_recognizer  # noqa: E402

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
PAUSED_MOMENTS = (Moment.STEP, Moment.CHECK, Moment.SAFE_EXIT)


def in_room(audio: np.ndarray) -> np.ndarray:
    """``audio`` with 0.5 s of quiet before, 1.5 s after, and the rig's faint noise."""
    signal = np.concatenate([np.zeros(8000, np.float32), audio, np.zeros(24000, np.float32)])
    return signal + np.random.default_rng(2).normal(0, NOISE_RMS, signal.size).astype(np.float32)


def early_and_whole(audio: np.ndarray) -> tuple[np.ndarray, np.ndarray] | None:
    signal = in_room(audio)
    endpointer, last, early = Endpointer(), None, None
    for i in range(0, signal.size - FRAME_SAMPLES + 1, FRAME_SAMPLES):
        whole = endpointer.process(signal[i : i + FRAME_SAMPLES])
        if whole is not None:
            return (early[1], whole) if early and stands(early[0], endpointer.ended, 0) else None
        ticket = ticket_for(endpointer, 0, last=last)
        if ticket is not None:
            last, early = ticket, (ticket, endpointer.audio_so_far())
    return None


def trimmed(audio: np.ndarray) -> np.ndarray:
    """``audio`` without the silence espeak-ng leaves before and after the words."""
    sound = np.flatnonzero(np.abs(audio) > 1e-3)
    return audio[sound[0] : sound[-1] + 1] if sound.size else audio


def cut(signal: np.ndarray, moment: Moment, recognizer, config: EndpointConfig) -> list:
    """The intents of the utterances the microphone hands over from ``signal``: its
    endpointer and decode scheduler stepped frame by frame, each early decode let finish
    before the next frame."""
    scheduler, endpointer = DecodeScheduler(recognizer.decode), Endpointer(config)
    scheduler.moment = moment
    for i in range(0, signal.size - FRAME_SAMPLES + 1, FRAME_SAMPLES):
        audio = endpointer.process(signal[i : i + FRAME_SAMPLES])
        if audio is not None:
            scheduler.hand_over(Utterance(audio, False, endpointer.ended), 0)
        elif endpointer.in_speech:
            scheduler.decode_early(endpointer, 0)
            scheduler.wait_early(60)
    return [heard.intent for heard in drain(scheduler.heard)]


def paused_phrases(recognizer, folder: Path, gaps: list[float]) -> dict:
    """Part 2 of the module docstring."""
    rows, said = [], {}
    own = EndpointConfig()  # never ending sooner than the longest end silence: no sooner end
    ways = (
        ("ends_early", EndpointConfig()),
        ("own_silence", replace(own, decided_end_silence_s=own.end_silence_s)),
    )
    for voice in VOICES:
        for moment in PAUSED_MOMENTS:
            for phrase, intent in sorted(phrases_for(moment).items()):
                words = phrase.split()
                for split in range(1, len(words)):
                    for gap in gaps:
                        parts = (" ".join(words[:split]), " ".join(words[split:]))
                        for part in parts:
                            if (voice, part) not in said:
                                said[(voice, part)] = trimmed(espeak_16k(part, folder, voice=voice))
                        pause = np.zeros(int(gap * 16000), np.float32)
                        signal = in_room(
                            np.concatenate([said[(voice, parts[0])], pause, said[(voice, parts[1])]])
                        )
                        row = {
                            "voice": voice,
                            "moment": moment.value,
                            "phrase": phrase,
                            "intent": intent.value,
                        }
                        row.update({"split": split, "gap_s": gap})
                        for name, config in ways:
                            row[name] = [i and i.value for i in cut(signal, moment, recognizer, config)]
                        rows.append(row)
                        if row["ends_early"] != row["own_silence"]:
                            print(
                                f"{voice:9s} {moment.value:9s} {parts[0]!r} +{gap:.2f} s+ {parts[1]!r}: "
                                f"{row['ends_early']} (own silence: {row['own_silence']})"
                            )
    table = {}
    for gap in gaps:
        at = [r for r in rows if r["gap_s"] == gap]
        table[str(gap)] = {
            way: {
                "said": len(at),
                "cut_in_two": sum(len(r[way]) > 1 for r in at),
                "another_command": sum(any(i not in (None, r["intent"]) for i in r[way]) for r in at),
                "the_phrase_taken": sum(r["intent"] in r[way] for r in at),
            }
            for way in ("ends_early", "own_silence")
        }
    return {"gaps": table, "rows": rows}


def main() -> int:
    tune_process()  # what the command line sets at program start
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", default="bench_early_decoding.json", help="JSON output file")
    parser.add_argument("--gaps", type=float, nargs="+", default=[0.15, 0.25, 0.3], help="pauses, seconds")
    args = parser.parse_args()
    recognizer = open_recognizer("whisper")
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
    print(
        f"{len(rows)} utterances decoded both ways: {differ} with another intent, "
        f"{accepted_only_early} accepted only early; {no_early} phrases had no early decode"
    )
    paused = paused_phrases(recognizer, folder, args.gaps)
    print("\nphrases said with a pause between words     cut in two    another command   phrase taken")
    for gap, ways in paused["gaps"].items():
        for way, f in ways.items():
            print(
                f"  pause {float(gap):.2f} s, {way:12s} of {f['said']:3d}   {f['cut_in_two']:10d}"
                f"   {f['another_command']:15d}   {f['the_phrase_taken']:12d}"
            )
    result = {
        "decoded": len(rows),
        "intent_differs": differ,
        "accepted_only_early": accepted_only_early,
        "no_early_decode": no_early,
        "rows": rows,
        "paused_phrases": paused,
    }
    Path(args.out).write_text(json.dumps(result, indent=2) + "\n")
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
