"""The Teams app icons, drawn in pure Python and written as PNG (zlib + struct, no image library).

`python -m bot.teams_app.icons` rewrites color.png (192x192, full colour) and outline.png
(32x32, white on transparent) beside this file. The drawing is a ticket with notched sides and a
perforation: supportbot's tickets.
"""

from __future__ import annotations

import math
import struct
import sys
import zlib
from collections.abc import Callable, Sequence
from pathlib import Path

COLOR_SIZE = 192
OUTLINE_SIZE = 32
ACCENT = (0x2E, 0x6F, 0xDB)  # the manifest's accentColor, #2E6FDB
WHITE = (0xFF, 0xFF, 0xFF)
SAMPLES = 4  # supersampling per axis, for smooth edges

Pixel = tuple[int, ...]


def encode_png(width: int, height: int, rows: Sequence[bytes], *, alpha: bool) -> bytes:
    """A PNG of 8-bit RGB (or RGBA) rows, each filtered with filter type 0 (none)."""
    channels = 4 if alpha else 3
    if len(rows) != height or any(len(row) != width * channels for row in rows):
        raise ValueError("rows do not match the image size")

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", width, height, 8, 6 if alpha else 2, 0, 0, 0)
    raw = b"".join(b"\x00" + row for row in rows)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b"")


def _rounded_box(x: float, y: float, half_w: float, half_h: float, radius: float) -> float:
    """Signed distance from (x, y) to a rounded rectangle centred on the origin (negative inside)."""
    qx, qy = abs(x) - half_w + radius, abs(y) - half_h + radius
    outside = math.hypot(max(qx, 0.0), max(qy, 0.0))
    return outside + min(max(qx, qy), 0.0) - radius


def ticket_distance(u: float, v: float) -> float:
    """Signed distance (in units of the icon's side) to the ticket shape; (u, v) in [0, 1]."""
    x, y = u - 0.5, v - 0.5
    body = _rounded_box(x, y, 0.40, 0.25, 0.06)
    notch = min(math.hypot(x + 0.40, y), math.hypot(x - 0.40, y)) - 0.085
    return max(body, -notch)


def _perforated(u: float, v: float, width: float) -> bool:
    """On the dashed perforation line a third of the way in from the right."""
    return abs(u - 0.64) <= width / 2 and 0.29 <= v <= 0.71 and (v - 0.29) % 0.084 < 0.05


def _render(size: int, shade: Callable[[float, float], Pixel], alpha: bool) -> bytes:
    rows = []
    step = 1.0 / (size * SAMPLES)
    for py in range(size):
        row = bytearray()
        for px in range(size):
            total = [0.0, 0.0, 0.0, 0.0]
            for sy in range(SAMPLES):
                for sx in range(SAMPLES):
                    u = (px * SAMPLES + sx + 0.5) * step
                    v = (py * SAMPLES + sy + 0.5) * step
                    r, g, b, a = shade(u, v)
                    total[0] += r * a
                    total[1] += g * a
                    total[2] += b * a
                    total[3] += a
            n = SAMPLES * SAMPLES
            if alpha:
                # Premultiplied average, then un-premultiplied: white stays exactly white at any coverage.
                rgb = [round(c / total[3]) if total[3] else 0 for c in total[:3]]
                row += bytes([*rgb, round(total[3] / n)])
            else:
                row += bytes(round(c / n / 255) for c in total[:3])
        rows.append(bytes(row))
    return encode_png(size, size, rows, alpha=alpha)


def color_icon() -> bytes:
    """192x192, opaque: a white ticket on the accent colour."""

    def shade(u: float, v: float) -> Pixel:
        if ticket_distance(u, v) <= 0 and not _perforated(u, v, 0.018):
            return (*WHITE, 255)
        return (*ACCENT, 255)

    return _render(COLOR_SIZE, shade, alpha=False)


def outline_icon() -> bytes:
    """32x32: the ticket's outline and perforation in white on a transparent background."""
    stroke = 2.0 / OUTLINE_SIZE  # two pixels

    def shade(u: float, v: float) -> Pixel:
        d = ticket_distance(u, v)
        if -stroke <= d <= 0 or (d <= 0 and _perforated(u, v, 1.5 / OUTLINE_SIZE)):
            return (*WHITE, 255)
        return (0, 0, 0, 0)

    return _render(OUTLINE_SIZE, shade, alpha=True)


ICONS: dict[str, Callable[[], bytes]] = {"color.png": color_icon, "outline.png": outline_icon}


def main(argv: Sequence[str] | None = None) -> int:
    folder = Path(__file__).resolve().parent
    for name, draw in ICONS.items():
        (folder / name).write_bytes(draw())
        print(f"wrote {folder / name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
