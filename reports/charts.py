"""Small vector charts as inline SVG, readable in black and white.

Every bar carries its number as text, so a chart printed in greyscale (or read by pdftotext)
loses nothing; the same numbers are always in a table next to it.

No transparency: the archival variant (PDF/A-1b) forbids it. That rules out opacity and rgba
colours, and also SVG's `text-anchor` other than `start`: WeasyPrint draws such text in a
transparency group to measure it before shifting it. So every text here starts at an x computed
from the advance widths of the bundled font (`text_width`), which right-aligns and centres as
exactly as the anchor would (kerning aside, a fraction of a point)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from markupsafe import Markup, escape

FONT = "Report Sans"  # the bundled font declared in report.css
FONTS_DIR = Path(__file__).resolve().parent / "assets" / "fonts"
FONT_SIZE = 9.0
ROW_HEIGHT = 18.0
BAR_HEIGHT = 11.0
BAR_FILL = "#404040"
GRID = "#b0b0b0"


@dataclass(frozen=True)
class Bar:
    label: str
    value: float | None  # None: suppressed, no bar drawn
    text: str  # the number written at the end of the bar


@lru_cache(maxsize=2)
def _advances(bold: bool = False) -> tuple[dict[int, float], float]:
    """Advance width per code point as a fraction of the font size, and a fallback."""
    from fontTools.ttLib import TTFont

    font = TTFont(FONTS_DIR / ("DejaVuSans-Bold.ttf" if bold else "DejaVuSans.ttf"), lazy=True)
    per_em = font["head"].unitsPerEm
    metrics = font["hmtx"].metrics
    widths = {code: metrics[glyph][0] / per_em for code, glyph in font.getBestCmap().items()}
    font.close()
    return widths, widths[ord("0")]


def text_width(text: str, size: float = FONT_SIZE, *, bold: bool = False) -> float:
    """The width of `text` set in the bundled font at `size`, in the unit of `size`."""
    widths, fallback = _advances(bold)
    return sum(widths.get(ord(char), fallback) for char in text) * size


def _svg(width: float, height: float, title: str, body: list[str]) -> Markup:
    return Markup(
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" '
        f'width="{width:.0f}" height="{height:.0f}" viewBox="0 0 {width:.0f} {height:.0f}" '
        f'font-family="{FONT}" font-size="{FONT_SIZE}">'
        f"<title>{escape(title)}</title>{''.join(body)}</svg>"
    )


def horizontal_bars(
    bars: Sequence[Bar], *, title: str, scale_max: float = 100.0, width: float = 600.0
) -> Markup:
    """One bar per row, label on the left, the number after the bar. `scale_max` is the value
    of a full-length bar (100 for percentages)."""
    label_width = min(max((text_width(bar.label) for bar in bars), default=0) + 8, width * 0.45)
    number_width = max((text_width(bar.text) for bar in bars), default=0) + 10
    plot_width = width - label_width - number_width
    top = 4.0
    height = top + ROW_HEIGHT * len(bars) + 4
    scale = plot_width / scale_max if scale_max > 0 else 0
    body = []
    # One axis line only: grid lines would run through the numbers written after the bars.
    body.append(
        f'<line x1="{label_width:.1f}" y1="{top:.1f}" x2="{label_width:.1f}" '
        f'y2="{height - 4:.1f}" stroke="#000" stroke-width="0.6"/>'
    )
    for index, bar in enumerate(bars):
        y = top + ROW_HEIGHT * index
        middle = y + ROW_HEIGHT / 2 + FONT_SIZE * 0.35
        label = bar.label
        while text_width(label) > label_width - 8 and len(label) > 4:
            label = label[:-2] + "…"
        body.append(
            f'<text x="{label_width - 6 - text_width(label):.1f}" y="{middle:.1f}">'
            f"{escape(label)}</text>"
        )
        length = 0.0 if bar.value is None else max(0.0, min(bar.value, scale_max)) * scale
        if length > 0:
            body.append(
                f'<rect x="{label_width:.1f}" y="{y + (ROW_HEIGHT - BAR_HEIGHT) / 2:.1f}" '
                f'width="{length:.1f}" height="{BAR_HEIGHT:.1f}" fill="{BAR_FILL}"/>'
            )
        body.append(
            f'<text x="{label_width + length + 4:.1f}" y="{middle:.1f}">{escape(bar.text)}</text>'
        )
    return _svg(width, height, title, body)


def columns(
    bars: Sequence[Bar], *, title: str, scale_max: float, width: float = 600.0, height=150.0
) -> Markup:
    """Vertical bars (a trend over years): label under each column, number above it."""
    bottom = height - 18
    top = 14.0
    plot_height = bottom - top
    slot = width / max(len(bars), 1)
    bar_width = min(slot * 0.6, 48)
    scale = plot_height / scale_max if scale_max > 0 else 0
    body = [
        f'<line x1="0" y1="{bottom:.1f}" x2="{width:.0f}" y2="{bottom:.1f}" '
        f'stroke="{GRID}" stroke-width="0.8"/>'
    ]
    for index, bar in enumerate(bars):
        centre = slot * index + slot / 2
        length = 0.0 if bar.value is None else max(0.0, min(bar.value, scale_max)) * scale
        if length > 0:
            body.append(
                f'<rect x="{centre - bar_width / 2:.1f}" y="{bottom - length:.1f}" '
                f'width="{bar_width:.1f}" height="{length:.1f}" fill="{BAR_FILL}"/>'
            )
        body.append(
            f'<text x="{centre - text_width(bar.text) / 2:.1f}" y="{bottom - length - 3:.1f}">'
            f"{escape(bar.text)}</text>"
        )
        body.append(
            f'<text x="{centre - text_width(bar.label) / 2:.1f}" y="{height - 5:.1f}">'
            f"{escape(bar.label)}</text>"
        )
    return _svg(width, height, title, body)


# --- Diverging stacked bars (a Likert grid) ------------------------------------------------

# Fills from the centre outwards, on each side: every fill has at least 3:1 contrast against
# white (WCAG 1.4.11), and segments are parted by a white gap, so each segment's neighbour
# is white whatever the next fill is. The low end is orange to brown, the high end blue:
# told apart with every kind of colour blindness, and by lightness in greyscale.
LOW_FILLS = ("#e6550d", "#6b2003")  # nearest the centre, farthest
HIGH_FILLS = ("#4a7fc1", "#08306b")
MIDDLE_FILL = "#767676"
GAP = "#ffffff"
SWATCH = 10 / 9  # a legend swatch's side, in font sizes


@dataclass(frozen=True)
class DivergingRow:
    """One statement: its share of answers per scale point, lowest point first (None: the
    row is hidden), each share as written in its segment, and a note after the label
    («N = 57»)."""

    label: str
    shares: tuple[float, ...] | None
    texts: tuple[str, ...]
    note: str
    hidden_text: str = "–"


def _hex(colour: str) -> tuple[int, int, int]:
    return tuple(int(colour[index : index + 2], 16) for index in (1, 3, 5))  # type: ignore[return-value]


def _mix(start: str, end: str, fraction: float) -> str:
    a, b = _hex(start), _hex(end)
    return "#" + "".join(f"{round(x + (y - x) * fraction):02x}" for x, y in zip(a, b, strict=True))


def relative_luminance(colour: str) -> float:
    """WCAG 2.1's relative luminance of an sRGB colour written #rrggbb."""

    def linear(channel: int) -> float:
        value = channel / 255
        return value / 12.92 if value <= 0.04045 else ((value + 0.055) / 1.055) ** 2.4

    red, green, blue = (linear(channel) for channel in _hex(colour))
    return 0.2126 * red + 0.7152 * green + 0.0722 * blue


def contrast(first: str, second: str) -> float:
    """WCAG 2.1's contrast ratio of two colours (1 to 21)."""
    high, low = sorted((relative_luminance(first), relative_luminance(second)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def _side(fills: tuple[str, str], count: int) -> list[str]:
    """`count` fills from the centre outwards, from the light end to the dark end."""
    if count == 1:
        return [_mix(*fills, 0.5)]
    return [_mix(*fills, index / (count - 1)) for index in range(count)]


def diverging_fills(points: int) -> list[str]:
    """The fill of every scale point, lowest first: the lower half in orange to brown, the
    upper half in blue, the middle point of an odd scale in grey."""
    half = points // 2
    low = list(reversed(_side(LOW_FILLS, half))) if half else []
    high = _side(HIGH_FILLS, half) if half else []
    return [*low, *([MIDDLE_FILL] if points % 2 else []), *high]


def text_fill(fill: str) -> str:
    """Black or white, whichever contrasts more with `fill` (always at least 4.5:1)."""
    return "#000000" if contrast(fill, "#000000") >= contrast(fill, "#ffffff") else "#ffffff"


def _wrap(text: str, room: float, size: float) -> list[str]:
    lines: list[str] = []
    line = ""
    for word in text.split():
        candidate = f"{line} {word}" if line else word
        if line and text_width(candidate, size) > room:
            lines.append(line)
            line = word
        else:
            line = candidate
    return [*lines, line] if line else lines or [""]


def diverging_bars(
    rows: Sequence[DivergingRow],
    *,
    legend: Sequence[str],
    title: str,
    width: float = 600.0,
    font_size: float = FONT_SIZE,
    font_family: str = FONT,
) -> Markup:
    """One stacked bar per row around a centre line: the scale points below the middle to
    its left, those above it to its right, the middle point of an odd scale across it (half
    on each side). Each row's label (and note) is written above its bar over the whole
    width, so long statements wrap instead of being cut, and a phone-wide drawing stays
    readable. A legend with the scale points' labels comes first; the axis under the bars
    is marked in percent. Every segment wide enough carries its number."""
    points = len(legend)
    fills = diverging_fills(points)
    line_height = font_size * 1.3
    bar_height = font_size * 1.6
    swatch = font_size * SWATCH
    middle = points // 2  # index of the middle point of an odd scale; first upper otherwise
    body: list[str] = []

    # The legend, wrapped over as many lines as it needs.
    x, y = 0.0, 2.0
    for fill, text in zip(fills, legend, strict=True):
        item = swatch + 4 + text_width(text, font_size) + 12
        if x > 0 and x + item > width:
            x, y = 0.0, y + line_height
        body.append(
            f'<rect class="swatch" x="{x + 0.5:.1f}" y="{y + 0.5:.1f}" width="{swatch - 1:.1f}" '
            f'height="{swatch - 1:.1f}" fill="{fill}" stroke="#000000" stroke-width="0.5"/>'
        )
        body.append(
            f'<text x="{x + swatch + 4:.1f}" y="{y + swatch - 1.5:.1f}">{escape(text)}</text>'
        )
        x += item
    top = y + line_height + 6

    def extents(shares: tuple[float, ...]) -> tuple[float, float]:
        low = sum(shares[: points // 2]) + (shares[middle] / 2 if points % 2 else 0.0)
        return low, sum(shares) - low

    reach = max((max(extents(row.shares)) for row in rows if row.shares is not None), default=50.0)
    half = min(100.0, max(25.0, 25.0 * -(-reach // 25)))  # the axis: ±25, 50, 75 or 100 %
    centre = width / 2
    scale = (width / 2 - 2) / half

    y = top
    for row in rows:
        label = f"{row.label} ({row.note})" if row.note else row.label
        for line in _wrap(label, width, font_size):
            y += line_height
            body.append(f'<text x="0" y="{y - font_size * 0.3:.1f}">{escape(line)}</text>')
        bar_top = y + 2
        parts = ['<g class="bar">']
        if row.shares is None:
            parts.append(
                f'<text class="hidden" x="{centre + 4:.1f}" '
                f'y="{bar_top + bar_height / 2 + font_size * 0.35:.1f}">'
                f"{escape(row.hidden_text)}</text>"
            )
        else:
            x = centre - extents(row.shares)[0] * scale
            for index, share in enumerate(row.shares):
                length = share * scale
                if length <= 0:
                    continue
                body_fill = fills[index]
                parts.append(
                    f'<rect class="segment point-{index + 1}" x="{x:.2f}" y="{bar_top:.1f}" '
                    f'width="{length:.2f}" height="{bar_height:.1f}" fill="{body_fill}" '
                    f'stroke="{GAP}" stroke-width="1"/>'
                )
                text = row.texts[index]
                if text and text_width(text, font_size) + 4 <= length:
                    parts.append(
                        f'<text x="{x + (length - text_width(text, font_size)) / 2:.2f}" '
                        f'y="{bar_top + bar_height / 2 + font_size * 0.35:.1f}" '
                        f'fill="{text_fill(body_fill)}">{escape(text)}</text>'
                    )
                x += length
        parts.append(
            f'<line class="centre" x1="{centre:.1f}" y1="{bar_top - 3:.1f}" x2="{centre:.1f}" '
            f'y2="{bar_top + bar_height + 3:.1f}" stroke="#000000" stroke-width="1.2"/>'
        )
        parts.append("</g>")
        body.append("".join(parts))
        y = bar_top + bar_height + 6

    # The axis: marks every 25 % on both sides of the centre.
    axis = y + 2
    body.append(
        f'<line x1="{centre - half * scale:.1f}" y1="{axis:.1f}" x2="{centre + half * scale:.1f}" '
        f'y2="{axis:.1f}" stroke="#000000" stroke-width="0.6"/>'
    )
    step = 25.0
    mark = -half
    while mark <= half + 0.01:
        x = centre + mark * scale
        text = str(round(abs(mark)))
        body.append(
            f'<line x1="{x:.1f}" y1="{axis:.1f}" x2="{x:.1f}" y2="{axis + 3:.1f}" '
            f'stroke="#000000" stroke-width="0.6"/>'
        )
        start = min(
            max(x - text_width(text, font_size) / 2, 0), width - text_width(text, font_size)
        )
        body.append(f'<text x="{start:.1f}" y="{axis + 3 + font_size:.1f}">{text}</text>')
        mark += step
    height = axis + 3 + font_size + 4
    return Markup(
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart diverging" role="img" '
        f'width="{width:.0f}" height="{height:.0f}" viewBox="0 0 {width:.0f} {height:.0f}" '
        f'font-family="{escape(font_family)}" font-size="{font_size:g}">'
        f"<title>{escape(title)}</title>{''.join(body)}</svg>"
    )
