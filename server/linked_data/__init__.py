"""Linked Data: what an IRI of the graph describes, the documents, the statistics, the VoID and the dumps.

The package is split by what each part holds; :class:`LinkedData` (``service``) is the one
object the pages, the VoID, the command line and the Python API ask, and it runs every
query through the engine, so all of it works over the embedded store and a remote one alike.

- ``paths``: where an IRI lives on this server, and :func:`link`, the one way to link one;
- ``query_terms``: IRIs and strings checked before they go into a query's text;
- ``view``: triples indexed for pages (:class:`Triples`), values with labels and links;
- ``describe``: the description of a resource (one CONSTRUCT) and its page model;
- ``documents``: whole documents (``/ontology``, ``/shapes``) arranged by kind of term;
- ``statistics``: the observations of a ``qb:DataSet``;
- ``void``: the VoID counts and triples; ``dumps``: the whole dataset in each format;
- ``serialize``: triples written in an RDF format with the prefixes they use.
"""

from __future__ import annotations

from .describe import MAX_INCOMING, Description, Quote, describe_query, description
from .documents import Document, DocTerm, document_model
from .dumps import DUMP_FORMATS, DUMP_NAME, dump_iri
from .paths import iri_for_path, link, local_path, split_suffix
from .query_terms import iri_ref, sparql_string
from .serialize import RDF_FORMATS, serialize_triples
from .service import LinkedData
from .statistics import Observation, year_position
from .view import DEFINITIONS, LABELS, Property, Triples, Value, label_rank, row_value
from .void import DEFAULT_LICENSE, DEFAULT_TITLE, VoidStats, dataset_iri, void_description

__all__ = [
    "DEFAULT_LICENSE", "DEFAULT_TITLE", "DEFINITIONS", "DUMP_FORMATS", "DUMP_NAME", "Description", "DocTerm",
    "Document", "LABELS", "LinkedData", "MAX_INCOMING", "Observation", "Property", "Quote",
    "RDF_FORMATS", "Triples", "Value", "VoidStats", "dataset_iri", "describe_query", "description",
    "document_model", "dump_iri", "iri_for_path", "iri_ref", "label_rank", "link", "local_path", "row_value",
    "serialize_triples", "sparql_string", "split_suffix", "void_description", "year_position",
]
