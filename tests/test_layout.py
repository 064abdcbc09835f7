"""The package layout keeps its promises: imports run one way (the pure core imports nothing
from the adapters; only the wiring imports the wiring) and modules stay small enough to read."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

pytestmark = pytest.mark.unit

PACKAGE = Path(__file__).resolve().parent.parent / "voiceguide"
MAY_IMPORT = {
    "core": {"core", "errors", "paths"},
    "audio": {"core", "audio", "errors", "paths"},
    "records": {"core", "records", "errors", "paths"},
    "ui": {"core", "ui", "errors", "paths"},
    "recognition": {"core", "recognition", "audio", "errors", "paths"},
    "importing": {"core", "importing", "errors"},
}
"""Group -> the groups its modules may import (``app`` and ``bench`` may import any)."""
MAX_LINES = 450
"""A module longer than this wants splitting by job (the layout aims at about 400)."""


def _imports(path: Path) -> set[str]:
    """The top-level ``voiceguide`` groups ``path`` imports, lazily or not."""
    groups = set()
    for node in ast.walk(ast.parse(path.read_text())):
        names = []
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
        elif isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        for name in names:
            parts = name.split(".")
            if parts[0] == "voiceguide" and len(parts) > 1 and parts[1] != "__version__":
                groups.add(parts[1])
    return groups


@pytest.mark.parametrize("group", sorted(MAY_IMPORT))
def test_each_group_imports_only_what_it_may(group):
    wrong = {
        str(path.relative_to(PACKAGE)): sorted(_imports(path) - MAY_IMPORT[group])
        for path in sorted((PACKAGE / group).rglob("*.py"))
    }
    assert {name: groups for name, groups in wrong.items() if groups} == {}


def test_no_module_is_too_long_to_read():
    long = {
        str(path.relative_to(PACKAGE)): n
        for path in PACKAGE.rglob("*.py")
        if (n := len(path.read_text().splitlines())) > MAX_LINES
    }
    assert long == {}
