"""The ``voiceguide`` command line: the parser, and the one place where errors become a
message and an exit code. docs/cli.md documents every command.

Exit codes: 0 done (a session completed, files valid), 1 refused or failed (with a one-line
reason), 2 wrong usage, 3 a session that ended before completing, 130 interrupted (Ctrl-C),
143 ended by SIGTERM (the session's end recorded first).
"""

from __future__ import annotations

import argparse
import logging
import sys

from voiceguide import __version__
from voiceguide.app.cli_import import cmd_import
from voiceguide.app.cli_options import (
    EXIT_FAILED,
    EXIT_INTERRUPTED,
    EXIT_TERMINATED,
    EXIT_USAGE,
    EXPECT,
    Usage,
    day,
    engine_options,
    preference_options,
)
from voiceguide.app.cli_records import (
    cmd_doctor,
    cmd_history,
    cmd_list,
    cmd_model_download,
    cmd_model_list,
    cmd_report,
    cmd_settings,
    cmd_validate,
)
from voiceguide.app.cli_sessions import cmd_checkin, cmd_demo, cmd_recognize, cmd_run
from voiceguide.errors import Terminated, VoiceguideError


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.WARNING, format="%(levelname)s %(name)s: %(message)s"
    )
    from voiceguide.recognition.engines.process import tune_process

    tune_process()  # before any engine loads: it sets what the whole process runs with
    try:
        return args.handler(args)
    except VoiceguideError as error:
        print(f"voiceguide: {error}", file=sys.stderr)
        return EXIT_FAILED
    except Usage as error:
        print(f"voiceguide: {error}", file=sys.stderr)
        return EXIT_USAGE
    except Terminated:
        print("\nvoiceguide: ended by a termination signal.", file=sys.stderr)
        return EXIT_TERMINATED
    except KeyboardInterrupt:
        print("\nvoiceguide: interrupted.", file=sys.stderr)
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        sys.stderr.close()  # the reader went away (``| head``): nothing more to say
        return EXIT_FAILED


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="voiceguide",
        description="Offline, hands-free, voice-guided procedures: it reads each step aloud "
        'and waits for a spoken answer such as "next step", "repeat" or "stop".',
    )
    parser.add_argument("--version", action="version", version=f"voiceguide {__version__}")
    parser.add_argument("-v", "--verbose", action="store_true", help="log details to stderr")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    run = commands.add_parser(
        "run",
        help="run a guided session",
        description="Run a guided session: each step is spoken and shown, "
        "and your spoken (or typed) answers move it on.",
    )
    run.add_argument(
        "procedure",
        help="a shipped procedure id (see 'voiceguide list'), a YAML file, or instructions to "
        "import on the fly (.txt, .md, .html, .pdf)",
    )
    run.add_argument("--profile", help="your profile YAML file, or 'example' for the shipped example")
    engine_options(run, default="whisper", keyboard=True)
    run.add_argument(
        "--rehearsal",
        action="store_true",
        help="a dry run of the set-up and positioning; never tells you to inject",
    )
    preference_options(run)
    run.add_argument(
        "--display",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="show the large-print window (default: on when a graphical display is present)",
    )
    run.set_defaults(handler=cmd_run)

    checkin = commands.add_parser(
        "checkin",
        help="a short spoken check-in about your last injection",
        description="A short spoken check-in about your last injection: how the "
        "site is, recorded in your journal; for a concerning effect "
        "it tells you to contact your clinician.",
    )
    checkin.add_argument(
        "--profile", help="your profile YAML file (for your clinician's contact), or 'example'"
    )
    engine_options(checkin, default="whisper", keyboard=True)
    checkin.set_defaults(handler=cmd_checkin)

    history = commands.add_parser(
        "history",
        help="past sessions and when the next dose is due",
        description="Show past sessions (date, procedure, completed or stopped, "
        "rehearsal, site, check-in) and, from your profile's interval, "
        "when the next dose is due.",
    )
    history.add_argument("--profile", help="your profile YAML file (for the dose interval), or 'example'")
    history.add_argument(
        "--procedure", default="b12-im", help="the procedure the schedule is for (default b12-im)"
    )
    history.add_argument(
        "--since", type=day, metavar="DATE", help="only sessions on or after DATE (YYYY-MM-DD)"
    )
    history.set_defaults(handler=cmd_history)

    report = commands.add_parser(
        "report",
        help="write a report for your clinician (HTML or CSV)",
        description="Write your session records as a printable HTML page (large "
        "type, high contrast) or a CSV file of the same rows, readable "
        "by you only.",
    )
    report.add_argument("--format", choices=("html", "csv"), default="html", help="html (default) or csv")
    report.add_argument("--output", required=True, metavar="FILE", help="the file to write")
    report.add_argument(
        "--since", type=day, metavar="DATE", help="only sessions on or after DATE (YYYY-MM-DD)"
    )
    report.add_argument("--profile", help="your profile YAML file (trained sites, interval), or 'example'")
    report.add_argument(
        "--procedure", default="b12-im", help="the procedure the schedule is for (default b12-im)"
    )
    report.set_defaults(handler=cmd_report)

    listing = commands.add_parser(
        "list",
        help="show the shipped procedures",
        description="Show the procedures that ship with voiceguide.",
    )
    listing.set_defaults(handler=cmd_list)

    validate = commands.add_parser(
        "validate",
        help="check procedure and profile files",
        description="Check procedure and profile files. Prints one "
        "'file:line: message' per problem; exit 0 when all are valid.",
    )
    validate.add_argument("files", nargs="+", metavar="FILE")
    validate.add_argument(
        "--profile", help="also check that the procedures' profile values are all set in this profile"
    )
    validate.set_defaults(handler=cmd_validate)

    importing = commands.add_parser(
        "import",
        help="turn instructions (text, Markdown, HTML, PDF) into a procedure",
        description="Turn the instructions in a text, Markdown, HTML or PDF file (a recipe, a "
        "leaflet, a list) into a procedure file marked 'imported', print what was found and "
        "validate it.",
    )
    importing.add_argument("file", metavar="FILE", help="a .txt, .md, .html or .pdf file")
    importing.add_argument(
        "--output", metavar="PROC.yaml", help="where to write the procedure (default: FILE with .yaml)"
    )
    importing.add_argument("--title", help="the procedure's title (default: the one found in the file)")
    importing.set_defaults(handler=cmd_import)

    recognize = commands.add_parser(
        "recognize",
        help="decode WAV files as spoken commands",
        description="Decode WAV files (16-bit PCM mono, any rate) through "
        "the same recognition path 'run' uses; one JSON object per file.",
    )
    recognize.add_argument("wavs", nargs="+", metavar="WAV")
    engine_options(recognize, default="whisper", keyboard=False)
    recognize.add_argument(
        "--expect",
        choices=EXPECT,
        default="all",
        help="the listening moment: step, check (yes/no), paused, or all intents",
    )
    recognize.set_defaults(handler=cmd_recognize)

    demo = commands.add_parser(
        "demo",
        help="watch a whole session run with a simulated voice",
        description="Run a whole session with no person: a simulated user's "
        "synthesized replies go through the real recognizer.",
    )
    demo.add_argument("procedure", nargs="?", default="b12-im", help="procedure id or file (default b12-im)")
    demo.add_argument("--profile", default="example", help="profile file (default: the shipped example)")
    engine_options(demo, default="whisper", keyboard=False)
    demo.set_defaults(handler=cmd_demo)

    settings = commands.add_parser(
        "settings",
        help="show, change or reset your remembered preferences",
        description="Show your remembered preferences (speech rate and volume, "
        "verbosity, display size and theme), change them, or reset them.",
    )
    preference_options(settings)
    settings.add_argument(
        "--reset", action="store_true", help="forget every preference: back to the defaults"
    )
    settings.set_defaults(handler=cmd_settings)

    doctor = commands.add_parser(
        "doctor",
        help="report audio devices, engines and models",
        description="Report which audio devices, speech engines and models "
        "are usable, and how to fix what is not.",
    )
    doctor.set_defaults(handler=cmd_doctor)

    model = commands.add_parser(
        "model",
        help="list or download speech models (needs internet)",
        description="List known speech models, or download one. This is the "
        "only command that uses the network.",
    )
    model_commands = model.add_subparsers(dest="model_command", required=True, metavar="ACTION")
    model_list = model_commands.add_parser("list", help="list the known models")
    model_list.set_defaults(handler=cmd_model_list)
    download = model_commands.add_parser("download", help="download a model into your data folder")
    download.add_argument(
        "name", nargs="?", default="vosk-small-en", help="model name (default vosk-small-en)"
    )
    download.add_argument("--dest", help="folder to put it in (default: <data dir>/models)")
    download.set_defaults(handler=cmd_model_download)
    return parser


if __name__ == "__main__":
    sys.exit(main())
