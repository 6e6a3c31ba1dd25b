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
