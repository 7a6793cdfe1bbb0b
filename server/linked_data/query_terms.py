"""IRIs and strings put into the text of a query the server builds, checked first.

pyoxigraph validates each, so a value from a request (a path, a search word) can never
change what the query means.
"""

from __future__ import annotations

import pyoxigraph as ox

from ..errors import NotFound


def iri_ref(iri: str) -> str:
    """``<iri>`` for a query text; :class:`NotFound` for a string that is no valid IRI."""
    try:
        return str(ox.NamedNode(iri))
    except ValueError:
        raise NotFound(f"{iri} is not an IRI this server publishes") from None


def sparql_string(text: str) -> str:
    """A SPARQL string literal holding ``text`` exactly (for user input in a query)."""
    return str(ox.Literal(text))
