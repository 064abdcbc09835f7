#!/usr/bin/env python3
"""How well the check-in's spoken answers are recognised: every phrase in
voiceguide/core/checkin_phrases.py (plus a joined answer and a few non-answers), synthesized by
espeak-ng in several voices and decoded by the real recognizer at the check-in moment.

Prints a table and writes JSON (default: bench_checkin_phrases.json).
    PYTHONPATH=$PWD python scripts/bench_checkin_phrases.py [--engine whisper] [--json FILE]
"""

from __future__ import annotations

import argparse
import json
import tempfile
from pathlib import Path

from voiceguide.app.demo import synthesize_espeak
from voiceguide.core.checkin_phrases import EFFECTS, parse_effects
from voiceguide.core.intents import Moment
from voiceguide.recognition.engines import make_engine
from voiceguide.recognition.engines.process import tune_process  # noqa: E402
from voiceguide.recognition.recognizer import Recognizer

VOICES = ("en-us+m3", "en+f3", "en-gb+m1")
EXTRA = ("soreness and redness", "swelling and feeling unwell")
NON_ANSWERS = ("put the kettle on", "the weather is nice today", "what")


def main() -> int:
    tune_process()  # what the command line sets at program start
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--engine", default="whisper")
    parser.add_argument("--json", default="bench_checkin_phrases.json")
    args = parser.parse_args()
    recognizer = Recognizer(make_engine(args.engine, None))
    phrases = [p for effect in EFFECTS for p in effect.phrases] + list(EXTRA)
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for voice in VOICES:
            for phrase in phrases + list(NON_ANSWERS):
                heard, _ = recognizer.decode(
                    synthesize_espeak(phrase, Path(tmp), voice=voice), Moment.CHECKIN
                )
                got = parse_effects(heard.text) if heard.clear else None
                want = parse_effects(phrase)
                rows.append(
                    {
                        "voice": voice,
                        "said": phrase,
                        "text": heard.text,
                        "want": want,
                        "got": got,
                        "ok": got == want,
                        "decode_ms": round(heard.decode_ms),
                    }
                )
    print(f"{'voice':10} {'said':30} {'heard':32} result")
    for row in rows:
        result = "ok" if row["ok"] else f"MISS {row['got']}"
        print(f"{row['voice']:10} {row['said']:30} {row['text']!r:32} {result}")
    answers = [r for r in rows if r["want"] is not None]
    wrong = [r for r in answers if r["got"] is not None and not r["ok"]]
    false_accepts = [r for r in rows if r["want"] is None and r["got"] is not None]
    summary = {
        "engine": args.engine,
        "answers": len(answers),
        "recognised": sum(r["ok"] for r in answers),
        "taken_as_another_effect": len(wrong),
        "non_answers": len(rows) - len(answers),
        "non_answers_accepted": len(false_accepts),
    }
    print(json.dumps(summary))
    Path(args.json).write_text(json.dumps({"summary": summary, "rows": rows}, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
