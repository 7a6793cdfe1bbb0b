"""The whole dataset as one file per format (``/dumps/nkd.{ttl,nt,nq,trig,jsonld,rdf}``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..namespaces import prefixes
from ..negotiation import RDF_SYNTAXES, Format

if TYPE_CHECKING:
    from .service import LinkedData

# A dump in every RDF syntax of the format table.
DUMP_FORMATS: tuple[Format, ...] = RDF_SYNTAXES
DUMP_NAME = "nkd"


def dump_iri(base: str, fmt: Format) -> str:
    """The IRI of the dump of the whole dataset in ``fmt``."""
    return f"{base}dumps/{DUMP_NAME}.{fmt.extension}"


def build_dump(ld: "LinkedData", fmt: Format) -> bytes:
    """The whole dataset behind ``ld`` in ``fmt``: N-Quads and TriG keep the named graphs,
    the others hold their union. The engine writes it (the embedded store natively, a
    remote store a graph at a time), with the prefixes of the namespace table."""
    return ld.engine.dump(fmt, prefixes=prefixes(ld.base))
