"""Content negotiation: the one place that decides which format a response takes.

Every route (SPARQL results, RDF documents, dumps, pages and errors) calls
:func:`negotiate` with the formats it can produce, in its order of preference.
An explicit ``format`` parameter or file suffix wins over the Accept header.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from typing import Iterable, Sequence

import pyoxigraph as ox
from werkzeug.datastructures import MIMEAccept
from werkzeug.http import parse_accept_header

from .errors import NotAcceptable
from .namespaces import W3C_FORMATS


# The query forms, and the ones whose answer is a table or a graph.
TABLE_FORMS = frozenset({"SELECT", "ASK"})
GRAPH_FORMS = frozenset({"CONSTRUCT", "DESCRIBE"})
ALL_FORMS = TABLE_FORMS | GRAPH_FORMS


# eq=False: each format is one object, compared and hashed by identity (negotiation's
# caches hash tuples of them on every request).
@dataclass(frozen=True, eq=False)
class Format:
    """One row of the format table: a response format nkd offers, and what it is for."""

    name: str  # the `format=` parameter and `--format` value
    media_type: str
    extension: str  # the file suffix, without its dot
    label: str  # for people, on pages and download links
    aliases: tuple[str, ...] = field(default=())  # other media types that name it in Accept
    ox: object = None  # pyoxigraph QueryResultsFormat or RdfFormat, if it has one
    iri: str | None = None  # its W3C format IRI, if it has one
    forms: frozenset[str] = field(default=frozenset())  # the query forms whose answers it serves
    quads: bool = False  # an RDF dataset format: keeps named graphs
    more_suffixes: tuple[str, ...] = field(default=())  # other suffixes of input files in it

    @property
    def content_type(self) -> str:
        """The Content-Type header value: every format nkd writes is text in UTF-8."""
        return f"{self.media_type}; charset=utf-8"

    @property
    def media_types(self) -> tuple[str, ...]:
        """The canonical media type and its aliases."""
        return (self.media_type, *self.aliases)

    @property
    def is_rdf(self) -> bool:
        """True for an RDF syntax (a graph's or a dataset's), which documents and dumps come in."""
        return isinstance(self.ox, ox.RdfFormat)

    @property
    def suffixes(self) -> tuple[str, ...]:
        """Every file suffix (with its dot) of the format, its own first."""
        return tuple(f".{suffix}" for suffix in (self.extension, *self.more_suffixes))


# The format table: one row per format. Everything that lists formats (the choice among
# them, route converters, `--format` choices, the Service Description, Link headers,
# download links, the suffixes of input files) is derived from it, so adding a format is
# one row here. Within a kind, the first row is the default and wins ties in Accept.
FORMATS: tuple[Format, ...] = (
    # Tables: SELECT and ASK results.
    Format("json", "application/sparql-results+json", "srj", "SPARQL JSON", ("application/json",),
           ox.QueryResultsFormat.JSON, W3C_FORMATS + "SPARQL_Results_JSON", TABLE_FORMS),
    Format("xml", "application/sparql-results+xml", "srx", "SPARQL XML", ("application/xml", "text/xml"),
           ox.QueryResultsFormat.XML, W3C_FORMATS + "SPARQL_Results_XML", TABLE_FORMS),
    Format("csv", "text/csv", "csv", "CSV", (), ox.QueryResultsFormat.CSV, W3C_FORMATS + "SPARQL_Results_CSV",
           TABLE_FORMS),
    Format("tsv", "text/tab-separated-values", "tsv", "TSV", (), ox.QueryResultsFormat.TSV,
           W3C_FORMATS + "SPARQL_Results_TSV", TABLE_FORMS),
    # Graphs: CONSTRUCT and DESCRIBE results, documents and dumps.
    Format("turtle", "text/turtle", "ttl", "Turtle", ("application/x-turtle", "application/turtle"),
           ox.RdfFormat.TURTLE, W3C_FORMATS + "Turtle", GRAPH_FORMS, more_suffixes=("turtle",)),
    Format("ntriples", "application/n-triples", "nt", "N-Triples", ("text/plain",), ox.RdfFormat.N_TRIPLES,
           W3C_FORMATS + "N-Triples", GRAPH_FORMS),
    Format("jsonld", "application/ld+json", "jsonld", "JSON-LD", ("application/x-json+ld",), ox.RdfFormat.JSON_LD,
           W3C_FORMATS + "JSON-LD", GRAPH_FORMS),
    Format("rdfxml", "application/rdf+xml", "rdf", "RDF/XML", ("application/xml", "text/xml"), ox.RdfFormat.RDF_XML,
           W3C_FORMATS + "RDF_XML", GRAPH_FORMS, more_suffixes=("owl",)),
    # Datasets: graphs with their named graphs.
    Format("trig", "application/trig", "trig", "TriG", ("application/x-trig",), ox.RdfFormat.TRIG,
           W3C_FORMATS + "TriG", GRAPH_FORMS, quads=True),
    Format("nquads", "application/n-quads", "nq", "N-Quads", ("text/x-nquads",), ox.RdfFormat.N_QUADS,
           W3C_FORMATS + "N-Quads", GRAPH_FORMS, quads=True),
    # For people, and for errors and other answers.
    Format("html", "text/html", "html", "HTML page", ("application/xhtml+xml",), forms=ALL_FORMS),
    Format("text", "text/plain", "txt", "plain text"),
)
_BY_NAME = {fmt.name: fmt for fmt in FORMATS}
# Answers that are not a query's: an error or a table of settings for a program.
PLAIN_JSON = Format("json", "application/json", "json", "JSON")

# Names for the rows code refers to.
JSON, XML, CSV, TSV = _BY_NAME["json"], _BY_NAME["xml"], _BY_NAME["csv"], _BY_NAME["tsv"]
TURTLE, NTRIPLES, JSONLD, RDFXML = _BY_NAME["turtle"], _BY_NAME["ntriples"], _BY_NAME["jsonld"], _BY_NAME["rdfxml"]
TRIG, NQUADS = _BY_NAME["trig"], _BY_NAME["nquads"]
HTML, TEXT = _BY_NAME["html"], _BY_NAME["text"]

# Derived: what each kind of answer can be written in, the default first.
RESULTS_FORMATS: tuple[Format, ...] = tuple(f for f in FORMATS if f.forms == TABLE_FORMS)
GRAPH_FORMATS: tuple[Format, ...] = tuple(f for f in FORMATS if f.forms == GRAPH_FORMS and not f.quads)
DATASET_FORMATS: tuple[Format, ...] = tuple(f for f in FORMATS if f.forms == GRAPH_FORMS and f.quads)
# Every RDF syntax, graphs first (Turtle, the default, first): documents' and dumps' formats.
RDF_SYNTAXES: tuple[Format, ...] = (*GRAPH_FORMATS, *DATASET_FORMATS)
# What a query's answer can be written in, other than a page: `nkd query --format`.
QUERY_FORMATS: tuple[Format, ...] = (*RESULTS_FORMATS, *RDF_SYNTAXES)
ALL_FORMATS: tuple[Format, ...] = FORMATS
# The formats an answer of each query form can take, the default first and the page last.
FORMATS_BY_FORM: dict[str, tuple[Format, ...]] = {
    form: (*(f for f in QUERY_FORMATS if form in f.forms), HTML) for form in sorted(ALL_FORMS)}


def find_format(token: str, offered: Sequence[Format]) -> Format | None:
    """The offered format a ``format`` parameter or file suffix names, if any.

    Accepts a short name (``turtle``), a suffix (``ttl``) or a media type.
    """
    token = token.strip().lower().lstrip(".")
    for fmt in offered:
        if token in (fmt.name, fmt.extension) or token in fmt.media_types:
            return fmt
    return None


def negotiate(accept: str | None, offered: Sequence[Format], explicit: str | None = None) -> Format:
    """Choose the response format from ``offered`` (in the server's order of preference).

    ``explicit`` (a ``format`` parameter or a file suffix) wins when present. Otherwise
    the Accept header is matched per RFC 9110 §12.5.1: each offer takes the quality of
    the most specific media range that matches it, so ``*/*, text/html;q=0`` excludes
    HTML; ties go to the server's order. No Accept header means the first offer.
    Raises :class:`NotAcceptable` listing the offered media types.
    """
    if explicit:
        fmt = find_format(explicit, offered)
        if fmt is None:
            raise NotAcceptable(
                f"format {explicit!r} is not offered here",
                offered=[f.name for f in offered],
                hint=f"Use format= one of: {', '.join(f.name for f in offered)}.",
            )
        return fmt
    if not accept or not accept.strip():
        return offered[0]
    return _best(accept, tuple(offered))


@lru_cache(maxsize=512)  # a few Accept headers meet a few offer lists, again and again
def _best(accept: str, offered: tuple[Format, ...]) -> Format:
    ranges = _parse(accept)
    best: Format | None = None
    best_q = 0.0
    for fmt in offered:
        # Aliases count only when named exactly: `text/*` must not pick XML results
        # through their `text/xml` alias, nor `*/*` revive a format excluded by name.
        q = _quality(ranges, fmt.media_type)
        for alias in fmt.aliases:
            q = max(q, _quality(ranges, alias, exact_only=True))
        if q > best_q:
            best, best_q = fmt, q
    if best is None:
        raise NotAcceptable(
            f"none of the media types this resource offers matches Accept: {accept}",
            offered=[f.media_type for f in offered],
        )
    return best


def prefers_html(accept: str | None) -> bool:
    """True when a client names HTML explicitly (a browser), not through a wildcard."""
    return bool(accept) and any(mr in HTML.media_types and q > 0 for mr, q in _parse(accept))


def error_format(accept: str | None) -> Format:
    """The shape of an error response: HTML for browsers, JSON for programs, text for curl."""
    if prefers_html(accept):
        return HTML
    if accept:
        for media_range, q in _parse(accept):
            if q > 0 and (media_range.endswith("json") or media_range.endswith("+json")):
                return PLAIN_JSON
    return TEXT


# werkzeug parses the header (quoting, parameters); the matching below is our own
# because werkzeug's best_match takes the highest quality of any matching range
# rather than the most specific range's quality, which RFC 9110 requires.
@lru_cache(maxsize=256)  # clients send the same few Accept headers again and again
def _parse(accept: str) -> tuple[tuple[str, float], ...]:
    parsed = parse_accept_header(accept, MIMEAccept)
    return tuple((value.split(";", 1)[0].strip().lower(), quality) for value, quality in parsed)


def _quality(ranges: Iterable[tuple[str, float]], media_type: str, exact_only: bool = False) -> float:
    kind = media_type.split("/", 1)[0]
    best_specificity, best_q = -1, 0.0
    for media_range, q in ranges:
        if media_range == media_type:
            specificity = 2
        elif exact_only:
            continue
        elif media_range == f"{kind}/*":
            specificity = 1
        elif media_range in ("*/*", "*"):
            specificity = 0
        else:
            continue
        if specificity > best_specificity:
            best_specificity, best_q = specificity, q
    return best_q
