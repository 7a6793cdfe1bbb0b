"""Plain words for the properties a page shows: a label, the group it goes in, its inverse.

An entity page groups what it says (what, when, where, who, linked facts, notes) and
labels each property in words a reader knows ("period", not ``sdmx-dimension:refPeriod``);
the IRI stays on hover. A link that points *at* the page's entity is read from the
entity's side ("is the claimant of", "is quantified by"), not with the label of the
forward property, which would read backwards.

Labels of nkd's own terms come from the ontology (the data), so a term added there
reads right at once; this table adds the words for other vocabularies and says, for
every property, which group it belongs in and how its inverse reads. A property missing
here is shown under "Other" with its label, and its inverse reads "is {label} of".
"""

from __future__ import annotations

from dataclasses import dataclass

from .namespaces import (DCAT, DCTERMS, FOAF, OA, ORG, OWL, PROV, QB, RDF, RDFS, SCHEMA, SDMX_ATTRIBUTE,
                         SDMX_DIMENSION, SDMX_MEASURE, SKOS, TIME, VOID, own_namespaces)

GROUPS = ("What", "When", "Where", "Who", "Linked facts", "Source", "Notes", "Other")

NKD = "nkd:"  # expanded against public_base by :func:`wording`


@dataclass(frozen=True)
class Wording:
    """How a page words one property."""

    group: str
    label: str | None  # None: the label the data gives the property
    inverse: str | None  # how a link pointing at the entity reads; None: "is {label} of"


def _w(group: str, label: str | None = None, inverse: str | None = None) -> Wording:
    return Wording(group, label, inverse)


# One row per property: its group, its plain label (for terms of other vocabularies)
# and how a link along it reads from the object's side.
WORDING: dict[str, Wording] = {
    RDF + "type": _w("What", "kind", "is the kind of"),
    NKD + "variable": _w("What", None, "is the variable of"),
    NKD + "population": _w("What", None, "is the population counted in"),
    QB + "dataSet": _w("What", "dataset", "holds the figure"),
    QB + "structure": _w("What", "structure", "is the structure of"),
    NKD + "direction": _w("What", None, "is the direction of"),
    NKD + "claimKind": _w("What", None, "is the kind of"),
    NKD + "certainty": _w("What", None, "is the certainty of"),
    NKD + "qualifier": _w("What", None, "is the qualifier of"),
    NKD + "motivation": _w("What", None, "is the motivation of"),
    NKD + "route": _w("What", None, "is the route of"),
    NKD + "budgetLine": _w("What", None, "is the budget line of"),
    NKD + "holdingStatus": _w("What", None, "is the holding status of"),
    NKD + "resolutionStatus": _w("What", None, "is the resolution status of"),
    NKD + "politicalLeaning": _w("What", None, "is the political leaning of"),
    NKD + "offence": _w("What", None, "is the offence of"),
    NKD + "statement": _w("What"),
    NKD + "purpose": _w("What"),
    NKD + "outcome": _w("What"),
    SDMX_MEASURE + "obsValue": _w("What", "figure"),
    SDMX_ATTRIBUTE + "unitMeasure": _w("What", "unit", "is the unit of"),
    SKOS + "broader": _w("What", "broader term", "is a broader term of"),
    SKOS + "inScheme": _w("What", "in scheme", "holds the term"),
    SCHEMA + "gender": _w("What", "gender", "is the gender of"),
    SCHEMA + "about": _w("What", "about", "is the subject of"),
    NKD + "date": _w("When"),
    NKD + "time": _w("When", None, "is the time of"),
    SDMX_DIMENSION + "refPeriod": _w("When", "period", "is the period of"),
    NKD + "publicationTime": _w("When", None, "is the publication time of"),
    NKD + "publicationTimeStatus": _w("When", None, "is the publication time status of"),
    NKD + "approximatePublicationYear": _w("When"),
    NKD + "resolvedTime": _w("When", None, "is the resolved time of"),
    NKD + "periodPart": _w("When", None, "is the part of period of"),
    NKD + "beginsWithin": _w("When", None, "contains the beginning of"),
    NKD + "endsWithin": _w("When", None, "contains the end of"),
    TIME + "intervalDuring": _w("When", "during", "contains"),
    TIME + "intervalContains": _w("When", "contains", "is during"),
    TIME + "intervalStartedBy": _w("When", "starts with", "starts"),
    TIME + "intervalFinishedBy": _w("When", "ends with", "ends"),
    TIME + "after": _w("When", "after", "is before"),
    TIME + "hasBeginning": _w("When", "beginning"),
    TIME + "hasEnd": _w("When", "end"),
    ORG + "memberDuring": _w("When", "member during", "is the time of membership of"),
    NKD + "place": _w("Where", None, "is the place of"),
    NKD + "fromPlace": _w("Where", None, "is the starting place of"),
    NKD + "toPlace": _w("Where", None, "is the destination of"),
    SDMX_DIMENSION + "refArea": _w("Where", "area", "is the area of"),
    NKD + "jurisdiction": _w("Where", None, "is the jurisdiction of"),
    NKD + "postLocation": _w("Where", None, "is the post location of"),
    NKD + "containedIn": _w("Where", None, "contains"),
    SCHEMA + "homeLocation": _w("Where", "home", "is the home of"),
    NKD + "performedBy": _w("Who", None, "performed"),
    NKD + "actor": _w("Who", None, "is an actor in"),
    NKD + "affected": _w("Who", None, "is affected by"),
    NKD + "claimant": _w("Who", None, "is the claimant of"),
    NKD + "addressee": _w("Who", None, "is the addressee of"),
    NKD + "nationality": _w("Who", None, "is the nationality of"),
    NKD + "occupation": _w("Who", None, "is the occupation of"),
    NKD + "memberOf": _w("Who", None, "has as member"),
    NKD + "party": _w("Who", None, "is the party of"),
    NKD + "legislature": _w("Who", None, "is the legislature of"),
    NKD + "election": _w("Who", None, "is the election of"),
    DCTERMS + "creator": _w("Who", "author", "is the author of"),
    DCTERMS + "publisher": _w("Who", "publisher", "is the publisher of"),
    SCHEMA + "publisher": _w("Who", "publisher", "is the publisher of"),
    SCHEMA + "provider": _w("Who", "provider", "is the provider of"),
    SCHEMA + "parent": _w("Who", "parent", "is a parent of"),
    SCHEMA + "children": _w("Who", "child", "is a child of"),
    ORG + "member": _w("Who", "member", "is a member in"),
    ORG + "organization": _w("Who", "organisation", "is the organisation of"),
    ORG + "role": _w("Who", "role", "is the role in"),
    ORG + "headOf": _w("Who", "head of", "is headed by"),
    ORG + "subOrganizationOf": _w("Who", "part of", "has as part"),
    NKD + "follows": _w("Linked facts", None, "is followed by"),
    NKD + "contributedTo": _w("Linked facts", None, "was contributed to by"),
    NKD + "subEventOf": _w("Linked facts", None, "has as part"),
    NKD + "reverses": _w("Linked facts", None, "is reversed by"),
    NKD + "quantifiedBy": _w("Linked facts", None, "gives the size of"),
    NKD + "conflictsWith": _w("Linked facts", None, "conflicts with"),
    NKD + "corroborates": _w("Linked facts", None, "is corroborated by"),
    NKD + "concerns": _w("Linked facts", None, "is the subject of"),
    NKD + "comparedWith": _w("Linked facts", None, "is compared with"),
    NKD + "anchor": _w("Linked facts", None, "is the anchor of"),
    NKD + "basis": _w("Linked facts", None, "is the basis of"),
    NKD + "expression": _w("Linked facts", None, "is the expression of"),
    NKD + "usedBy": _w("Linked facts", None, "uses"),
    NKD + "resolution": _w("Linked facts", None, "is the resolution of"),
    NKD + "dateInference": _w("Linked facts", None, "gives the date of"),
    NKD + "sponsored": _w("Linked facts", None, "was sponsored in"),
    OWL + "sameAs": _w("Linked facts", "same as", "same as"),
    NKD + "source": _w("Source", None, "is the source of"),
    PROV + "wasDerivedFrom": _w("Source", "source", "is the source of"),
    NKD + "statedIn": _w("Source", None, "states"),
    NKD + "inSource": _w("Source", None, "holds the expression"),
    NKD + "textCopy": _w("Source"),
    NKD + "responseTo": _w("Source", None, "has the response"),
    NKD + "image": _w("Source", None, "is shown with"),
    NKD + "citation": _w("Source"),
    NKD + "section": _w("Source"),
    NKD + "creditText": _w("Source"),
    SCHEMA + "isPartOf": _w("Source", "part of", "includes"),
    DCTERMS + "title": _w("Source", "title"),
    DCTERMS + "language": _w("Source", "language"),
    RDFS + "comment": _w("Notes", "note"),
    SKOS + "definition": _w("Notes", "definition"),
    DCTERMS + "description": _w("Notes", "description"),
    SCHEMA + "description": _w("Notes", "description"),
    SKOS + "altLabel": _w("Notes", "also called"),
    SKOS + "prefLabel": _w("Notes", "name"),
    RDFS + "label": _w("Notes", "name"),
    FOAF + "name": _w("Notes", "name"),
    OA + "hasBody": _w("Source", "states", "is quoted by"),
}


# Plain names of classes of other vocabularies that have no label in the data.
CLASS_LABELS: dict[str, str] = {
    QB + "Observation": "observation (a figure)",
    QB + "DataSet": "statistical dataset",
    QB + "DataStructureDefinition": "dataset structure",
    OA + "Annotation": "annotation (a quote)",
    TIME + "ProperInterval": "period of time",
    TIME + "DateTimeInterval": "calendar period",
    TIME + "Instant": "instant",
    DCAT + "Dataset": "dataset",
    VOID + "Dataset": "dataset",
    FOAF + "Organization": "organisation",
    DCTERMS + "RightsStatement": "rights statement",
    DCTERMS + "LicenseDocument": "licence",
}


def wording(predicate: str, base: str) -> Wording | None:
    """The :class:`Wording` of ``predicate``, with nkd's namespace under ``base``; None if unknown."""
    nkd = own_namespaces(base)["nkd"]
    if predicate.startswith(nkd):
        return WORDING.get(NKD + predicate[len(nkd):])
    return WORDING.get(predicate)


def inverse_phrase(predicate: str, label: str, base: str) -> str:
    """How a link along ``predicate`` reads from its object's side: "is the claimant of"."""
    found = wording(predicate, base)
    if found is not None and found.inverse:
        return found.inverse
    return f"is {label} of"


__all__ = ["CLASS_LABELS", "GROUPS", "WORDING", "Wording", "inverse_phrase", "wording"]
