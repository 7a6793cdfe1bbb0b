"""Which figures cannot both be true: periods, hedged values, and the rules that compare them.

Two observations are compared when they measure the same variable of the same
population in the same area and unit, whatever their sources (a source can contradict
itself). A figure is read as the range of values its hedge allows (:func:`value_range`),
a period as the range of its possible starts and ends (:class:`PeriodReader`), and a pair
cannot both be true (:func:`disagreement`) when

- their periods may be the same period, as precisely as the sources date them (each
  start could be the other's, and each end), yet their value ranges do not meet; or
- one period certainly contains the other, the figures count people or organisations
  (counts that can only grow with the period), yet the longer period's largest possible
  count is below the shorter one's smallest.

A hedged round figure stands for the values that round to it at its last non-zero
digit: "some 35,000" is 34,500 to 35,500, "an estimated 31,000" 30,500 to 31,500.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache

import pyoxigraph as ox

from .namespaces import NKD, TIME, XSD

INF = Decimal("Infinity")

# Units whose figures count things over a period, and so can only grow with it.
ADDITIVE_UNITS = {NKD + "Persons", NKD + "Organizations"}
# Where "early", "mid" and "late" fall in the period they divide.
_PARTS = {NKD + "Early": (0, 1), NKD + "Mid": (1, 2), NKD + "Late": (2, 3)}


@dataclass(frozen=True)
class Bounds:
    """When a period may start and end, in fractional years; None where the sources do not say."""

    start_lo: float | None
    start_hi: float | None
    end_lo: float | None
    end_hi: float | None

    @property
    def known(self) -> bool:
        """Both ends placed, however vaguely."""
        return None not in (self.start_lo, self.start_hi, self.end_lo, self.end_hi)

    def may_equal(self, other: "Bounds") -> bool:
        """Whether the two may be one period: each start could be the other's, and each end."""
        return (self.known and other.known
                and self.start_lo <= other.start_hi and other.start_lo <= self.start_hi
                and self.end_lo <= other.end_hi and other.end_lo <= self.end_hi)

    def contains(self, other: "Bounds") -> bool:
        """Whether this period certainly contains the other (starts no later, ends no earlier)."""
        return (self.known and other.known
                and self.start_hi <= other.start_lo and self.end_lo >= other.end_hi
                and (self.start_hi < other.start_lo or self.end_lo > other.end_hi))

    @property
    def span(self) -> tuple[float, float] | None:
        """The earliest start and latest end: where the period lies, at most."""
        return (self.start_lo, self.end_hi) if self.known else None


UNKNOWN = Bounds(None, None, None, None)


class PeriodReader:
    """Reads OWL-Time intervals and XSD year, month and date literals into :class:`Bounds`."""

    def __init__(self, store: ox.Store) -> None:
        self.store = store
        self.bounds = lru_cache(maxsize=None)(self._bounds)

    def _one(self, subject: object, predicate: str) -> object | None:
        quad = next(self.store.quads_for_pattern(subject, ox.NamedNode(predicate), None, None), None)
        return quad.object if quad is not None else None

    def _bounds(self, term: object, depth: int = 0) -> Bounds:
        if depth > 20:
            return UNKNOWN
        if isinstance(term, ox.Literal):
            return _literal_bounds(term)
        description = self._one(term, TIME + "hasDateTimeDescription")
        if description is not None:
            year = self._one(description, TIME + "year")
            month = self._one(description, TIME + "month")
            if isinstance(year, ox.Literal):
                if isinstance(month, ox.Literal) and month.value.startswith("--"):
                    return _literal_bounds(ox.Literal(f"{year.value}-{month.value[2:4]}",
                                                      datatype=ox.NamedNode(XSD + "gYearMonth")))
                return _literal_bounds(year)
        start_lo = start_hi = end_lo = end_hi = None
        beginning = self._instant(self._one(term, TIME + "hasBeginning"))
        end = self._instant(self._one(term, TIME + "hasEnd"))
        if beginning:
            start_lo, start_hi = beginning
        if end:
            end_lo, end_hi = end
        during = self._one(term, TIME + "intervalDuring")
        if during is not None:
            outer = self.bounds(during, depth + 1)
            if outer.known:
                lo, hi = outer.start_lo, outer.end_hi
                part = self._one(term, NKD + "periodPart")
                if part is not None and part.value in _PARTS:
                    first, last = _PARTS[part.value]
                    lo, hi = lo + (hi - lo) * first / 3, lo + (hi - lo) * last / 3
                    return Bounds(lo, lo, hi, hi)
                start_lo = start_lo if start_lo is not None else lo
                start_hi = start_hi if start_hi is not None else hi
                end_lo = end_lo if end_lo is not None else lo
                end_hi = end_hi if end_hi is not None else hi
        start = self._edge(term, NKD + "beginsWithin", TIME + "intervalStartedBy", depth)
        if start:
            start_lo, start_hi = start
        end = self._edge(term, NKD + "endsWithin", TIME + "intervalFinishedBy", depth)
        if end:
            end_lo, end_hi = end
        return Bounds(start_lo, start_hi, end_lo, end_hi)

    def _edge(self, term: object, within: str, shared: str, depth: int) -> tuple[float, float] | None:
        """When an interval starts (or ends): anywhere in a period it begins (ends) ``within``, or
        when the interval it ``shared`` its start (end) with does (time:intervalStartedBy/FinishedBy)."""
        found = None
        for predicate in (within, shared):
            other = self._one(term, predicate)
            inner = self.bounds(other, depth + 1) if other is not None else UNKNOWN
            if not inner.known:
                continue
            if predicate == within:
                found = (inner.start_lo, inner.end_hi)
            elif predicate.endswith("StartedBy"):
                found = (inner.start_lo, inner.start_hi)
            else:
                found = (inner.end_lo, inner.end_hi)
        return found

    def _instant(self, instant: object | None) -> tuple[float, float] | None:
        if instant is None:
            return None
        for predicate in ("inXSDgYear", "inXSDgYearMonth", "inXSDDate"):
            value = self._one(instant, TIME + predicate)
            if isinstance(value, ox.Literal):
                bounds = _literal_bounds(value)
                return (bounds.start_lo, bounds.end_hi) if bounds.known else None
        return None


def _literal_bounds(literal: ox.Literal) -> Bounds:
    text = literal.value
    try:
        if literal.datatype.value == XSD + "gYear":
            year = int(text[:4] if not text.startswith("-") else text[:5])
            return Bounds(year, year, year + 1, year + 1)
        if literal.datatype.value == XSD + "gYearMonth":
            year, month = int(text[:4]), int(text[5:7])
            return Bounds(year + (month - 1) / 12, year + (month - 1) / 12, year + month / 12, year + month / 12)
        if literal.datatype.value == XSD + "date":
            year, month, day = int(text[:4]), int(text[5:7]), int(text[8:10])
            start = year + (month - 1) / 12 + (day - 1) / 365
            return Bounds(start, start, start + 1 / 365, start + 1 / 365)
    except ValueError:
        pass
    return UNKNOWN


# --------------------------------------------------------------------------- values


@dataclass(frozen=True)
class ValueRange:
    """The values a hedged figure allows: from ``lo`` to ``hi``, each end open or closed."""

    lo: Decimal
    hi: Decimal
    lo_open: bool = False
    hi_open: bool = False

    def meets(self, other: "ValueRange") -> bool:
        """Whether some value lies in both ranges."""
        if self.lo > other.hi or other.lo > self.hi:
            return False
        if self.lo == other.hi and (self.lo_open or other.hi_open):
            return False
        if other.lo == self.hi and (other.lo_open or self.hi_open):
            return False
        return True

    def can_reach(self, other: "ValueRange") -> bool:
        """Whether some value of this range is at least some value of the other."""
        if self.hi > other.lo:
            return True
        return self.hi == other.lo and not (self.hi_open or other.lo_open)


def rounding_unit(value: Decimal) -> Decimal:
    """One unit of the last non-zero digit: 1000 for 35,000, 1 for 553, 0.1 for 62.1."""
    value = abs(value)
    if value == 0:
        return Decimal(1)
    exponent = value.normalize().as_tuple().exponent
    return Decimal(1).scaleb(exponent)


def value_range(value: Decimal | None, qualifier: str, upper: Decimal | None = None) -> ValueRange | None:
    """The values a figure allows, from its hedge (local name of an nkd:Qualifiers concept)."""
    if qualifier == "Majority":
        return ValueRange(Decimal(50), Decimal(100), lo_open=True)
    if value is None:
        return None
    if qualifier == "Range" and upper is not None:
        return ValueRange(value, upper)
    if qualifier in ("About", "Some", "Estimated", "Approximate"):
        half = rounding_unit(value) / 2
        return ValueRange(value - half, value + half)
    if qualifier in ("MoreThan", "LowerBound"):
        return ValueRange(value, INF, lo_open=qualifier == "MoreThan")
    if qualifier == "JustOver":
        return ValueRange(value, value + rounding_unit(value), lo_open=True)
    if qualifier in ("LessThan", "UpperBound"):
        return ValueRange(min(Decimal(0), value) if value >= 0 else -INF, value, hi_open=qualifier == "LessThan")
    return ValueRange(value, value)


@dataclass(frozen=True)
class Figure:
    """One observation as the conflict rules see it."""

    node: object            # the observation (a pyoxigraph term)
    key: tuple              # variable, population, area, unit
    period: object          # the refPeriod term
    bounds: Bounds
    values: ValueRange
    words: str              # how messages name it: its stated words, or its value
    period_words: str


def candidate_pairs(figures: list[Figure]) -> list[tuple[Figure, Figure]]:
    """The pairs of one variable's figures that :func:`disagreement` need look at, each once
    (ordered by IRI within the pair): those for one period term, and those whose periods'
    spans overlap. Figures whose periods lie apart can break neither rule, so an annual
    series costs its length, not its square.
    """
    def ordered(a: Figure, b: Figure) -> tuple[Figure, Figure]:
        return (a, b) if str(a.node) < str(b.node) else (b, a)

    pairs: dict[tuple[str, str], tuple[Figure, Figure]] = {}
    by_period: dict[object, list[Figure]] = {}
    for figure in figures:
        by_period.setdefault(figure.period, []).append(figure)
    for same in by_period.values():
        for i, a in enumerate(same):
            for b in same[i + 1:]:
                pair = ordered(a, b)
                pairs[(str(pair[0].node), str(pair[1].node))] = pair
    placed = sorted((f for f in figures if f.bounds.known), key=lambda f: f.bounds.span[0])
    active: list[Figure] = []
    for figure in placed:
        start = figure.bounds.span[0]
        active = [other for other in active if other.bounds.span[1] > start]  # touching: apart
        for other in active:
            pair = ordered(other, figure)
            pairs[(str(pair[0].node), str(pair[1].node))] = pair
        active.append(figure)
    return [pairs[key] for key in sorted(pairs)]


def may_be_one_period(a: Figure, b: Figure) -> bool:
    """Whether two figures may be for one period: the same period term, or bounds that may coincide."""
    return a.period == b.period or a.bounds.may_equal(b.bounds)


def disagreement(a: Figure, b: Figure) -> str | None:
    """Why two figures of one variable, population, area and unit cannot both be true, or None."""
    if a.key != b.key:
        return None
    if may_be_one_period(a, b) and not a.values.meets(b.values):
        same = "the same period" if a.period == b.period else f"periods that may be the same ({a.period_words}; {b.period_words})"
        return f"{a.words} and {b.words} for {same} cannot both be true"
    if a.key[3] in ADDITIVE_UNITS:
        for longer, shorter in ((a, b), (b, a)):
            if longer.bounds.contains(shorter.bounds) and not longer.values.can_reach(shorter.values):
                return (f"{longer.period_words} contains {shorter.period_words}, yet {longer.words} "
                        f"is fewer than {shorter.words}")
    return None


__all__ = ["ADDITIVE_UNITS", "Bounds", "Figure", "PeriodReader", "ValueRange", "candidate_pairs", "disagreement",
           "may_be_one_period", "rounding_unit", "value_range"]
