"""A private X server (Xvfb) for display tests, real key presses (xdotool) and screenshots
(``xwd -root``, parsed here: no ImageMagick or PIL needed)."""

from __future__ import annotations

import os
import select
import shutil
import struct
import subprocess
import zlib
from pathlib import Path

import numpy as np

SCREEN = (1280, 800)


class Xvfb:
    """Starts Xvfb on a free display number it picks itself (``-displayfd``): other X servers
    on the machine are never assumed absent."""

    def __init__(self, size: tuple[int, int] = SCREEN):
        self.proc: subprocess.Popen | None = None
        self.display = ""
        self.size = size

    def start(self, timeout: float = 20.0) -> str:
        if shutil.which("Xvfb") is None:
            raise RuntimeError("Xvfb is not installed (apt-get install xvfb)")
        read, write = os.pipe()
        self.proc = subprocess.Popen(
            [
                "Xvfb",
                "-displayfd",
                str(write),
                "-screen",
                "0",
                f"{self.size[0]}x{self.size[1]}x24",
                "-nolisten",
                "tcp",
                "-dpi",
                "96",
            ],
            pass_fds=(write,),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        os.close(write)
        number = b""
        try:
            while not number.endswith(b"\n"):
                ready, _, _ = select.select([read], [], [], timeout)
                if not ready:
                    raise RuntimeError(f"Xvfb did not start within {timeout:.0f} s")
                chunk = os.read(read, 16)
                if not chunk:
                    raise RuntimeError(
                        "Xvfb exited: " + self.proc.stderr.read().decode(errors="replace")[-300:]
                    )
                number += chunk
        finally:
            os.close(read)
        self.display = f":{int(number)}"
        return self.display

    def stop(self) -> None:
        if self.proc is not None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()

    def env(self) -> dict[str, str]:
        return {**os.environ, "DISPLAY": self.display}

    def key(self, *names: str) -> None:
        """Press keys for real (XTEST), into whichever window has the focus."""
        subprocess.run(["xdotool", "key", "--delay", "30", *names], env=self.env(), check=True, timeout=20)

    def focus(self, title: str) -> None:
        subprocess.run(
            ["xdotool", "search", "--sync", "--name", f"^{title}$", "windowfocus", "--sync"],
            env=self.env(),
            check=True,
            timeout=20,
            capture_output=True,
        )

    def screenshot(self) -> np.ndarray:
        """The whole screen as a height x width x 3 uint8 RGB array."""
        raw = subprocess.run(
            ["xwd", "-root", "-silent", "-display", self.display], capture_output=True, check=True, timeout=30
        ).stdout
        return parse_xwd(raw)


def parse_xwd(raw: bytes) -> np.ndarray:
    fields = struct.unpack(">25I", raw[:100])
    header_size, _version, _format, _depth, width, height = fields[:6]
    byte_order, bits_per_pixel, bytes_per_line = fields[7], fields[11], fields[12]
    red_mask, green_mask, blue_mask, ncolors = fields[14], fields[15], fields[16], fields[19]
    if bits_per_pixel != 32:
        raise ValueError(f"expected a 32-bit TrueColor dump, got {bits_per_pixel} bits per pixel")
    start = header_size + 12 * ncolors
    rows = np.frombuffer(
        raw, dtype="<u4" if byte_order == 0 else ">u4", count=height * bytes_per_line // 4, offset=start
    ).reshape(height, bytes_per_line // 4)[:, :width]

    def channel(mask: int) -> np.ndarray:
        shift = (mask & -mask).bit_length() - 1
        return ((rows & mask) >> shift).astype(np.uint8)

    return np.stack([channel(red_mask), channel(green_mask), channel(blue_mask)], axis=-1)


def write_png(path: Path, rgb: np.ndarray) -> None:
    """A plain RGB PNG (to look at a screenshot)."""
    height, width, _ = rgb.shape
    scanlines = b"".join(b"\x00" + rgb[y].tobytes() for y in range(height))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    Path(path).write_bytes(
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(scanlines, 6))
        + chunk(b"IEND", b"")
    )


def text_rows(region: np.ndarray, colour: tuple[int, int, int], tolerance: int = 60) -> list[tuple[int, int]]:
    """(first, last) row of each band of rows that hold pixels close to ``colour``: the lines
    of text in ``region``."""
    close = (np.abs(region.astype(int) - np.array(colour)).max(axis=-1) <= tolerance).any(axis=1)
    bands, start = [], None
    for y, inked in enumerate(close):
        if inked and start is None:
            start = y
        elif not inked and start is not None:
            bands.append((start, y - 1))
            start = None
    if start is not None:
        bands.append((start, len(close) - 1))
    return bands
