"""Linked Data: dereferenceable IRIs, pages for people, dumps and the VoID description.

Every IRI under ``public_base`` answers here: a request for ``/id/event/x`` on any host
stands for ``{public_base}id/event/x``. Content negotiation (the one :func:`negotiate`)
picks Turtle, N-Triples, JSON-LD, RDF/XML or an HTML page; the answer is a ``200`` with
``Content-Location`` naming the document in that format (``/id/event/x.ttl``), which
is also fetchable directly. Every answer carries ``Vary: Accept``.
"""

from __future__ import annotations

import re
from datetime import datetime, timezone
from typing import Sequence
from urllib.parse import quote

from flask import Blueprint, Response, current_app, redirect, render_template, request, send_file, url_for

from ..charts import Point, time_series_svg
from ..data import data_root, sources_dir
from ..errors import NotFound
from ..linked_data import (DUMP_FORMATS, DUMP_NAME, RDF_FORMATS, LinkedData, Observation, dump_iri,
                           describe_query, iri_for_path, local_path, serialize_triples, split_suffix)
from ..negotiation import HTML, Format, negotiate
from . import get_state

bp = Blueprint("linked_data", __name__)

PAGE_FORMATS: tuple[Format, ...] = (*RDF_FORMATS, HTML)
PAGE_SUFFIXES = tuple(f.extension for f in PAGE_FORMATS)
QB_DATASET = "http://purl.org/linked-data/cube#DataSet"
_SOURCE_FILE = re.compile(r"[A-Za-z0-9_.\-]+\.txt")


@bp.after_request
def vary_on_accept(response: Response) -> Response:
    """Every answer here may differ by Accept (pages, RDF, errors), so caches must key on it."""
    response.vary.add("Accept")
    return response


def get_ld() -> LinkedData:
    """The app's :class:`LinkedData` (one per process: it caches the VoID counts and dumps)."""
    ld = current_app.extensions.get("nkd-linked-data")
    if ld is None:
        state = get_state()
        ld = LinkedData(state.engine, state.settings, current_app.config.get("NKD_DATA_MODIFIED"))
        current_app.extensions["nkd-linked-data"] = ld
    return ld


def choose_format(offered: Sequence[Format], suffix: str | None) -> Format:
    """The negotiated format of this request; a file suffix wins over the Accept header."""
    return negotiate(request.headers.get("Accept"), offered, suffix)


def _alternates(path: str, offered: Sequence[Format]) -> str:
    return ", ".join(f'<{path}.{f.extension}>; rel="alternate"; type="{f.media_type}"' for f in offered)


def publish(body: bytes | str, fmt: Format, path: str, suffix: str | None,
            offered: Sequence[Format] = PAGE_FORMATS) -> Response:
    """A 200 for a negotiated document, with Content-Location, Vary and alternate links."""
    response = Response(body, content_type=fmt.content_type)
    if suffix is None:
        response.headers["Content-Location"] = f"{path}.{fmt.extension}"
    response.headers["Link"] = _alternates(path, offered)
    return response


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
        return publish(serialize_triples(ld.void_triples(), fmt, ld.base), fmt, "/.well-known/void", None)
    html = render_template("landing.html", stats=ld.stats(), datasets=ld.datasets(),
                           examples=example_queries(6), dumps=_dump_links(), query_link=query_link)
    response = publish(html, HTML, "/index", None, RDF_FORMATS)
    response.headers["Content-Location"] = "/"
    response.headers["Link"] = _alternates("/.well-known/void", RDF_FORMATS)
    return response


def example_queries(limit: int) -> list[dict[str, str]]:
    """The first shipped example queries (``graph/queries/*.rq``) with their title and question."""
    try:
        files = sorted((data_root() / "graph" / "queries").glob("*.rq"))
    except FileNotFoundError:
        return []
    examples = []
    for path in files[:limit]:
        text = path.read_text(encoding="utf-8")
        found = dict(re.findall(r"^#\s*(title|question):\s*(.+)$", text, re.MULTILINE))
        examples.append({"name": path.stem, "title": found.get("title", path.stem),
                         "question": found.get("question", ""), "text": text})
    return examples


# --------------------------------------------------------------------------- VoID


@bp.get("/.well-known/void")
@bp.get("/.well-known/void.<any(ttl, nt, jsonld, rdf, html):suffix>")
def void(suffix: str | None = None) -> Response:
    """The VoID description of the dataset, computed from the data."""
    fmt = choose_format(PAGE_FORMATS, suffix)
    ld = get_ld()
    triples = ld.void_triples()
    if fmt is HTML:
        body = render_template("void.html", stats=ld.stats(), base=ld.base, dumps=_dump_links(),
                               turtle=serialize_triples(triples, RDF_FORMATS[0], ld.base).decode("utf-8"),
                               formats=format_links("/.well-known/void"))
    else:
        body = serialize_triples(triples, fmt, ld.base)
    return publish(body, fmt, "/.well-known/void", suffix)


# --------------------------------------------------------------------------- ontology and shapes


@bp.get("/ontology")
@bp.get("/ontology.<any(ttl, nt, jsonld, rdf, html):suffix>")
def ontology(suffix: str | None = None) -> Response:
    """The whole ontology; for people, documentation of every class and property."""
    return _document("ontology", suffix, "Ontology")


@bp.get("/shapes")
@bp.get("/shapes.<any(ttl, nt, jsonld, rdf, html):suffix>")
def shapes(suffix: str | None = None) -> Response:
    """The whole SHACL shapes graph; for people, every shape and its constraints."""
    return _document("shapes", suffix, "Shapes")


def _document(name: str, suffix: str | None, heading: str) -> Response:
    # pyLODE would document the ontology too, but it is heavy and fetches remote
    # vocabularies; a template over the same triples the RDF documents hold does the job.
    fmt = choose_format(PAGE_FORMATS, suffix)
    ld = get_ld()
    iri = ld.base + name
    triples = ld.document_triples(iri)
    if fmt is not HTML:
        return publish(serialize_triples(triples, fmt, ld.base), fmt, f"/{name}", suffix)
    doc = ld.document(iri, triples)
    html = render_template("document.html", doc=doc, heading=heading, path=f"/{name}",
                           formats=format_links(f"/{name}"))
    return publish(html, HTML, f"/{name}", suffix)


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
@bp.get(f"/dumps/{DUMP_NAME}.<any(ttl, nt, nq, trig, jsonld, rdf):suffix>")
def dump(suffix: str | None = None) -> Response:
    """The whole dataset in one format, with ETag / Last-Modified, 304s and gzip on request."""
    fmt = choose_format(DUMP_FORMATS, suffix)
    ld = get_ld()
    gzipped = request.accept_encodings["gzip"] > 0
    body = ld.dump(fmt, gzipped)
    response = Response(body, content_type=fmt.content_type)
    if gzipped:
        response.headers["Content-Encoding"] = "gzip"
    response.vary.add("Accept-Encoding")
    if suffix is None:
        response.headers["Content-Location"] = f"/dumps/{DUMP_NAME}.{fmt.extension}"
    response.headers["Content-Disposition"] = f'inline; filename="{DUMP_NAME}.{fmt.extension}"'
    response.headers["Cache-Control"] = "public, max-age=3600"
    # Weak: every worker holds an equivalent dump, not byte for byte the same one
    # (blank node labels differ); the gzip variant has a tag of its own.
    response.set_etag(f"{ld.digest()}-{fmt.extension}{'-gzip' if gzipped else ''}", weak=True)
    response.last_modified = datetime.fromtimestamp(int(ld.modified), tz=timezone.utc)
    return response.make_conditional(request)


# --------------------------------------------------------------------------- source texts


@bp.get("/sources/<name>")
def source_text(name: str) -> Response:
    """The verbatim text of a source document, as UTF-8 plain text."""
    if not _SOURCE_FILE.fullmatch(name):
        raise NotFound(f"no source text is named {name}", hint="Source texts are linked from each source's page.")
    try:
        path = sources_dir() / name
    except FileNotFoundError:
        path = None
    if path is None or not path.is_file():
        raise NotFound(f"no source text is named {name}", hint="Source texts are linked from each source's page.")
    response = send_file(path, mimetype="text/plain", conditional=True, max_age=3600)
    response.headers["Content-Type"] = "text/plain; charset=utf-8"
    return response


# --------------------------------------------------------------------------- search


@bp.get("/search")
def search() -> str:
    """Resources whose label contains the words asked for (a guarded query)."""
    text = request.args.get("q", "")
    ld = get_ld()
    hits = ld.search(text) if text.strip() else []
    figures = ld.figures([h.term.value for h in hits if h.term.kind == "iri"])
    return render_template("search.html", q=text, hits=hits, figures=figures)


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
    if not ld.exists(iri):
        if ld.is_graph(iri):
            return _graph(iri, resource_path, suffix, fmt)
        raise NotFound(f"{iri} is not in the graph",
                       hint="Check the address, search the labels at /search, or browse from the landing page /.")
    if fmt is not HTML:
        return publish(serialize_triples(ld.describe_triples(iri), fmt, ld.base), fmt, resource_path, suffix)
    description = ld.describe(iri)
    chart = observations = None
    if description.has_type(QB_DATASET):
        observations = ld.observations(iri)
        chart = charts_for(observations, description.label)
    html = render_template("resource.html", d=description, path=resource_path,
                           formats=format_links(resource_path), chart=chart, observations=observations,
                           describe_link=query_link(describe_query(iri, ld.base)))
    return publish(html, HTML, resource_path, suffix)


def _graph(iri: str, path: str, suffix: str | None, fmt: Format) -> Response:
    ld = get_ld()
    triples = ld.graph_triples(iri)
    if fmt is not HTML:
        return publish(serialize_triples(triples, fmt, ld.base), fmt, path, suffix)
    html = render_template("graph.html", iri=iri, count=len(triples), path=path,
                           formats=format_links(path),
                           query=query_link(f"SELECT * WHERE {{ GRAPH <{iri}> {{ ?s ?p ?o }} }} LIMIT 100"))
    return publish(html, HTML, path, suffix)


def charts_for(observations: list[Observation], title: str) -> list[str]:
    """One SVG chart per series (dimension values and unit) with a placeable period."""
    groups: dict[tuple[str, ...], list[Point]] = {}
    for obs in observations:
        if obs.x is None or obs.value is None:
            continue
        text = obs.words  # the figure in its source's words: "less than 35,000", not "≈ 35,000"
        for source in obs.sources or [None]:
            series = source.label if source is not None else "(no source)"
            groups.setdefault((*obs.series, obs.unit), []).append(Point(
                x=obs.x, y=obs.value, series=series, text=text, hedged=obs.hedged, href=obs.href,
                title=f"{text}, {obs.period_label} ({series})", x_from=obs.x_from))  # unit: the y axis
    # Dimensions come in qb:order (area, population, variable…); the most specific reads best first.
    return [time_series_svg(points, title=" · ".join(reversed(key[:-1])) or title,
                            y_label=key[-1].capitalize() if key[-1] else "Value")
            for key, points in groups.items()]


@bp.app_template_filter("local")
def local_filter(iri: str) -> str:
    """A link target for an IRI: its path on this server, or the IRI itself."""
    return local_path(get_ld().base, iri) or iri


@bp.app_template_global("dump_iri")
def dump_iri_global(fmt: Format) -> str:
    """The public IRI of a dump (for the pages that list them)."""
    return dump_iri(get_ld().base, fmt)
