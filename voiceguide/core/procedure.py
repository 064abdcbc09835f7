"""The procedure model: steps, critical checks, timers; loading, validation, and filling in
the profile's values. Pure apart from reading the file it is given.

The format is documented in docs/procedures.md.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field, replace
from importlib import resources
from pathlib import Path

from voiceguide.core.fields import Fields
from voiceguide.core.profile import VALUES, Profile
from voiceguide.core.yamlfile import LinedList, load, read_text
from voiceguide.errors import FileProblem, ProcedureNotFound

_PLACEHOLDER = re.compile(r"\{([^{}]*)\}")
_ID = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")
_TOP_KEYS = {"id", "title", "intro", "finish", "steps", "imported"}
_STEP_KEYS = {
    "id",
    "title",
    "say",
    "brief",
    "help",
    "check",
    "timer",
    "skippable",
    "rehearsal",
    "rehearsal_say",
    "site",
    "dose",
    "expect_seconds",
    "items",
}
_CHECK_KEYS = {"question", "if_no"}
_TIMER_KEYS = {"seconds", "say", "done"}


@dataclass(frozen=True)
class Check:
    """A critical yes/no question: only an explicit "yes" goes on."""

    question: str
    if_no: str | None = None
    """Safe guidance spoken after "no"; a default that defers to the clinician otherwise."""


@dataclass(frozen=True)
class Timer:
    seconds: int
    """How long to wait, in seconds."""
    say: str | None = None
    """Said when the timer starts (e.g. "Let the skin dry.")."""
    done: str | None = None
    """Said when it ends; defaults to "Time is up."."""


@dataclass(frozen=True)
class SiteChoice:
    """Offer the profile's trained sites one by one ("yes" takes it; "no" offers the next).
    Made by ``rotation.with_site_choice``, never written in a procedure file."""

    sites: tuple[str, ...]
    """Trained sites from the profile, the rotation's suggestion first."""
    if_none: str
    """Safe guidance when every site was answered "no"."""

    def question(self, pick: int) -> str:
        return f"Is {self.sites[pick]} the site your clinician's plan says for today?"


@dataclass(frozen=True)
class Step:
    id: str
    title: str
    say: str
    help: str | None = None
    check: Check | None = None
    timer: Timer | None = None
    skippable: bool = False
    rehearsal: bool = False
    """Part of the dry run (``--rehearsal``)."""
    rehearsal_say: str | None = None
    """What to say instead of ``say`` in a rehearsal."""
    site: bool = False
    """The step where the injection site is found (``site: true``); site rotation asks about
    today's site just before it."""
    site_choice: SiteChoice | None = None
    """Set only on the step site rotation adds."""
    dose: bool = False
    """The dose step (``dose: true``, at most one per procedure): moving past it records
    that the dose was given."""
    line: int = 0
    """Where the step starts in its file (1-based)."""
    brief: str | None = None
    """A short form of ``say`` for users who know the procedure (the "brief" verbosity)."""
    expect_seconds: int | None = None
    """How long the step usually takes, in seconds: no reminder comes before then."""
    lines: dict[str, int] = field(default_factory=dict, compare=False)
    """The line of each key ("say", "check.question", ...), for messages."""
    items: tuple[str, ...] = ()
    """Things to gather, read one at a time ("next step" reads the next one)."""


@dataclass(frozen=True)
class Procedure:
    id: str
    title: str
    steps: tuple[Step, ...]
    intro: str | None = None
    finish: str | None = None
    path: str = ""
    rehearsal: bool = False
    """True once reduced to the dry run by ``for_rehearsal``."""
    digest: str = ""
    """SHA-256 (hex) of the file's text: a session records it, so resume knows a changed file."""
    lines: dict[str, int] = field(default_factory=dict, compare=False)
    imported: bool = False
    """Made by ``voiceguide import`` and not yet reviewed: never medical (no check, no dose step)."""

    @property
    def dose_index(self) -> int | None:
        """The 0-based index of the dose step, or None (no dose step, or a rehearsal)."""
        if self.rehearsal:
            return None
        return next((index for index, step in enumerate(self.steps) if step.dose), None)

    def placeholders(self) -> list[tuple[str, int]]:
        """Every ``{name}`` used, with the line it is on."""
        found = []
        for text, line in _texts(self):
            found.extend((name, line) for name in _PLACEHOLDER.findall(text))
        return found

    def bind(self, profile: Profile | None) -> Procedure:
        """Fill in the profile's values; refuse (naming file, line and fix) any that are missing."""
        values = profile.values() if profile else {}
        for name, line in self.placeholders():
            if name not in values:
                if profile is None:
                    fix = "run it with --profile FILE (or --profile example to try it)"
                else:
                    fix = f"add '{_profile_key(name)}' to the profile {profile.path}"
                raise FileProblem(self.path, line, f"needs the profile value '{name}': {fix}")

        def fill(text: str | None) -> str | None:
            return _PLACEHOLDER.sub(lambda m: values[m.group(1)], text) if text else text

        steps = tuple(
            replace(
                step,
                title=fill(step.title),
                say=fill(step.say),
                help=fill(step.help),
                brief=fill(step.brief),
                rehearsal_say=fill(step.rehearsal_say),
                items=tuple(fill(item) for item in step.items),
                check=replace(step.check, question=fill(step.check.question), if_no=fill(step.check.if_no))
                if step.check
                else None,
                timer=replace(step.timer, say=fill(step.timer.say), done=fill(step.timer.done))
                if step.timer
                else None,
            )
            for step in self.steps
        )
        return replace(self, steps=steps, intro=fill(self.intro), finish=fill(self.finish))

    def for_rehearsal(self) -> Procedure:
        """Only the steps marked ``rehearsal: true``, with their rehearsal wording."""
        steps = tuple(
            replace(
                step,
                say=step.rehearsal_say or step.say,
                rehearsal_say=None,
                dose=False,
                brief=None if step.rehearsal_say else step.brief,
            )
            for step in self.steps
            if step.rehearsal
        )
        if not steps:
            raise FileProblem(
                self.path, None, "has no steps marked 'rehearsal: true', so it cannot be rehearsed"
            )
        return replace(self, steps=steps, rehearsal=True)


def parse_procedure(path: str, text: str | None = None) -> Procedure:
    """Read and validate one procedure file. Raises FileProblem with file:line on any fault."""
    if text is None:
        text = read_text(path)
    data = load(path, text)
    if data is None:
        raise FileProblem(path, None, "the file is empty; a procedure needs id, title and steps")
    top = Fields(path, data, "the procedure", 1)
    top.only(_TOP_KEYS)
    proc_id = top.text("id")
    if not _ID.match(proc_id):
        raise top.refuse("id", f"id '{proc_id}' must be lower-case letters, digits and hyphens")
    raw_steps = data.get("steps")
    if not isinstance(raw_steps, list) or not raw_steps:
        raise top.refuse(
            "steps" if "steps" in data else None,
            "'steps:' must be a list with at least one step ('- id: ...')",
        )
    steps: list[Step] = []
    seen: dict[str, int] = {}
    problems: list[FileProblem] = []  # every step is read, so all faults are reported at once
    for index, raw in enumerate(raw_steps):
        line = raw_steps.line_of(index) if isinstance(raw_steps, LinedList) else 0
        try:
            step = _parse_step(path, raw, index + 1, line)
        except FileProblem as problem:
            problems.append(problem)
            continue
        if step.id in seen:
            problems.append(
                FileProblem(
                    path,
                    step.line or None,
                    f"step id '{step.id}' is also used on line {seen[step.id]}; ids must be unique",
                )
            )
        seen[step.id] = step.line
        steps.append(step)
    site_steps = [step for step in steps if step.site]
    if len(site_steps) > 1:
        problems.append(
            FileProblem(
                path,
                site_steps[1].line or None,
                f"only one step may have 'site: true' (also step '{site_steps[0].id}')",
            )
        )
    dose_steps = [step for step in steps if step.dose]
    if len(dose_steps) > 1:
        problems.append(
            FileProblem(
                path,
                dose_steps[1].lines.get("dose") or dose_steps[1].line or None,
                f"only one step may have 'dose: true' (also step '{dose_steps[0].id}' on line "
                f"{dose_steps[0].line}); mark only the step where the dose is given",
            )
        )
    procedure = Procedure(
        id=proc_id,
        title=top.text("title"),
        steps=tuple(steps),
        intro=top.text("intro", required=False),
        finish=top.text("finish", required=False),
        path=path,
        digest=hashlib.sha256(text.encode("utf-8")).hexdigest(),
        lines={key: top.line(key) for key in data},
        imported=top.flag("imported", default=False),
    )
    if procedure.imported:
        _refuse_medical(procedure)
    for name, line in procedure.placeholders():
        if name not in VALUES:
            problems.append(
                FileProblem(
                    path,
                    line,
                    f"'{{{name}}}' is not a profile value; use one of "
                    + ", ".join("{" + value + "}" for value in VALUES),
                )
            )
    if problems:
        raise problems[0].with_also(problems[1:])
    return procedure


def _refuse_medical(procedure: Procedure) -> None:
    """An imported procedure has no critical check and no dose step until a person reviews it."""
    for step in procedure.steps:
        key = "check" if step.check else "dose" if step.dose else ""
        if key:
            what = "a critical check" if key == "check" else "a dose step"
            raise FileProblem(
                procedure.path,
                step.lines.get(key) or step.line or None,
                f"step '{step.id}' has {what}, but the file is marked 'imported: true': a person must "
                "review the whole file and remove 'imported: true' first",
            )


def _parse_step(path: str, raw: object, number: int, line: int) -> Step:
    fields = Fields(path, raw, f"step {number}", line)
    step_id = fields.text("id")
    where = f"step '{step_id}'"
    fields.where = where
    fields.only(_STEP_KEYS)
    if not _ID.match(step_id):
        raise fields.refuse("id", f"step id '{step_id}' must be lower-case letters, digits and hyphens")
    check = timer = None
    lines = {key: fields.line(key) for key in fields.mapping}
    if (sub := fields.sub("check", f"the check of {where}")) is not None:
        sub.only(_CHECK_KEYS)
        lines.update({f"check.{key}": sub.line(key) for key in sub.mapping})
        check = Check(question=sub.text("question"), if_no=sub.text("if_no", required=False))
    if (sub := fields.sub("timer", f"the timer of {where}")) is not None:
        sub.only(_TIMER_KEYS)
        lines.update({f"timer.{key}": sub.line(key) for key in sub.mapping})
        timer = Timer(
            seconds=sub.integer("seconds", low=1, high=3600),
            say=sub.text("say", required=False),
            done=sub.text("done", required=False),
        )
    skippable = fields.flag("skippable", default=False)
    if check and skippable:
        raise fields.refuse("skippable", f"{where} has a critical check, so it cannot be skippable")
    if (check or timer) and "items" in fields.mapping:
        raise fields.refuse("items", f"{where} has a list of items, so it cannot have a check or a timer")
    if check and timer:
        raise fields.refuse("timer", f"{where} has both a check and a timer; split it into two steps")
    return Step(
        id=step_id,
        title=fields.text("title"),
        say=fields.text("say"),
        help=fields.text("help", required=False),
        check=check,
        timer=timer,
        skippable=skippable,
        rehearsal=fields.flag("rehearsal", default=False),
        rehearsal_say=fields.text("rehearsal_say", required=False),
        site=fields.flag("site", default=False),
        dose=fields.flag("dose", default=False),
        line=fields.line() or line,
        lines=lines,
        brief=fields.text("brief", required=False),
        expect_seconds=fields.integer("expect_seconds", low=5, high=3600, default=0) or None,
        items=fields.texts("items", required=False),
    )


def _texts(procedure: Procedure):
    lines = procedure.lines
    for key in ("title", "intro", "finish"):
        if getattr(procedure, key):
            yield getattr(procedure, key), lines.get(key, 0)
    for step in procedure.steps:
        texts = {
            "title": step.title,
            "say": step.say,
            "brief": step.brief,
            "help": step.help,
            "rehearsal_say": step.rehearsal_say,
        }
        if step.check:
            texts.update({"check.question": step.check.question, "check.if_no": step.check.if_no})
        if step.timer:
            texts.update({"timer.say": step.timer.say, "timer.done": step.timer.done})
        yield from ((text, step.lines.get(key, step.line)) for key, text in texts.items() if text)
        yield from ((item, step.lines.get("items", step.line)) for item in step.items)


def _profile_key(name: str) -> str:
    return {
        "clinician": "clinician: {name, phone}",
        "clinician_name": "clinician: name",
        "clinician_phone": "clinician: phone",
    }.get(name, name)


# -- the shipped catalogue ---------------------------------------------------------------


def shipped() -> dict[str, str]:
    """Shipped procedure ids mapped to their file names inside the package."""
    folder = resources.files("voiceguide") / "procedures"
    return {Path(item.name).stem: item.name for item in folder.iterdir() if item.name.endswith(".yaml")}


def load_procedure(name_or_path: str) -> Procedure:
    """A shipped procedure by id (``b12-im``), or a procedure file by path."""
    candidate = Path(name_or_path)
    if candidate.suffix in (".yaml", ".yml") or candidate.exists():
        return parse_procedure(str(candidate))
    catalogue = shipped()
    if name_or_path in catalogue:
        resource = resources.files("voiceguide") / "procedures" / catalogue[name_or_path]
        return parse_procedure(
            f"<shipped>/procedures/{catalogue[name_or_path]}", resource.read_text(encoding="utf-8")
        )
    raise ProcedureNotFound(
        f"no procedure '{name_or_path}': give a file path or one of: {', '.join(sorted(catalogue))} "
        "(see 'voiceguide list')"
    )
