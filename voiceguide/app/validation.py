"""``voiceguide validate``: check procedure and profile files, one problem per line."""

from __future__ import annotations

from pathlib import Path

from voiceguide.core.procedure import load_procedure, parse_procedure, shipped
from voiceguide.core.profile import Profile, load_profile, parse_profile
from voiceguide.core.rotation import session_step_count
from voiceguide.core.yamlfile import load
from voiceguide.errors import FileProblem


def validate_files(paths: list[str], profile_path: str | None = None) -> tuple[list[str], list[str]]:
    """Problems as ``file:line: message`` lines, and a one-line summary per valid file.

    A file with ``steps:`` is a procedure; any other mapping is a profile. With
    ``profile_path``, each procedure is also checked against that profile's values.
    """
    problems: list[str] = []
    summaries: list[str] = []
    profile: Profile | None = None
    if profile_path:
        try:
            profile = load_profile(profile_path)
        except FileProblem as problem:
            return [str(problem)], []
    for path in paths:
        try:
            summaries.append(_check(path, profile))
        except FileProblem as problem:
            problems += [str(problem), *(str(more) for more in problem.also)]
    return problems, summaries


def _check(path: str, profile: Profile | None) -> str:
    if path in shipped() and not Path(path).exists():  # a shipped id, as `run` takes it
        procedure = load_procedure(path)
        if profile is not None:
            procedure.bind(profile)
        return f"{path}: valid procedure '{procedure.id}' ({session_step_count(procedure)} steps)"
    data = load(path)
    if isinstance(data, dict) and "steps" in data:
        procedure = parse_procedure(path)
        if profile is not None:
            procedure.bind(profile)
        return f"{path}: valid procedure '{procedure.id}' ({session_step_count(procedure)} steps)"
    parse_profile(path, None)
    return f"{path}: valid profile"
