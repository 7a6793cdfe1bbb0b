"""The data graph and the shapes graph pySHACL reads, and the prefixes a report names things by.

pySHACL runs on rdflib's in-memory graph of the triples, with its SPARQL queries answered
by a pyoxigraph copy (:class:`DataGraph`): much faster than either alone (measured: see
README, "Validation (CI)").
"""

from __future__ import annotations

import logging
from functools import lru_cache
from pathlib import Path
from typing import Sequence

import pyoxigraph as ox
from rdflib import Graph
from rdflib.namespace import NamespaceManager

from ..data import turtle_files
from ..errors import InputError, NkdError
from ..namespaces import prefixes
from .files import LoadedFile, expand_paths, load_files
from .terms import Terms


class DataGraph(Graph):
    """The data graph: rdflib's in-memory graph, whose SPARQL queries pyoxigraph answers.

    pySHACL checks core constraints by walking triples, which rdflib's memory store does
    fastest; but it sends a SHACL-SPARQL constraint once per focus node, and rdflib's
    engine parses and evaluates each in Python (seconds for this graph). A pyoxigraph
    store holds the same triples (same blank node ids), one named graph per file, and
    answers those queries natively over their union, with $this pre-bound by
    substitution; it also tells which file holds a triple. Measured in the README,
    "Validation (CI)".
    """

    def __init__(self, files: Sequence[LoadedFile]) -> None:
        from oxrdflib import OxigraphStore

        super().__init__(bind_namespaces="none")
        self.files = list(files)
        self.file_graphs = [ox.NamedNode(f"urn:nkd:validate:file:{i}") for i in range(len(self.files))]
        self.ox_store = ox.Store()
        terms = Terms()
        for loaded, graph_name in zip(self.files, self.file_graphs):
            self.ox_store.extend(ox.Quad(t.subject, t.predicate, t.object, graph_name) for t in loaded.triples)
            self.addN((terms(t.subject), terms(t.predicate), terms(t.object), self) for t in loaded.triples)
        self._sparql = OxigraphStore(store=self.ox_store)

    def query(self, query_object, processor="sparql", result="sparql", initNs=None,  # noqa: N803
              initBindings=None, use_store_provided=True, **kwargs):  # noqa: N803
        """Answer a SPARQL query (a string) with pyoxigraph over the union of the files."""
        _check_shape_query(query_object)
        return self._sparql.query(query_object, dict(initNs or {}), dict(initBindings or {}), "__UNION__")


@lru_cache(maxsize=None)
def _check_shape_query(text: str) -> None:
    # pyoxigraph runs SERVICE over HTTP; a shape (from --shapes) must not make validation
    # open a connection or change the data. The endpoint's own guard decides, once per text.
    from ..settings import load_settings
    from ..sparql import check_query

    try:
        check_query(text, load_settings(environ={}))
    except NkdError as err:
        raise InputError(f"a SPARQL query of the shapes cannot run: {err.message}",
                         hint="Validation reads only the given files: remove SERVICE, updates and "
                              "external graphs from the shapes' SPARQL.") from None


def default_shapes_files() -> list[Path]:
    """The shipped shapes: ``shapes/*.ttl``."""
    return turtle_files("shapes")


def load_shapes(paths: Sequence[str | Path] | None = None) -> tuple[Graph, NamespaceManager]:
    """The shapes graph (default: the shipped shapes) and the prefixes its files declare."""
    quiet_rdflib()
    files = load_files(expand_paths(paths) if paths is not None else default_shapes_files())
    return union(files), namespaces_of(files)


def union(files: Sequence[LoadedFile]) -> Graph:
    """The shapes graph: every triple of ``files`` in one graph."""
    # pySHACL reads it constantly and needs no contexts in it, which rdflib's default
    # store keeps at a cost on every lookup. (The data graph must have them: pySHACL
    # wraps it in a Dataset.)
    graph = Graph(store="SimpleMemory", bind_namespaces="none")
    terms = Terms()
    for loaded in files:
        graph.addN((terms(t.subject), terms(t.predicate), terms(t.object), graph) for t in loaded.triples)
    return graph


def namespaces_of(files: Sequence[LoadedFile]) -> NamespaceManager:
    """The prefixes a report names things by: nkd's namespace table, then what the files declare."""
    manager = NamespaceManager(Graph(bind_namespaces="none"), bind_namespaces="none")
    taken: set[str] = set()
    namespaces_seen: set[str] = set()
    pairs = list(prefixes(every=True).items()) + [pair for f in files for pair in f.prefixes.items()]
    for prefix, namespace in pairs:
        # The first binding of a prefix (and of a namespace) wins; no generated ns1 prefixes.
        if prefix in taken or namespace in namespaces_seen:
            continue
        taken.add(prefix)
        namespaces_seen.add(namespace)
        manager.bind(prefix, namespace, override=False, replace=False)
    return manager


def quiet_rdflib() -> None:
    """Keep rdflib from logging a traceback for every ill-typed literal it converts.

    ("2019-11-31"^^xsd:date): the shapes report those literals, with file and line, so
    the log would be noise.
    """
    logging.getLogger("rdflib.term").setLevel(logging.ERROR)
