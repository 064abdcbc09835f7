"""Synthesize the test WAVs: every command phrase, a few sentences that are not commands, and
the phrases the vocabulary no longer accepts (``voiceguide/bench/command_audio.py``).

    python scripts/make_test_audio.py OUT_DIR
"""

from __future__ import annotations

import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from voiceguide.bench.command_audio import make  # noqa: E402


def main(argv: list[str]) -> int:
    if len(argv) != 1 or argv[0] in ("-h", "--help"):
        print(__doc__.strip().splitlines()[-1].strip(), file=sys.stderr)
        return 0 if argv[:1] in (["-h"], ["--help"]) else 2
    made = make(argv[0])
    print(f"wrote {len(made)} WAV files under {argv[0]}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
