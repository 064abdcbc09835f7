"""``voiceguide import`` and ``run FILE.txt|.md|.html|.pdf``: every fixture gives its steps,
each step fits the spoken length, bad inputs get one line and exit 1, and every imported
procedure runs to the end with the keyboard, through the real entry point."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest
import yaml
from cli_runner import cli_env
from cli_runner import voiceguide as run_cli
from hypothesis import example, given, settings
from hypothesis import strategies as st
from import_cases import BAD, FIVE_MB, GOOD, make_generated

from voiceguide.core.procedure import parse_procedure
from voiceguide.errors import FileProblem, ImportProblem
from voiceguide.importing import import_file
from voiceguide.importing.steps import MAX_SPOKEN_S, WORDS_PER_S

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def files(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("import")
    make_generated(folder)
    return folder


def voiceguide(*args, input=None, cwd=ROOT, data=None):
    env = cli_env(data / "records", data / "config") if data is not None else cli_env()
    return run_cli(*args, input=input, env=env, cwd=cwd)


@pytest.mark.unit
@pytest.mark.parametrize("name", sorted(GOOD))
def test_each_fixture_gives_its_title_and_steps(files, name):
    title, titles = GOOD[name]
    imported = import_file(str(files / name))
    assert imported.procedure.title == title
    assert [step.title for step in imported.procedure.steps] == titles
    assert imported.procedure.imported
    assert imported.summary.steps == len(titles)
    assert yaml.safe_load(imported.yaml)["imported"] is True


@pytest.mark.unit
@pytest.mark.parametrize("name", sorted(GOOD))
def test_no_spoken_step_runs_over_25_seconds_at_the_default_rate(files, name):
    procedure = import_file(str(files / name)).procedure
    total = len(procedure.steps)
    for number, step in enumerate(procedure.steps, start=1):
        spoken = f"Step {number} of {total}. {step.title}. {step.say}"
        assert len(spoken.split()) / WORDS_PER_S <= MAX_SPOKEN_S, spoken
        assert all(len(item.split()) / WORDS_PER_S <= MAX_SPOKEN_S for item in step.items)


@pytest.mark.unit
def test_the_five_megabyte_page_is_that_big(files):
    assert (files / "saved-page-5mb-pancakes.html").stat().st_size >= FIVE_MB


@pytest.mark.unit
def test_a_gather_list_timers_and_sections_are_found(files):
    banana = import_file(str(files / "recipe-jsonld-banana-bread.html"))
    gather = banana.procedure.steps[0]
    assert gather.items[:2] == ("3 very ripe bananas", "75 g melted butter") and len(gather.items) == 8
    assert gather.skippable and not gather.check
    timer = banana.procedure.steps[5]
    assert timer.title == "Pour the mixture"
    assert timer.timer.seconds == 55 * 60 and timer.skippable
    lasagne = import_file(str(files / "recipe-jsonld-sections-lasagne.html")).summary
    assert lasagne.sections == ["The vegetable sauce", "The white sauce", "Putting it together"]
    brulee = import_file(str(files / "latin1-creme-brulee.txt")).summary
    assert brulee.untimed == ["4 hours"]
    assert any("Windows-1252" in note for note in brulee.notes)


@pytest.mark.unit
def test_json_ld_is_preferred_to_the_page_list(files):
    # The lasagne page's own list says only "Chop." and "Fry."; the JSON-LD has the method.
    steps = import_file(str(files / "recipe-jsonld-sections-lasagne.html")).procedure.steps
    assert not any(step.say == "Chop." for step in steps)


@pytest.mark.unit
def test_sub_steps_join_their_step(files):
    steps = import_file(str(files / "substeps-router-reset.txt")).procedure.steps
    assert steps[0].say == (
        "Find the reset button on the back of the router. It is a small hole marked RESET next "
        "to the power socket. You need a straightened paper clip to press it."
    )


@pytest.mark.unit
@pytest.mark.parametrize("name", sorted(BAD))
def test_bad_inputs_raise_one_line_naming_the_file(files, name):
    with pytest.raises(ImportProblem) as raised:
        import_file(str(files / name))
    assert BAD[name] in str(raised.value) and "\n" not in str(raised.value)
    assert str(raised.value).startswith(str(files / name))


@pytest.mark.unit
def test_a_file_over_the_limit_and_an_empty_or_missing_file_are_refused(tmp_path):
    huge = tmp_path / "huge.txt"
    with huge.open("wb") as file:
        file.truncate(21 * 1024 * 1024)
    with pytest.raises(ImportProblem, match="files over 20 MB are not imported"):
        import_file(str(huge))
    (tmp_path / "empty.markdown").write_text("\n\n")
    with pytest.raises(ImportProblem, match="is empty"):
        import_file(str(tmp_path / "empty.markdown"))
    with pytest.raises(ImportProblem, match="no such file"):
        import_file(str(tmp_path / "missing.txt"))


@pytest.mark.unit
def test_an_imported_file_refuses_a_critical_check_until_the_flag_is_removed():
    text = """id: tea
title: Tea
imported: true
steps:
  - id: boil
    title: Boil
    say: Boil the water.
  - id: steady
    title: Steady
    say: Put the cup down.
    check:
      question: Is the cup on a steady surface?
"""
    with pytest.raises(FileProblem, match="marked 'imported: true': a person must review") as raised:
        parse_procedure("tea.yaml", text)
    assert raised.value.line == 11  # the check
    reviewed = parse_procedure("tea.yaml", text.replace("imported: true\n", ""))
    assert reviewed.steps[1].check and not reviewed.imported


@pytest.mark.unit
def test_items_cannot_go_with_a_check_or_a_timer():
    text = """id: tea
title: Tea
steps:
  - id: gather
    title: Gather
    say: Gather.
    items: [a cup]
    timer: {seconds: 30}
"""
    with pytest.raises(FileProblem, match="list of items, so it cannot have a check or a timer"):
        parse_procedure("tea.yaml", text)


# -- through the command line --------------------------------------------------------------


@pytest.mark.slow
def test_import_writes_a_valid_procedure_and_says_what_it_found(files, tmp_path):
    out = tmp_path / "bread.yaml"
    result = voiceguide("import", str(files / "recipe-jsonld-banana-bread.html"), "--output", str(out))
    assert result.returncode == 0, result.stderr
    assert "Found 6 instructions in the page's schema.org Recipe data: 7 steps to follow." in result.stdout
    assert "Things to gather: 8." in result.stdout
    assert "Timers: 2 (55 minutes, 10 minutes)." in result.stdout
    assert f"{out}: valid procedure 'easy-banana-bread' (7 steps)" in result.stdout
    assert parse_procedure(str(out)).imported


@pytest.mark.slow
def test_import_names_the_output_after_the_input_and_never_overwrites_it_unasked(files, tmp_path):
    source = tmp_path / "descale.txt"
    source.write_bytes((files / "plain-numbered-descaling.txt").read_bytes())
    first = voiceguide("import", str(source), "--title", "Descale the kettle")
    assert first.returncode == 0, first.stderr
    assert yaml.safe_load((tmp_path / "descale.yaml").read_text())["title"] == "Descale the kettle"
    again = voiceguide("import", str(source))
    assert again.returncode == 1
    assert (
        again.stderr
        == f"voiceguide: {tmp_path / 'descale.yaml'}: already exists; give --output PROC.yaml to choose where to write\n"
    )


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(BAD))
def test_bad_inputs_exit_1_with_one_line(files, tmp_path, name):
    result = voiceguide("import", str(files / name), "--output", str(tmp_path / "x.yaml"))
    assert result.returncode == 1
    assert result.stderr.count("\n") == 1 and BAD[name] in result.stderr, result.stderr
    assert "Traceback" not in result.stderr and not (tmp_path / "x.yaml").exists()


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(GOOD))
def test_each_import_runs_to_the_end_with_the_keyboard(files, tmp_path, name):
    out = tmp_path / "procedure.yaml"
    assert voiceguide("import", str(files / name), "--output", str(out)).returncode == 0
    steps = len(GOOD[name][1])
    procedure = parse_procedure(str(out))
    items, timers = len(procedure.steps[0].items), sum(1 for step in procedure.steps if step.timer)
    # a gather step reads each thing on "next step"; a timer step starts its timer on one, and
    # "next step" while it runs skips it (imported timers may be skipped)
    answers = "n\n" * (steps + items + timers)
    result = voiceguide("run", str(out), "--engine", "keyboard", "--no-display", input=answers, data=tmp_path)
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr
    assert f"Session ended: completed (step {steps} of {steps})" in result.stdout


@pytest.mark.slow
def test_run_imports_on_the_fly_and_says_so_first(files, tmp_path):
    plant = tmp_path / "plant"
    plant.with_suffix(".md").write_bytes((files / "howto-repot-plant.markdown").read_bytes())
    result = voiceguide(
        "run", str(plant.with_suffix(".md")), "--engine", "keyboard", "--no-display",
        input="n\n" * 20, data=tmp_path,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    said = [line for line in result.stdout.splitlines() if line.startswith("  voiceguide:")]
    assert said[0] == (
        f"  voiceguide: This procedure was imported from {plant.with_suffix('.md').name}. It has 7 steps. "
        'Say "next step" when a step is done, "repeat" to hear it again, or "stop" at any time.'
    )
    assert "  voiceguide: 1 of 4: A pot one size larger, with drainage holes" in result.stdout
    assert not list(tmp_path.glob("*.yaml"))  # nothing written


@pytest.mark.slow
def test_run_refuses_a_bad_input_in_one_line(files, tmp_path):
    result = voiceguide("run", str(files / "no-list-letter.txt"), "--engine", "keyboard", data=tmp_path)
    assert result.returncode == 1 and result.stderr.count("\n") == 1
    assert "no list of steps found" in result.stderr


@pytest.mark.unit
@pytest.mark.parametrize("tool", ["pdftotext", "pypdf"])
def test_either_pdf_reader_gives_the_same_steps(files, tool):
    if tool == "pdftotext" and not shutil.which("pdftotext"):
        pytest.skip("poppler's pdftotext is not installed (scripts/setup.sh installs poppler-utils)")
    if tool == "pypdf":
        pytest.importorskip("pypdf")
    procedure = import_file(str(files / "leaflet-talkclock.pdf"), pdf_tool=tool).procedure
    assert [step.title for step in procedure.steps] == GOOD["leaflet-talkclock.pdf"][1]


@pytest.mark.unit
def test_without_a_pdf_reader_the_message_says_what_to_install(files, monkeypatch):
    monkeypatch.setattr("voiceguide.importing.pdf.shutil.which", lambda name: None)
    monkeypatch.setitem(sys.modules, "pypdf", None)
    with pytest.raises(ImportProblem, match=r"sudo apt install poppler-utils\) or pypdf \(pip install"):
        import_file(str(files / "leaflet-talkclock.pdf"))


_LINES = st.lists(
    st.one_of(
        st.text(max_size=200),
        st.builds(lambda n, t: f"{n}. {t}", st.integers(0, 999), st.text(max_size=400)),
        st.builds(lambda t: f"   - {t}", st.text(max_size=80)),
        st.builds(lambda a, b: f"1. **{a}** {b}", st.text(max_size=300), st.text(max_size=100)),
        st.sampled_from(["## Ingredients", "Method:", "# Title", "", "wait 30 seconds", "{product}"]),
    ),
    max_size=40,
)


@pytest.mark.unit
@settings(max_examples=150, deadline=None)
@given(_LINES, st.sampled_from([".txt", ".md", ".html"]))
@example([""], ".html")  # an empty list item: no steps, refused in one line
def test_any_text_imports_within_the_spoken_length_or_is_refused_in_one_line(lines, suffix):
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"any{suffix}"
        body = "\n".join(lines)
        if suffix == ".html":
            body = "<html><body><ol>" + "".join(f"<li>{line}</li>" for line in lines) + "</ol></body></html>"
        path.write_text(body, encoding="utf-8", errors="surrogatepass")
        try:
            procedure = import_file(str(path)).procedure
        except ImportProblem as problem:
            assert "\n" not in str(problem)
            return
        total = len(procedure.steps)
        for number, step in enumerate(procedure.steps, start=1):
            spoken = f"Step {number} of {total}. {step.title}. {step.say}"
            assert len(spoken.split()) / WORDS_PER_S <= MAX_SPOKEN_S, spoken


@pytest.mark.unit
def test_an_indented_method_after_a_gather_list_is_not_taken_for_its_sub_steps(tmp_path):
    path = tmp_path / "tea.markdown"
    path.write_text(
        "# Tea\n## You will need\n- a mug\n- a tea bag\n## Method\n   1. Boil the kettle.\n"
        "   2. Pour the water over the tea bag and leave it for 3 minutes.\n      - Stir once.\n"
        "   3. Take out the bag.\n"
    )
    steps = import_file(str(path)).procedure.steps
    assert [step.title for step in steps] == [
        "Gather what you need",
        "Boil the kettle",
        "Pour the water",
        "Take out the bag",
    ]
    assert steps[0].items == ("a mug", "a tea bag")
    assert steps[2].say.startswith("Pour the water over the tea bag and leave it for 3 minutes. Stir once.")


@pytest.mark.unit
def test_things_to_gather_may_be_one_a_line_without_bullets(tmp_path):
    path = tmp_path / "scones.txt"
    path.write_text(
        "Scones\n\nIngredients:\n225 g self-raising flour\n55 g butter\n150 ml milk\n\n"
        "Method\n1. Rub the butter into the flour.\n2. Stir in the milk to make a soft dough.\n"
        "3. Bake at 220 C for 12 minutes.\n"
    )
    steps = import_file(str(path)).procedure.steps
    assert steps[0].items == ("225 g self-raising flour", "55 g butter", "150 ml milk")
    assert [step.title for step in steps[1:]] == [
        "Rub the butter",
        "Stir in the milk to make",
        "Bake at 220 C",
    ]


@pytest.mark.unit
def test_a_procedure_file_is_not_imported(tmp_path):
    (tmp_path / "tea.yaml").write_text("id: tea\n")
    with pytest.raises(ImportProblem, match="is a procedure file already"):
        import_file(str(tmp_path / "tea.yaml"))
