"""Bad input, tried for real: property-based fuzzing of procedure and profile loading and of
the command matcher (hypothesis; the profile comes from tests/conftest.py: derandomized in CI
so a red run replays, random with a local example database elsewhere).

Loading must end in a valid procedure/profile or a one-line ``file:line: message``
FileProblem, never another exception and never code execution. Matching must never give an
intent outside the listening moment's allowed set, and the session must never pass a
critical check without an explicit "yes".
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from voiceguide.app.validation import validate_files
from voiceguide.core.intents import ALLOWED, KEYS, PHRASES, Intent, Moment, key_intent, phrases_for
from voiceguide.core.ports import Transcript
from voiceguide.core.procedure import Procedure, load_procedure, parse_procedure
from voiceguide.core.profile import Profile, load_profile, parse_profile
from voiceguide.core.session import Session
from voiceguide.core.session_types import Command, Mode, SpeechEnded, Start, Tick
from voiceguide.core.yamlfile import MAX_BYTES
from voiceguide.errors import FileProblem
from voiceguide.recognition.matching import match, normalise
from voiceguide.recognition.recognizer import Recognizer

FUZZ = settings(
    max_examples=150,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much],
)
PATH = "fuzz.yaml"
_BREAKS = re.compile("\r\n|[\n\r\x85\u2028\u2029]")  # what PyYAML counts as a new line
_ID = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")


def load_cleanly(parse, text: str, path: str = PATH):
    """``parse(path, text)``: the loaded object, or the FileProblem after checking its shape.
    Any other exception propagates and fails the test."""
    try:
        return parse(path, text)
    except FileProblem as problem:
        message = str(problem)
        assert message.isprintable(), repr(message)  # one line, no control characters
        assert message.startswith(f"{path}:"), message
        if problem.line is not None:
            assert message.startswith(f"{path}:{problem.line}: "), message
            assert 1 <= problem.line <= len(_BREAKS.findall(text)) + 2, (problem.line, message)
        assert problem.detail and len(problem.detail) <= FileProblem.MAX_DETAIL
        return problem


def check_procedure(result) -> None:
    if isinstance(result, FileProblem):
        return
    assert isinstance(result, Procedure) and result.steps
    ids = [step.id for step in result.steps]
    assert len(set(ids)) == len(ids) and all(_ID.match(i) for i in ids + [result.id])
    for step in result.steps:
        assert step.title and step.say and isinstance(step.say, str)
        assert not (step.check and step.skippable) and not (step.check and step.timer)
        if step.check:
            assert step.check.question
        if step.timer:
            assert 1 <= step.timer.seconds <= 3600


def check_profile(result) -> None:
    if isinstance(result, FileProblem):
        return
    assert isinstance(result, Profile)
    assert result.interval_days is None or 1 <= result.interval_days <= 366
    assert all(isinstance(site, str) and site for site in result.sites)
    assert all(isinstance(v, str) and v for v in result.values().values())


# -- strategies ------------------------------------------------------------------------------

FRAGMENTS = [
    "id: ",
    "title: ",
    "steps:",
    "say: ",
    "help: ",
    "check:",
    "question: ",
    "if_no: ",
    "timer:",
    "seconds: ",
    "skippable: ",
    "rehearsal: ",
    "product: ",
    "sites:",
    "interval_days: ",
    "clinician:",
    "name: ",
    "phone: ",
    "\n",
    "\n  ",
    "\n    ",
    "  ",
    "- ",
    ": ",
    ":",
    "[",
    "]",
    "{",
    "}",
    ", ",
    "&a ",
    "*a",
    "&b ",
    "*b",
    "<<: ",
    "? ",
    "|",
    ">-",
    "'",
    '"',
    "# x",
    "---",
    "...",
    "~",
    "null",
    "yes",
    "no",
    "true",
    "2024-13-01",
    "2024-01-01",
    "12:30:00",
    "0x" + "f" * 40,
    "0o777",
    "0b101",
    "1_000",
    "1e400",
    "-.inf",
    ".nan",
    "9" * 30,
    "-1",
    "0",
    "3600",
    "3601",
    "{product}",
    "{sites}",
    "{nope}",
    "!!python/object/apply:os.system ",
    "!!python/name:os.system",
    "!!int ",
    "!!float ",
    "!!bool ",
    "!!timestamp ",
    "!!binary ",
    "!!set ",
    "!!omap ",
    "!!pairs ",
    "!!str ",
    "!!null ",
    "!!map ",
    "!!seq ",
    "!foo ",
    "!<tag:x> ",
    "%YAML 1.1\n",
    "%TAG ! tag:x,2000:\n",
    "\t",
    "\r\n",
    "\x85",
    "\u2028",
    "\ufeff",
    "\x00",
    "é",
    "中文",
    "🙂",
    "\u202e",
    "=",
    "b12-im",
    "wash-hands",
]

_TAGS = [f for f in FRAGMENTS if f.startswith("!")] + [""] * 8
_KEYS = [f for f in FRAGMENTS if f.endswith(": ")] + ["- ", "- id: ", "  - "]
_SCALARS = [f for f in FRAGMENTS if not f.endswith((": ", ":")) and f.strip()]
yaml_lines = st.lists(
    st.tuples(
        st.sampled_from(["", "  ", "    ", "      "]),
        st.sampled_from(_KEYS),
        st.sampled_from(_TAGS),
        st.one_of(st.sampled_from(_SCALARS), st.text(max_size=8)),
    ),
    max_size=12,
).map(lambda lines: "".join(f"{indent}{key}{tag}{value}\n" for indent, key, tag, value in lines))
yaml_soup = st.one_of(
    st.lists(st.one_of(st.sampled_from(FRAGMENTS), st.text(max_size=6)), max_size=60).map("".join),
    yaml_lines,
)

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**30), max_value=10**30),
    st.sampled_from([0, 1, 3600, 3601, 366, 367, -1, 2**63, 2**64, 10**400]),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=30),
    st.sampled_from(
        [
            "",
            " ",
            "{product}",
            "{clinician}",
            "{unknown}",
            "{",
            "}",
            "x" * 5000,
            "a\nb",
            "\u2028",
            "🙂" * 10,
            "Bad Id",
            "ok-id",
        ]
    ),
)
values = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.dictionaries(st.one_of(st.text(max_size=8), st.integers(), st.none()), inner, max_size=4),
    ),
    max_leaves=12,
)


def maybe(value_strategy, good):
    """Mostly the good value, sometimes anything at all, sometimes absent."""
    return st.one_of(st.just(good), st.just(good), value_strategy, st.just(_ABSENT))


_ABSENT = object()


def present(mapping: dict) -> dict:
    return {key: value for key, value in mapping.items() if value is not _ABSENT}


step_docs = st.fixed_dictionaries(
    {
        "id": maybe(values, "a-step"),
        "title": maybe(values, "A step"),
        "say": maybe(values, "Do the thing for {product}."),
        "help": maybe(values, _ABSENT),
        "check": maybe(
            st.fixed_dictionaries(
                {"question": maybe(values, "Is it safe?"), "if_no": maybe(values, "Do not inject.")}
            ).map(present),
            _ABSENT,
        ),
        "timer": maybe(
            st.fixed_dictionaries({"seconds": maybe(values, 30), "say": maybe(values, "Wait.")}).map(present),
            _ABSENT,
        ),
        "skippable": maybe(values, _ABSENT),
        "rehearsal": maybe(values, _ABSENT),
    }
).map(present)


@st.composite
def procedure_docs(draw):
    steps = draw(st.lists(step_docs, max_size=5))
    for index, step in enumerate(steps):  # mostly unique ids, so later checks are reached
        if step.get("id") == "a-step" and draw(st.booleans()):
            step["id"] = f"step-{index}"
    doc = present(
        {
            "id": draw(maybe(values, "fuzz")),
            "title": draw(maybe(values, "Fuzz")),
            "intro": draw(maybe(values, _ABSENT)),
            "steps": draw(maybe(values, steps)),
        }
    )
    if draw(st.booleans()):
        doc[draw(st.text(max_size=8))] = draw(values)
    return doc


profile_docs = st.fixed_dictionaries(
    {
        "product": maybe(values, "B12"),
        "route": maybe(values, "intramuscular"),
        "sites": maybe(values, ["left thigh", "right thigh"]),
        "interval_days": maybe(values, 30),
        "clinician": maybe(
            st.fixed_dictionaries({"name": maybe(values, "Dr A"), "phone": maybe(values, "0000")}).map(
                present
            ),
            _ABSENT,
        ),
        "notes": maybe(values, _ABSENT),
    }
).map(present)


def dump(doc) -> str:
    return yaml.safe_dump(doc, allow_unicode=True, sort_keys=False, width=60)


# -- procedure and profile loading -----------------------------------------------------------


EMPTY_FLOAT = "title: !!float \n"
"""An empty value tagged as a number: PyYAML's own float constructor raises IndexError on it."""


@FUZZ
@given(st.text(max_size=300))
@example(EMPTY_FLOAT)
@pytest.mark.unit
def test_any_text_loads_or_is_refused_cleanly(text):
    check_procedure(load_cleanly(parse_procedure, text))
    check_profile(load_cleanly(parse_profile, text))


@settings(FUZZ, max_examples=400)
@given(yaml_soup)
@pytest.mark.slow
def test_yaml_syntax_soup_loads_or_is_refused_cleanly(text):
    check_procedure(load_cleanly(parse_procedure, text))
    check_profile(load_cleanly(parse_profile, text))


@FUZZ
@given(procedure_docs())
@pytest.mark.slow
def test_procedures_with_wrong_types_and_huge_values(doc):
    text = dump(doc)
    result = load_cleanly(parse_procedure, text)
    check_procedure(result)
    if isinstance(result, Procedure):  # a valid procedure also binds cleanly, or names the gap
        check_procedure(load_cleanly(lambda _p, _t: result.bind(load_profile("example")), text))


@FUZZ
@given(profile_docs)
@pytest.mark.slow
def test_profiles_with_wrong_types_and_huge_values(doc):
    check_profile(load_cleanly(parse_profile, dump(doc)))


@settings(FUZZ, max_examples=25)
@given(
    depth=st.integers(min_value=1, max_value=2_000),
    shape=st.sampled_from(["[", "{a: ", "- ", "{? ", "&x [", "!!seq ["]),
    key=st.sampled_from(["notes: ", "steps: ", "", "say: "]),
)
@pytest.mark.slow
def test_deep_nesting_is_refused_cleanly(depth, shape, key):
    if shape == "- ":
        body = "".join("  " * level + "-\n" for level in range(depth))
    else:
        body = shape * depth
    text = key + body
    check_procedure(load_cleanly(parse_procedure, text))
    check_profile(load_cleanly(parse_profile, text))


@FUZZ
@given(
    st.lists(st.sampled_from(FRAGMENTS[:20]), max_size=10).map("".join),
    st.sampled_from(["x" * (MAX_BYTES + 1), "a: " + "b" * MAX_BYTES, "- a\n" * 250_001]),
)
@pytest.mark.slow
def test_oversized_documents_are_refused_before_parsing(prefix, big):
    problem = load_cleanly(parse_procedure, prefix + big)
    assert isinstance(problem, FileProblem) and "limit" in problem.detail


@pytest.mark.unit
def test_exponential_merge_keys_are_refused_quickly():
    """A few hundred bytes of nested merge keys used to expand to 10^n entries."""
    inner = "&a0 {x: 1}"
    for level in range(1, 12):
        inner = f"&a{level} {{<<: [{inner}" + f", *a{level - 1}" * 9 + "]}"
    problem = load_cleanly(parse_profile, f"notes: {inner}\n")
    assert isinstance(problem, FileProblem) and "merge keys" in problem.detail


@pytest.mark.parametrize(
    "text, line, words",
    [
        ("notes: 2024-13-01\n", 1, "cannot be read as a date"),
        ("notes: !!timestamp soon\n", 1, "cannot be read as a date"),
        ("notes: !!int abc\n", 1, "cannot be read as a whole number"),
        ("notes: !!float abc\n", 1, "cannot be read as a number"),
        (EMPTY_FLOAT, 1, "an empty value cannot be read as a number"),
        ("notes: !!bool maybe\n", 1, "cannot be read as true or false"),
        ("notes: " + "1" * 5000 + "\n", 1, "cannot be read as a whole number"),
        ("route: x\ninterval_days: 0x" + "f" * 5000 + "\n", 2, "far too large"),
        ("notes: ok\nx: a\x00b\n", 2, "U+0000 is not allowed"),
        ('"a\\nb\\u2028": 1\n', 1, "unknown key 'a\\nb\\u2028'"),
    ],
)
@pytest.mark.unit
def test_values_that_used_to_crash_the_loader(text, line, words):
    """Found by the fuzzing above and the exploring around it: each raised ValueError,
    KeyError or AttributeError (or printed a multi-line message) before the loader was fixed."""
    problem = load_cleanly(parse_profile, text)
    assert isinstance(problem, FileProblem) and words in problem.detail, problem
    assert problem.line == line


# -- files on disk, through `voiceguide validate`'s code --------------------------------------


@pytest.fixture(scope="module")
def disk(tmp_path_factory) -> Path:
    """A folder for files written by the examples (module-scoped: hypothesis reruns a test
    body many times within one call)."""
    return tmp_path_factory.mktemp("fuzz")


@FUZZ
@given(data=st.binary(max_size=200) | yaml_soup.map(lambda text: text.encode("utf-8", "surrogatepass")))
@pytest.mark.slow
def test_any_bytes_on_disk_validate_cleanly(disk, data):
    path = disk / "file.yaml"
    path.write_bytes(data)
    problems, summaries = validate_files([str(path)])
    assert len(problems) + len(summaries) == 1
    for line in problems:
        assert line.startswith(f"{path}:") and line.isprintable(), repr(line)


@pytest.mark.slow
def test_validate_refuses_an_empty_float_in_one_line(tmp_path):
    """Through the console script, as a user runs it: exit 1 and ``file:line: message``, no
    traceback."""
    path = tmp_path / "procedure.yaml"
    path.write_text(EMPTY_FLOAT)
    script = Path(sys.executable).with_name("voiceguide")
    command = [str(script)] if script.exists() else [sys.executable, "-m", "voiceguide"]
    done = subprocess.run(
        [*command, "validate", str(path)], capture_output=True, text=True, timeout=60, cwd=tmp_path
    )
    assert done.returncode == 1, done
    assert "Traceback" not in done.stdout + done.stderr, done.stderr
    lines = (done.stdout + done.stderr).strip().splitlines()
    assert lines == [f"{path}:1: an empty value cannot be read as a number; put it in quotes if it is text"]


@pytest.mark.parametrize("where", ["/dev/zero", "/dev/null", "/", "/etc/hostname/x", "x" * 5000])
@pytest.mark.unit
def test_odd_paths_are_refused_cleanly(where):
    """/dev/zero used to be read until memory ran out; other OS errors used to escape."""
    problems, summaries = validate_files([where])
    assert not summaries and len(problems) == 1 and problems[0].isprintable()


# -- YAML tags never run code ------------------------------------------------------------------


def payloads(marker: Path) -> list[str]:
    """YAML that creates ``marker`` when loaded by an unsafe loader."""
    return [
        f"!!python/object/apply:os.system ['touch {marker}']",
        f"!!python/object/apply:subprocess.call [[touch, '{marker}']]",
        f"!!python/object/apply:builtins.open ['{marker}', w]",
        f"!!python/object/new:builtins.open ['{marker}', w]",
        f"!<tag:yaml.org,2002:python/object/apply:os.system> ['touch {marker}']",
        f"!!python/object/apply:builtins.exec [\"open('{marker}', 'w')\"]",
    ]


@pytest.mark.unit
def test_the_payloads_would_run_under_an_unsafe_loader(tmp_path):
    """Positive control: the payloads are live, so their refusal below means something."""
    for index, payload in enumerate(payloads(tmp_path / "m")):
        marker = tmp_path / f"unsafe-{index}"
        yaml.unsafe_load(payload.replace(str(tmp_path / "m"), str(marker)))
        assert marker.exists(), payload


_PLACES = [
    "{payload}\n",
    "id: x\ntitle: X\nsteps:\n  - {{id: a, title: A, say: {payload}}}\n",
    "id: x\ntitle: X\nsteps:\n  - {payload}\n",
    "id: {payload}\ntitle: X\nsteps: []\n",
    "? {payload}\n: 1\n",
    "product: {payload}\nsites: [a]\n",
    "sites:\n  - {payload}\n",
    "clinician: {{name: {payload}}}\n",
    "notes: &a {payload}\nproduct: *a\n",
]


@FUZZ
@given(
    place=st.sampled_from(_PLACES),
    index=st.integers(min_value=0, max_value=5),
    junk=st.sampled_from(["", "\n", "# comment\n", "---\n"]),
)
@pytest.mark.slow
def test_python_tags_are_refused_and_never_run(disk, place, index, junk):
    marker = disk / "pwned"
    marker.unlink(missing_ok=True)
    text = junk + place.format(payload=payloads(marker)[index])
    for parse, _check in ((parse_procedure, check_procedure), (parse_profile, check_profile)):
        result = load_cleanly(parse, text)
        assert isinstance(result, FileProblem), text
        assert not marker.exists(), f"code ran while loading: {text!r}"
    path = disk / "tagged.yaml"
    path.write_text(text)
    problems, _ = validate_files([str(path)])
    assert problems and not marker.exists()


# -- the command matcher ---------------------------------------------------------------------

_WORDS = sorted(
    {word for phrases in PHRASES.values() for phrase in phrases for word in phrase.split()}
    | set(KEYS)
    | {"nest", "yesterday", "not", "please", "I'm", "don't", "step", "the"}
)
transcripts = st.one_of(
    st.text(max_size=40),
    st.lists(
        st.one_of(
            st.sampled_from(_WORDS),
            st.sampled_from(list(KEYS)),
            st.sampled_from(
                [
                    ".",
                    ",",
                    "!",
                    "?",
                    "-",
                    "'",
                    "’",
                    "…",
                    " ",
                    "  ",
                    "\n",
                    "\t",
                    "É",
                    "ß",
                    "İ",
                    "\u00a0",
                    "\u200b",
                    "0",
                    "🙂",
                ]
            ),
        ),
        max_size=8,
    ).map(" ".join),
    st.sampled_from([p for ps in PHRASES.values() for p in ps]).map(str.upper),
)


@settings(FUZZ, max_examples=600)
@given(transcripts)
@pytest.mark.slow
def test_matcher_never_gives_an_intent_outside_the_moment(text):
    for moment in Moment:
        for keys in (False, True):
            intent = match(text, moment, keys=keys)
            if intent is None:
                continue
            assert intent in ALLOWED[moment], (text, moment, intent)
            said = normalise(text)
            assert phrases_for(moment).get(said) is intent or (keys and key_intent(said, moment) is intent)


class ScriptedEngine:
    """Stands in for a speech engine: returns the next fuzzed transcript."""

    name = "fuzz"

    def __init__(self, text, clear):
        self.result = Transcript(text, 0.9 if clear else 0.1, clear, 1.0)

    def transcribe(self, audio, phrases, free=False):
        return self.result


@FUZZ
@given(transcripts, st.booleans(), st.sampled_from([m for m in Moment]))
@pytest.mark.slow
def test_recognition_path_never_gives_an_intent_outside_the_moment(text, clear, moment):
    import numpy as np

    _heard, intent = Recognizer(ScriptedEngine(text, clear)).decode(np.zeros(1600, np.float32), moment)
    assert intent is None or intent in ALLOWED[moment]
    if not clear:
        assert intent is None  # never act on speech the engine was unsure of


# -- the session: a check is passed only by an explicit "yes" ----------------------------------

_B12 = load_procedure("b12-im").bind(load_profile("example"))
inputs = st.lists(
    st.one_of(
        st.sampled_from(list(Intent) + [None]).map(lambda intent: ("command", intent)),
        st.sampled_from([("speech_ended", None), ("tick", None)]),
    ),
    max_size=120,
)


@settings(FUZZ, max_examples=200)
@given(inputs)
@pytest.mark.slow
def test_random_inputs_never_pass_a_check_without_yes(script):
    session = Session(_B12)
    state, _ = session.transition(session.start(), Start(0.0))
    now = 0.0
    for kind, intent in script:
        now += 200.0 if kind == "tick" else 7.0
        before = state
        if kind == "command":
            state, _ = session.transition(state, Command(now, intent, intent.value if intent else "mm"))
        elif kind == "speech_ended":
            state, _ = session.transition(state, SpeechEnded(now))
        else:
            state, _ = session.transition(state, Tick(now))
        if state.mode is Mode.ENDED:
            break
        assert 0 <= state.index < len(_B12.steps)
        left_a_check = _B12.steps[before.index].check is not None and state.index > before.index
        if left_a_check:
            assert before.mode is Mode.CHECK and kind == "command" and intent is Intent.YES, (before, state)
        if before.mode is Mode.SAFE_EXIT:
            assert state.index == before.index  # after "no": only back to the check, or end
        if intent not in ALLOWED.get(before.moment, frozenset()) and kind == "command":
            assert (state.index, state.mode) == (before.index, before.mode)
