"""The server-side SVG charts, drawn from plain points and bars, and the choice of chart by
kind of data (no server needed)."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass, field

from nkd.charts import Bar, Point, bar_chart_svg, nice_step, time_series_svg, value_axis
from nkd.dataset_view import dataset_view
from nkd.sparql import Term

SVG = "{http://www.w3.org/2000/svg}"


def test_time_series_is_wellformed_svg_with_axes_legend_and_marked_hedges():
    points = [Point(2009.5, 2914, "King", "2,914", False),
              Point(2019.5, 1047, "King", "1,047", False),
              Point(2019.5, 1047, "News <b>", "1,047", False),
              Point(2019.5, 33523, "King", "some 33,523", True, x_from=1995.0)]
    chart = time_series_svg(points, title="Arrivals & totals", y_label="Persons", chart_id="chart-7")
    root = ET.fromstring(chart.svg)  # well-formed, with the title escaped
    assert root.find(f"{SVG}title").text == "Arrivals & totals"
    labels = [t.text for t in root.iter(f"{SVG}text") if t.get("class") == "axis-label"]
    assert labels == ["Persons", "Year"]
    groups = [g for g in root.iter(f"{SVG}g") if (g.get("class") or "").startswith("point")]
    assert [g.get("class") for g in groups] == ["point exact"] * 3 + ["point hedged"]
    marker = next(el for el in groups[-1].iter() if el.get("stroke-dasharray"))
    assert marker.get("fill") == "#ffffff"
    assert any(el.get("class") == "period" for el in groups[-1].iter())  # the interval's bar
    legend = " ".join(item.label for item in chart.legend)
    assert "News <b>" in legend and "a hedged figure" in legend and "span of time" in legend


def test_chart_ids_are_unique_and_name_its_title_regression_every_chart_was_chart_title():
    first = time_series_svg([Point(2009.5, 1, "A", "1", False), Point(2010.5, 2, "A", "2", False)],
                            title="One", y_label="Persons", chart_id="chart-1")
    second = bar_chart_svg([Bar("a", 1, "1", False), Bar("b", 2, "2", False)], title="Two", y_label="Percent",
                           chart_id="chart-2")
    ids = []
    for chart in (first, second):
        root = ET.fromstring(chart.svg)
        own = [el.get("id") for el in root.iter() if el.get("id")]
        assert root.get("aria-labelledby") == f"{chart.chart_id}-title {chart.chart_id}-desc"
        assert f"{chart.chart_id}-title" in own and f"{chart.chart_id}-desc" in own
        ids += own
    assert len(ids) == len(set(ids))


def test_charts_hold_nothing_interactive_regression_axe_nested_interactive():
    # A link inside an <svg role="img"> is a focusable control hidden inside an image.
    for chart in (time_series_svg([Point(2009.5, 1, "A", "1", False)], title="t", y_label="p"),
                  bar_chart_svg([Bar("a", -3, "-3", False)], title="t", y_label="p")):
        root = ET.fromstring(chart.svg)
        assert root.get("role") == "img"
        assert not [el for el in root.iter() if el.tag in (f"{SVG}a", "a") or el.get("tabindex")]


def test_bars_stand_on_a_zero_line_with_negative_values_below_it_regression_budget_cuts():
    bars = [Bar("aid for defectors", -31, "-31", False), Bar("the Human Rights Foundation", -93, "-93", False),
            Bar("database", -74, "-74", False), Bar("share", 80, "about 80", True)]
    chart = bar_chart_svg(bars, title="Changes in the March 2018 budget", y_label="Percent", chart_id="c")
    root = ET.fromstring(chart.svg)
    zero = [el for el in root.iter(f"{SVG}line") if el.get("class") == "zero-line"]
    assert len(zero) == 1
    zero_y = float(zero[0].get("y1"))
    drawn = {}
    for group in root.iter(f"{SVG}g"):
        if "bar" in (group.get("class") or "").split():
            rect = group.find(f"{SVG}rect")
            drawn[float(group.get("data-value"))] = (float(rect.get("y")), float(rect.get("height")), group.get("class"))
    for value in (-31, -93, -74):
        y, height, cls = drawn[value]
        assert abs(y - zero_y) < 0.01 and height > 0 and "negative" in cls  # hangs below the line
    assert drawn[-93][1] > drawn[-74][1] > drawn[-31][1]  # longer for a bigger cut
    y, height, cls = drawn[80]
    assert abs(y + height - zero_y) < 0.01 and "hedged" in cls  # stands on the line
    ticks = [float(t.text.replace(",", "")) for g in root.iter(f"{SVG}g") if g.get("class") == "axis y-axis"
             for t in g.iter(f"{SVG}text") if t.get("class") != "axis-label"]
    assert min(ticks) <= -93 and max(ticks) >= 80 and 0 in ticks
    assert any("below zero" in item.label for item in chart.legend)


def test_nice_step_is_round():
    assert nice_step(2914) == 1000
    assert nice_step(63) == 20
    assert nice_step(0) == 1.0
    assert value_axis([-93, -31], integers=True)[1] == 0  # all below zero: the axis tops out at zero


def test_a_chart_of_counts_has_no_fractional_ticks_regression_zero_asylum_grants():
    # The 2019 figure "no North Koreans were granted asylum" alone drew ticks at 0.2, 0.4… persons.
    chart = time_series_svg([Point(2019.5, 0, "A", "0", False)], title="t", y_label="Persons")
    root = ET.fromstring(chart.svg)
    ticks = [t.text for g in root.iter(f"{SVG}g") if g.get("class") == "axis y-axis"
             for t in g.iter(f"{SVG}text") if t.get("class") != "axis-label"]
    assert ticks and all(tick.replace(",", "").isdigit() for tick in ticks), ticks


# --------------------------------------------------------------------------- which chart for which data


@dataclass
class Obs:
    """An observation as :func:`dataset_view` reads one (the fields of linked_data.Observation)."""

    value: float
    period: Term | None
    x: float | None
    series: list[str]
    unit: str = "persons"
    words: str = ""
    hedged: bool = False
    x_from: float | None = None
    period_label: str = ""
    label: str = ""
    href: str = "/id/x"
    sources: list = field(default_factory=list)

    def __post_init__(self):
        self.words = self.words or f"{self.value:g}"
        self.period_label = self.period_label or (self.period.value if self.period else "")


def year(value: str) -> Term:
    return Term("literal", value, "http://www.w3.org/2001/XMLSchema#gYear")


def test_a_series_over_several_periods_is_a_time_series():
    view = dataset_view([Obs(2914, year("2009"), 2009.5, ["South Korea", "arrivals"]),
                         Obs(1047, year("2019"), 2019.5, ["South Korea", "arrivals"])], "Flows")
    assert [c.kind for c in view.charts] == ["time-series"] and not view.figures


def test_a_single_figure_is_a_figure_not_a_one_dot_chart():
    view = dataset_view([Obs(0, year("2019"), 2019.5, ["United States", "asylum grants"])], "Flows")
    assert view.charts == [] and [f.words for f in view.figures] == ["0"]


def test_figures_of_one_period_that_differ_by_what_they_measure_are_bars():
    view = dataset_view([Obs(-31, year("2018"), 2018.5, ["South Korea", "aid for defectors"], unit="percent"),
                         Obs(-93, year("2018"), 2018.5, ["South Korea", "the foundation"], unit="percent"),
                         Obs(-74, year("2018"), 2018.5, ["South Korea", "the database"], unit="percent")], "Budget")
    assert [c.kind for c in view.charts] == ["bars"]
    root = ET.fromstring(view.charts[0].svg)
    captions = ["".join(t.itertext()) for t in root.iter(f"{SVG}text") if t.get("class") == "caption"]
    assert captions == ["aid for defectors", "the foundation", "the database"]  # what differs, not the area
    assert "South Korea" in view.charts[0].title


def test_totals_over_spans_and_yearly_figures_are_never_on_one_axis():
    span = Term("iri", "https://w3id.org/nkd/id/time/1990s-mid-to-2019")
    view = dataset_view([Obs(2914, year("2009"), 2009.5, ["arrivals"]), Obs(1047, year("2019"), 2019.5, ["arrivals"]),
                         Obs(33523, span, 2019.5, ["arrivals"], x_from=1995.0),
                         Obs(35000, span, 2020.1, ["arrivals"], x_from=1995.0)], "Flows")
    assert len(view.charts) == 2
    values = [sorted(float(g.get("data-value")) for g in ET.fromstring(c.svg).iter(f"{SVG}g")
                     if g.get("data-value")) for c in view.charts]
    assert values == [[1047, 2914], [33523, 35000]]
