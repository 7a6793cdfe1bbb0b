"""The line where each subject of a Turtle file is described, for locating results.

pyoxigraph does not report positions, so the line comes from a second, lazy parse of only
the files that have results, by rdflib's own Turtle parser told to note where each
statement's subject begins (:class:`SubjectLineParser`).
"""

from __future__ import annotations

from pathlib import Path

from rdflib import Graph, URIRef
from rdflib.plugins.parsers.notation3 import RDFSink, SinkParser
from rdflib.term import Node

# Suffixes whose line numbers rdflib's Turtle parser can find (N-Triples is Turtle).
_TURTLE_SUFFIXES = {".ttl", ".turtle", ".nt"}


def subject_lines(path: Path) -> dict[Node, int]:
    """The line (1-based) of the first statement in a Turtle file whose subject is each IRI.

    Empty for formats other than Turtle / N-Triples, and for a file rdflib's parser
    cannot read (pyoxigraph has already accepted it; the lines are a convenience).
    """
    if path.suffix.lower() not in _TURTLE_SUFFIXES:
        return {}
    parser = SubjectLineParser()
    try:
        parser.loadBuf(path.read_bytes())
    except Exception:  # noqa: BLE001 - a best-effort index; what was found so far still helps
        pass
    return parser.found


class SubjectLineParser(SinkParser):
    """rdflib's Turtle parser, noting the line where each statement's subject begins.

    ``statement`` is entered at the first character of a subject; the first
    ``property_list`` after it receives the parsed subject term. Nested blank-node
    property lists are not statements and are not noted. No triples are kept.
    """

    def __init__(self) -> None:
        super().__init__(RDFSink(Graph(bind_namespaces="none")), turtle=True)
        self.found: dict[Node, int] = {}
        self._start: int | None = None
        self._counted_to = 0
        self._line = 1

    def makeStatement(self, quadruple, why=None) -> None:  # noqa: N802 - rdflib's name
        pass

    def statement(self, argstr: str, i: int) -> int:
        self._start = i
        return super().statement(argstr, i)

    def property_list(self, argstr: str, i: int, subj: Node) -> int:
        if self._start is not None:
            start, self._start = self._start, None
            self._line += argstr.count("\n", self._counted_to, start)
            self._counted_to = start
            if isinstance(subj, URIRef):
                self.found.setdefault(subj, self._line)
        return super().property_list(argstr, i, subj)
