"""The patient's profile: the personal parts a clinician fills in.

Procedures refer to these values as ``{product}``, ``{sites}``, ... (see VALUES); nothing
medical is ever made up when a value is missing: the procedure is refused instead.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from voiceguide.core.fields import Fields
from voiceguide.core.yamlfile import load
from voiceguide.errors import FileProblem

EXAMPLE = "example"

_KEYS = {"patient", "product", "route", "sites", "interval_days", "clinician", "dose", "notes"}
_CLINICIAN_KEYS = {"name", "phone"}


@dataclass(frozen=True)
class Profile:
    path: str
    """Where it was read from (for messages)."""
    patient: str | None = None
    """The patient's name, as the clinician wrote it (shown on the report's header)."""
    product: str | None = None
    """The prescribed product, as on the label."""
    route: str | None = None
    """The prescribed route, in the clinician's words (e.g. "intramuscular (IM)")."""
    sites: tuple[str, ...] = ()
    """Trained injection sites, in the clinician's rotation order."""
    interval_days: int | None = None
    """Days between doses."""
    clinician_name: str | None = None
    clinician_phone: str | None = None
    dose: str | None = None
    """The prescribed dose in the clinician's words; spoken only if a procedure asks for it."""
    notes: str | None = None
    lines: dict[str, int] = field(default_factory=dict, compare=False)

    def values(self) -> dict[str, str]:
        """The placeholder values this profile sets (missing ones are absent)."""
        found: dict[str, str | None] = {
            "product": self.product,
            "route": self.route,
            "sites": _spoken_list(self.sites) if self.sites else None,
            "interval_days": str(self.interval_days) if self.interval_days else None,
            "clinician_name": self.clinician_name,
            "clinician_phone": self.clinician_phone,
            "clinician": _contact(self.clinician_name, self.clinician_phone),
            "dose": self.dose,
            "notes": self.notes,
        }
        return {key: value for key, value in found.items() if value}


VALUES = (
    "product",
    "route",
    "sites",
    "interval_days",
    "clinician_name",
    "clinician_phone",
    "clinician",
    "dose",
    "notes",
)
"""Every placeholder a procedure may use."""


def load_profile(path: str | Path) -> Profile:
    """Read a profile file, or the shipped example when ``path`` is "example"."""
    if str(path) == EXAMPLE:
        example = resources.files("voiceguide") / "profiles" / "example.yaml"
        return parse_profile("<shipped>/profiles/example.yaml", example.read_text(encoding="utf-8"))
    return parse_profile(str(path), None)


def parse_profile(path: str, text: str | None) -> Profile:
    data = load(path, text)
    if data is None:
        raise FileProblem(path, None, "the profile is empty; see docs/procedures.md for its keys")
    fields = Fields(path, data, "the profile", 1)
    fields.only(_KEYS)
    clinician = fields.sub("clinician", "'clinician'")
    name = phone = None
    if clinician is not None:
        clinician.only(_CLINICIAN_KEYS)
        name = clinician.text("name", required=False)
        phone = clinician.text("phone", required=False)
    return Profile(
        path=path,
        patient=fields.text("patient", required=False),
        product=fields.text("product", required=False),
        route=fields.text("route", required=False),
        sites=fields.texts("sites", required=False),
        interval_days=fields.integer("interval_days", low=1, high=366, default=0) or None,
        clinician_name=name,
        clinician_phone=phone,
        dose=fields.text("dose", required=False),
        notes=fields.text("notes", required=False),
        lines={key: fields.line(key) for key in data},
    )


def _spoken_list(items: tuple[str, ...]) -> str:
    if len(items) == 1:
        return items[0]
    return ", ".join(items[:-1]) + " or " + items[-1]


def _contact(name: str | None, phone: str | None) -> str | None:
    if name and phone:
        return f"{name} on {phone}"
    return name or phone
