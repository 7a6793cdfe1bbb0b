"""The dataset as a publication: who made it, its licence, version and dates, how to cite it.

What the data says about itself (``graph/dataset.ttl``: the dataset IRI, which is
``public_base``, with its title, licence, creators, version IRI and dates) is the one
place these are stated. From it come:

- :class:`DatasetInfo`, for the footer of every page, the About page and the citation;
- the DCAT description served beside the VoID one (:func:`dcat_triples`): the dataset as
  stated, a ``dcat:Distribution`` per dump and the SPARQL endpoint as a ``dcat:DataService``;
- the schema.org ``Dataset`` embedded in the landing page as JSON-LD (:func:`schema_org`),
  which is what dataset search engines read.

Data without such a description (``nkd serve`` on other files) gets the defaults below.
The licence of the code is not the data's: it is read from the installed distribution's
metadata (``pyproject.toml``'s ``license``).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from importlib import metadata
from typing import Any

from .linked_data import (DEFAULT_LICENSE, DEFAULT_TITLE, DUMP_FORMATS, LinkedData, VoidStats,
                          dump_iri, iri_ref)
from .namespaces import DCAT, DCTERMS, RDF_TYPE, SCHEMA
from .sparql import Term

MEDIA_TYPES = "https://www.iana.org/assignments/media-types/"
SPARQL_PROTOCOL = "https://www.w3.org/TR/sparql11-protocol/"
DISTRIBUTION = "nkd"  # the Python distribution whose metadata names the code's licence
# Readable names and pages of the licences the project uses (SPDX identifiers).
SPDX = {
    "MIT": ("MIT", "https://opensource.org/license/mit"),
    "CC-BY-4.0": ("CC BY 4.0", "https://creativecommons.org/licenses/by/4.0/"),
}


@dataclass
class DatasetInfo:
    """What the footer, the About page and the citation say about the dataset."""

    iri: str
    title: str
    description: str | None
    licence: str
    licence_label: str
    creators: list[str]
    version: str | None
    version_iri: str | None
    issued: str | None
    modified: str | None
    keywords: list[str] = field(default_factory=list)
    code_licences: list[tuple[str, str | None]] = field(default_factory=list)

    @property
    def year(self) -> str | None:
        """The year of the data (of ``modified``, else ``issued``)."""
        date = self.modified or self.issued
        return date[:4] if date else None

    def citation(self) -> str:
        """A citation to copy: authors (year). Title (version) [Data set]. IRI."""
        who = ", ".join(self.creators)
        when = f" ({self.year})" if self.year else ""
        version = f" (version {self.version})" if self.version else ""
        head = f"{who}{when}. " if who else (f"{self.year}. " if self.year else "")
        return f"{head}{self.title}{version} [Data set]. {self.version_iri or self.iri}"

    def bibtex(self) -> str:
        """The same citation as a BibTeX ``@misc`` entry."""
        key = f"nkd{self.year or ''}"
        authors = " and ".join("{" + name + "}" for name in self.creators)
        fields = [("author", "{" + authors + "}" if self.creators else None),
                  ("title", "{{" + self.title + "}}"), ("year", self.year), ("version", self.version),
                  ("url", self.version_iri or self.iri), ("note", "Data set")]
        # Braced twice: BibTeX keeps "The nkd maintainers" one name and the title's capitals.
        body = ",\n".join(f"  {name} = {{{value}}}" if not value.startswith("{") else f"  {name} = {value}"
                          for name, value in fields if value)
        return f"@misc{{{key},\n{body}\n}}"


def code_licences() -> list[tuple[str, str | None]]:
    """(name, page) of the code's licences, from the installed distribution's licence expression.

    The expression covers code and data ("MIT AND CC-BY-4.0"); Creative Commons licences
    are not meant for software (Creative Commons says so), so those are the data's.
    """
    try:
        info = metadata.metadata(DISTRIBUTION)
    except metadata.PackageNotFoundError:
        return []
    expression = info.get("License-Expression") or info.get("License") or ""
    ids = [part.strip("() ") for part in re.split(r"\s+(?:AND|OR|WITH)\s+", expression) if part.strip("() ")]
    return [SPDX.get(spdx, (spdx, None)) for spdx in ids if not spdx.startswith("CC-")]


def dataset_info(ld: LinkedData) -> DatasetInfo:
    """The dataset's description as the data states it (defaults where it says nothing)."""
    ds = iri_ref(ld.base)
    rows = ld.select(f"""SELECT ?p ?o ?label WHERE {{ {ds} ?p ?o
  OPTIONAL {{ ?o rdfs:label|foaf:name ?label }} }}""")

    def values(local: str, namespace: str = DCTERMS) -> list[Term]:
        return [r["o"] for r in rows if r["p"].value == namespace + local]

    def text(local: str, namespace: str = DCTERMS) -> str | None:
        found = values(local, namespace)
        english = [t for t in found if (t.language or "").startswith("en")] or found
        return english[0].value if english else None

    licence = text("license") or DEFAULT_LICENSE
    licence_label = next((r["label"].value for r in rows if r["p"].value == DCTERMS + "license" and "label" in r),
                         next((name for name, page in SPDX.values() if page == licence), licence))
    creators = list(dict.fromkeys(r["label"].value if "label" in r else r["o"].value
                                  for r in rows if r["p"].value == DCTERMS + "creator"))
    return DatasetInfo(
        iri=ld.base, title=text("title") or DEFAULT_TITLE, description=text("description"), licence=licence,
        licence_label=licence_label, creators=creators, version=text("version", DCAT),
        version_iri=text("hasCurrentVersion", DCAT), issued=text("issued"), modified=text("modified"),
        keywords=sorted({t.value for t in values("keyword", DCAT)}), code_licences=code_licences())


# --------------------------------------------------------------------------- DCAT


def dcat_triples(ld: LinkedData, info: DatasetInfo) -> list[tuple[Term, Term, Term]]:
    """The DCAT description: the dataset as the data states it, its dumps and its endpoint."""
    ds = Term("iri", ld.base)
    stated = ld.construct(f"""CONSTRUCT {{ {iri_ref(ld.base)} ?p ?o . ?o ?p2 ?o2 }} WHERE {{
  {iri_ref(ld.base)} ?p ?o
  OPTIONAL {{ ?o ?p2 ?o2 FILTER(?p IN (dcterms:creator, dcterms:publisher, dcterms:license, dcat:hasVersion)) }} }}""")
    out = list(stated)

    def add(s: Term, p: str, o: Term) -> None:
        out.append((s, Term("iri", p), o))

    def iri(value: str) -> Term:
        return Term("iri", value)

    add(ds, RDF_TYPE, iri(DCAT + "Dataset"))
    add(ds, DCTERMS + "title", Term("literal", info.title, language="en"))
    add(ds, DCTERMS + "license", iri(info.licence))
    add(ds, DCTERMS + "bibliographicCitation", Term("literal", info.citation(), language="en"))
    for fmt in DUMP_FORMATS:
        dist = iri(dump_iri(ld.base, fmt))
        add(ds, DCAT + "distribution", dist)
        add(dist, RDF_TYPE, iri(DCAT + "Distribution"))
        add(dist, DCTERMS + "title", Term("literal", f"The whole dataset as {fmt.label}", language="en"))
        add(dist, DCAT + "downloadURL", dist)
        add(dist, DCAT + "accessURL", dist)
        add(dist, DCAT + "mediaType", iri(MEDIA_TYPES + fmt.media_type))
        add(dist, DCTERMS + "format", iri(fmt.iri))  # the format table's W3C format IRI
        add(dist, DCTERMS + "license", iri(info.licence))
    endpoint = iri(f"{ld.base}sparql")
    add(endpoint, RDF_TYPE, iri(DCAT + "DataService"))
    add(endpoint, DCTERMS + "title", Term("literal", "nkd SPARQL endpoint", language="en"))
    add(endpoint, DCAT + "endpointURL", endpoint)
    add(endpoint, DCTERMS + "conformsTo", iri(SPARQL_PROTOCOL))
    add(endpoint, DCAT + "servesDataset", ds)
    add(ds, DCAT + "landingPage", iri(ld.base))  # the same IRI gives people the landing page
    return out


# --------------------------------------------------------------------------- schema.org


def schema_org(info: DatasetInfo, stats: VoidStats, base: str) -> dict[str, Any]:
    """The schema.org ``Dataset`` of the landing page (what Google Dataset Search reads)."""
    people = [{"@type": "Organization", "name": name} for name in info.creators] or None
    data: dict[str, Any] = {
        "@context": SCHEMA,
        "@type": "Dataset",
        "@id": info.iri,
        "name": info.title,
        "description": info.description or info.title,
        "url": info.iri,
        "identifier": info.version_iri or info.iri,
        "version": info.version,
        "license": info.licence,
        "isAccessibleForFree": True,
        "inLanguage": "en",
        "creator": people,
        "publisher": people[0] if people else None,
        "datePublished": info.issued,
        "dateModified": info.modified,
        "keywords": info.keywords or None,
        "creditText": info.citation(),
        "isBasedOn": [source.term.value for source in stats.sources] or None,
        "distribution": [{"@type": "DataDownload", "encodingFormat": fmt.media_type,
                          "contentUrl": dump_iri(base, fmt)} for fmt in DUMP_FORMATS],
    }
    return {key: value for key, value in data.items() if value is not None}


def json_ld_script(data: dict[str, Any]) -> str:
    """JSON for a ``<script type="application/ld+json">``: ``<`` escaped so no text ends the element."""
    return json.dumps(data, ensure_ascii=False, indent=1).replace("<", "\\u003c")


__all__ = ["DatasetInfo", "code_licences", "dataset_info", "dcat_triples", "json_ld_script", "schema_org"]
