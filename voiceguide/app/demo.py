"""``voiceguide demo``: a whole session with no person.

A simulated user answers each prompt with speech synthesized by espeak-ng, and that audio
goes through the real recognizer, exactly as a microphone utterance would. Time is
simulated, so timers and waits pass at once. The plan includes one "repeat", one utterance
that is not a command (it must be re-prompted), and a "yes" to every check, then
"confirm" when the session asks for it.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from collections.abc import Callable
from pathlib import Path

import numpy as np

from voiceguide.app.adapters import Adapters
from voiceguide.app.runner import Runner
from voiceguide.audio.wav import read_wav
from voiceguide.core.intents import Moment
from voiceguide.core.ports import SAMPLE_RATE, Display, Heard, Journal
from voiceguide.core.procedure import Procedure
from voiceguide.core.session import Session
from voiceguide.core.session_types import Outcome
from voiceguide.errors import AudioUnavailable
from voiceguide.ui.text_io import FakeClock, QuietSpeaker

USER_VOICE = "en-us+m3"
"""espeak-ng voice of the simulated user (the assistant uses the default voice)."""
NOT_A_COMMAND = "put the kettle on"
MAX_TRIES = 4
"""Replies at one step and moment before the simulated user gives up."""


def run_demo(
    procedure: Procedure, decode: Callable, show: Callable[[str], None], display: Display, journal: Journal
) -> tuple[Outcome, SimulatedUser]:
    """A whole session of ``procedure`` on simulated time, answered by a simulated user whose
    synthesized replies go through ``decode`` (the recognizer's); the user keeps its counts."""
    clock = FakeClock()
    user = SimulatedUser(decode, clock, show=show)
    io = Adapters(QuietSpeaker(), user, journal, display, clock=clock, wall=clock.now)
    runner = Runner(Session(procedure), io)
    user.position = lambda: (runner.state.index, runner.state.moment)
    try:
        return runner.run(), user
    finally:
        user.close()


class SimulatedUser:
    """A Listener that speaks its replies through ``decode`` (the real recognition path).

    ``position`` tells it where the session is (step index and moment), as a person would
    know from what they just heard.
    """

    def __init__(self, decode: Callable, clock: FakeClock, show: Callable[[str], None]):
        self.decode = decode
        self.clock = clock
        self.show = show
        self.position: Callable[[], tuple[int, Moment | None]] = lambda: (0, None)
        self.moment: Moment | None = None
        self.replies = 0
        self.decode_ms: list[float] = []
        self._tries: dict[tuple[int, Moment | None], int] = {}
        self._planned = ["repeat", NOT_A_COMMAND]
        self._cache: dict[str, np.ndarray] = {}
        self._tmp = tempfile.TemporaryDirectory(prefix="voiceguide-demo-")

    def set_moment(self, moment: Moment) -> None:
        self.moment = moment

    def flush(self) -> None:
        pass

    def listen(self, timeout: float) -> Heard | None:
        where = self.position()
        tries = self._tries.get(where, 0)
        if tries >= MAX_TRIES:
            self.show(f"  user: (gives up after {tries} tries at step {where[0] + 1})")
            return Heard(text="", source="voice", end_of_input=True)
        reply = self._choose(where[1], tries)
        if reply is None:
            self.show(f"  user: (waits {timeout:.0f} s)")
            self.clock.advance(timeout)
            return None
        self._tries[where] = tries + 1
        self.replies += 1
        self.show(f'  user (synthesized voice): "{reply}"')
        audio = self._speech(reply)
        heard, _intent = self.decode(audio, self.moment)
        self.decode_ms.append(heard.decode_ms)
        self.clock.advance(len(audio) / SAMPLE_RATE + heard.decode_ms / 1000)
        return heard

    def _choose(self, moment: Moment | None, tries: int) -> str | None:
        if moment is Moment.CHECK:
            return "yes"
        if moment is Moment.CONFIRM:
            return "confirm"
        if moment is Moment.TIMER:
            return None
        if moment is Moment.PAUSED:
            return "resume"
        if moment is Moment.SAFE_EXIT:
            return "go back"
        if self._planned and tries == 0:
            return self._planned.pop(0)
        return "next step" if tries % 2 == 0 else "done"

    def _speech(self, text: str) -> np.ndarray:
        if text not in self._cache:
            self._cache[text] = synthesize_espeak(text, Path(self._tmp.name), voice=USER_VOICE)
        return self._cache[text]

    def close(self) -> None:
        self._tmp.cleanup()


def synthesize_espeak(text: str, folder: Path, voice: str = USER_VOICE, rate: int = 160) -> np.ndarray:
    """Speak ``text`` with the espeak-ng command into a WAV and read it back at 16 kHz."""
    espeak = shutil.which("espeak-ng") or shutil.which("espeak")
    if espeak is None:
        raise AudioUnavailable(
            "the demo needs espeak-ng to synthesize the user's replies: sudo apt-get install espeak-ng"
        )
    path = folder / f"{abs(hash((text, voice, rate)))}.wav"
    subprocess.run(
        [espeak, "-v", voice, "-s", str(rate), "-w", str(path), text],
        check=True,
        capture_output=True,
        timeout=30,
    )
    return read_wav(path)
