"""`nkd push`: load the graph into an external store with the SPARQL 1.1 Graph Store HTTP Protocol.

Each Turtle, N-Triples, RDF/XML or JSON-LD file becomes one named graph, named exactly
as the embedded store names it (:mod:`nkd.store`), and is sent with
``PUT ?graph=<iri>`` (GSP §5.3: the graph's content is replaced); N-Quads and TriG
files are split into their graphs, one PUT each (the default graph with ``?default``).
Everything is sent as N-Triples, written by pyoxigraph as it parses each file, so a
syntax error is reported with its file and line before the store is touched, and no
store's own parser can read a file differently (Virtuoso 7 keeps the backslash of a
Turtle name's escape, ``id:a\/b``, in the IRI). The PUTs are not one transaction: if
one fails, the graphs sent before it stay replaced.
"""

from __future__ import annotations

import contextlib
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Callable, Iterable, Iterator
from urllib.parse import urlencode, urlsplit, urlunsplit

import pyoxigraph as ox
import requests
from requests.auth import HTTPBasicAuth, HTTPDigestAuth

from .errors import InputError, UpstreamError
from .store import Source, rdf_format
from .upstream import check_url, connection_error, credentials, store_message, without_credentials


CONNECT_TIMEOUT_S = 10.0

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


def plan_uploads(source: Source, workdir: Path) -> list[Upload]:
    """Parse one source and return what to PUT for it; :class:`InputError` for a file that does not parse.

    A graph file is written to ``workdir`` as N-Triples while it is parsed (so a large
    file is never held in memory); a dataset file is split into its graphs.
    """
    fmt = rdf_format(source.path)
    try:
        if fmt.supports_datasets:
            return _split_dataset(source.path, fmt)
        converted = workdir / f"{len(list(workdir.iterdir()))}.nt"
        counted = _Counted(quad.triple for quad in ox.parse(path=str(source.path), format=fmt))
        ox.serialize(counted, str(converted), ox.RdfFormat.N_TRIPLES)
        return [Upload(source.graph, _NTRIPLES, counted.count, path=converted)]
    except (SyntaxError, OSError, UnicodeDecodeError) as exc:
        raise InputError.for_file(source.path, exc) from None


class _Counted:
    """An iterator that counts what passes through it."""

    def __init__(self, items: Iterator[ox.Triple]) -> None:
        self._items = items
        self.count = 0

    def __iter__(self) -> "_Counted":
        return self

    def __next__(self) -> ox.Triple:
        item = next(self._items)
        self.count += 1
        return item


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

    Credentials in the URL (``user:password@``) are sent with HTTP Digest when the store
    asks for it (Virtuoso's ``/sparql-graph-crud-auth`` does), with Basic otherwise.
    Raises :class:`InputError` for a file that does not parse (before anything is sent)
    and :class:`UpstreamError` for a store that cannot be reached or refuses a graph.
    """
    check_url(gsp_url, "--to")
    with tempfile.TemporaryDirectory(prefix="nkd-push-") as workdir:
        uploads = [upload for source in sources for upload in plan_uploads(source, Path(workdir))]
        _send(gsp_url, uploads, timeout_s, on_upload)
    return uploads


def _send(gsp_url: str, uploads: list[Upload], timeout_s: float, on_upload: Callable[[Upload], None] | None) -> None:
    shown = without_credentials(gsp_url)
    given = credentials(gsp_url)
    with requests.Session() as session:
        session.headers["User-Agent"] = "nkd"
        if uploads and given is not None:
            _authenticate(session, graph_url(shown, uploads[0].graph), given)
        for upload in uploads:
            _put(session, shown, upload, timeout_s, given is not None)
            if on_upload is not None:
                on_upload(upload)


def _authenticate(session: requests.Session, url: str, given: tuple[str, str]) -> None:
    """Choose Digest or Basic as the store asks, before any body is sent.

    A store that wants Digest answers the first request with a challenge; a PUT would
    have sent its whole body for nothing (and a store that closes the connection
    after its 401 makes sending it fail). A bodiless HEAD takes the challenge, and a
    second one answers it, so the PUTs then carry the Digest header from the start.
    """
    try:
        probe = session.head(url, timeout=CONNECT_TIMEOUT_S * 2, allow_redirects=False)
    except requests.RequestException as exc:
        raise connection_error(exc, f"at {without_credentials(url)}") from None
    challenge = probe.headers.get("WWW-Authenticate", "")
    if probe.status_code == 401 and challenge.lower().startswith("digest"):
        session.auth = HTTPDigestAuth(*given)
        try:
            session.head(url, timeout=CONNECT_TIMEOUT_S * 2, allow_redirects=False)
        except requests.RequestException as exc:
            raise connection_error(exc, f"at {without_credentials(url)}") from None
    else:
        session.auth = HTTPBasicAuth(*given)


def _put(session: requests.Session, shown: str, upload: Upload, timeout_s: float, with_credentials: bool) -> None:
    target = upload.graph or "the default graph"
    headers = {"Content-Type": upload.media_type, "Content-Length": str(upload.size)}
    try:
        with _body(upload) as body:
            response = session.put(graph_url(shown, upload.graph), data=body, headers=headers,
                                   allow_redirects=False, timeout=(CONNECT_TIMEOUT_S, timeout_s))
    except requests.RequestException as exc:
        raise connection_error(exc, f"at {shown}") from None
    if response.status_code not in (200, 201, 204):
        said = store_message(response.content, response.headers.get("Content-Type"))
        raise UpstreamError(f"PUT of {target} to {shown} failed: HTTP {response.status_code}"
                            + (f":\n{said}" if said else ""),
                            hint=_refusal_hint(response.status_code, with_credentials))


def _refusal_hint(status: int, with_credentials: bool) -> str:
    if status == 401:
        if with_credentials:
            return "The store refused these credentials: check the user and password in --to."
        return ("The store wants credentials: give them in the URL, http://user:password@host/… "
                "(Virtuoso: its /sparql-graph-crud-auth endpoint, as a user granted SPARQL_UPDATE).")
    if status == 403:
        return ("The store refused the write: the user needs the right to write graphs (Virtuoso: "
                "GRANT SPARQL_UPDATE TO \"user\", and --to its /sparql-graph-crud-auth endpoint with "
                "that user's credentials; its /sparql-graph-crud is read-only for anonymous users).")
    if status in (404, 405):
        return ("Check the URL: it must be the store's Graph Store endpoint (Oxigraph: /store, "
                "Virtuoso: /sparql-graph-crud-auth).")
    return "See the store's message above."


@contextlib.contextmanager
def _body(upload: Upload) -> Iterator[IO[bytes] | bytes]:
    """The request body of an upload: its file, opened to be streamed, or its bytes."""
    if upload.path is None:
        yield upload.body or b""
        return
    with open(upload.path, "rb") as handle:
        yield handle


__all__ = ["Upload", "graph_url", "plan_uploads", "push"]
