"""The journal on disk and what is read back from it: torn lines, permissions, summaries."""

from __future__ import annotations

import json
import stat

import pytest

from voiceguide.core.events import EventType, event
from voiceguide.errors import DataDirError
from voiceguide.records.journal import FileJournal, read_journal
from voiceguide.records.sessions import load_records

pytestmark = pytest.mark.unit


def write_session(
    root,
    procedure="b12-im",
    *,
    at=1_700_000_000.0,
    steps=3,
    reached=2,
    outcome="completed",
    site=None,
    rehearsal=False,
    resumes=None,
):
    with FileJournal(procedure, root) as journal:
        journal.record(
            event(
                EventType.SESSION_STARTED,
                procedure=procedure,
                title="T",
                steps=steps,
                rehearsal=rehearsal,
                resumes=resumes,
            ).stamped(at)
        )
        for index in range(1, reached + 1):
            journal.record(
                event(
                    EventType.STEP_STARTED, index=index, total=steps, step=f"s{index}", title=f"S{index}"
                ).stamped(at + index)
            )
            if site and index == 1:
                journal.record(event(EventType.SITE_CHOSEN, site=site, step="s1").stamped(at + index))
        if outcome:
            journal.record(
                event(EventType.SESSION_ENDED, outcome=outcome, step=reached, total=steps).stamped(at + 10)
            )
    return journal


def test_files_are_user_only_and_every_event_is_on_disk_at_once(tmp_path):
    journal = FileJournal("b12-im", tmp_path)
    journal.record(event(EventType.SESSION_STARTED, procedure="b12-im", title="T", steps=1, rehearsal=False))
    # not closed: what a crash leaves behind is already readable
    events, bad = read_journal(journal.path)
    assert [e.type for e in events] == [EventType.SESSION_STARTED] and bad == 0
    assert events[0].data["session"] == journal.session_id
    assert stat.S_IMODE(journal.path.stat().st_mode) == 0o600
    assert stat.S_IMODE((tmp_path / "sessions").stat().st_mode) == 0o700
    assert stat.S_IMODE(tmp_path.stat().st_mode) == 0o700
    assert not list((tmp_path / "sessions").glob(".probe-*"))  # the write probe cleaned up
    journal.close()


def test_a_torn_last_line_is_skipped_counted_and_nothing_else_lost(tmp_path, caplog):
    journal = write_session(tmp_path, reached=3)
    whole = journal.path.read_text().splitlines()
    with open(journal.path, "a") as file:
        file.write('{"type": "step_started", "index": 4, "tot')  # power cut mid-write
    events, bad = read_journal(journal.path)
    assert bad == 1 and len(events) == len(whole)
    assert "1 partial or unreadable entry skipped" in caplog.text
    records = load_records(tmp_path)
    assert records.partial == 1 and "1 entry was partial" in records.partial_note()
    assert records.sessions[0].completed and records.sessions[0].step == 3


def test_a_torn_multibyte_character_counts_as_one_partial_entry(tmp_path):
    journal = write_session(tmp_path, outcome=None)
    with open(journal.path, "ab") as file:
        file.write(json.dumps({"type": "said", "text": "caf\u00e9"}, ensure_ascii=False).encode()[:-4])
    events, bad = read_journal(journal.path)
    assert bad == 1 and events[-1].type is EventType.STEP_STARTED


def test_an_unwritable_records_folder_is_refused_when_the_journal_opens(tmp_path):
    blocked = tmp_path / "file"
    blocked.write_text("not a folder")
    with pytest.raises(DataDirError, match="cannot write session records"):
        FileJournal("b12-im", blocked)


def test_summaries_resume_points_sites_and_checkins(tmp_path):
    write_session(tmp_path, at=1000.0, site="left thigh")
    write_session(tmp_path, at=2000.0, rehearsal=True, outcome=None)
    crashed = write_session(tmp_path, at=3000.0, reached=2, outcome=None, site="right thigh")
    resumed = write_session(tmp_path, at=4000.0, reached=1, outcome="interrupted", resumes=crashed.session_id)
    with FileJournal("checkin", tmp_path) as journal:
        journal.record(
            event(EventType.CHECKIN, effects=["soreness"], concerning=[], about=resumed.session_id).stamped(
                5000.0
            )
        )
        journal.record(event(EventType.CHECKIN, effects=["none"], concerning=[], about=None).stamped(5001.0))
    records = load_records(tmp_path)
    assert [s.started for s in records.sessions] == [1000.0, 2000.0, 3000.0, 4000.0]
    last = records.last_real("b12-im")
    assert last.session == resumed.session_id and last.site == "right thigh"  # carried over
    assert records.resume_point("b12-im") == last and last.step == 1
    assert records.last_site("b12-im") == "right thigh"
    assert records.last_dose("b12-im").started == 1000.0
    assert [c.effects for c in last.checkins] == [("soreness",)]
    assert [c.effects for c in records.loose_checkins] == [("none",)]
    assert records.sessions[1].rehearsal and not records.sessions[1].resumable


def test_a_session_the_user_ended_is_not_offered_for_resuming(tmp_path):
    write_session(tmp_path, outcome="ended")
    assert load_records(tmp_path).resume_point("b12-im") is None
    write_session(tmp_path, at=1_800_000_000.0, outcome="declined_check")
    assert load_records(tmp_path).resume_point("b12-im") is None


def test_csv_cells_never_start_a_spreadsheet_formula():
    from voiceguide.records.history import Row
    from voiceguide.records.report import render_csv

    row = Row(0.0, '=HYPERLINK("x")', "completed", False, "+left", "-", False)
    line = render_csv([row]).splitlines()[1]
    assert ",\"'=HYPERLINK" in line and ",'+left," in line and line.endswith(",-")
