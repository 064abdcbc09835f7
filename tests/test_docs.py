"""The documents stay true to the code: no work-process words, no reference to a document that
is not in the repository, every command documented, and a README that stays a short hub with
the Quick start CI runs."""

from __future__ import annotations

import argparse
import re
from pathlib import Path

import pytest

from voiceguide.app.cli import build_parser

pytestmark = pytest.mark.unit

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
CLI_DOC = ROOT / "docs" / "cli.md"
SCANNED = ("voiceguide", "tests", "docs", "scripts")
SKIPPED = (ROOT / "tests" / "data",)
QUICK_START = (
    "./scripts/setup.sh && .venv/bin/voiceguide demo",
    "./scripts/setup.sh --dev && .venv/bin/python -m pytest -q",
)
README_MAX_LINES = 220

# Built from pieces so that this file does not match itself.
PROCESS_WORDS = re.compile(r"\b(?:" + "st" + "op|" + "sess" + r"ion) [0-9]", re.IGNORECASE)
DOCUMENT = re.compile(r"(?<![\w/.:-])([\w/.-]+\.md)\b")


def text_files() -> list[Path]:
    """README.md and every text file under the scanned folders (binary files, caches and
    tests/data left out)."""
    files = [README]
    for folder in SCANNED:
        for path in sorted((ROOT / folder).rglob("*")):
            if not path.is_file() or "__pycache__" in path.parts:
                continue
            if any(path.is_relative_to(skipped) for skipped in SKIPPED):
                continue
            data = path.read_bytes()
            if b"\0" in data:
                continue
            try:
                data.decode("utf-8")
            except UnicodeDecodeError:
                continue
            files.append(path)
    return files


def read(path: Path) -> str:
    return path.read_text(encoding="utf-8")


def name(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


def test_no_work_process_words():
    found = [
        f"{name(path)}:{text.count(chr(10), 0, match.start()) + 1}: {match.group(0)!r}"
        for path in text_files()
        for text in [read(path)]
        for match in PROCESS_WORDS.finditer(text)
    ]
    assert not found, "work-process words (say what the code does, date by commit):\n" + "\n".join(found)


def document_exists(token: str, where: Path) -> bool:
    candidates = (ROOT / token, where.parent / token, ROOT / "docs" / token)
    return any(candidate.is_file() for candidate in candidates)


def test_every_document_referred_to_exists():
    missing = []
    for path in text_files():
        text = read(path)
        for match in DOCUMENT.finditer(text):
            if not document_exists(match.group(1), path):
                line = text.count("\n", 0, match.start()) + 1
                missing.append(f"{name(path)}:{line}: {match.group(1)}")
    assert not missing, "references to documents that are not in the repository:\n" + "\n".join(missing)


def subcommands() -> dict[str, str | None]:
    """Each `voiceguide` subcommand and its help text."""
    parser = build_parser()
    actions = [action for action in parser._actions if isinstance(action, argparse._SubParsersAction)]
    assert actions, "the voiceguide parser has no subcommands"
    helps = {choice.dest: choice.help for action in actions for choice in action._choices_actions}
    return {command: helps.get(command) for action in actions for command in action.choices}


def test_every_command_has_help_and_a_section_in_the_cli_doc():
    commands = subcommands()
    assert len(commands) >= 5
    documented = set(re.findall(r"^## voiceguide ([\w-]+)\s*$", read(CLI_DOC), re.MULTILINE))
    no_help = [command for command, text in commands.items() if not (text or "").strip()]
    undocumented = sorted(set(commands) - documented)
    assert not no_help, f"subcommands without help text: {no_help}"
    assert not undocumented, (
        f"subcommands without a '## voiceguide NAME' section in docs/cli.md: {undocumented}"
    )


def test_readme_is_a_short_hub_with_the_quick_start():
    text = read(README)
    lines = text.count("\n") + (0 if text.endswith("\n") else 1)
    assert lines <= README_MAX_LINES, f"README.md has {lines} lines; the rest belongs in docs/"
    for command in QUICK_START:
        assert command in text, f"README.md lacks the Quick start command {command!r}"
    links = re.findall(r"\]\((docs/[\w/.-]+\.md)(?:#[\w-]*)?\)", text)
    assert links, "README.md links no page of docs/"
    missing = [link for link in links if not (ROOT / link).is_file()]
    assert not missing, f"README.md links pages that do not exist: {missing}"
