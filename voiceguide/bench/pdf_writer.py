"""A tiny PDF writer for test and benchmark files: pages of Helvetica text lines (a text
layer, as a leaflet printed to PDF has), or pages with no text at all (as a scan has)."""

from __future__ import annotations

FONT_SIZE = 11
LEADING = 15
"""Points between lines."""
TOP = 800
LEFT = 56


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")


def pdf_bytes(pages: list[list[str]], text: bool = True) -> bytes:
    """A PDF of A4 pages, each with its lines of text (Latin-1 characters). ``text=False``
    draws each line as grey boxes instead, so the file has no text layer."""
    objects: list[bytes] = []
    font_id = 3
    page_ids = [(4 + 2 * n, 5 + 2 * n) for n in range(len(pages))]
    """(page object, its content stream) numbers."""
    objects.append(b"<< /Type /Catalog /Pages 2 0 R >>")
    kids = " ".join(f"{page} 0 R" for page, _ in page_ids)
    objects.append(f"<< /Type /Pages /Kids [{kids}] /Count {len(pages)} >>".encode())
    objects.append(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>")
    for (_page, content_id), lines in zip(page_ids, pages, strict=True):
        if text:
            body = [f"BT /F1 {FONT_SIZE} Tf {LEADING} TL {LEFT} {TOP} Td"]
            body += [f"({_escape(line)}) '" for line in lines]
            body.append("ET")
        else:
            body = ["0.6 g"] + [
                f"{LEFT} {TOP - i * LEADING} {min(480, 5 * len(line))} 8 re f" for i, line in enumerate(lines)
            ]
        stream = "\n".join(body).encode("latin-1")
        objects.append(
            f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
            f"/Resources << /Font << /F1 {font_id} 0 R >> >> /Contents {content_id} 0 R >>".encode()
        )
        objects.append(b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream")
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


LEAFLET = [
    [
        "Setting up your TalkClock radio alarm",
        "",
        "In the box:",
        "- The TalkClock",
        "- A mains adapter",
        "- Two AAA batteries",
        "- This leaflet",
        "",
        "Setting up",
        "1. Open the battery cover on the underside of the clock and fit the two AAA",
        "batteries, matching the + and - marks. Close the cover until it clicks.",
        "2. Plug the mains adapter into the socket on the back of the clock and into a",
        "wall socket. The clock says Hello and reads the time it has kept.",
        "3. Press and hold the top button for 3 seconds. The clock says Setting the time.",
        "4. Turn the dial on the right to the current hour, then press the top button once.",
        "Do the same for the minutes.",
    ],
    [
        "5. To set an alarm, press the alarm button on the left side once. Turn the dial",
        "to the wake-up time and press the alarm button again to save it.",
        "6. Wait 5 seconds without pressing anything. The clock reads the alarm time",
        "back to you so you can check it.",
        "7. To hear the time at any moment, press the large top button once.",
        "",
        "Safety",
        "Keep the clock away from water. Unplug it before cleaning.",
        "Page 2 of 2",
    ],
]
"""A two-page device set-up leaflet (``pdf_bytes(LEAFLET)``)."""
