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


@dataclass(frozen=True)
class Format:
    """A response format: its short name, media type, file suffix and serializer."""

    name: str
    media_type: str
    extension: str
    label: str
    aliases: tuple[str, ...] = field(default=())
    ox: object = None  # pyoxigraph QueryResultsFormat or RdfFormat, if it has one

    @property
    def content_type(self) -> str:
        """The Content-Type header value (with charset for textual types)."""
        if self.media_type.startswith("text/") or self.media_type.endswith(("+json", "+xml")) \
                or self.media_type in TEXTUAL:
            return f"{self.media_type}; charset=utf-8"
        return self.media_type

    @property
    def media_types(self) -> tuple[str, ...]:
        """The canonical media type and its aliases."""
        return (self.media_type, *self.aliases)


TEXTUAL = {"application/n-triples", "application/n-quads", "application/trig",
           "application/ld+json", "application/rdf+xml", "application/json"}

# SELECT / ASK results.
JSON = Format("json", "application/sparql-results+json", "srj", "SPARQL JSON",
              ("application/json",), ox.QueryResultsFormat.JSON)
XML = Format("xml", "application/sparql-results+xml", "srx", "SPARQL XML",
             ("application/xml", "text/xml"), ox.QueryResultsFormat.XML)
CSV = Format("csv", "text/csv", "csv", "CSV", (), ox.QueryResultsFormat.CSV)
TSV = Format("tsv", "text/tab-separated-values", "tsv", "TSV", (), ox.QueryResultsFormat.TSV)

# RDF graphs and datasets.
TURTLE = Format("turtle", "text/turtle", "ttl", "Turtle",
                ("application/x-turtle", "application/turtle"), ox.RdfFormat.TURTLE)
NTRIPLES = Format("ntriples", "application/n-triples", "nt", "N-Triples",
                  ("text/plain",), ox.RdfFormat.N_TRIPLES)
JSONLD = Format("jsonld", "application/ld+json", "jsonld", "JSON-LD",
                ("application/x-json+ld",), ox.RdfFormat.JSON_LD)
RDFXML = Format("rdfxml", "application/rdf+xml", "rdf", "RDF/XML",
                ("application/xml", "text/xml"), ox.RdfFormat.RDF_XML)
NQUADS = Format("nquads", "application/n-quads", "nq", "N-Quads",
                ("text/x-nquads",), ox.RdfFormat.N_QUADS)
TRIG = Format("trig", "application/trig", "trig", "TriG",
              ("application/x-trig",), ox.RdfFormat.TRIG)

# For people and for errors.
HTML = Format("html", "text/html", "html", "HTML page", ("application/xhtml+xml",))
TEXT = Format("text", "text/plain", "txt", "plain text")
PLAIN_JSON = Format("json", "application/json", "json", "JSON")

RESULTS_FORMATS: tuple[Format, ...] = (JSON, XML, CSV, TSV)
GRAPH_FORMATS: tuple[Format, ...] = (TURTLE, NTRIPLES, JSONLD, RDFXML)
DATASET_FORMATS: tuple[Format, ...] = (TRIG, NQUADS)
ALL_FORMATS: tuple[Format, ...] = (*RESULTS_FORMATS, *GRAPH_FORMATS, *DATASET_FORMATS, HTML, TEXT)


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
