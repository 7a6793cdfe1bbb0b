"""`nkd push`: load the graph into an external store with the SPARQL 1.1 Graph Store HTTP Protocol.

Each Turtle or N-Triples file becomes one named graph, named exactly as the embedded
store names it (:mod:`server.store`), and is sent as is with ``PUT ?graph=<iri>``
(GSP §5.3: the graph's content is replaced). RDF/XML and JSON-LD files are sent as
N-Triples; N-Quads and TriG files are split into their graphs, one PUT each (the
default graph with ``?default``). Every file is parsed here first, so a syntax error is
reported with its file and line before the store is touched. The PUTs are not one
transaction: if one fails, the graphs sent before it stay replaced.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Callable, Iterable, Iterator
from urllib.parse import urlencode, urlsplit, urlunsplit

import pyoxigraph as ox
import urllib3
from urllib3.exceptions import HTTPError

from .errors import InputError, UpstreamError
from .remote import auth_headers, check_url, connection_error, make_pool, without_credentials
from .store import Source, parse_error, rdf_format


CONNECT_TIMEOUT_S = 10.0

# Sent as they are: every Graph Store implementation reads these two.
_AS_IS = {ox.RdfFormat.TURTLE: "text/turtle", ox.RdfFormat.N_TRIPLES: "application/n-triples"}
_NTRIPLES = "application/n-triples"


@dataclass(frozen=True)
class Upload:
    """One PUT: the target graph (None: the default graph), its body and media type, its size in triples."""

    graph: str | None
    media_type: str
    triples: int
    path: Path | None = None  # send this file as is …
    body: bytes | None = None  # … or these bytes

    @property
    def size(self) -> int:
        """The body's size in bytes."""
        return self.path.stat().st_size if self.path is not None else len(self.body or b"")


def plan_uploads(source: Source) -> list[Upload]:
    """Parse one source and return what to PUT for it; :class:`InputError` for a file that does not parse."""
    fmt = rdf_format(source.path)
    try:
        if fmt.supports_datasets:
            return _split_dataset(source.path, fmt)
        if fmt in _AS_IS:
            count = sum(1 for _ in ox.parse(path=str(source.path), format=fmt))
            return [Upload(source.graph, _AS_IS[fmt], count, path=source.path)]
        triples = [quad.triple for quad in ox.parse(path=str(source.path), format=fmt)]
        return [Upload(source.graph, _NTRIPLES, len(triples),
                       body=ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES))]
    except SyntaxError as exc:
        raise parse_error(source.path, exc) from None
    except OSError as exc:
        raise InputError(f"{source.path}: {exc.strerror or exc}", path=str(source.path),
                         hint="Check that the file exists and is readable.") from None


def _split_dataset(path: Path, fmt: ox.RdfFormat) -> list[Upload]:
    dataset = ox.Store()  # in memory; only to group the quads by graph
    dataset.load(path=str(path), format=fmt)
    graphs: list[ox.NamedNode | ox.BlankNode | ox.DefaultGraph] = [ox.DefaultGraph()]
    graphs += sorted(dataset.named_graphs(), key=str)
    uploads = []
    for graph in graphs:
        count = sum(1 for _ in dataset.quads_for_pattern(None, None, None, graph))
        if count == 0:
            continue
        if isinstance(graph, ox.BlankNode):
            raise InputError(f"{path}: graph {graph} has a blank node name, which the Graph Store "
                             "Protocol cannot address", path=str(path), hint="Name the graph with an IRI.")
        name = None if isinstance(graph, ox.DefaultGraph) else graph.value
        uploads.append(Upload(name, _NTRIPLES, count,
                              body=dataset.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=graph)))
    return uploads


def graph_url(gsp_url: str, graph: str | None) -> str:
    """The URL addressing one graph of a Graph Store (``?graph=<iri>`` or ``?default``, GSP §4.2)."""
    parts = urlsplit(gsp_url)
    param = urlencode({"graph": graph}) if graph is not None else "default"
    query = f"{parts.query}&{param}" if parts.query else param
    return urlunsplit((parts.scheme, parts.netloc, parts.path, query, parts.fragment))


def push(gsp_url: str, sources: Iterable[Source], timeout_s: float,
         on_upload: Callable[[Upload], None] | None = None) -> list[Upload]:
    """PUT every source's graph(s) into the Graph Store at ``gsp_url``; return what was sent.

    Raises :class:`InputError` for a file that does not parse (before anything is sent)
    and :class:`UpstreamError` for a store that cannot be reached or refuses a graph.
    """
    check_url(gsp_url, "--to")
    uploads = [upload for source in sources for upload in plan_uploads(source)]
    pool = make_pool(1)
    headers = auth_headers(gsp_url)
    shown = without_credentials(gsp_url)
    for upload in uploads:
        _put(pool, gsp_url, shown, upload, headers, timeout_s)
        if on_upload is not None:
            on_upload(upload)
    return uploads


def _put(pool: urllib3.PoolManager, gsp_url: str, shown: str, upload: Upload,
         headers: dict[str, str], timeout_s: float) -> None:
    target = upload.graph or "the default graph"
    request_headers = {**headers, "Content-Type": upload.media_type, "Content-Length": str(upload.size)}
    try:
        with _body(upload) as body:
            response = pool.request("PUT", graph_url(gsp_url, upload.graph), body=body,
                                    headers=request_headers, redirect=False,
                                    timeout=urllib3.Timeout(connect=CONNECT_TIMEOUT_S, read=timeout_s))
    except HTTPError as exc:
        raise connection_error(exc, f"at {shown}") from None
    if response.status not in (200, 201, 204):
        text = response.data.decode("utf-8", "replace").strip()
        first = text.splitlines()[0][:300] if text else ""
        hint = {401: "The store wants credentials: put them in the URL (http://user:password@host/…).",
                403: "The store refused the write: check that it accepts Graph Store writes.",
                404: "Check the URL: it must be the store's Graph Store endpoint (Oxigraph: /store).",
                405: "Check the URL: it must be the store's Graph Store endpoint (Oxigraph: /store)."}
        raise UpstreamError(f"PUT of {target} to {shown} failed: HTTP {response.status}"
                            + (f": {first}" if first else ""),
                            hint=hint.get(response.status, "See the store's message above."))


@contextlib.contextmanager
def _body(upload: Upload) -> Iterator[IO[bytes] | bytes]:
    """The request body of an upload: its file, opened to be streamed, or its bytes."""
    if upload.path is None:
        yield upload.body or b""
        return
    with open(upload.path, "rb") as handle:
        yield handle


__all__ = ["Upload", "graph_url", "plan_uploads", "push"]
