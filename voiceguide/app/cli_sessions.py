"""The ``voiceguide`` commands that talk: ``run``, ``checkin``, ``recognize`` and ``demo``."""

from __future__ import annotations

import argparse
import json
import signal
import sys
import time
from contextlib import ExitStack

from voiceguide.app.cli_options import (
    EXIT_FAILED,
    EXIT_INCOMPLETE,
    EXIT_OK,
    chosen_preferences,
)
from voiceguide.core.session_types import DEFAULT_RATE
from voiceguide.errors import Terminated, VoiceguideError


def cmd_run(args: argparse.Namespace) -> int:
    """SIGTERM ends the session as Ctrl-C does: its end is recorded (``errors.Terminated``)."""
    previous = signal.signal(signal.SIGTERM, _terminate)
    try:
        return _run(args)
    finally:
        signal.signal(signal.SIGTERM, previous)


def _run(args: argparse.Namespace) -> int:
    from voiceguide.app.adapters import prepare_with_profile
    from voiceguide.app.dose_guard import starting_point
    from voiceguide.app.runner import Runner
    from voiceguide.app.session_setup import listeners, open_display, session_preferences
    from voiceguide.core.rotation import with_site_choice
    from voiceguide.core.session import Session
    from voiceguide.core.session_types import Outcome
    from voiceguide.records.sessions import load_records
    from voiceguide.ui.combine import Fanout
    from voiceguide.ui.text_io import ConsoleDisplay

    procedure, profile = prepare_with_profile(args.procedure, args.profile, args.rehearsal)
    merge_unsaved()
    records = load_records()
    procedure = with_site_choice(procedure, profile, records.last_site(procedure.id))
    keeper, verbosity = session_preferences(procedure, chosen_preferences(args), records)
    rate, volume = keeper.settings.rate, keeper.settings.volume
    with ExitStack() as stack:
        talk, journal = _conversation(stack, procedure.id, args, rate, volume)
        io = talk.io
        window, notice = open_display(stack, args.display, keeper)
        if notice:
            talk.notice(notice)
        io.display = Fanout(ConsoleDisplay(), keeper, *([window] if window else []))
        io.listener, fallback = listeners(stack, io.listener, io.voice, window)
        start = starting_point(talk, procedure, profile, records, time.time())
        talk.finish()
        if start is None:
            return EXIT_INCOMPLETE
        first, point = start
        one_key = window is not None or (io.voice and sys.stdin.isatty())
        inputs = frozenset(({"keys"} if one_key else set()) | (set() if io.voice else {"typed"}))
        session = Session(
            procedure,
            verbosity,
            first_step=first,
            resumes=point.session if first else None,
            dose_given=bool(first and point.dose == "yes"),
            inputs=inputs,
        )
        outcome = Runner(session, io, rate=rate, volume=volume, fallback=fallback).run()
        if outcome is Outcome.COMPLETED and not procedure.rehearsal and any(s.site for s in procedure.steps):
            from voiceguide.app.checkin import run_checkin

            run_checkin(talk, profile, journal.session_id)
            talk.finish()
    return EXIT_OK if outcome is Outcome.COMPLETED else EXIT_INCOMPLETE


def merge_unsaved() -> None:
    """Add back what an earlier run could not write (its fallback files) to its journals."""
    from voiceguide.paths import data_dir
    from voiceguide.records.unsaved import merge

    merged = merge(data_dir() / "sessions")
    if merged:
        print(f"voiceguide: added {merged} unsaved part(s) of earlier records back to them.", file=sys.stderr)


def said_unsaved(journal) -> None:
    """At exit: where what could not be written was kept (or that it could not be)."""
    if journal.lost:
        print(
            "voiceguide: part of the session record could not be saved anywhere. Note the time "
            "and site of any injection, and tell your clinician.",
            file=sys.stderr,
        )
    elif journal.kept is not None:
        print(
            f"voiceguide: the session record could not be saved in full; the rest is kept in "
            f"{journal.kept} and is added back at the next run.",
            file=sys.stderr,
        )


def _terminate(signum, frame) -> None:
    raise Terminated()


def _conversation(
    stack: ExitStack, name: str, args: argparse.Namespace, rate: int = DEFAULT_RATE, volume: float = 1.0
):
    """(Conversation, FileJournal) for ``run`` and ``checkin``: the journal opens (and proves
    the records folder takes writes) before any audio or question."""
    from voiceguide.app.adapters import open_adapters
    from voiceguide.app.asking import Conversation
    from voiceguide.records.journal import FileJournal
    from voiceguide.ui.text_io import ConsoleDisplay

    journal = FileJournal(name)
    stack.callback(said_unsaved, journal)
    stack.enter_context(journal)
    io, notices = open_adapters(stack, args.engine, args.model, journal, ConsoleDisplay())
    talk = Conversation(io, rate=rate, volume=volume)
    for notice in notices:
        talk.notice(notice)
    return talk, journal


def cmd_checkin(args: argparse.Namespace) -> int:
    from voiceguide.app.checkin import run_checkin
    from voiceguide.app.resume import when
    from voiceguide.core.profile import load_profile
    from voiceguide.records.sessions import load_records

    profile = load_profile(args.profile) if args.profile else None
    completed = [s for s in load_records().real() if s.completed]
    done = [s for s in completed if s.site] or completed  # an injection (a site was confirmed) first
    with ExitStack() as stack:
        talk, _journal = _conversation(stack, "checkin", args)
        if done:
            talk.say(f"This check-in is about your {done[-1].title} session {when(done[-1].started)}.")
        recorded = run_checkin(talk, profile, done[-1].session if done else None)
        talk.finish()
    return EXIT_OK if recorded is not None else EXIT_INCOMPLETE


def cmd_recognize(args: argparse.Namespace) -> int:
    from voiceguide.core.intents import Moment
    from voiceguide.recognition.recognizer import open_recognizer

    recognizer = open_recognizer(args.engine, args.model)
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
    from voiceguide.app.adapters import prepare_with_profile
    from voiceguide.app.demo import run_demo
    from voiceguide.core.rotation import with_site_choice
    from voiceguide.core.session_types import Outcome
    from voiceguide.recognition.recognizer import open_recognizer
    from voiceguide.ui.text_io import ConsoleDisplay, MemoryJournal

    procedure, profile = prepare_with_profile(args.procedure, args.profile, rehearsal=False)
    procedure = with_site_choice(procedure, profile, None)  # the steps a real session has
    print(
        f"voiceguide demo: a simulated user answers by synthesized voice through the real "
        f"{args.engine} recognizer; time is simulated."
    )
    recognizer = open_recognizer(args.engine, args.model)
    outcome, user = run_demo(procedure, recognizer.decode, print, ConsoleDisplay(), MemoryJournal())
    times = sorted(user.decode_ms) or [0.0]
    print(
        f"\nDemo {'completed' if outcome is Outcome.COMPLETED else 'did not complete'}: "
        f"{len(procedure.steps)} steps, {user.replies} spoken replies, "
        f"median decode {times[len(times) // 2]:.0f} ms."
    )
    return EXIT_OK if outcome is Outcome.COMPLETED else EXIT_FAILED
