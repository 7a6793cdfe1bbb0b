"""A figure in words: how every page shows a number a source states.

The source's own words come first: an observation's ``nkd:statedAs`` holds the words
that state the figure with its hedge ("less than 35,000", "some 225"). Data without
them is shown as the value with its qualifier in plain words ("about 80", "an
estimated 31,000", "1,000 to 2,000"), never with a symbol such as "≈" that a reader
has to decode.
"""

from __future__ import annotations

import re

# The words a qualifier of the ontology's qualifier scheme puts before a figure, by the
# concept's local name. Exact figures take none.
QUALIFIER_WORDS = {
    "Exact": "",
    "About": "about",
    "Approximate": "about",
    "Some": "some",
    "Estimated": "an estimated",
    "MoreThan": "more than",
    "LowerBound": "more than",
    "JustOver": "just over",
    "LessThan": "less than",
    "UpperBound": "less than",
}


def format_number(value: float) -> str:
    """A figure as people write it: ``33,523``, ``62.1``, ``-31``."""
    if value == int(value):
        return f"{int(value):,}"
    return f"{value:,.2f}".rstrip("0").rstrip(".")


def qualifier_name(qualifier: str | None) -> str | None:
    """The local name of a qualifier IRI (``…ontology#About`` → ``About``), None for none."""
    if not qualifier:
        return None
    return re.split(r"[#/]", qualifier)[-1]


def figure_words(value: float, qualifier: str | None = None, *, stated_as: str | None = None,
                 upper_bound: float | None = None) -> str:
    """The figure as a reader should see it: the source's words if the data has them.

    ``qualifier`` is the IRI (or local name) of the figure's hedge; ``upper_bound`` the
    upper end of a range ("a thousand or two" is 1,000 with an upper bound of 2,000).
    """
    if stated_as and stated_as.strip():
        return stated_as.strip()
    number = format_number(value)
    name = qualifier_name(qualifier)
    if name == "Range" or (upper_bound is not None and upper_bound != value):
        return f"{number} to {format_number(upper_bound)}" if upper_bound is not None else f"at least {number}"
    if name == "Majority":
        return f"the majority (more than {number})"
    if name is None:
        return number
    words = QUALIFIER_WORDS.get(name)
    if words is None:  # a qualifier this table does not know: its name in words
        words = re.sub(r"(?<!^)(?=[A-Z])", " ", name).lower()
    return f"{words} {number}".strip()


def is_hedged(qualifier: str | None) -> bool:
    """True for a qualifier other than "exact" (about, estimated, more than, some…)."""
    name = qualifier_name(qualifier)
    return name is not None and name.lower() not in ("exact", "exactly", "stated")


__all__ = ["QUALIFIER_WORDS", "figure_words", "format_number", "is_hedged", "qualifier_name"]
