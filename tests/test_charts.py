"""The server-side SVG chart, drawn from plain points (no server needed)."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from server.charts import Point, nice_step, time_series_svg

SVG = "{http://www.w3.org/2000/svg}"


def test_chart_is_wellformed_svg_with_axes_legend_and_marked_hedges():
    points = [Point(2009.5, 2914, "King", "2,914", False, "/id/obs/a"),
              Point(2019.5, 1047, "King", "1,047", False),
              Point(2019.5, 1047, "News <b>", "1,047", False),
              Point(2019.5, 33523, "King", "some 33,523", True, x_from=1995.0)]
    svg = time_series_svg(points, title="Arrivals & totals", y_label="Persons")
    root = ET.fromstring(svg)  # well-formed, with the title escaped
    assert root.find(f"{SVG}title").text == "Arrivals & totals"
    labels = [t.text for t in root.iter(f"{SVG}text") if t.get("class") == "axis-label"]
    assert labels == ["Persons", "Year"]
    groups = [g for g in root.iter(f"{SVG}g") if (g.get("class") or "").startswith("point")]
    assert [g.get("class") for g in groups] == ["point exact"] * 3 + ["point hedged"]
    hedged = groups[-1]
    marker = next(el for el in hedged.iter() if el.get("stroke-dasharray"))
    assert marker.get("fill") == "#ffffff"
    legend = "".join(t.text or "" for t in root.iter(f"{SVG}text"))
    assert "News <b>" in legend and "a hedged figure" in legend
    assert any(el.get("class") == "period" for el in hedged.iter())  # the interval's bar


def test_two_sources_for_one_year_do_not_overlap():
    svg = time_series_svg([Point(2019.5, 1047, "A", "1,047", False), Point(2019.5, 1047, "B", "1,047", False)],
                          title="t", y_label="Persons")
    root = ET.fromstring(svg)
    xs = {el.get("cx") or el.get("x") for g in root.iter(f"{SVG}g") if (g.get("class") or "").startswith("point")
          for el in g if el.tag in (f"{SVG}circle", f"{SVG}rect")}
    assert len(xs) == 2


def test_nice_step_is_round():
    assert nice_step(2914) == 1000
    assert nice_step(63) == 20
    assert nice_step(0) == 1.0


def test_a_chart_of_counts_has_no_fractional_ticks_regression_zero_asylum_grants():
    # The 2019 figure "no North Koreans were granted asylum" alone drew ticks at 0.2, 0.4… persons.
    svg = time_series_svg([Point(2019.5, 0, "A", "0", False)], title="t", y_label="Persons")
    root = ET.fromstring(svg)
    ticks = [t.text for g in root.iter(f"{SVG}g") if g.get("class") == "axis y-axis"
             for t in g.iter(f"{SVG}text") if t.get("class") != "axis-label"]
    assert ticks and all(tick.replace(",", "").isdigit() for tick in ticks), ticks
