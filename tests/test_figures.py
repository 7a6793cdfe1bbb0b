"""Reading the words a figure is stated with, showing a figure in them, and the hedged value
ranges the conflict check compares (server/figures.py, server/conflicts.py)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from nkd.conflicts import Bounds, Figure, ValueRange, candidate_pairs, disagreement, rounding_unit, value_range
from nkd.figures import FigureError, figure_words, read_figure, with_unit


@pytest.mark.parametrize(("words", "qualifier", "value", "upper", "percent"), [
    ("1,047", "Exact", "1047", None, False),
    ("62.1 percent", "Exact", "62.1", None, True),
    ("cut by 74%", "Exact", "74", None, True),
    ("US$1,720", "Exact", "1720", None, False),
    ("less than 35,000", "LessThan", "35000", None, False),
    ("less than 3 percent", "LessThan", "3", None, True),
    ("some 225", "Some", "225", None, False),
    ("an estimated 31,000", "Estimated", "31000", None, False),
    ("around 80%", "About", "80", None, True),
    ("about a dozen", "About", "12", None, False),
    ("about $500", "About", "500", None, False),
    ("over 550", "MoreThan", "550", None, False),
    ("more than 90%", "MoreThan", "90", None, True),
    ("just over 21%", "JustOver", "21", None, True),
    ("An additional thousand or two", "Range", "1000", "2000", False),
    ("a thousand or two", "Range", "1000", "2000", False),
    ("10 to 20", "Range", "10", "20", False),
    ("eleven", "Exact", "11", None, False),
    ("sixty-six", "Exact", "66", None, False),
    ("two hundred and five", "Exact", "205", None, False),
    ("sixteen", "Exact", "16", None, False),
    ("five times", "Exact", "5", None, False),
    ("six-year old", "Exact", "6", None, False),
    ("triple", "Exact", "3", None, False),
    ("tripled", "Exact", "3", None, False),
    ("half", "Exact", "50", None, True),
    ("all", "Exact", "100", None, True),
    ("no North Koreans", "Exact", "0", None, False),
    ("the majority", "Majority", None, None, True),
])
def test_read_figure(words, qualifier, value, upper, percent):
    figure = read_figure(words)
    assert figure.qualifier == qualifier
    assert figure.value == (Decimal(value) if value else None)
    assert figure.upper == (Decimal(upper) if upper else None)
    assert figure.percent is percent


def test_a_decrease_is_read_as_its_size_and_may_be_kept_signed():
    figure = read_figure("a 31 percent reduction")
    assert figure.decrease and figure.value == 31
    assert figure.matches(Decimal(-31), "Exact") is None
    assert figure.matches(Decimal(31), "Exact") is None
    assert read_figure("31 percent").matches(Decimal(-31), "Exact") is not None


def test_matches_names_what_differs():
    figure = read_figure("some 553")
    assert figure.matches(Decimal(553), "Some") is None
    assert "hedge" in figure.matches(Decimal(553), "Exact")
    assert "553" in figure.matches(Decimal(535), "Some")
    assert "range" in read_figure("a thousand or two").matches(Decimal(1000), "Range", None)


@pytest.mark.parametrize("words", ["the highest", "some or other", "63 and 1,047", "about more than 5", "the majority of 60%"])
def test_words_that_state_no_single_figure_are_refused(words):
    with pytest.raises(FigureError):
        read_figure(words)


@pytest.mark.parametrize(("kwargs", "shown"), [
    ({"value": 35000, "qualifier": "https://w3id.org/nkd/ontology#LessThan", "stated_as": "less than 35,000"},
     "less than 35,000"),
    ({"value": 1000, "qualifier": "Range", "upper_bound": 2000, "stated_as": "An additional thousand or two"},
     "An additional thousand or two"),
    ({"stated_as": "less\u00a0than  35,000"}, "less than 35,000"),   # one line, no-break spaces as spaces
    ({"value": 35000, "qualifier": "LessThan"}, "less than 35,000"),
    ({"value": 3, "qualifier": "UpperBound"}, "less than 3"),
    ({"value": 80, "qualifier": "About", "unit": "https://w3id.org/nkd/ontology#Percent"}, "about 80%"),
    ({"value": 1000, "qualifier": "Range", "upper_bound": 2000}, "1,000 to 2,000"),
    ({"value": 1720, "unit": "USDollarsPerMonth"}, "$1,720"),
    ({"value": Decimal("62.1"), "qualifier": "Exact", "unit": "percent"}, "62.1%"),
    ({"value": None, "qualifier": "Majority"}, "the majority"),
    ({"value": 31000, "qualifier": "Estimated"}, "an estimated 31,000"),
])
def test_figure_words(kwargs, shown):
    assert figure_words(**kwargs) == shown
    assert "≈" not in figure_words(**kwargs)


@pytest.mark.parametrize(("value", "unit"), [("35000", "1000"), ("553", "1"), ("62.1", "0.1"), ("80", "10"), ("0", "1")])
def test_rounding_unit(value, unit):
    assert rounding_unit(Decimal(value)) == Decimal(unit)


def test_hedged_values_allow_what_their_words_allow():
    some = value_range(Decimal(35000), "Some")
    assert (some.lo, some.hi) == (34500, 35500)
    less = value_range(Decimal(35000), "LessThan")
    assert less.meets(some) and not less.meets(ValueRange(Decimal(35000), Decimal(35000)))
    assert not value_range(Decimal(33523), "Some").meets(some)
    assert value_range(None, "Majority").meets(ValueRange(Decimal(60), Decimal(60)))
    assert not value_range(None, "Majority").meets(ValueRange(Decimal(50), Decimal(50)))
    assert value_range(Decimal(550), "MoreThan").meets(value_range(Decimal(553), "Some"))
    assert not value_range(Decimal(31000), "Estimated").can_reach(value_range(Decimal(33523), "Some"))


def _figure(name: str, bounds: Bounds, value: int, qualifier: str = "Exact", period: object = None) -> Figure:
    key = ("arrivals", "defectors", "south-korea", "https://w3id.org/nkd/ontology#Persons")
    return Figure(name, key, period or name, bounds, value_range(Decimal(value), qualifier), name, name)


def test_only_figures_whose_periods_meet_are_compared():
    """An annual series costs its length: 3,000 years apart give no pair; a total over all
    of them pairs with each, and catches the year it cannot contain."""
    years = [_figure(f"year-{y}", Bounds(y, y, y + 1, y + 1), 100) for y in range(3000)]
    assert candidate_pairs(years) == []
    total = _figure("total", Bounds(0, 0, 3000, 3000), 250_000, "Some")
    pairs = candidate_pairs(years + [total])
    assert len(pairs) == 3000
    big_year = _figure("year-big", Bounds(10, 10, 11, 11), 400_000, period="year-10")
    reasons = [disagreement(a, b) for a, b in candidate_pairs(years + [total, big_year])]
    assert sum(1 for r in reasons if r and "contains" in r) == 1


@pytest.mark.parametrize("words, unit, shown", [
    ("1,047", "persons", "1,047 persons"),
    ("some 225", "persons", "some 225 persons"),
    ("10 individuals", "persons", "10 individuals"),  # regression: "10 individuals persons"
    ("23%", "percent", "23%"),  # regression: "23% percent"
    ("about $500", "US dollars", "about $500"),
    ("about a dozen", "persons", "about a dozen"),
    ("all", "percent", "all"),
    ("1,047", None, "1,047"),
])
def test_a_figure_takes_its_units_label_only_when_its_words_lack_one(words, unit, shown):
    assert with_unit(words, unit) == shown
