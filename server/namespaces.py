"""The vocabularies nkd reads and writes, each declared once: its prefix and its namespace.

:data:`VOCABULARIES` is the one table of namespaces. Everything that names one derives
from it: the prefixes of the RDF documents and dumps, the PREFIX lines of the query page
and of the queries the server builds, the names in a validation report, the Service
Description, the Turtle that `nkd sources` writes, and the constants below. nkd's own
namespaces (``nkd:`` for the ontology, ``nkdsh:`` for the shapes) are under
``public_base`` (:func:`own_namespaces`); the shipped files are written under
:data:`BASE`.

It also says how an IRI is written short (:func:`prefixed_name`) and how a literal's
datatype is shown (:func:`datatype_name`), so every page, table and report writes them alike.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Iterable, Mapping


@dataclass(frozen=True)
class Vocabulary:
    """One row of the table: a prefix, its namespace, and whether queries get it unasked."""

    prefix: str
    namespace: str
    # Declared at the top of the query page and of API queries: the vocabularies nkd's
    # documents use. The others only name things in nkd's own descriptions.
    predeclared: bool = True


VOCABULARIES: tuple[Vocabulary, ...] = (
    Vocabulary("rdf", "http://www.w3.org/1999/02/22-rdf-syntax-ns#"),
    Vocabulary("rdfs", "http://www.w3.org/2000/01/rdf-schema#"),
    Vocabulary("owl", "http://www.w3.org/2002/07/owl#"),
    Vocabulary("xsd", "http://www.w3.org/2001/XMLSchema#"),
    Vocabulary("skos", "http://www.w3.org/2004/02/skos/core#"),
    Vocabulary("dcterms", "http://purl.org/dc/terms/"),
    Vocabulary("prov", "http://www.w3.org/ns/prov#"),
    Vocabulary("oa", "http://www.w3.org/ns/oa#"),
    Vocabulary("qb", "http://purl.org/linked-data/cube#"),
    Vocabulary("void", "http://rdfs.org/ns/void#"),
    Vocabulary("sh", "http://www.w3.org/ns/shacl#"),
    Vocabulary("time", "http://www.w3.org/2006/time#"),
    Vocabulary("foaf", "http://xmlns.com/foaf/0.1/"),
    Vocabulary("sdmx-measure", "http://purl.org/linked-data/sdmx/2009/measure#"),
    Vocabulary("sdmx-dimension", "http://purl.org/linked-data/sdmx/2009/dimension#"),
    Vocabulary("sdmx-attribute", "http://purl.org/linked-data/sdmx/2009/attribute#"),
    Vocabulary("org", "http://www.w3.org/ns/org#"),
    Vocabulary("schema", "https://schema.org/"),
    Vocabulary("skosxl", "http://www.w3.org/2008/05/skos-xl#"),
    Vocabulary("dcat", "http://www.w3.org/ns/dcat#"),
    Vocabulary("sem", "http://semanticweb.cs.vu.nl/2009/11/sem/"),
    Vocabulary("sd", "http://www.w3.org/ns/sparql-service-description#"),
    # The text copies' checksums, the ontology's own annotations, the Service Description's
    # result formats and entailment regime, and XPath functions (which pyoxigraph names
    # apart from SPARQL's built-ins): named in documents and reports, not predeclared.
    Vocabulary("spdx", "http://spdx.org/rdf/terms#", predeclared=False),
    Vocabulary("vann", "http://purl.org/vocab/vann/", predeclared=False),
    Vocabulary("formats", "http://www.w3.org/ns/formats/", predeclared=False),
    Vocabulary("ent", "http://www.w3.org/ns/entailment/", predeclared=False),
    Vocabulary("fn", "http://www.w3.org/2005/xpath-functions#", predeclared=False),
)
NAMESPACES: dict[str, str] = {v.prefix: v.namespace for v in VOCABULARIES}

# The namespace base of the shipped files (and the default ``public_base``).
BASE = "https://w3id.org/nkd/"


def own_namespaces(base: str = BASE) -> dict[str, str]:
    """nkd's own namespaces under ``base``: the ontology (``nkd:``) and the shapes (``nkdsh:``).

    Instances keep full IRIs in documents: their slugs hold slashes, which Turtle would escape.
    """
    return {"nkd": f"{base}ontology#", "nkdsh": f"{base}shapes#"}


def prefixes(base: str = BASE, *, every: bool = False) -> dict[str, str]:
    """nkd's namespaces and the predeclared vocabularies (``every``: all of the table), by prefix."""
    return {**own_namespaces(base), **{v.prefix: v.namespace for v in VOCABULARIES if every or v.predeclared}}


def prefix_lines(declared: Mapping[str, str]) -> str:
    """``PREFIX name: <namespace>`` lines, one per prefix."""
    return "".join(f"PREFIX {name}: <{ns}>\n" for name, ns in declared.items())


def prologue(base: str = BASE) -> str:
    """The PREFIX lines of :func:`prefixes`, for a query the server builds."""
    return prefix_lines(prefixes(base))


def nkd_term(base: str, local: str) -> str:
    """The IRI of an ontology term under ``base``: ``nkd_term(base, "textCopy")``."""
    return f"{own_namespaces(base)['nkd']}{local}"


RDF = NAMESPACES["rdf"]
RDFS = NAMESPACES["rdfs"]
OWL = NAMESPACES["owl"]
XSD = NAMESPACES["xsd"]
SKOS = NAMESPACES["skos"]
DCTERMS = NAMESPACES["dcterms"]
PROV = NAMESPACES["prov"]
OA = NAMESPACES["oa"]
QB = NAMESPACES["qb"]
VOID = NAMESPACES["void"]
SH = NAMESPACES["sh"]
TIME = NAMESPACES["time"]
FOAF = NAMESPACES["foaf"]
SDMX_MEASURE = NAMESPACES["sdmx-measure"]
SDMX_DIMENSION = NAMESPACES["sdmx-dimension"]
SDMX_ATTRIBUTE = NAMESPACES["sdmx-attribute"]
ORG = NAMESPACES["org"]
SCHEMA = NAMESPACES["schema"]
DCAT = NAMESPACES["dcat"]
SD = NAMESPACES["sd"]
SPDX = NAMESPACES["spdx"]
W3C_FORMATS = NAMESPACES["formats"]
FN = NAMESPACES["fn"]
NKD = own_namespaces()["nkd"]
NKDSH = own_namespaces()["nkdsh"]

RDF_TYPE = RDF + "type"
XSD_STRING = XSD + "string"
RDF_LANG_STRING = RDF + "langString"

# --------------------------------------------------------------------------- short names

# A local name that SPARQL and Turtle both take without escapes (a conservative subset of
# PN_LOCAL); pages also take slashes, for readable names of instances (``id:event/x``).
_LOCAL_NAME = re.compile(r"(?:[^\W][\w.\-]*(?<!\.))?")
_PAGE_LOCAL_NAME = re.compile(r"[\w.\-/]*")


def longest_first(declared: Mapping[str, str] | Iterable[tuple[str, str]]) -> list[tuple[str, str]]:
    """Prefix and namespace pairs, the longest namespace first (the most specific name wins)."""
    items = declared.items() if isinstance(declared, Mapping) else declared
    return sorted(items, key=lambda item: -len(item[1]))


@lru_cache(maxsize=8)
def known(base: str = BASE) -> tuple[tuple[str, str], ...]:
    """Every prefix of the table and nkd's own under ``base``, longest namespace first."""
    return tuple(longest_first(prefixes(base, every=True)))


def prefixed_name(iri: str, declared: Iterable[tuple[str, str]], *, slashes: bool = False) -> str | None:
    """``prefix:local`` for an IRI in one of the ``declared`` namespaces (give them
    :func:`longest_first`), or None when none fits or the local part would need escapes.

    ``slashes``: a name for people, where ``id:event/x`` reads better than the whole IRI.
    """
    pattern = _PAGE_LOCAL_NAME if slashes else _LOCAL_NAME
    for name, ns in declared:
        if iri.startswith(ns) and pattern.fullmatch(iri[len(ns):]):
            return f"{name}:{iri[len(ns):]}"
    return None


def datatype_name(datatype: str | None, declared: Iterable[tuple[str, str]] | None = None) -> str:
    """How a literal's datatype is shown beside its value, on every page, table and terminal:
    its prefixed name (``xsd:gYear``; ``declared`` as :func:`longest_first` gives them, by
    default :func:`known`), else its IRI; nothing for a plain or language-tagged string,
    whose type goes without saying."""
    if not datatype or datatype in (XSD_STRING, RDF_LANG_STRING):
        return ""
    return prefixed_name(datatype, known() if declared is None else declared) or datatype
