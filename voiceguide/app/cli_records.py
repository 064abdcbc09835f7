"""The ``voiceguide`` commands on records, files and models: ``history``, ``report``,
``settings``, ``list``, ``validate``, ``doctor`` and ``model``."""

from __future__ import annotations

import argparse
import sys

from voiceguide.app.cli_options import (
    EXIT_FAILED,
    EXIT_OK,
    Usage,
    chosen_preferences,
)


def _records_view(args: argparse.Namespace):
    """(rows, schedule sentences, notes, profile) for ``history`` and ``report``."""
    from datetime import date

    from voiceguide.core.procedure import load_procedure, shipped
    from voiceguide.core.profile import load_profile
    from voiceguide.records.history import rows, schedule, steps_before_dose
    from voiceguide.records.sessions import load_records

    profile = load_profile(args.profile) if args.profile else None
    records = load_records()
    note = records.partial_note()
    procedure = load_procedure(args.procedure) if args.procedure in shipped() else None
    return (
        rows(records, args.since),
        schedule(records, profile, args.procedure, date.today(), steps_before_dose(procedure)),
        [note] if note else [],
        profile,
    )


def cmd_history(args: argparse.Namespace) -> int:
    from voiceguide.records.history import header, render_text

    found, schedule, notes, profile = _records_view(args)
    for note in notes:
        print(note)
    for label, value in header(profile):
        print(f"{label}: {value}")
    print(render_text(found) if found else "No sessions recorded yet.")
    print()
    for line in schedule:
        print(line)
    return EXIT_OK


def cmd_report(args: argparse.Namespace) -> int:
    from pathlib import Path

    from voiceguide.records.history import header, sites_used
    from voiceguide.records.report import render_csv, render_html, write_private

    found, schedule, notes, profile = _records_view(args)
    if args.format == "csv":
        text = render_csv(found)
    else:
        text = render_html(
            found,
            sites_used(found, profile),
            schedule,
            notes,
            args.since.isoformat() if args.since else None,
            header(profile),
        )
    write_private(Path(args.output), text)
    for note in notes:
        print(note, file=sys.stderr)
    print(f"Wrote {len(found)} entr{'y' if len(found) == 1 else 'ies'} to {args.output}")
    return EXIT_OK


def cmd_list(args: argparse.Namespace) -> int:
    from voiceguide.core.procedure import load_procedure, shipped
    from voiceguide.core.rotation import session_step_count

    for proc_id in sorted(shipped()):
        procedure = load_procedure(proc_id)
        print(f"{proc_id:<12} {procedure.title} ({session_step_count(procedure)} steps)")
    return EXIT_OK


def cmd_validate(args: argparse.Namespace) -> int:
    from voiceguide.app.validation import validate_files

    problems, summaries = validate_files(args.files, args.profile)
    for line in summaries:
        print(line, file=sys.stderr)
    for problem in problems:
        print(problem)
    return EXIT_FAILED if problems else EXIT_OK


def cmd_settings(args: argparse.Namespace) -> int:
    from dataclasses import replace

    from voiceguide.records.settings import load_settings, reset_settings, save_settings, settings_path

    chosen = chosen_preferences(args)
    if args.reset:
        if chosen:
            raise Usage("--reset cannot be combined with other settings")
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
