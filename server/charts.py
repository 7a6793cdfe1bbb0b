"""Time-series charts drawn on the server as SVG, readable without JavaScript.

A chart shows the observations of one dataset and one unit: time across, the value up,
one marker shape and colour per source (so two sources for the same year stand side
by side), filled markers for exact figures and open, dashed ones for figures the
source hedges ("about", "estimated", "some"…), and a legend that says so. A figure
for a period with a known start and end also gets a bar spanning that period.

Hand-written rather than a plotting library: the output is a few dozen SVG elements,
and matplotlib (the usual choice) is a heavy dependency for that and would not give
links on the points.
"""

from __future__ import annotations

import math
import textwrap
from dataclasses import dataclass
from html import escape
from typing import Sequence

COLOURS = ("#0b57d0", "#b3261e", "#137333", "#8e24aa", "#e37400", "#00796b")
SHAPES = ("circle", "square", "triangle", "diamond")


@dataclass(frozen=True)
class Point:
    """One figure on the chart."""

    x: float  # a fractional year
    y: float
    series: str  # the source that states it
    text: str  # the value as shown, with its hedge ("about 31,000")
    hedged: bool
    href: str | None = None
    title: str = ""
    x_from: float | None = None  # the start of the period, when it is an interval


def nice_step(span: float, target_ticks: int = 5) -> float:
    """A round tick step (1, 2 or 5 times a power of ten) giving about ``target_ticks`` ticks."""
    if span <= 0:
        return 1.0
    raw = span / target_ticks
    power = 10 ** math.floor(math.log10(raw))
    for factor in (1, 2, 5, 10):
        if raw <= factor * power:
            return factor * power
    return 10 * power


def _number(value: float) -> str:
    return f"{int(value):,}" if value == int(value) else f"{value:,.1f}"


def _marker(shape: str, cx: float, cy: float, size: float = 6.0) -> str:
    if shape == "square":
        return f'<rect x="{cx - size:.1f}" y="{cy - size:.1f}" width="{2 * size:.1f}" height="{2 * size:.1f}"'
    if shape == "triangle":
        return (f'<polygon points="{cx:.1f},{cy - size * 1.2:.1f} {cx + size * 1.1:.1f},{cy + size * 0.8:.1f} '
                f'{cx - size * 1.1:.1f},{cy + size * 0.8:.1f}"')
    if shape == "diamond":
        return (f'<polygon points="{cx:.1f},{cy - size * 1.3:.1f} {cx + size * 1.3:.1f},{cy:.1f} '
                f'{cx:.1f},{cy + size * 1.3:.1f} {cx - size * 1.3:.1f},{cy:.1f}"')
    return f'<circle cx="{cx:.1f}" cy="{cy:.1f}" r="{size:.1f}"'


# The widest a character of the 14px bold title gets on average, with a margin
# (Chromium's system-ui font measures 8.3 px).
TITLE_CHAR_PX = 8.8


def time_series_svg(points: Sequence[Point], *, title: str, y_label: str, x_label: str = "Year",
                    width: int = 760, height: int = 380) -> str:
    """An SVG chart of ``points``, with axes, axis labels, value labels and a legend."""
    series = list(dict.fromkeys(p.series for p in points))
    style = {name: (COLOURS[i % len(COLOURS)], SHAPES[i % len(SHAPES)]) for i, name in enumerate(series)}
    legend_rows = len(series) + 2
    left, right = 84, 24
    # Wrapped to the plot's width: SVG text does not wrap, and what passes the edge is clipped.
    title_lines = textwrap.wrap(title, max(20, int((width - left - right) / TITLE_CHAR_PX))) or [""]
    top = 24 + 18 * len(title_lines)
    bottom = 64 + 20 * legend_rows
    plot_w, plot_h = width - left - right, height - top - bottom
    if plot_h < 120:
        height += 120 - plot_h
        plot_h = 120

    xs = [p.x for p in points] + [p.x_from for p in points if p.x_from is not None]
    x_min, x_max = (math.floor(min(xs)), math.ceil(max(xs))) if xs else (0, 1)
    if x_max - x_min < 2:
        x_min, x_max = x_min - 1, x_max + 1
    y_top = max((p.y for p in points), default=1.0) or 1.0
    y_step = nice_step(y_top)
    if all(float(p.y).is_integer() for p in points):
        y_step = max(y_step, 1.0)  # counts: no tick at 0.2 persons
    y_max = math.ceil(y_top * 1.1 / y_step) * y_step

    def sx(x: float) -> float:
        return left + (x - x_min) / (x_max - x_min) * plot_w

    def sy(y: float) -> float:
        return top + plot_h - y / y_max * plot_h

    out = [f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 {width} {height}" '
           f'width="{width}" height="{height}" role="img" aria-labelledby="chart-title chart-desc" '
           f'font-family="system-ui, sans-serif" font-size="12">',
           f'<title id="chart-title">{escape(title)}</title>',
           f'<desc id="chart-desc">{escape(_description(points, y_label))}</desc>',
           f'<text class="chart-title" x="{left}" y="22" font-size="14" font-weight="600">'
           + "".join(f'<tspan x="{left}" dy="{0 if i == 0 else 18}">{escape(line)}</tspan>'
                     for i, line in enumerate(title_lines)) + "</text>"]

    # Grid and y axis.
    out.append('<g class="axis y-axis">')
    tick = 0.0
    while tick <= y_max + 1e-9:
        y = sy(tick)
        out.append(f'<line x1="{left}" x2="{left + plot_w}" y1="{y:.1f}" y2="{y:.1f}" stroke="#e5e7eb"/>')
        out.append(f'<text x="{left - 8}" y="{y + 4:.1f}" text-anchor="end">{_number(tick)}</text>')
        tick += y_step
    out.append(f'<line x1="{left}" x2="{left}" y1="{top}" y2="{top + plot_h}" stroke="#1b1f24"/>')
    out.append(f'<text class="axis-label" transform="translate(18 {top + plot_h / 2:.1f}) rotate(-90)" '
               f'text-anchor="middle">{escape(y_label)}</text>')
    out.append('</g>')

    # x axis: a tick at the start of every year (or every few years), labelled in the middle.
    out.append('<g class="axis x-axis">')
    out.append(f'<line x1="{left}" x2="{left + plot_w}" y1="{top + plot_h}" y2="{top + plot_h}" stroke="#1b1f24"/>')
    year_step = max(1, int(nice_step(x_max - x_min, 10)))
    for year in range(x_min, x_max + 1):
        x = sx(year)
        out.append(f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{top + plot_h}" y2="{top + plot_h + 5}" stroke="#1b1f24"/>')
        if year % year_step == 0 and year < x_max:
            out.append(f'<text x="{sx(year + 0.5):.1f}" y="{top + plot_h + 18}" text-anchor="middle">{year}</text>')
    out.append(f'<text class="axis-label" x="{left + plot_w / 2:.1f}" y="{top + plot_h + 38}" '
               f'text-anchor="middle">{escape(x_label)}</text>')
    out.append('</g>')

    # Markers only: a line between figures years apart would suggest values nobody stated.
    offsets = _offsets(points, series)
    for point in points:
        colour, shape = style[point.series]
        dx, rank = offsets[point]
        cx, cy = sx(point.x) + dx, sy(point.y)
        kind = "hedged" if point.hedged else "exact"
        tooltip = point.title or f"{point.text} ({point.series})"
        open_tag = f'<a href="{escape(point.href)}">' if point.href else ""
        out.append(f'<g class="point {kind}" data-value="{point.y:g}">{open_tag}')
        out.append(f"<title>{escape(tooltip)}</title>")
        if point.x_from is not None:
            out.append(f'<line class="period" x1="{sx(point.x_from):.1f}" x2="{cx:.1f}" y1="{cy:.1f}" y2="{cy:.1f}" '
                       f'stroke="{colour}" stroke-width="3" stroke-opacity="0.4"/>')
        fill = "#ffffff" if point.hedged else colour
        dash = ' stroke-dasharray="3 2"' if point.hedged else ""
        out.append(f'{_marker(shape, cx, cy)} fill="{fill}" stroke="{colour}" stroke-width="2"{dash}/>')
        out.append(f'<text x="{cx:.1f}" y="{cy - 11 - 13 * rank:.1f}" text-anchor="middle" fill="#1b1f24">'
                   f'{escape(point.text)}</text>')
        out.append("</a></g>" if point.href else "</g>")

    out.append(_legend(series, style, left, top + plot_h + 58))
    out.append("</svg>")
    return "\n".join(out)


def _offsets(points: Sequence[Point], series: list[str]) -> dict[Point, tuple[float, int]]:
    # Figures of different sources for the same period sit side by side, not on top,
    # and their value labels are stacked so that they do not overlap.
    by_x: dict[float, list[Point]] = {}
    for p in points:
        by_x.setdefault(round(p.x, 3), []).append(p)
    offsets: dict[Point, tuple[float, int]] = {}
    for group in by_x.values():
        group.sort(key=lambda p: series.index(p.series))
        for i, p in enumerate(group):
            offsets[p] = ((i - (len(group) - 1) / 2) * 14, i)
    return offsets


def _legend(series: list[str], style: dict[str, tuple[str, str]], x: float, y: float) -> str:
    rows = ['<g class="legend">']
    for i, name in enumerate(series):
        colour, shape = style[name]
        cy = y + 20 * i
        rows.append(f'{_marker(shape, x + 6, cy, 5)} fill="{colour}" stroke="{colour}" stroke-width="2"/>')
        rows.append(f'<text x="{x + 18}" y="{cy + 4:.1f}">{escape(name)}</text>')
    cy = y + 20 * len(series)
    rows.append(f'<circle cx="{x + 6}" cy="{cy:.1f}" r="5" fill="#59636e" stroke="#59636e" stroke-width="2"/>')
    rows.append(f'<text x="{x + 18}" y="{cy + 4:.1f}">filled: an exact figure</text>')
    cy += 20
    rows.append(f'<circle class="legend-hedged" cx="{x + 6}" cy="{cy:.1f}" r="5" fill="#ffffff" stroke="#59636e" '
                f'stroke-width="2" stroke-dasharray="3 2"/>')
    rows.append(f'<text x="{x + 18}" y="{cy + 4:.1f}">open, dashed: a hedged figure '
                f'(about, estimated, some, more than…)</text>')
    rows.append("</g>")
    return "\n".join(rows)


def _description(points: Sequence[Point], y_label: str) -> str:
    # Each figure in its own words ("less than 35,000", "62.1 percent"); the unit once.
    parts = [f"{p.text} ({p.series}{', hedged' if p.hedged else ''})" for p in points]
    return f"{len(points)} figures, {y_label.lower()}: " + "; ".join(parts)


__all__ = ["Point", "nice_step", "time_series_svg"]
