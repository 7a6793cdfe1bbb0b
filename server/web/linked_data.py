"""Linked Data: dereferenceable IRIs, pages for people, dumps and the VoID description.

Every IRI under ``public_base`` answers here: a request for ``/id/event/x`` on any host
stands for ``{public_base}id/event/x``. Content negotiation (the one :func:`negotiate`)
picks Turtle, N-Triples, JSON-LD, RDF/XML or an HTML page; the answer is a ``200`` with
``Content-Location`` naming the document in that format (``/id/event/x.ttl``), which
is also fetchable directly. Every answer carries ``Vary: Accept``.
"""

from __future__ import annotations

from typing import Callable, Sequence
from urllib.parse import quote

from flask import Blueprint, Flask, Response, current_app, redirect, render_template, request, url_for

from ..browse import BROWSE_KINDS, class_instances, count_kinds
from ..catalog import dataset_info, json_ld_script, schema_org
from ..dataset_view import dataset_view
from ..entity_view import entity_view
from ..errors import NotFound
from ..examples import examples
from ..linked_data import (DUMP_FORMATS, DUMP_NAME, RDF_FORMATS, LinkedData, dump_iri,
                           describe_query, iri_for_path, link, serialize_triples, split_suffix)
from ..namespaces import QB, datatype_name, known
from ..negotiation import HTML, Format, negotiate
from . import caching

bp = Blueprint("linked_data", __name__)

PAGE_FORMATS: tuple[Format, ...] = (*RDF_FORMATS, HTML)
PAGE_SUFFIXES = tuple(f.extension for f in PAGE_FORMATS)


def suffix_converter(formats: Sequence[Format]) -> str:
    """The route part ``<any(ttl, nt, …):suffix>`` that takes the file suffix of each format."""
    return f"<any({', '.join(f.extension for f in formats)}):suffix>"


PAGE_SUFFIX = suffix_converter(PAGE_FORMATS)
QB_DATASET = QB + "DataSet"


@bp.after_request
def vary_on_accept(response: Response) -> Response:
    """Every answer here may differ by Accept (pages, RDF, errors), so caches must key on it."""
    response.vary.add("Accept")
    return response


def get_ld() -> LinkedData:
    """The app's :class:`LinkedData` (one per process: it caches the VoID counts and dumps)."""
    return ld_of(current_app)


def ld_of(app: Flask) -> LinkedData:
    """:func:`get_ld` for a given app, for code that runs outside an app context."""
    ld = app.extensions.get("nkd-linked-data")
    if ld is None:
        state = app.extensions["nkd"]
        ld = LinkedData(state.engine, state.settings, state.data_version)
        app.extensions["nkd-linked-data"] = ld
    return ld


def choose_format(offered: Sequence[Format], suffix: str | None) -> Format:
    """The negotiated format of this request; a file suffix wins over the Accept header."""
    return negotiate(request.headers.get("Accept"), offered, suffix)


def _alternates(path: str, offered: Sequence[Format]) -> str:
    return ", ".join(f'<{path}.{f.extension}>; rel="alternate"; type="{f.media_type}"' for f in offered)


def publish(body: Callable[[], bytes | str], fmt: Format, path: str, suffix: str | None,
            offered: Sequence[Format] = PAGE_FORMATS, location: str | None = None) -> Response:
    """A 200 for a negotiated document, with Content-Location, Vary, alternate links and validators.

    ``body`` is called only when the client's copy is not current: a 304 costs no query.
    """
    headers = [("Link", _alternates(path, offered))]
    if location or suffix is None:
        headers.append(("Content-Location", location or f"{path}.{fmt.extension}"))
    return caching.conditional(caching.validators_for(fmt.content_type), headers,
                               lambda: Response(body(), content_type=fmt.content_type))


def format_links(path: str, offered: Sequence[Format] = RDF_FORMATS) -> list[tuple[str, str, str]]:
    """(label, href, media type) of each RDF document of a resource, for the page's links."""
    return [(f.label, f"{path}.{f.extension}", f.media_type) for f in offered]


def query_link(text: str) -> str:
    """A link to the query page with ``text`` filled in."""
    return "/sparql?query=" + quote(text, safe="")


# --------------------------------------------------------------------------- landing page


@bp.get("/")
def landing() -> Response:
    """What nkd is, with counts from the data; RDF clients get the VoID description."""
    fmt = choose_format((HTML, *RDF_FORMATS), None)
    ld = get_ld()
    if fmt is not HTML:
        return publish(lambda: serialize_triples(ld.void_triples(), fmt, ld.base), fmt, "/.well-known/void", None)

    def page() -> str:
        stats = ld.stats()
        return render_template("landing.html", stats=stats, datasets=ld.datasets(), kinds=BROWSE_KINDS,
                               counts=count_kinds(ld), examples=examples()[:6], dumps=_dump_links(),
                               document_formats=RDF_FORMATS,
                               query_link=query_link,
                               json_ld=json_ld_script(schema_org(dataset_info(ld), stats, ld.base)))

    return publish(page, HTML, "/.well-known/void", None, RDF_FORMATS, location="/")


# --------------------------------------------------------------------------- VoID


@bp.get("/.well-known/void")
@bp.get(f"/.well-known/void.{PAGE_SUFFIX}")
def void(suffix: str | None = None) -> Response:
    """The VoID description of the dataset, computed from the data."""
    fmt = choose_format(PAGE_FORMATS, suffix)
    ld = get_ld()

    def body() -> bytes | str:
        triples = ld.void_triples()
        if fmt is HTML:
            return render_template("void.html", stats=ld.stats(), base=ld.base, dumps=_dump_links(),
                                   turtle=serialize_triples(triples, RDF_FORMATS[0], ld.base).decode("utf-8"),
                                   formats=format_links("/.well-known/void"))
        return serialize_triples(triples, fmt, ld.base)

    return publish(body, fmt, "/.well-known/void", suffix)


# --------------------------------------------------------------------------- ontology and shapes


@bp.get("/ontology")
@bp.get(f"/ontology.{PAGE_SUFFIX}")
def ontology(suffix: str | None = None) -> Response:
    """The whole ontology; for people, documentation of every class and property."""
    return _document("ontology", suffix, "Ontology")


@bp.get("/shapes")
@bp.get(f"/shapes.{PAGE_SUFFIX}")
def shapes(suffix: str | None = None) -> Response:
    """The whole SHACL shapes graph; for people, every shape and its constraints."""
    return _document("shapes", suffix, "Shapes")


def _document(name: str, suffix: str | None, heading: str) -> Response:
    # pyLODE would document the ontology too, but it is heavy and fetches remote
    # vocabularies; a template over the same triples the RDF documents hold does the job.
    fmt = choose_format(PAGE_FORMATS, suffix)
    ld = get_ld()
    iri = ld.base + name

    def body() -> bytes | str:
        triples = ld.document_triples(iri)
        if fmt is not HTML:
            return serialize_triples(triples, fmt, ld.base)
        instances = class_instances(ld) if name == "ontology" else {}
        return render_template("document.html", doc=ld.document(iri, triples), heading=heading,
                               path=f"/{name}", formats=format_links(f"/{name}"), instances=instances)

    return publish(body, fmt, f"/{name}", suffix)


# --------------------------------------------------------------------------- dumps


def _dump_links() -> list[tuple[Format, str]]:
    return [(f, f"/dumps/{DUMP_NAME}.{f.extension}") for f in DUMP_FORMATS]


@bp.get("/dumps/")
def dumps_index() -> str:
    """The list of dumps of the whole dataset."""
    return render_template("dumps.html", dumps=_dump_links(), base=get_ld().base)


@bp.get("/-/dumps")
@bp.get("/dumps")
def dumps_redirect() -> Response:
    """Older and shorter spellings of the dumps page."""
    return redirect(url_for("linked_data.dumps_index"), code=308)


@bp.get(f"/dumps/{DUMP_NAME}")
@bp.get(f"/dumps/{DUMP_NAME}.{suffix_converter(DUMP_FORMATS)}")
def dump(suffix: str | None = None) -> Response:
    """The whole dataset in one format, with ETag / Last-Modified, 304s and gzip on request."""
    fmt = choose_format(DUMP_FORMATS, suffix)
    ld = get_ld()
    gzipped = request.accept_encodings["gzip"] > 0
    headers = [("Content-Disposition", f'inline; filename="{DUMP_NAME}.{fmt.extension}"')]
    if suffix is None:
        headers.append(("Content-Location", f"/dumps/{DUMP_NAME}.{fmt.extension}"))

    def build() -> Response:
        response = Response(ld.dump(fmt, gzipped), content_type=fmt.content_type)
        if gzipped:
            response.headers["Content-Encoding"] = "gzip"
        return response

    # One weak tag for both codings: a copy fetched without gzip revalidates with gzip.
    response = caching.conditional(caching.validators_for(fmt.content_type), headers, build)
    response.vary.add("Accept-Encoding")
    return response


# --------------------------------------------------------------------------- every other IRI


@bp.get("/<path:path>")
def resource(path: str) -> Response:
    """Any IRI under ``public_base``: an entity, a named graph of the dataset, or 404."""
    ld = get_ld()
    resource_path, suffix = split_suffix("/" + path, PAGE_SUFFIXES)
    if suffix and ld.exists(iri_for_path(ld.base, "/" + path)):
        resource_path, suffix = "/" + path, None  # the dot is part of the IRI itself
    fmt = choose_format(PAGE_FORMATS, suffix)
    iri = iri_for_path(ld.base, resource_path)

    # A client holding this answer's tag got it from this data: it exists, so a 304
    # needs no query at all.
    def body() -> bytes | str:
        if not ld.exists(iri):
            if ld.is_graph(iri):
                return _graph(iri, resource_path, fmt)
            raise NotFound(f"{iri} is not in the graph",
                           hint="Check the address, search the labels at /search, or browse from the landing page /.")
        if fmt is not HTML:
            return serialize_triples(ld.describe_triples(iri), fmt, ld.base)
        description = ld.describe(iri)
        view = observations = None
        if description.has_type(QB_DATASET):
            observations = ld.observations(iri)
            view = dataset_view(observations, description.label)
        return render_template("resource.html", d=description, e=entity_view(ld, description), path=resource_path,
                               formats=format_links(resource_path), view=view, observations=observations,
                               describe_link=query_link(describe_query(iri, ld.base)))

    return publish(body, fmt, resource_path, suffix)


def _graph(iri: str, path: str, fmt: Format) -> bytes | str:
    ld = get_ld()
    triples = ld.graph_triples(iri)
    if fmt is not HTML:
        return serialize_triples(triples, fmt, ld.base)
    return render_template("graph.html", iri=iri, count=len(triples), path=path,
                           formats=format_links(path),
                           query=query_link(f"SELECT * WHERE {{ GRAPH <{iri}> {{ ?s ?p ?o }} }} LIMIT 100"))


@bp.app_template_filter("local")
def local_filter(iri: str) -> str:
    """A link target for an IRI: its path on this server, or the IRI itself."""
    return link(get_ld().base, iri)


@bp.app_template_filter("datatype")
def datatype_filter(datatype: str | None) -> str:
    """How a page shows a literal's datatype (see :func:`~nkd.namespaces.datatype_name`)."""
    return datatype_name(datatype, known(get_ld().base))


@bp.app_template_global("dump_iri")
def dump_iri_global(fmt: Format) -> str:
    """The public IRI of a dump (for the pages that list them)."""
    return dump_iri(get_ld().base, fmt)
