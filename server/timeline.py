"""Time at its real precision: where an event falls, and the timeline of every event.

The graph dates an event by ``nkd:date`` (an ``xsd:gYear``, ``gYearMonth`` or ``date``)
and, when the sources say more or less than a calendar unit, by ``nkd:time``: an OWL-Time
interval such as "late 2011" (a part of a year), "from 2008 to November 2019" (a range
whose ends are known to a year or a month) or "since late 2011" (no end). :func:`resolve`
turns either into a :class:`Span` on a year axis that keeps what is vague: the part of
the span that is certain, the parts that are only known to lie somewhere, and an open
end. Nothing is made more precise than the data: a year is a block a year wide, never a
day in it.

The timeline page draws each event's span as a small SVG strip on one shared axis,
beside the event's date in words and its link, so that the drawing needs no script, the
words wrap on a phone, and a screen reader reads the list.
"""

from __future__ import annotations

import calendar
import math
import re
from dataclasses import dataclass
from typing import Any, Sequence

from .namespaces import RDFS, TIME, nkd_term
from .sparql import Term

RDFS_LABEL = RDFS + "label"
# "late 2011" is the last third of 2011: where in it the sources do not say.
PARTS = {"Early": (0.0, 1 / 3), "Mid": (1 / 3, 2 / 3), "Late": (2 / 3, 1.0)}
_DATE = re.compile(r"^(-?\d{4})(?:-(\d{2})(?:-(\d{2}))?)?")  # an XSD date's year, month and day


@dataclass(frozen=True)
class Span:
    """Where something falls on a year axis (fractional years), with what is vague.

    ``start``–``end`` is the outer extent; ``sure_start``–``sure_end`` the part that
    certainly belongs (empty when ``sure_start >= sure_end``, as for "late 2011", which
    lies somewhere in the last third of the year). ``open_end``: no end is given.
    """

    start: float
    end: float
    sure_start: float
    sure_end: float
    precision: str  # "year", "month", "day", "part of a period", "range", "decade", "after"
    open_end: bool = False

    @property
    def vague(self) -> bool:
        """True when some of the extent is only known to lie somewhere inside it."""
        return self.sure_start > self.start or self.sure_end < self.end or self.open_end


def date_words(term: Term | None) -> str:
    """An XSD date literal in words: ``2019``, ``November 2019``, ``7 November 2019``."""
    if term is None:
        return ""
    match = _DATE.match(term.value)
    if not match:
        return term.value
    year, month, day = match.groups()
    if month is None:
        return year
    name = calendar.month_name[int(month)] if 1 <= int(month) <= 12 else month
    return f"{int(day)} {name} {year}" if day else f"{name} {year}"


def date_span(term: Term | None) -> Span | None:
    """The span of an XSD ``gYear``, ``gYearMonth`` or ``date`` literal, or None."""
    if term is None or term.kind != "literal":
        return None
    match = _DATE.match(term.value)
    if not match:
        return None
    year = int(match.group(1))
    if match.group(2) is None:
        return Span(year, year + 1, year, year + 1, "year")
    month = int(match.group(2))
    start = year + (month - 1) / 12
    if match.group(3) is None:
        return Span(start, start + 1 / 12, start, start + 1 / 12, "month")
    day = start + (int(match.group(3)) - 1) / 365
    return Span(day, day + 1 / 365, day, day + 1 / 365, "day")


def resolve(term: Term | None, view: Any, depth: int = 0) -> Span | None:
    """The :class:`Span` of a date literal or an OWL-Time interval described in ``view``.

    ``view`` is a :class:`~nkd.linked_data.Triples` holding the interval's triples
    (and those of the intervals it refers to); None when the data does not place it.
    """
    if term is None or depth > 8:
        return None
    if term.kind == "literal":
        return date_span(term)

    def one(predicate: str) -> Term | None:
        found = view.objects(term, predicate)
        return found[0] if found else None

    for description in view.objects(term, TIME + "hasDateTimeDescription"):
        year = one_of(view, description, TIME + "year")
        month = one_of(view, description, TIME + "month")
        if year is not None:
            value = year.value + (month.value[1:] if month is not None and month.value.startswith("--") else "")
            return date_span(Term("literal", value))
    begin, end = one(TIME + "hasBeginning"), one(TIME + "hasEnd")
    if begin is not None or end is not None:
        first = _instant(view, begin)
        last = _instant(view, end)
        if first is not None and last is not None:
            return Span(first.start, last.end, first.start, last.end, "decade" if last.end - first.start >= 9 else "range")
    whole = one(TIME + "intervalDuring")
    part = one(_nkd(view, "periodPart"))
    if whole is not None and part is not None:
        outer = resolve(whole, view, depth + 1)
        name = re.split(r"[#/]", part.value)[-1]
        if outer is not None and name in PARTS:
            lo, hi = PARTS[name]
            width = outer.end - outer.start
            start, end = outer.start + lo * width, outer.start + hi * width
            return Span(start, end, end, start, "part of a period")  # no part of it is certain
    starts = [(resolve(t, view, depth + 1), True) for t in view.objects(term, TIME + "intervalStartedBy")]
    starts += [(resolve(t, view, depth + 1), False) for t in view.objects(term, _nkd(view, "beginsWithin"))]
    ends = [(resolve(t, view, depth + 1), True) for t in view.objects(term, TIME + "intervalFinishedBy")]
    ends += [(resolve(t, view, depth + 1), False) for t in view.objects(term, _nkd(view, "endsWithin"))]
    starts = [(s, exact) for s, exact in starts if s is not None]
    ends = [(e, exact) for e, exact in ends if e is not None]
    if starts:
        first, exact_start = starts[0]
        sure_start = first.start if exact_start else first.end
        if ends:
            last, exact_end = ends[0]
            sure_end = last.end if exact_end else last.start
            return Span(first.start, last.end, sure_start, max(sure_start, sure_end), "range")
        return Span(first.start, first.end, sure_start, first.end, "range", open_end=True)
    after = one(TIME + "after")
    if after is not None:
        before = resolve(after, view, depth + 1)
        if before is not None:
            return Span(before.end, before.end, before.end, before.end, "after", open_end=True)
    return None


def one_of(view: Any, subject: Term, predicate: str) -> Term | None:
    """The first object of ``subject`` under ``predicate`` in ``view``, or None."""
    found = view.objects(subject, predicate)
    return found[0] if found else None


def _instant(view: Any, instant: Term | None) -> Span | None:
    if instant is None:
        return None
    for predicate in ("inXSDgYear", "inXSDgYearMonth", "inXSDDate", "inXSDDateTimeStamp", "inXSDDateTime"):
        value = one_of(view, instant, TIME + predicate)
        if value is not None:
            return date_span(value)
    return None


def _nkd(view: Any, local: str) -> str:
    return nkd_term(view.base, local)


# --------------------------------------------------------------------------- the timeline


@dataclass(frozen=True)
class Kind:
    """A group of event classes that share a colour on the timeline."""

    name: str
    colour: str
    classes: tuple[str, ...]  # local names of nkd classes (and their subclasses)


# Colours are dark enough for 3:1 against white (graphics, WCAG 1.4.11). An event of a
# class none of these names falls in the last group.
KINDS: tuple[Kind, ...] = (
    Kind("Leaving, flight and resettlement", "#0b57d0",
         ("Defection", "EscapeAttempt", "Resettlement", "Relocation", "Trafficking", "Detention")),
    Kind("Returns and repatriations", "#b3261e", ("Repatriation", "ReDefection")),
    Kind("Border measures", "#137333", ("BorderMeasure",)),
    Kind("Policy, politics and diplomacy", "#8e24aa",
         ("PolicyShift", "LeadershipChange", "DiplomaticEffort", "ResolutionSponsorship", "Election",
          "ElectionCandidacy", "Investigation", "Announcement")),
    Kind("Trends, crises and reactions", "#5c6670", ()),
)


@dataclass
class Row:
    """One event on the timeline."""

    iri: str
    href: str
    label: str
    types: list[str]
    kind: Kind
    when: str  # the date or period in words
    span: Span | None
    note: str | None = None


@dataclass
class Timeline:
    """Every event, dated ones on an axis grouped by the year they start in, then the undated."""

    years: list[tuple[str, list[Row]]]  # "2019", or "1990s" for a vague part of a decade
    undated: list[Row]
    axis: tuple[int, int]
    kinds: Sequence[Kind] = KINDS
    count: int = 0

    @property
    def rows(self) -> list[Row]:
        """Every row, dated and undated."""
        return [row for _, rows in self.years for row in rows] + self.undated


def build_timeline(events: list[dict[str, Any]], view: Any, local: Any) -> Timeline:
    """Arrange events (dicts of ``iri``, ``label``, ``types`` (labels), ``classes``
    (IRIs, with superclasses), ``date``, ``time``, ``time_label``, ``note``) on a timeline.

    ``view`` holds the triples of the time intervals; ``local`` maps an IRI to its link.
    """
    rows: list[Row] = []
    for event in events:
        time, date = event.get("time"), event.get("date")
        span = resolve(time, view) if time is not None else None
        when = event.get("time_label") if time is not None and event.get("time_label") else ""
        if span is None and date is not None:
            span = date_span(date)
        if not when:
            when = date_words(date) if date is not None else ""
        locals_ = {re.split(r"[#/]", c)[-1] for c in event.get("classes", ())}
        kind = next((k for k in KINDS if locals_ & set(k.classes)), KINDS[-1])
        rows.append(Row(iri=event["iri"], href=local(event["iri"]), label=event["label"], types=event["types"],
                        kind=kind, when=when, span=span, note=event.get("note")))
    dated = sorted((r for r in rows if r.span is not None),
                   key=lambda r: (r.span.start, r.span.end, r.label.lower()))
    undated = sorted((r for r in rows if r.span is None), key=lambda r: r.label.lower())
    years: dict[str, list[Row]] = {}
    for row in dated:
        years.setdefault(_heading(row.span), []).append(row)
    if dated:
        axis = (math.floor(min(r.span.start for r in dated)), math.ceil(max(r.span.end for r in dated)))
    else:
        axis = (2000, 2001)
    if axis[1] - axis[0] < 2:
        axis = (axis[0] - 1, axis[1] + 1)
    return Timeline(list(years.items()), undated, axis, count=len(rows))


def _heading(span: Span) -> str:
    year = math.floor(span.start + 1e-9)
    if span.precision == "part of a period" and span.end - span.start > 1:
        return f"{year - year % 10}s"  # "the mid-1990s" does not start in any year we know
    return str(year)


STRIP_W = 320
STRIP_H = 18


def strip_svg(span: Span, axis: tuple[int, int], colour: str) -> str:
    """A span drawn on the shared axis: solid where certain, pale where vague, an arrow if open."""
    lo, hi = axis

    def x(year: float) -> float:
        return 4 + (year - lo) / (hi - lo) * (STRIP_W - 8)

    parts = [f'<svg class="strip" viewBox="0 0 {STRIP_W} {STRIP_H}" preserveAspectRatio="none" '
             f'aria-hidden="true" focusable="false">',
             f'<line x1="4" x2="{STRIP_W - 4}" y1="{STRIP_H / 2}" y2="{STRIP_H / 2}" stroke="#d0d7de"/>']
    for year in range(lo, hi + 1):
        if year % 5 == 0:
            parts.append(f'<line x1="{x(year):.1f}" x2="{x(year):.1f}" y1="3" y2="{STRIP_H - 3}" stroke="#eaeef2"/>')
    end = x(hi) if span.open_end else x(span.end)
    start = x(span.start)
    width = max(end - start, 2.5)
    vague = ' stroke-dasharray="2 2"' if span.vague else ""
    parts.append(f'<rect class="extent{" vague" if span.vague else ""}" x="{start:.1f}" y="4" width="{width:.1f}" '
                 f'height="{STRIP_H - 8}" fill="{colour}" fill-opacity="{0.3 if span.vague else 1}" stroke="{colour}"'
                 f'{vague}/>')
    if span.sure_end > span.sure_start and span.vague:
        sure = max(x(span.sure_end) - x(span.sure_start), 2.5)
        parts.append(f'<rect class="sure" x="{x(span.sure_start):.1f}" y="4" width="{sure:.1f}" '
                     f'height="{STRIP_H - 8}" fill="{colour}"/>')
    if span.open_end:
        tip = x(hi) + 3
        parts.append(f'<polygon class="open-end" points="{tip - 6:.1f},2 {tip:.1f},{STRIP_H / 2} {tip - 6:.1f},{STRIP_H - 2}" '
                     f'fill="{colour}"/>')
    parts.append("</svg>")
    return "".join(parts)


def axis_svg(axis: tuple[int, int]) -> str:
    """The shared year axis above the strips (years every five or ten years)."""
    lo, hi = axis
    step = 5 if hi - lo <= 40 else 10
    parts = [f'<svg class="strip axis" viewBox="0 0 {STRIP_W} 16" preserveAspectRatio="none" aria-hidden="true" '
             f'focusable="false" font-family="system-ui, sans-serif" font-size="10">']
    for year in range(lo, hi + 1):
        if year % step == 0:
            pos = 4 + (year - lo) / (hi - lo) * (STRIP_W - 8)
            anchor = "start" if pos < 20 else "end" if pos > STRIP_W - 20 else "middle"
            parts.append(f'<text x="{pos:.1f}" y="12" text-anchor="{anchor}" fill="#1b1f24">{year}</text>')
    parts.append("</svg>")
    return "".join(parts)


def swatch_svg(colour: str, vague: bool = False, open_end: bool = False) -> str:
    """A small drawing of a span's mark, for the legend."""
    extra = f'<polygon points="24,3 30,8 24,13" fill="{colour}"/>' if open_end else ""
    pale = vague or open_end
    dash = ' stroke-dasharray="2 2"' if pale else ""
    return (f'<svg class="swatch" viewBox="0 0 32 16" width="32" height="16" aria-hidden="true" focusable="false">'
            f'<rect x="2" y="4" width="{22 if open_end else 28}" height="8" fill="{colour}" '
            f'fill-opacity="{0.3 if pale else 1}" stroke="{colour}"{dash}/>{extra}</svg>')


def precision_words(span: Span | None) -> str:
    """What a reader should know of how precise a date is, in words."""
    if span is None:
        return "not dated by the sources"
    if span.precision == "part of a period":
        return "vague: part of a period"
    if span.open_end:
        return "open: no end given" if span.precision == "range" else "vague: some time after"
    if span.precision == "range":
        return "range, vague ends" if span.vague else "range"
    return span.precision


__all__ = ["KINDS", "Kind", "Row", "Span", "Timeline", "axis_svg", "build_timeline", "date_span", "date_words",
           "precision_words", "resolve", "strip_svg", "swatch_svg"]
