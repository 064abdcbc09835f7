"""The clinician report: a printable, high-contrast HTML page or a CSV of the same rows,
written readable by the user only (0600).
"""

from __future__ import annotations

import csv
import html
import io
import logging
import os
import secrets
import stat
import time
from pathlib import Path

from voiceguide.errors import ReportError
from voiceguide.records.history import COLUMNS, Row, checkin_text, stamp

log = logging.getLogger(__name__)
CONCERNING_COLUMN = COLUMNS.index("check-in")

_CSS = """
body { font: 22px/1.5 "DejaVu Sans", Arial, sans-serif; color: #000; background: #fff; margin: 1.5em; }
h1 { font-size: 34px; margin: 0 0 .3em; } h2 { font-size: 28px; margin: 1.2em 0 .4em; }
table { border-collapse: collapse; width: 100%; margin: .4em 0; }
th, td { border: 2px solid #000; padding: .35em .5em; text-align: left; vertical-align: top; }
th { background: #000; color: #fff; }
td:first-child { white-space: nowrap; }
.concerning { font-weight: bold; background: #ffe14d; }
.note { border: 3px solid #000; padding: .5em; font-weight: bold; }
.bar { display: inline-block; height: .9em; background: #000; vertical-align: middle; }
@media print { body { margin: 0; font-size: 14pt; } th { background: #000 !important; color: #fff !important;
  -webkit-print-color-adjust: exact; print-color-adjust: exact; } tr { break-inside: avoid; } }
"""


def render_html(
    found: list[Row],
    sites: list[tuple[str, int, str]],
    schedule: list[str],
    notes: list[str],
    since: str | None,
    about: list[tuple[str, str]] = (),
) -> str:
    """``about``: (label, value) pairs from the profile (patient, product, route, clinician)."""
    e = html.escape
    period = f" since {e(since)}" if since else ""
    made = time.strftime("%Y-%m-%d %H:%M")
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        "<title>voiceguide session record</title>",
        f"<style>{_CSS}</style></head><body>",
        "<h1>Session record</h1>",
        *(
            ['<dl id="about">' + "".join(f"<dt>{e(k)}</dt><dd>{e(v)}</dd>" for k, v in about) + "</dl>"]
            if about
            else []
        ),
        f"<p>Made by voiceguide on {e(made)}{period}: {len(found)} entr{'y' if len(found) == 1 else 'ies'}. "
        "Every session is recorded as it happened.</p>",
    ]
    parts += [f'<p class="note" role="note">{e(note)}</p>' for note in notes]
    parts += [f"<p>{e(line)}</p>" for line in schedule]
    parts.append(
        '<h2>Sessions</h2><table id="sessions"><thead><tr>'
        + "".join(f'<th scope="col">{e(c.capitalize())}</th>' for c in COLUMNS)
        + "</tr></thead><tbody>"
    )
    for row in found:
        cells = row.cells()
        parts.append(
            "<tr>"
            + "".join(
                f'<td class="concerning">{e(cell)}</td>'
                if index == CONCERNING_COLUMN and row.concerning
                else f"<td>{e(cell)}</td>"
                for index, cell in enumerate(cells)
            )
            + "</tr>"
        )
    if not found:
        parts.append(f'<tr><td colspan="{len(COLUMNS)}">No sessions recorded{period}.</td></tr>')
    parts.append("</tbody></table>")
    most = max((count for _, count, _ in sites), default=0) or 1
    parts.append(
        '<h2>Injection sites used</h2><table id="sites"><thead><tr><th scope="col">Site</th>'
        '<th scope="col">Doses</th><th scope="col">Last used</th><th scope="col">Chart</th>'
        "</tr></thead><tbody>"
    )
    for site, count, last in sites:
        bar = f'<span class="bar" style="width:{round(8 * count / most, 2)}em"></span>' if count else ""
        parts.append(f"<tr><td>{e(site)}</td><td>{count}</td><td>{e(last)}</td><td>{bar}</td></tr>")
    if not sites:
        parts.append('<tr><td colspan="4">No site recorded.</td></tr>')
    parts.append("</tbody></table>")
    checkins = sorted((c for row in found for c in row.checkins), key=lambda c: c.at or 0.0)
    parts.append(
        '<h2>Check-in outcomes</h2><table id="checkins"><thead><tr><th scope="col">Date</th>'
        '<th scope="col">What was reported</th><th scope="col">Concerning</th></tr></thead><tbody>'
    )
    for checkin in checkins:
        flag = (
            '<td class="concerning">yes: told to contact the clinician</td>'
            if checkin.concerning
            else "<td>no</td>"
        )
        parts.append(f"<tr><td>{e(stamp(checkin.at))}</td><td>{e(checkin_text([checkin]))}</td>{flag}</tr>")
    if not checkins:
        parts.append('<tr><td colspan="3">No check-ins recorded.</td></tr>')
    parts.append("</tbody></table></body></html>")
    return "\n".join(parts) + "\n"


def render_csv(found: list[Row]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    writer.writerows([_inert(cell) for cell in row.cells()] for row in found)
    return out.getvalue()


def _inert(cell: str) -> str:
    """A cell a spreadsheet will not run as a formula (a site name could start with "=")."""
    return f"'{cell}" if cell[:1] in ("=", "+", "@") or (cell[:1] == "-" and len(cell) > 1) else cell


def write_private(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` readable by the user only (0600), atomically: a temporary
    file in the same folder, then renamed over it. A ``path`` that exists and is not a regular
    file (a device, a symbolic link, a folder) is refused, never replaced."""
    path = Path(path)
    try:
        mode = os.lstat(path).st_mode
    except FileNotFoundError:
        mode = None
    except OSError as error:
        raise ReportError(f"cannot write the report {path}: {error.strerror or error}") from None
    if mode is not None and not stat.S_ISREG(mode):
        kind = (
            "a symbolic link"
            if stat.S_ISLNK(mode)
            else "a folder"
            if stat.S_ISDIR(mode)
            else "not a regular file"
        )
        raise ReportError(f"will not write the report over {path}: it is {kind}; give a new file name")
    scratch = path.with_name(f".{path.name}.{secrets.token_hex(4)}")
    try:
        fd = os.open(scratch, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as file:
            file.write(text)
            file.flush()
            os.fsync(file.fileno())
        os.replace(scratch, path)
    except OSError as error:
        try:
            scratch.unlink(missing_ok=True)
        except OSError as cleanup:  # a read-only folder: nothing was made there
            log.debug("could not remove %s: %s", scratch, cleanup)
        raise ReportError(f"cannot write the report {path}: {error.strerror or error}") from None
