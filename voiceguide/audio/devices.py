"""Which audio devices can be used, and how to fix what cannot, without ever raising.

Used by ``voiceguide doctor`` (to report) and by ``voiceguide run`` (to fall back to text and
keyboard when there is no speaker or no microphone).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

log = logging.getLogger(__name__)

_NO_SERVER_HINT = "check that the sound server is running (pactl info) and that this user may use it"


@dataclass(frozen=True)
class DeviceReport:
    """What ``probe`` found."""

    portaudio_ok: bool
    """True when the sounddevice package and the PortAudio library both load."""
    input_name: str | None = None
    """Name of the default microphone, or None when there is none."""
    output_name: str | None = None
    """Name of the default speaker, or None when there is none."""
    input_problem: str | None = None
    """Why there is no usable microphone, and how to fix it; None when there is one."""
    output_problem: str | None = None
    """Why there is no usable speaker, and how to fix it; None when there is one."""

    @property
    def problems(self) -> tuple[str, ...]:
        """One line each: what is wrong and how to fix it. Empty when all is well."""
        return tuple(dict.fromkeys(p for p in (self.input_problem, self.output_problem) if p))

    @property
    def can_listen(self) -> bool:
        return self.portaudio_ok and self.input_name is not None

    @property
    def can_speak(self) -> bool:
        return self.portaudio_ok and self.output_name is not None


def probe(refresh: bool = False) -> DeviceReport:
    """Find the default microphone and speaker. Never raises.

    PortAudio lists devices once, when it starts; ``refresh=True`` restarts it to see devices
    (or a sound server) that appeared since. Only refresh while no stream is open.
    """
    try:
        import sounddevice as sd
    except OSError as error:  # sounddevice raises this when libportaudio cannot be loaded
        log.debug("PortAudio did not load: %s", error)
        return _nothing(False, "PortAudio is missing: sudo apt-get install libportaudio2")
    except ImportError as error:
        log.debug("sounddevice did not import: %s", error)
        return _nothing(False, "the sounddevice package is missing: pip install sounddevice")
    try:
        if refresh:
            _restart_portaudio(sd)
        input_name = _default_name(sd, "input")
        output_name = _default_name(sd, "output")
    except Exception as error:  # noqa: BLE001 - PortAudioError or a broken backend: report it
        log.debug("listing audio devices failed", exc_info=True)
        return _nothing(True, f"audio devices cannot be listed ({error}): {_NO_SERVER_HINT}")
    return DeviceReport(
        True,
        input_name,
        output_name,
        input_problem=None
        if input_name
        else (
            "no microphone found: plug one in (or enable it), "
            f"or {_NO_SERVER_HINT}; the keyboard works instead"
        ),
        output_problem=None
        if output_name
        else (
            "no speaker found: plug in speakers or headphones, "
            f"or {_NO_SERVER_HINT}; steps are shown as text instead"
        ),
    )


def _nothing(portaudio_ok: bool, problem: str) -> DeviceReport:
    """A report with no usable device, for one reason that stops both."""
    return DeviceReport(portaudio_ok, input_problem=problem, output_problem=problem)


def _default_name(sd: Any, kind: str) -> str | None:
    """Name of the default device of ``kind`` ("input" or "output"), None when there is none."""
    try:
        info = sd.query_devices(kind=kind)
    except (sd.PortAudioError, ValueError):
        return None
    channels = info.get(f"max_{kind}_channels", 0)
    return str(info["name"]) if channels > 0 else None


def _restart_portaudio(sd: Any) -> None:
    """Make PortAudio list the devices again. sounddevice has no public call for this; its
    private ``_terminate``/``_initialize`` pair is what ``sd.query_devices`` relies on."""
    sd._terminate()
    sd._initialize()
