"""Choosing adapters for a session: loudspeaker or text, microphone or keyboard, and the
procedure bound to its profile. Every fallback is announced in one line, never a traceback.
"""

from __future__ import annotations

import logging
from contextlib import ExitStack
from dataclasses import dataclass

from voiceguide.core.procedure import Procedure, load_procedure
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
    loaded = load_procedure(procedure)
    clinician = load_profile(profile) if profile else None
    bound = loaded.bind(clinician)
    return (bound.for_rehearsal() if rehearsal else bound), clinician


@dataclass
class Adapters:
    speaker: object
    listener: object
    notices: list[str]
    voice: bool
    """True when answers come from the microphone."""


def open_adapters(stack: ExitStack, engine: str, model: str | None) -> Adapters:
    """The best speaker and listener this machine allows; devices close with ``stack``."""
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
        return Adapters(speaker, KeyboardListener(), notices, voice=False)
    if not report.input_name:
        notices.append(
            _sentence(report.input_problem or "no microphone found")
            + " Please answer with the keyboard: type next, repeat, yes, no or stop."
        )
        return Adapters(speaker, KeyboardListener(), notices, voice=False)
    try:
        from voiceguide.audio.microphone import MicrophoneListener
        from voiceguide.recognition.engines import open_engines
        from voiceguide.recognition.recognizer import Recognizer

        recognizer = Recognizer(*open_engines(engine, model))
        listener = stack.enter_context(MicrophoneListener(recognizer.decode, reference=reference))
    except (AudioUnavailable, EngineUnavailable, ModelError) as error:
        notices.append(f"Voice answers are not available ({error}); please answer with the keyboard.")
        return Adapters(speaker, KeyboardListener(), notices, voice=False)
    return Adapters(speaker, listener, notices, voice=True)


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:] + "."
