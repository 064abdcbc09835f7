"""Choosing adapters for a session: loudspeaker or text, microphone or keyboard, and the
procedure bound to its profile. Every fallback is announced in one line, never a traceback.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass, field

from voiceguide.core.ports import Clock, Display, Journal, Listener, Speaker
from voiceguide.core.procedure import Procedure
from voiceguide.core.profile import Profile, load_profile
from voiceguide.errors import AudioUnavailable, EngineUnavailable, ModelError
from voiceguide.ui.text_io import KeyboardListener, QuietSpeaker

log = logging.getLogger(__name__)


def prepare(procedure: str, profile: str | None, rehearsal: bool) -> Procedure:
    """Load, validate and bind a procedure; refused files raise FileProblem before any audio."""
    return prepare_with_profile(procedure, profile, rehearsal)[0]


def prepare_with_profile(
    procedure: str, profile: str | None, rehearsal: bool
) -> tuple[Procedure, Profile | None]:
    """``prepare``, also returning the clinician profile it bound (None without one), for the
    callers that need it again (site rotation, check-in)."""
    from voiceguide.app.cli_import import load_for_run

    loaded = load_for_run(procedure)
    clinician = load_profile(profile) if profile else None
    bound = loaded.bind(clinician)
    return (bound.for_rehearsal() if rehearsal else bound), clinician


class MonotonicClock:
    """The machine's monotonic clock, in seconds: the session's time (tests pass a FakeClock)."""

    def now(self) -> float:
        return time.monotonic()


@dataclass
class Adapters:
    """What a session and the short exchanges around it talk through, as one bundle. It is
    shared, so when the runner falls back from a lost microphone to the keyboard, the
    check-in that follows hears the keyboard too."""

    speaker: Speaker
    listener: Listener
    journal: Journal
    display: Display
    clock: Clock = field(default_factory=MonotonicClock)
    wall: Callable[[], float] = time.time
    """Seconds since the epoch, stamped on every journal event."""
    voice: bool = False
    """True when answers come from the microphone."""
    saving_told: bool = False
    """The user has been told that the record cannot be saved (said once per run)."""


def open_adapters(
    stack: ExitStack, engine: str, model: str | None, journal: Journal, display: Display
) -> tuple[Adapters, list[str]]:
    """The best speaker and listener this machine allows, and a notice for each fallback;
    devices close with ``stack``."""
    from voiceguide.audio.devices import probe

    notices: list[str] = []
    report = probe()
    speaker = QuietSpeaker()
    reference = None  # what the loudspeaker plays, so the microphone can ignore it
    if report.output_name:
        try:
            from voiceguide.audio.echo import PlaybackReference
            from voiceguide.audio.speaker import AudioSpeaker
            from voiceguide.audio.tts import Synthesizer

            reference = PlaybackReference()
            speaker = stack.enter_context(AudioSpeaker(Synthesizer(), reference=reference))
        except AudioUnavailable as error:
            reference = None
            notices.append(f"Speech output is not available ({error}); showing the steps as text.")
    else:
        notices.append(_sentence(report.output_problem or "no speaker found; steps are shown as text"))

    if engine == "keyboard":
        return Adapters(speaker, KeyboardListener(), journal, display, voice=False), notices
    if not report.input_name:
        notices.append(
            _sentence(report.input_problem or "no microphone found")
            + " Please answer with the keyboard: type next, repeat, yes, no or stop."
        )
        return Adapters(speaker, KeyboardListener(), journal, display, voice=False), notices
    try:
        from voiceguide.audio.microphone import MicrophoneListener
        from voiceguide.recognition.recognizer import open_recognizer

        recognizer = open_recognizer(engine, model)
        listener = stack.enter_context(MicrophoneListener(recognizer.decode, reference=reference))
    except (AudioUnavailable, EngineUnavailable, ModelError) as error:
        notices.append(f"Voice answers are not available ({error}); please answer with the keyboard.")
        return Adapters(speaker, KeyboardListener(), journal, display, voice=False), notices
    return Adapters(speaker, listener, journal, display, voice=True), notices


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:] + "."
