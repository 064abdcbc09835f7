"""What the ``voiceguide`` commands share: exit codes, the usage error, and the option groups
several commands take (speech engine, remembered preferences)."""

from __future__ import annotations

import argparse

from voiceguide.core.session_types import DEFAULT_RATE

EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_INCOMPLETE, EXIT_INTERRUPTED = 0, 1, 2, 3, 130
EXIT_TERMINATED = 143
"""SIGTERM, after the session's end was recorded (128 + 15, as the shell reports it)."""
EXPECT = ("step", "check", "paused", "all")
"""Listening moments `recognize --expect` can stand for (values of intents.Moment)."""

PREFERENCES = ("rate", "volume", "verbosity", "display_size", "theme")


def preference_options(parser: argparse.ArgumentParser) -> None:
    """Preferences a flag can set; each is remembered for the next session."""
    parser.add_argument(
        "--rate",
        type=int,
        metavar="WPM",
        help=f"speech rate, words per minute, 100-260 (default {DEFAULT_RATE})",
    )
    parser.add_argument("--volume", type=float, help="speech volume, 0.2-1.0 (default 1.0)")
    parser.add_argument(
        "--verbosity",
        choices=("auto", "brief", "detailed"),
        help="prompt style; auto: detailed for the first sessions, then brief (default auto)",
    )
    parser.add_argument(
        "--display-size",
        type=int,
        metavar="PT",
        help="size of the step text in the large-print display, points (default 56)",
    )
    parser.add_argument(
        "--theme",
        choices=("dark", "yellow", "light"),
        help="display colours: dark (white on black, default), yellow (on black), light",
    )


def chosen_preferences(args: argparse.Namespace) -> dict:
    """The preferences given as flags, checked; raises UsageProblem naming the bad one."""
    from voiceguide.records.settings import check

    chosen = {name: getattr(args, name) for name in PREFERENCES if getattr(args, name) is not None}
    for name, value in chosen.items():
        problem = check(name, value)
        if problem:
            raise Usage(f"--{name.replace('_', '-')}: {problem}")
    return chosen


class Usage(Exception):
    """Wrong usage of a command: said in one line, exit code 2."""


def engine_options(parser: argparse.ArgumentParser, default: str, keyboard: bool) -> None:
    choices = ["whisper", "vosk"] + (["keyboard"] if keyboard else [])
    parser.add_argument(
        "--engine",
        choices=choices,
        default=default,
        help=f"speech recognizer (default {default})"
        + ("; keyboard reads answers from standard input" if keyboard else ""),
    )
    parser.add_argument(
        "--model", metavar="DIR", help="model folder for the engine (Vosk, or a Whisper copy)"
    )


def day(text: str):
    from datetime import date

    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a date like 2026-01-31") from None
