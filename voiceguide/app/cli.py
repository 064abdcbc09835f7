"""The ``voiceguide`` command line (the contract is in PRODUCT.md and docs/cli.md).

Exit codes: 0 done (a session completed, files valid), 1 refused or failed (with a one-line
reason), 2 wrong usage, 3 a session that ended before completing, 130 interrupted.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from contextlib import ExitStack

from voiceguide import __version__
from voiceguide.core.session_types import DEFAULT_RATE
from voiceguide.errors import VoiceguideError

EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_INCOMPLETE, EXIT_INTERRUPTED = 0, 1, 2, 3, 130
EXPECT = ("step", "check", "paused", "all")
"""Listening moments `recognize --expect` can stand for (values of intents.Moment)."""


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.WARNING, format="%(levelname)s %(name)s: %(message)s"
    )
    try:
        return args.handler(args)
    except VoiceguideError as error:
        print(f"voiceguide: {error}", file=sys.stderr)
        return EXIT_FAILED
    except _Usage as error:
        print(f"voiceguide: {error}", file=sys.stderr)
        return EXIT_USAGE
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
    run.add_argument("procedure", help="a shipped procedure id (see 'voiceguide list') or a YAML file")
    run.add_argument("--profile", help="your profile YAML file, or 'example' for the shipped example")
    _engine_options(run, default="whisper", keyboard=True)
    run.add_argument(
        "--rehearsal",
        action="store_true",
        help="a dry run of the set-up and positioning; never tells you to inject",
    )
    _preference_options(run)
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
    _engine_options(checkin, default="whisper", keyboard=True)
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
        "--since", type=_day, metavar="DATE", help="only sessions on or after DATE (YYYY-MM-DD)"
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
        "--since", type=_day, metavar="DATE", help="only sessions on or after DATE (YYYY-MM-DD)"
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

    recognize = commands.add_parser(
        "recognize",
        help="decode WAV files as spoken commands",
        description="Decode WAV files (16-bit PCM mono, any rate) through "
        "the same recognition path 'run' uses; one JSON object per file.",
    )
    recognize.add_argument("wavs", nargs="+", metavar="WAV")
    _engine_options(recognize, default="whisper", keyboard=False)
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
    _engine_options(demo, default="whisper", keyboard=False)
    demo.set_defaults(handler=cmd_demo)

    settings = commands.add_parser(
        "settings",
        help="show, change or reset your remembered preferences",
        description="Show your remembered preferences (speech rate and volume, "
        "verbosity, display size and theme), change them, or reset them.",
    )
    _preference_options(settings)
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


PREFERENCES = ("rate", "volume", "verbosity", "display_size", "theme")


def _preference_options(parser: argparse.ArgumentParser) -> None:
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


def _chosen_preferences(args: argparse.Namespace) -> dict:
    """The preferences given as flags, checked; raises UsageProblem naming the bad one."""
    from voiceguide.records.settings import check

    chosen = {name: getattr(args, name) for name in PREFERENCES if getattr(args, name) is not None}
    for name, value in chosen.items():
        problem = check(name, value)
        if problem:
            raise _Usage(f"--{name.replace('_', '-')}: {problem}")
    return chosen


class _Usage(Exception):
    pass


def _engine_options(parser: argparse.ArgumentParser, default: str, keyboard: bool) -> None:
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


# -- commands -------------------------------------------------------------------------------


def cmd_run(args: argparse.Namespace) -> int:
    from voiceguide.app.adapters import prepare_with_profile
    from voiceguide.app.runner import MonotonicClock, Runner
    from voiceguide.app.session_setup import listeners, open_display, session_preferences
    from voiceguide.core.rotation import with_site_choice
    from voiceguide.core.session import Session
    from voiceguide.core.session_types import Outcome
    from voiceguide.records.sessions import load_records
    from voiceguide.ui.combine import Fanout
    from voiceguide.ui.text_io import ConsoleDisplay

    procedure, profile = prepare_with_profile(args.procedure, args.profile, args.rehearsal)
    records = load_records()
    procedure = with_site_choice(procedure, profile, records.last_site(procedure.id))
    keeper, verbosity = session_preferences(procedure, _chosen_preferences(args), records)
    rate, volume = keeper.settings.rate, keeper.settings.volume
    with ExitStack() as stack:
        talk, journal, adapters = _conversation(stack, procedure.id, args, rate, volume)
        window, notice = open_display(stack, args.display, keeper)
        if notice:
            talk.notice(notice)
        talk.display = Fanout(ConsoleDisplay(), keeper, *([window] if window else []))
        talk.listener, fallback = listeners(stack, adapters.listener, adapters.voice, window)
        first, point = 0, None if procedure.rehearsal else records.resume_point(procedure.id)
        if point is not None:
            from voiceguide.app.resume import offer_resume

            first = offer_resume(talk, procedure, point)
            if first is None:
                talk.finish()
                return EXIT_INCOMPLETE
        talk.finish()
        session = Session(procedure, verbosity, first_step=first, resumes=point.session if first else None)
        runner = Runner(
            session,
            speaker=talk.speaker,
            listener=talk.listener,
            clock=MonotonicClock(),
            journal=journal,
            display=talk.display,
            rate=rate,
            volume=volume,
            fallback=fallback,
        )
        outcome = runner.run()
        if outcome is Outcome.COMPLETED and not procedure.rehearsal and any(s.site for s in procedure.steps):
            from voiceguide.app.checkin import run_checkin

            talk.speaker, talk.listener = runner.speaker, runner.listener
            run_checkin(talk, profile, journal.session_id)
            talk.finish()
    return EXIT_OK if outcome is Outcome.COMPLETED else EXIT_INCOMPLETE


def _conversation(
    stack: ExitStack, name: str, args: argparse.Namespace, rate: int = DEFAULT_RATE, volume: float = 1.0
):
    """(Conversation, FileJournal, the opened adapters) for ``run`` and ``checkin``: the journal
    opens (and proves the records folder takes writes) before any audio or question."""
    from voiceguide.app.adapters import open_adapters
    from voiceguide.app.asking import Conversation
    from voiceguide.records.journal import FileJournal
    from voiceguide.ui.text_io import ConsoleDisplay

    journal = stack.enter_context(FileJournal(name))
    adapters = open_adapters(stack, args.engine, args.model)
    talk = Conversation(
        speaker=adapters.speaker,
        listener=adapters.listener,
        journal=journal,
        display=ConsoleDisplay(),
        rate=rate,
        volume=volume,
    )
    for notice in adapters.notices:
        talk.notice(notice)
    return talk, journal, adapters


def cmd_checkin(args: argparse.Namespace) -> int:
    from voiceguide.app.checkin import run_checkin
    from voiceguide.app.resume import when
    from voiceguide.core.profile import load_profile
    from voiceguide.records.sessions import load_records

    profile = load_profile(args.profile) if args.profile else None
    completed = [s for s in load_records().real() if s.completed]
    done = [s for s in completed if s.site] or completed  # an injection (a site was confirmed) first
    with ExitStack() as stack:
        talk, _journal, _adapters = _conversation(stack, "checkin", args)
        if done:
            talk.say(f"This check-in is about your {done[-1].title} session {when(done[-1].started)}.")
        recorded = run_checkin(talk, profile, done[-1].session if done else None)
        talk.finish()
    return EXIT_OK if recorded else EXIT_INCOMPLETE


def _day(text: str):
    from datetime import date

    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a date like 2026-01-31") from None


def _records_view(args: argparse.Namespace):
    """(rows, schedule sentences, notes, profile) for ``history`` and ``report``."""
    from datetime import date

    from voiceguide.core.profile import load_profile
    from voiceguide.records.history import rows, schedule
    from voiceguide.records.sessions import load_records

    profile = load_profile(args.profile) if args.profile else None
    records = load_records()
    note = records.partial_note()
    return (
        rows(records, args.since),
        schedule(records, profile, args.procedure, date.today()),
        [note] if note else [],
        profile,
    )


def cmd_history(args: argparse.Namespace) -> int:
    from voiceguide.records.history import render_text

    found, schedule, notes, _profile = _records_view(args)
    for note in notes:
        print(note)
    print(render_text(found) if found else "No sessions recorded yet.")
    print()
    for line in schedule:
        print(line)
    return EXIT_OK


def cmd_report(args: argparse.Namespace) -> int:
    from pathlib import Path

    from voiceguide.records.history import sites_used
    from voiceguide.records.report import render_csv, render_html, write_private

    found, schedule, notes, profile = _records_view(args)
    if args.format == "csv":
        text = render_csv(found)
    else:
        text = render_html(
            found, sites_used(found, profile), schedule, notes, args.since.isoformat() if args.since else None
        )
    write_private(Path(args.output), text)
    for note in notes:
        print(note, file=sys.stderr)
    print(f"Wrote {len(found)} entr{'y' if len(found) == 1 else 'ies'} to {args.output}")
    return EXIT_OK


def cmd_list(args: argparse.Namespace) -> int:
    from voiceguide.core.procedure import load_procedure, shipped

    for proc_id in sorted(shipped()):
        procedure = load_procedure(proc_id)
        print(f"{proc_id:<12} {procedure.title} ({len(procedure.steps)} steps)")
    return EXIT_OK


def cmd_validate(args: argparse.Namespace) -> int:
    from voiceguide.app.validation import validate_files

    problems, summaries = validate_files(args.files, args.profile)
    for line in summaries:
        print(line, file=sys.stderr)
    for problem in problems:
        print(problem)
    return EXIT_FAILED if problems else EXIT_OK


def cmd_recognize(args: argparse.Namespace) -> int:
    from voiceguide.core.intents import Moment
    from voiceguide.recognition.engines import open_engines
    from voiceguide.recognition.recognizer import Recognizer

    recognizer = Recognizer(*open_engines(args.engine, args.model))
    failed = False
    for path in args.wavs:
        try:
            result = recognizer.recognize_file(path, Moment(args.expect))
        except VoiceguideError as error:
            print(f"voiceguide: {error}", file=sys.stderr)
            failed = True
            continue
        print(json.dumps(result), flush=True)
    return EXIT_FAILED if failed else EXIT_OK


def cmd_demo(args: argparse.Namespace) -> int:
    from voiceguide.app.adapters import prepare
    from voiceguide.app.demo import SimulatedUser
    from voiceguide.app.runner import Runner
    from voiceguide.core.session import Session
    from voiceguide.core.session_types import Outcome
    from voiceguide.recognition.engines import open_engines
    from voiceguide.recognition.recognizer import Recognizer
    from voiceguide.ui.text_io import ConsoleDisplay, FakeClock, MemoryJournal, QuietSpeaker

    procedure = prepare(args.procedure, args.profile, rehearsal=False)
    print(
        f"voiceguide demo: a simulated user answers by synthesized voice through the real "
        f"{args.engine} recognizer; time is simulated."
    )
    recognizer = Recognizer(*open_engines(args.engine, args.model))
    clock = FakeClock()
    user = SimulatedUser(recognizer.decode, clock, show=print)
    runner = Runner(
        Session(procedure),
        speaker=QuietSpeaker(),
        listener=user,
        clock=clock,
        journal=MemoryJournal(),
        display=ConsoleDisplay(),
        wall=clock.now,
    )
    user.position = lambda: (runner.state.index, runner.state.moment)
    try:
        outcome = runner.run()
    finally:
        user.close()
    times = sorted(user.decode_ms) or [0.0]
    print(
        f"\nDemo {'completed' if outcome is Outcome.COMPLETED else 'did not complete'}: "
        f"{len(procedure.steps)} steps, {user.replies} spoken replies, "
        f"median decode {times[len(times) // 2]:.0f} ms."
    )
    return EXIT_OK if outcome is Outcome.COMPLETED else EXIT_FAILED


def cmd_settings(args: argparse.Namespace) -> int:
    from dataclasses import replace

    from voiceguide.records.settings import load_settings, reset_settings, save_settings, settings_path

    chosen = _chosen_preferences(args)
    if args.reset:
        if chosen:
            raise _Usage("--reset cannot be combined with other settings")
        print(f"Preferences reset to the defaults (removed {reset_settings()}).")
    settings, warnings = load_settings()
    for warning in warnings:
        print(f"voiceguide: warning: {warning}", file=sys.stderr)
    if chosen:
        settings = replace(settings, **chosen)
        save_settings(settings)
    for line in settings.describe():
        print(line)
    print(f"file: {settings_path()}")
    return EXIT_OK


def cmd_doctor(args: argparse.Namespace) -> int:
    from voiceguide.app.doctor import run_doctor

    return run_doctor()


def cmd_model_list(args: argparse.Namespace) -> int:
    from voiceguide.recognition.engines.download import KNOWN_MODELS

    for name, model in KNOWN_MODELS.items():
        print(f"{name:<18} {model.describe()}")
    return EXIT_OK


def cmd_model_download(args: argparse.Namespace) -> int:
    from pathlib import Path

    from voiceguide.paths import models_dir
    from voiceguide.recognition.engines.download import download_model

    dest = Path(args.dest) if args.dest else models_dir()
    where = download_model(args.name, dest)
    print(f"Downloaded {args.name} to {where}")
    return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
