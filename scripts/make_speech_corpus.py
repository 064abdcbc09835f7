"""Generate the recognition corpus: every accepted phrase (and the retired ones), many synthetic
voices, noise, reverb, and negatives that must never become a command.

    python scripts/make_speech_corpus.py [OUT_DIR] [--quick]

OUT_DIR defaults to ``<cache dir>/speech-corpus`` (``~/.cache/voiceguide/speech-corpus``
unless ``VOICEGUIDE_CACHE_DIR`` or ``XDG_CACHE_HOME`` says otherwise; kept out of git). What
it holds and how each clip is made: ``voiceguide/bench/corpus.py`` and ``corpus_build.py``.
"""

from __future__ import annotations

import argparse
import shutil
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from voiceguide.bench.corpus import default_dir  # noqa: E402
from voiceguide.bench.corpus_build import make  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.strip().splitlines()[0])
    parser.add_argument("out", nargs="?", default=str(default_dir()), help="default %(default)s")
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
