"""How a statistical dataset's page shows its observations: which chart for which figures.

The kind of data decides (see :mod:`nkd.charts`): a series with figures for more
than one period is a time series; figures of one period that differ by what they
measure (the shares of a cohort, the cuts of a budget) are bars around a zero line; a
figure alone is shown as a figure in words. Totals over a span of time ("since the
1950s") and figures for a year are never drawn on the same axis: a total of 33,523 would
flatten a yearly 1,047 to nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Sequence

from .charts import Bar, Chart, Point, bar_chart_svg, time_series_svg
from .figures import unit_after, with_unit


@dataclass
class Figure:
    """A figure shown on its own, in words, with what it counts, when and who says so."""

    words: str
    unit: str
    label: str
    period_label: str
    what: str
    hedged: bool
    href: str | None
    sources: list[Any] = field(default_factory=list)


@dataclass
class DatasetView:
    """What a dataset page draws: its charts and its single figures."""

    charts: list[Chart]
    figures: list[Figure]


def _is_span(obs: Any) -> bool:
    # A period given by an interval node rather than a calendar year or month.
    return obs.period is not None and obs.period.kind != "literal"


def dataset_view(observations: Sequence[Any], title: str) -> DatasetView:
    """Choose a chart or a figure for every observation of a dataset (see the module's doc)."""
    series: dict[tuple, list[Any]] = {}
    # A figure with no number ("the majority") has no place on an axis: it is shown in words.
    wordless = [_figure(obs) for obs in observations if obs.value is None]
    for obs in observations:
        if obs.value is not None:
            series.setdefault((*obs.series, obs.unit, _is_span(obs)), []).append(obs)
    charts: list[Chart] = []
    rest: list[Any] = []
    for key, members in series.items():
        placed = [o for o in members if o.x is not None]
        if len({round(o.x, 3) for o in placed}) > 1:
            charts.append(_time_series(key, placed, title, f"chart-{len(charts) + 1}"))
        else:
            rest.extend(members)
    by_period: dict[tuple[str, str], list[Any]] = {}
    for obs in rest:
        by_period.setdefault((obs.unit, obs.period_label), []).append(obs)
    figures: list[Figure] = wordless
    for (unit, period), members in by_period.items():
        if len(members) > 1:
            charts.append(_bars(members, unit, period, title, f"chart-{len(charts) + 1}"))
        else:
            figures.append(_figure(members[0]))
    return DatasetView(charts, figures)


def _source_labels(obs: Any) -> list[str]:
    return [s.label for s in obs.sources] or ["(no source)"]


def _time_series(key: tuple, members: list[Any], title: str, chart_id: str) -> Chart:
    *dims, unit, span = key
    points = [Point(x=o.x, y=o.value, series=source, text=o.words, hedged=o.hedged, x_from=o.x_from,
                    title=f"{with_unit(o.words, o.unit)}, {o.period_label} ({source})")
              for o in members for source in _source_labels(o)]
    # Dimensions come in qb:order (area, population, variable…); the most specific reads best first.
    name = " · ".join(reversed(dims)) or title
    if span:
        name += " (totals over spans of time)"
    return time_series_svg(points, title=name, y_label=unit.capitalize() if unit else "Value", chart_id=chart_id)


def _bars(members: list[Any], unit: str, period: str, title: str, chart_id: str) -> Chart:
    width = max(len(o.series) for o in members)
    columns = [[o.series[i] if i < len(o.series) else "" for o in members] for i in range(width)]
    differing = [i for i, column in enumerate(columns) if len(set(column)) > 1]
    common = [columns[i][0] for i in range(width) if i not in differing and columns[i][0]]
    bars = []
    for obs in members:
        parts = [obs.series[i] for i in reversed(differing) if i < len(obs.series)]
        label = " · ".join(parts) or ", ".join(_source_labels(obs))
        bars.append(Bar(label=label, value=obs.value, text=obs.words, hedged=obs.hedged,
                        title=f"{label}: {with_unit(obs.words, obs.unit)}, {obs.period_label} ({', '.join(_source_labels(obs))})"))
    name = " · ".join(reversed(common)) or title
    return bar_chart_svg(bars, title=f"{name}, {period}", y_label=unit.capitalize() if unit else "Value",
                         chart_id=chart_id)


def _figure(obs: Any) -> Figure:
    return Figure(words=obs.words, unit=unit_after(obs.words, obs.unit) or "", label=obs.label or obs.words, period_label=obs.period_label,
                  what=" · ".join(reversed(obs.series)), hedged=obs.hedged, href=obs.href, sources=list(obs.sources))


__all__ = ["DatasetView", "Figure", "dataset_view"]
