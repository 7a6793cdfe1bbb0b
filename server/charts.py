"""Charts drawn on the server as SVG, readable without JavaScript, chosen by the kind of data.

- A **time series** (time across, the value up) for a series of figures over more than
  one period: one marker shape and colour per source, so two sources for the same year
  stand side by side; filled markers for exact figures, open dashed ones for figures
  the source hedges; a bar under a figure that covers a span of time.
- **Bars** for figures of one period that differ by what they measure (shares, changes,
  sub-groups): a zero line, positive values above it and negative values (cuts) below.
- A **single figure** is shown as a figure in words (see :class:`Figure`), not as a chart
  with one dot.

Every chart is an ``<svg role="img">`` with a title and a description that reads out
every figure, with ids unique on the page (``{chart_id}-title``), and nothing
interactive inside (links sit in the table beside it). The legend is HTML, below the
drawing, so that it stays readable when a phone scales the drawing down. The drawings are
440 units wide: at a 390 px phone's width their 12-unit text is still about 9 px high.

Hand-written rather than a plotting library: the output is a few dozen SVG elements,
and matplotlib (the usual choice) is a heavy dependency for that.
"""

from __future__ import annotations

import math
import textwrap
from dataclasses import dataclass, field
from html import escape
from typing import Sequence

COLOURS = ("#0b57d0", "#b3261e", "#137333", "#8e24aa", "#c25400", "#00796b")
SHAPES = ("circle", "square", "triangle", "diamond")
WIDTH = 440
INK = "#1b1f24"
GRID = "#d0d7de"
# The widest a character of the 13-unit bold title gets on average, with a margin.
TITLE_CHAR_PX = 8.2
LABEL_CHAR_PX = 6.4  # the same for the 11-unit labels under bars


@dataclass(frozen=True)
class Point:
    """One figure on a time series."""

    x: float  # a fractional year
    y: float
    series: str  # the source that states it
    text: str  # the figure in words ("about 31,000")
    hedged: bool
    title: str = ""
    x_from: float | None = None  # the start of the period, when it is a span of time


@dataclass(frozen=True)
class Bar:
    """One figure on a bar chart."""

    label: str  # what it measures, as the bar's caption
    value: float
    text: str  # the figure in words
    hedged: bool
    title: str = ""


@dataclass(frozen=True)
class LegendItem:
    """One entry of a chart's legend: a small drawing of the mark (SVG) and its meaning."""

    swatch: str
    label: str


@dataclass
class Chart:
    """A drawn chart: its kind, its ids, the SVG and the legend shown under it."""

    kind: str  # "time-series" or "bars"
    chart_id: str
    title: str
    svg: str
    legend: list[LegendItem] = field(default_factory=list)


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


def value_axis(values: Sequence[float], integers: bool) -> tuple[float, float, float]:
    """(low, high, step) of an axis that holds every value and zero, on round ticks."""
    low, high = min([0.0, *values]), max([0.0, *values])
    if low == high:
        high = 1.0
    step = nice_step(high - low)
    if integers:
        step = max(step, 1.0)  # counts: no tick at 0.2 persons
    high = math.ceil(high * 1.1 / step) * step if high > 0 else 0.0
    low = math.floor(low * 1.1 / step) * step if low < 0 else 0.0
    return low, high, step


def _number(value: float) -> str:
    return f"{int(value):,}" if value == int(value) else f"{value:,.1f}"


def _marker(shape: str, cx: float, cy: float, size: float = 5.0) -> str:
    if shape == "square":
        return f'<rect x="{cx - size:.1f}" y="{cy - size:.1f}" width="{2 * size:.1f}" height="{2 * size:.1f}"'
    if shape == "triangle":
        return (f'<polygon points="{cx:.1f},{cy - size * 1.2:.1f} {cx + size * 1.1:.1f},{cy + size * 0.8:.1f} '
                f'{cx - size * 1.1:.1f},{cy + size * 0.8:.1f}"')
    if shape == "diamond":
        return (f'<polygon points="{cx:.1f},{cy - size * 1.3:.1f} {cx + size * 1.3:.1f},{cy:.1f} '
                f'{cx:.1f},{cy + size * 1.3:.1f} {cx - size * 1.3:.1f},{cy:.1f}"')
    return f'<circle cx="{cx:.1f}" cy="{cy:.1f}" r="{size:.1f}"'


def _swatch(shape: str, fill: str, stroke: str, dashed: bool = False) -> str:
    dash = ' stroke-dasharray="3 2"' if dashed else ""
    return (f'<svg class="swatch" viewBox="0 0 16 16" width="16" height="16" aria-hidden="true" focusable="false">'
            f'{_marker(shape, 8, 8, 5)} fill="{fill}" stroke="{stroke}" stroke-width="2"{dash}/></svg>')


def _open(chart_id: str, title: str, description: str, height: float, kind: str) -> list[str]:
    lines = textwrap.wrap(title, max(20, int((WIDTH - 16) / TITLE_CHAR_PX))) or [""]
    return [f'<svg xmlns="http://www.w3.org/2000/svg" class="chart {kind}" id="{chart_id}" '
            f'viewBox="0 0 {WIDTH} {height:.0f}" width="{WIDTH}" height="{height:.0f}" role="img" '
            f'aria-labelledby="{chart_id}-title {chart_id}-desc" font-family="system-ui, sans-serif" font-size="12">',
            f'<title id="{chart_id}-title">{escape(title)}</title>',
            f'<desc id="{chart_id}-desc">{escape(description)}</desc>',
            f'<text class="chart-title" x="8" y="18" font-size="13" font-weight="600" fill="{INK}">'
            + "".join(f'<tspan x="8" dy="{0 if i == 0 else 16}">{escape(line)}</tspan>' for i, line in enumerate(lines))
            + "</text>"]


def _title_height(title: str) -> int:
    return 16 * len(textwrap.wrap(title, max(20, int((WIDTH - 16) / TITLE_CHAR_PX))) or [""])


def _y_axis(out: list[str], low: float, high: float, step: float, sy, left: float, right: float,
            y_label: str, top: float, plot_h: float) -> None:
    out.append('<g class="axis y-axis">')
    tick = low
    while tick <= high + 1e-9:
        y = sy(tick)
        colour, cls = (INK, ' class="zero-line"') if abs(tick) < 1e-9 else (GRID, "")
        out.append(f'<line{cls} x1="{left}" x2="{right}" y1="{y:.1f}" y2="{y:.1f}" stroke="{colour}"/>')
        out.append(f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end" fill="{INK}">{_number(tick)}</text>')
        tick += step
    out.append(f'<line x1="{left}" x2="{left}" y1="{top}" y2="{top + plot_h}" stroke="{INK}"/>')
    out.append(f'<text class="axis-label" transform="translate(12 {top + plot_h / 2:.1f}) rotate(-90)" '
               f'text-anchor="middle" fill="{INK}">{escape(y_label)}</text>')
    out.append('</g>')


# --------------------------------------------------------------------------- time series


def time_series_svg(points: Sequence[Point], *, title: str, y_label: str, chart_id: str = "chart",
                    x_label: str = "Year") -> Chart:
    """A time series of ``points``: axes with their labels, value labels, an HTML legend."""
    series = list(dict.fromkeys(p.series for p in points))
    style = {name: (COLOURS[i % len(COLOURS)], SHAPES[i % len(SHAPES)]) for i, name in enumerate(series)}
    left, right = 64, 16
    top = 30 + _title_height(title)
    plot_w, plot_h = WIDTH - left - right, 200
    height = top + plot_h + 44

    xs = [p.x for p in points] + [p.x_from for p in points if p.x_from is not None]
    x_min, x_max = (math.floor(min(xs)), math.ceil(max(xs))) if xs else (0, 1)
    if x_max - x_min < 2:
        x_min, x_max = x_min - 1, x_max + 1
    low, high, step = value_axis([p.y for p in points], all(float(p.y).is_integer() for p in points))

    def sx(x: float) -> float:
        return left + (x - x_min) / (x_max - x_min) * plot_w

    def sy(y: float) -> float:
        return top + plot_h - (y - low) / (high - low) * plot_h

    out = _open(chart_id, title, _series_description(points, y_label), height, "time-series")
    _y_axis(out, low, high, step, sy, left, left + plot_w, y_label, top, plot_h)

    # x axis: a tick at the start of every year, labelled every few years in the middle.
    out.append('<g class="axis x-axis">')
    base = top + plot_h
    out.append(f'<line x1="{left}" x2="{left + plot_w}" y1="{base}" y2="{base}" stroke="{INK}"/>')
    year_step = max(1, int(nice_step(x_max - x_min, 6)))
    for year in range(x_min, x_max + 1):
        if x_max - x_min <= 40 or year % year_step == 0:
            out.append(f'<line x1="{sx(year):.1f}" x2="{sx(year):.1f}" y1="{base}" y2="{base + 4}" stroke="{INK}"/>')
        if year % year_step == 0 and year < x_max:
            out.append(f'<text x="{sx(year + 0.5):.1f}" y="{base + 16}" text-anchor="middle" fill="{INK}">{year}</text>')
    out.append(f'<text class="axis-label" x="{left + plot_w / 2:.1f}" y="{base + 34}" text-anchor="middle" '
               f'fill="{INK}">{escape(x_label)}</text>')
    out.append('</g>')

    # Markers only: a line between figures years apart would suggest values nobody stated.
    offsets = _offsets(points, series)
    for point in points:
        colour, shape = style[point.series]
        dx, rank = offsets[point]
        cx, cy = sx(point.x) + dx, sy(point.y)
        kind = "hedged" if point.hedged else "exact"
        out.append(f'<g class="point {kind}" data-value="{point.y:g}">')
        out.append(f"<title>{escape(point.title or f'{point.text} ({point.series})')}</title>")
        if point.x_from is not None:
            out.append(f'<line class="period" x1="{sx(point.x_from):.1f}" x2="{cx:.1f}" y1="{cy:.1f}" '
                       f'y2="{cy:.1f}" stroke="{colour}" stroke-width="3" stroke-opacity="0.4"/>')
        fill = "#ffffff" if point.hedged else colour
        dash = ' stroke-dasharray="3 2"' if point.hedged else ""
        out.append(f'{_marker(shape, cx, cy)} fill="{fill}" stroke="{colour}" stroke-width="2"{dash}/>')
        anchor = "end" if cx > left + plot_w - 30 else "start" if cx < left + 30 else "middle"
        out.append(f'<text x="{cx:.1f}" y="{cy - 10 - 13 * rank:.1f}" text-anchor="{anchor}" fill="{INK}">'
                   f'{escape(point.text)}</text>')
        out.append("</g>")
    out.append("</svg>")

    legend = [LegendItem(_swatch(style[name][1], style[name][0], style[name][0]), name) for name in series]
    legend.append(LegendItem(_swatch("circle", "#59636e", "#59636e"), "filled: an exact figure"))
    if any(p.hedged for p in points):
        legend.append(LegendItem(_swatch("circle", "#ffffff", "#59636e", dashed=True),
                                 "open, dashed: a hedged figure (about, estimated, some, more than…)"))
    if any(p.x_from is not None for p in points):
        legend.append(LegendItem('<svg class="swatch" viewBox="0 0 16 16" width="16" height="16" aria-hidden="true" '
                                 'focusable="false"><line x1="1" x2="15" y1="8" y2="8" stroke="#59636e" '
                                 'stroke-width="3" stroke-opacity="0.5"/></svg>',
                                 "bar: the span of time the figure covers"))
    return Chart("time-series", chart_id, title, "\n".join(out), legend)


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
            offsets[p] = ((i - (len(group) - 1) / 2) * 12, i)
    return offsets


def _series_description(points: Sequence[Point], y_label: str) -> str:
    parts = [p.title or f"{p.text} {y_label} ({p.series}{', hedged' if p.hedged else ''})" for p in points]
    return f"{len(points)} figures: " + "; ".join(parts)


# --------------------------------------------------------------------------- bars


def bar_chart_svg(bars: Sequence[Bar], *, title: str, y_label: str, chart_id: str = "chart") -> Chart:
    """Vertical bars from a zero line: positive values above it, negative values below."""
    left, right = 56, 8
    top = 30 + _title_height(title)
    plot_w, plot_h = WIDTH - left - right, 190
    slot = plot_w / max(1, len(bars))
    wrap = max(6, int(slot / LABEL_CHAR_PX))
    captions = [_caption(bar.label, wrap) for bar in bars]
    height = top + plot_h + 16 + 13 * max((len(c) for c in captions), default=1)
    low, high, step = value_axis([b.value for b in bars], all(float(b.value).is_integer() for b in bars))

    def sy(y: float) -> float:
        return top + plot_h - (y - low) / (high - low) * plot_h

    description = f"{len(bars)} figures: " + "; ".join(b.title or f"{b.label}: {b.text}" for b in bars)
    out = _open(chart_id, title, description, height, "bars")
    _y_axis(out, low, high, step, sy, left, left + plot_w, y_label, top, plot_h)
    zero = sy(0)
    width = min(56.0, slot * 0.6)
    for i, (bar, caption) in enumerate(zip(bars, captions)):
        cx = left + slot * (i + 0.5)
        y0, y1 = sorted((zero, sy(bar.value)))
        kind = "hedged" if bar.hedged else "exact"
        sign = "negative" if bar.value < 0 else "positive"
        colour = COLOURS[1] if bar.value < 0 else COLOURS[0]
        fill = "#ffffff" if bar.hedged else colour
        dash = ' stroke-dasharray="4 3"' if bar.hedged else ""
        out.append(f'<g class="bar {kind} {sign}" data-value="{bar.value:g}">')
        out.append(f"<title>{escape(bar.title or f'{bar.label}: {bar.text}')}</title>")
        out.append(f'<rect x="{cx - width / 2:.1f}" y="{y0:.1f}" width="{width:.1f}" height="{max(y1 - y0, 1):.1f}" '
                   f'fill="{fill}" stroke="{colour}" stroke-width="2"{dash}/>')
        label_y = y1 + 14 if bar.value < 0 else y0 - 5
        out.append(f'<text class="value" x="{cx:.1f}" y="{label_y:.1f}" text-anchor="middle" fill="{INK}">'
                   f'{escape(_short(bar.text, wrap + 4))}</text>')
        out.append(f'<text class="caption" x="{cx:.1f}" y="{top + plot_h + 16}" text-anchor="middle" font-size="11" '
                   f'fill="{INK}">' + "".join(f'<tspan x="{cx:.1f}" dy="{0 if n == 0 else 13}">{escape(line)}</tspan>'
                                              for n, line in enumerate(caption)) + "</text>")
        out.append("</g>")
    out.append("</svg>")
    legend = []
    if any(b.value >= 0 for b in bars):
        legend.append(LegendItem(_bar_swatch(COLOURS[0], False), "a figure above zero"))
    if any(b.value < 0 for b in bars):
        legend.append(LegendItem(_bar_swatch(COLOURS[1], False), "a figure below zero (a cut, a fall)"))
    if any(b.hedged for b in bars):
        legend.append(LegendItem(_bar_swatch("#59636e", True), "open, dashed: a hedged figure"))
    return Chart("bars", chart_id, title, "\n".join(out), legend)


def _caption(label: str, width: int, lines: int = 4) -> list[str]:
    wrapped = textwrap.wrap(label, width) or [""]
    if len(wrapped) > lines:
        wrapped = wrapped[:lines]
        wrapped[-1] = _short(wrapped[-1] + " …", width)
    return wrapped


def _short(text: str, width: int) -> str:
    return text if len(text) <= width else text[: max(1, width - 1)].rstrip() + "…"


def _bar_swatch(colour: str, hedged: bool) -> str:
    fill = "#ffffff" if hedged else colour
    dash = ' stroke-dasharray="3 2"' if hedged else ""
    return (f'<svg class="swatch" viewBox="0 0 16 16" width="16" height="16" aria-hidden="true" focusable="false">'
            f'<rect x="3" y="2" width="10" height="12" fill="{fill}" stroke="{colour}" stroke-width="2"{dash}/></svg>')


__all__ = ["Bar", "Chart", "LegendItem", "Point", "bar_chart_svg", "nice_step", "time_series_svg", "value_axis"]
