"""Traceability that cannot rot: docs/safety.md and docs/components.md name tests by pytest
node id, and this checks that each one is collected by pytest itself; that every hazard has
a test or is marked pending/uncontrolled; that the injector use errors name real steps and
checks of the B12 procedure; and that the SOUP list matches pyproject.toml."""

from __future__ import annotations

import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from voiceguide.core.procedure import load_procedure

ROOT = Path(__file__).resolve().parent.parent
SAFETY = ROOT / "docs" / "safety.md"
COMPONENTS = ROOT / "docs" / "components.md"
TEST_ID = re.compile(r"tests/[\w/]+\.py::[\w\[\]\-.]+")
PENDING = re.compile(r"pending \(issue \d+\)|uncontrolled")

REQUIRED_HAZARDS = (  # each must be a row of the hazard table
    "not a command",
    'without an explicit "yes"',
    '"stop" not honoured',
    "site",
    "rehearsal",
    "set-up",
    "product or route",
    "not heard",
    "not understood",
    "records lost",
    "readable by others",
    "malformed",
    "tampered",
    "invented medical detail",
    "failing mid-session",
    "second dose",  # the three dose hazards
    "dose not recorded",
    "report misstates a dose",
)
REQUIRED_USE_ERRORS = ("early removal", "wrong injection site", "disinfection", "disposal")


def table(text: str, heading: str) -> list[list[str]]:
    """The body rows of the first Markdown table under ``## heading``, as lists of cells."""
    section = text.split(f"## {heading}", 1)[1].split("\n## ", 1)[0]
    rows = [line for line in section.splitlines() if line.startswith("|")]
    return [[cell.strip() for cell in row.strip("|").split("|")] for row in rows[2:]]


@pytest.fixture(scope="module")
def collected() -> set[str]:
    """Node ids pytest collects from every test file the two documents cite, with and
    without their parameter suffix."""
    files = sorted(
        {ident.split("::")[0] for doc in (SAFETY, COMPONENTS) for ident in TEST_ID.findall(doc.read_text())}
    )
    missing = [name for name in files if not (ROOT / name).is_file()]
    assert not missing, f"cited test files do not exist: {missing}"
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider", *files],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=300,
        check=False,
    )
    ids = {line.strip() for line in result.stdout.splitlines() if "::" in line}
    assert ids, result.stdout[-2000:] + result.stderr[-2000:]
    return ids | {re.sub(r"\[.*\]$", "", ident) for ident in ids}


@pytest.mark.parametrize("doc", [SAFETY, COMPONENTS], ids=lambda p: p.name)
@pytest.mark.slow
def test_every_cited_test_exists(doc, collected):
    cited = sorted(set(TEST_ID.findall(doc.read_text())))
    assert len(cited) >= 10, f"{doc.name} cites almost no tests"
    unknown = [ident for ident in cited if ident not in collected]
    assert not unknown, f"{doc.name} names tests pytest does not collect: {unknown}"


@pytest.mark.unit
def test_every_hazard_has_a_test_or_is_marked_pending_or_uncontrolled():
    rows = table(SAFETY.read_text(), "Hazards")
    assert len(rows) >= len(REQUIRED_HAZARDS) - 3  # some rows cover two of the listed hazards
    for row in rows:
        assert len(row) == 7, f"hazard row needs 7 cells (id ... pending): {row[:2]}"
        ident, hazard, _cause, _harm, control, tests, pending = row
        assert re.fullmatch(r"H\d+", ident), ident
        assert control, f"{ident} has no control"
        assert TEST_ID.search(tests) or PENDING.search(pending), (
            f"{ident} ({hazard}) names no test and is not marked pending or uncontrolled"
        )
        if "pending" in pending:
            assert re.search(r"pending \(issue \d+\)", pending), f"{ident}: say which issue"
    hazards = " ".join(row[1].lower() for row in rows)
    for needed in REQUIRED_HAZARDS:
        assert needed.lower() in hazards, f"no hazard row about {needed!r}"


@pytest.mark.unit
def test_every_uncontrolled_hazard_is_listed_at_the_end():
    text = SAFETY.read_text()
    listed = text.split("## Hazards without a full control", 1)[1]
    for row in table(text, "Hazards"):
        if "uncontrolled" in row[6]:
            assert f"**{row[0]}**" in listed, f"{row[0]} is uncontrolled but not listed"


@pytest.mark.unit
def test_injector_use_errors_map_to_real_b12_steps_and_checks():
    steps = {step.id: step for step in load_procedure("b12-im").steps}
    rows = table(SAFETY.read_text(), "Injector use errors (FDA human-factors guidance)")
    for use_error, where, control, tests in rows:
        named = re.findall(r"`(step|check):([a-z0-9-]+)`", where)
        assert named, f"{use_error!r} names no step:ID or check:ID"
        for kind, step_id in named:
            assert step_id in steps, f"{use_error!r}: no step '{step_id}' in b12-im"
            if kind == "check":
                assert steps[step_id].check is not None, f"step '{step_id}' has no check"
        assert control and TEST_ID.search(tests), f"{use_error!r} needs a control and a test"
    errors = " ".join(row[0].lower() for row in rows)
    for needed in REQUIRED_USE_ERRORS:
        assert needed in errors, f"no row for the FDA use error {needed!r}"


@pytest.mark.unit
def test_components_list_every_runtime_dependency_with_its_range():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    rows = {re.sub(r"\s*\(.*\)", "", row[0]).lower(): row for row in table(COMPONENTS.read_text(), "Summary")}
    for requirement in project["dependencies"]:
        name, spec = re.match(r"([A-Za-z0-9_.-]+)\s*(.*)", requirement).groups()
        row = rows.get(name.lower())
        assert row is not None, f"docs/components.md has no row for {name}"
        assert row[1] == f"`{spec}`", f"{name}: pyproject says {spec!r}, the doc says {row[1]}"
        assert f"## {row[0].split(' (')[0]}" in COMPONENTS.read_text(), f"no section for {name}"
