"""Figures in words: reading the words a source states a figure with, and showing a figure.

A source states a figure with a hedge: "less than 35,000", "some 225", "a thousand or
two", "over 550", "more than 90%", "the majority". The graph keeps those words verbatim
on the fact (``nkd:statedAs``), beside the number (``sdmx-measure:obsValue``…) and the
hedge (``nkd:qualifier``). :func:`read_figure` reads the words back into a
:class:`Figure` so that validation can check that number and hedge are what the words
say; :func:`figure_words` is the one way every page, chart, table and search result
shows a figure: in the source's words when the graph has them.

Plain Python: no Flask, no RDF library. Written by hand, not with a number-words
package, because the hedges ("some", "just over", "a thousand or two") are the point and
no package reads them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from .namespaces import NKD, SDMX_ATTRIBUTE, SDMX_MEASURE

# The hedges as sources word them -> the local name of their nkd:Qualifiers concept, for
# reading. Longest first, so that "just over" is not read as "over". (No hedge: nkd:Exact.)
HEDGE_PHRASES: tuple[tuple[str, str], ...] = (
    ("just over", "JustOver"),
    ("more than", "MoreThan"),
    ("less than", "LessThan"),
    ("fewer than", "LessThan"),
    ("an estimated", "Estimated"),
    ("the majority", "Majority"),
    ("a majority", "Majority"),
    ("estimated", "Estimated"),
    ("over", "MoreThan"),
    ("above", "MoreThan"),
    ("under", "LessThan"),
    ("below", "LessThan"),
    ("some", "Some"),
    ("about", "About"),
    ("around", "About"),
    ("roughly", "About"),
    ("approximately", "About"),
)

# The words a qualifier puts before a figure when the graph has no words for it, by the
# concept's local name, for showing. Exact figures take none.
QUALIFIER_WORDS = {
    "Exact": "", "About": "about", "Approximate": "about", "Some": "some", "Estimated": "an estimated",
    "MoreThan": "more than", "LowerBound": "more than", "JustOver": "just over", "LessThan": "less than",
    "UpperBound": "less than",
}

# The properties whose values are counts or amounts a source states, with their words in
# nkd:statedAs: validation checks each against its words, pages show each in them.
STATED_PROPERTIES = (SDMX_MEASURE + "obsValue", NKD + "memberCount", NKD + "age", NKD + "victimCount",
                     NKD + "timesShot", NKD + "statedValue")

_UNITS = {w: n for n, w in enumerate(
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen "
    "sixteen seventeen eighteen nineteen".split())}
_TENS = {w: 10 * n for n, w in enumerate("_ _ twenty thirty forty fifty sixty seventy eighty ninety".split()) if w != "_"}
_SCALES = {"hundred": 100, "thousand": 1000, "million": 1_000_000, "billion": 1_000_000_000}
# Words that are a whole figure by themselves: (value, is a percentage).
_WHOLE = {
    "no": (0, False), "none": (0, False), "dozen": (12, False), "all": (100, True), "half": (50, True),
    "double": (2, False), "doubled": (2, False), "twice": (2, False),
    "triple": (3, False), "tripled": (3, False), "treble": (3, False), "trebled": (3, False),
    "quadrupled": (4, False),
}
_DECREASE = {"cut", "cuts", "reduction", "reduced", "decrease", "decreased", "decline", "declined",
             "fell", "fall", "drop", "dropped"}
_TOKEN = re.compile(r"us\$|\$|€|£|%|\d[\d,]*(?:\.\d+)?|\.\d+|[a-z]+")


class FigureError(ValueError):
    """The words state no figure, or more than one."""


@dataclass(frozen=True)
class Figure:
    """What words say about a figure: the hedge, the number (or range), and its kind."""

    qualifier: str                 # local name of the nkd:Qualifiers concept ("Exact", "Some"…)
    value: Decimal | None          # None for words with no number ("the majority")
    upper: Decimal | None = None   # the upper end of a range ("a thousand or two": 2000)
    percent: bool = False          # "%", "percent", "all", "half", "the majority"
    currency: str | None = None    # "$", "€"…
    decrease: bool = False         # "a 31 percent reduction", "cut by 74%"

    def matches(self, value: Decimal | None, qualifier: str | None = None,
                upper: Decimal | None = None) -> str | None:
        """None when a value, hedge and upper bound read from these words; else what differs."""
        if qualifier is not None and qualifier != self.qualifier:
            return f"the words hedge the figure as {self.qualifier}, the graph as {qualifier}"
        if self.value is None:
            if value is not None:
                return f"the words give no number, the graph gives {value}"
            return None
        if value is None:
            return f"the words give {self.value}, the graph gives no value"
        # A decrease is stated as a size ("a 31 percent reduction"): the graph may keep it as
        # the size (31) or as the signed change (-31), never as a signed increase.
        if value != self.value and not (self.decrease and value == -self.value):
            return f"the words give {_plain(self.value)}, the graph gives {_plain(value)}"
        if (upper or None) != (self.upper or None):
            return (f"the words give the range up to {_plain(self.upper)}, the graph {_plain(upper)}"
                    if self.upper is not None else f"the words give no range, the graph an upper bound {_plain(upper)}")
        return None


def read_figure(words: str) -> Figure:
    """The figure some words state: "less than 35,000" is LessThan 35000.

    Reads digits with thousands separators and decimals, "%" and "percent", currency
    signs, number words ("eleven", "sixty-six", "a dozen", "a thousand"), multiples
    ("triple", "tripled"), "all", "half", "no", ranges ("a thousand or two", "10 to 20")
    and the hedges of :data:`HEDGE_PHRASES`. Raises :class:`FigureError` when the words
    state no figure or more than one.
    """
    tokens = _TOKEN.findall(words.replace("\u00a0", " ").replace("-", " ").replace("‑", " ").lower())
    qualifiers: list[str] = []
    numbers: list[tuple[Decimal, int]] = []   # (value, scale of its last word) in order
    joins: list[int] = []                     # indices in numbers after which "or"/"to" joins a range
    percent = decrease = False
    currency = None
    i = 0
    while i < len(tokens):
        phrase = _qualifier_at(tokens, i)
        if phrase:
            qualifiers.append(phrase[1])
            i += phrase[0]
            continue
        token = tokens[i]
        if token in ("us$", "$", "€", "£"):
            currency = "$" if token == "us$" else token
            i += 1
            continue
        number = _number_at(tokens, i)
        if number is not None:
            value, scale, length, is_percent = number
            numbers.append((value, scale))
            percent = percent or is_percent
            i += length
            if i < len(tokens) and tokens[i] == "%":
                percent, i = True, i + 1
            elif i < len(tokens) and tokens[i] == "percent":
                percent, i = True, i + 1
            elif i + 1 < len(tokens) and tokens[i:i + 2] == ["per", "cent"]:
                percent, i = True, i + 2
            continue
        if token in ("or", "to") and numbers and len(numbers) - 1 not in joins:
            joins.append(len(numbers) - 1)
        elif token in _DECREASE:
            decrease = True
        i += 1
    if len(set(qualifiers)) > 1:
        raise FigureError(f"{words!r} has more than one hedge ({', '.join(qualifiers)})")
    qualifier = qualifiers[0] if qualifiers else "Exact"
    if not numbers:
        if qualifier == "Majority":
            return Figure("Majority", None, percent=True)
        raise FigureError(f"{words!r} states no figure")
    if len(numbers) == 2 and joins == [0]:
        (low, low_scale), (high, high_scale) = numbers
        if high < low and low_scale > 1 and high_scale == 1:
            high *= low_scale  # "a thousand or two": two thousand
        if qualifier != "Exact":
            raise FigureError(f"{words!r} hedges a range")
        return Figure("Range", low, high, percent, currency, decrease)
    if len(numbers) > 1:
        raise FigureError(f"{words!r} states more than one figure")
    if qualifier == "Majority":
        raise FigureError(f"{words!r}: 'the majority' takes no number")
    return Figure(qualifier, numbers[0][0], None, percent, currency, decrease)


def _qualifier_at(tokens: list[str], i: int) -> tuple[int, str] | None:
    for phrase, local in HEDGE_PHRASES:
        words = phrase.split()
        if tokens[i:i + len(words)] == words:
            return len(words), local
    return None


def _number_at(tokens: list[str], i: int) -> tuple[Decimal, int, int, bool] | None:
    """(value, scale of the last scale word, tokens used, is a percentage) of a number at i."""
    token = tokens[i]
    if token[0].isdigit() or token[0] == ".":
        try:
            return Decimal(token.replace(",", "")), 1, 1, False
        except InvalidOperation:
            return None
    start = i
    if token in ("a", "an") and i + 1 < len(tokens) and (tokens[i + 1] in _SCALES or tokens[i + 1] == "dozen"):
        i += 1  # "a thousand", "a dozen"
        token = tokens[i]
        if token == "dozen":
            return Decimal(12), 1, 2, False
        return Decimal(_SCALES[token]), _SCALES[token], 2, False
    if token in _WHOLE:
        value, is_percent = _WHOLE[token]
        return Decimal(value), 1, 1, is_percent
    if token in _SCALES:
        return Decimal(_SCALES[token]), _SCALES[token], 1, False  # "an additional thousand or two"
    total = current = 0
    scale = 1
    used = False
    while i < len(tokens):
        token = tokens[i]
        if token in _UNITS:
            current += _UNITS[token]
        elif token in _TENS:
            current += _TENS[token]
        elif token in _SCALES and used:
            factor = _SCALES[token]
            if factor == 100:
                current *= 100
            else:
                total += current * factor
                current = 0
            scale = factor
        elif token == "and" and used and i + 1 < len(tokens) and tokens[i + 1] in _UNITS | _TENS:
            pass  # "two hundred and five"
        else:
            break
        used = True
        i += 1
    if not used:
        return None
    return Decimal(total + current), scale, i - start, False


def _plain(value: Decimal | None) -> str:
    if value is None:
        return "none"
    return format_number(value)


# --------------------------------------------------------------------------- showing


def format_number(value: float | int | Decimal) -> str:
    """A figure as people write it: ``33,523``, ``62.1``, ``-31``."""
    number = Decimal(str(value)) if not isinstance(value, Decimal) else value
    if number == number.to_integral_value():
        return f"{int(number):,}"
    text = f"{number:,f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def qualifier_name(qualifier: str | None) -> str | None:
    """The local name of a qualifier IRI (``…ontology#About`` → ``About``), None for none."""
    if not qualifier:
        return None
    return re.split(r"[#/]", qualifier)[-1]


def is_hedged(qualifier: str | None) -> bool:
    """True for a qualifier other than "exact" (about, estimated, more than, some, the majority…)."""
    name = qualifier_name(qualifier)
    return name is not None and name.lower() not in ("exact", "exactly", "stated")


def figure_words(value: float | int | Decimal | str | None = None, qualifier: str | None = None, *,
                 stated_as: str | None = None, upper_bound: float | int | Decimal | str | None = None,
                 unit: str | None = None) -> str:
    """A figure as a page, chart, table or search result shows it: in its source's words.

    ``stated_as`` (the fact's ``nkd:statedAs``) wins whenever the graph has it: "less than
    35,000", "An additional thousand or two". Otherwise the figure is written from its value,
    hedge (``qualifier``: an IRI or local name of an nkd:Qualifiers or nkd:Proportions
    concept) and upper bound: "about 80", "1,000 to 2,000", "the majority". ``unit`` (an
    IRI, local name or label) adds "%" to percentages and "$" to dollar amounts. Never a
    symbol such as "≈" that a reader has to decode: "≈ 35,000" would read "less than
    35,000" as about 35,000.
    """
    if stated_as and stated_as.strip():
        return " ".join(stated_as.split())  # one line: verbatim words, no-break spaces as spaces
    name = qualifier_name(qualifier)
    if value is None or value == "":
        return "the majority" if name == "Majority" else ""
    unit_name = (qualifier_name(unit) or "").lower()

    def number(amount: float | int | Decimal | str) -> str:
        text = format_number(Decimal(str(amount)))
        if unit_name in ("percent", "%"):
            return text + "%"
        if "dollar" in unit_name:
            return f"${text}" if not text.startswith("-") else f"-${text[1:]}"
        return text

    if name == "Range" or (upper_bound not in (None, "") and Decimal(str(upper_bound)) != Decimal(str(value))):
        return f"{number(value)} to {number(upper_bound)}" if upper_bound not in (None, "") else f"at least {number(value)}"
    if name == "Majority":
        return "the majority"
    words = QUALIFIER_WORDS.get(name or "Exact")
    if words is None:  # a qualifier this table does not know: its name in words
        words = re.sub(r"(?<!^)(?=[A-Z])", " ", name).lower()
    return f"{words} {number(value)}".strip()


def with_unit(words: str, unit_label: str | None) -> str:
    """``words`` followed by the unit's label, unless the words already carry their unit.

    A source's words name their unit themselves ("10 individuals", "23%", "about $500",
    "less than 3 percent") or need none ("about a dozen", "all", "the majority"): a label
    after them would say it twice ("23% percent"). Only a bare number ("1,047", "some
    225") takes the label: "1,047 persons".
    """
    words = words.strip()
    label = unit_after(words, unit_label)
    return f"{words} {label}" if label else words


def unit_after(words: str, unit_label: str | None) -> str | None:
    """The unit label to write after ``words`` (None when they carry their unit): see :func:`with_unit`."""
    words = words.strip()
    if not unit_label or not words or not words[-1].isdigit() or any(sign in words for sign in "%$€£"):
        return None
    return unit_label


def figures_query(iris: list[str]) -> str:
    """A SPARQL SELECT of what :func:`figure_words` needs for each of ``iris`` that states a
    figure: ``?s ?words ?value ?qualifier ?upper ?unit ?proportion`` (IRIs as results give them)."""
    values = " ".join(f"<{iri}>" for iri in iris)
    stated = " ".join(f"<{p}>" for p in STATED_PROPERTIES)
    return f"""SELECT ?s ?words ?value ?qualifier ?upper ?unit ?proportion WHERE {{
  VALUES ?s {{ {values} }}
  {{ ?s <{NKD}statedAs> ?words }} UNION {{ VALUES ?p {{ {stated} }} ?s ?p ?value }}
  OPTIONAL {{ ?s <{NKD}statedAs> ?words }} OPTIONAL {{ VALUES ?p {{ {stated} }} ?s ?p ?value }}
  OPTIONAL {{ ?s <{NKD}qualifier> ?qualifier }} OPTIONAL {{ ?s <{NKD}upperBound> ?upper }}
  OPTIONAL {{ ?s <{SDMX_ATTRIBUTE}unitMeasure> ?unit }} OPTIONAL {{ ?s <{NKD}proportion> ?proportion }}
}}"""


def figure_words_of(row: dict[str, str | None]) -> str:
    """:func:`figure_words` for a row of :func:`figures_query` (values as plain strings)."""
    return figure_words(row.get("value"), row.get("qualifier") or row.get("proportion"), stated_as=row.get("words"),
                        upper_bound=row.get("upper"), unit=row.get("unit"))


__all__ = ["Figure", "FigureError", "HEDGE_PHRASES", "QUALIFIER_WORDS", "STATED_PROPERTIES", "figure_words",
           "figure_words_of", "figures_query", "format_number", "is_hedged", "qualifier_name", "read_figure",
           "unit_after", "with_unit"]
