"""Adding a source document and quoting it: the maintainer's workflow for a new text.

:func:`add_source` copies a text into the sources directory and describes it in Turtle
(the source node, its text copy and the copy's SHA-256), so that nobody types a
checksum by hand; :func:`quote` finds words in a source's text and writes the
``oa:TextQuoteSelector`` that names them, with ``oa:prefix`` / ``oa:suffix`` when the
words alone occur more than once, so that nobody writes a selector by hand. Both are
plain library functions; ``nkd sources add`` and ``nkd quote`` only call them.
"""

from __future__ import annotations

import hashlib
import re
import shutil
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

import pyoxigraph as ox

from .errors import InputError, QuoteNotFound
from .namespaces import BASE, NAMESPACES, NKD
from .quotes import Passage, context_for, line_at, nearest, occurrences, turtle_string
from .store import memory_store

# Prefixes the Turtle written here uses; only those a file lacks are declared in it.
PREFIXES = {"nkd": NKD, **{name: NAMESPACES[name] for name in ("rdfs", "xsd", "dcterms", "schema", "spdx", "oa")}}

# --published as given -> its XSD datatype: the precision the maintainer knows.
_DATE_FORMS = (
    (re.compile(r"^\d{4}$"), "gYear"),
    (re.compile(r"^\d{4}-(0[1-9]|1[0-2])$"), "gYearMonth"),
    (re.compile(r"^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$"), "date"),
)


@dataclass(frozen=True)
class AddedSource:
    """What :func:`add_source` did: the source's IRI, where its text and Turtle went."""

    iri: str
    text_copy: str
    text_path: Path
    graph_path: Path
    turtle: str


@dataclass(frozen=True)
class Quote:
    """A quote found in a source's text: the selector's words and where they are."""

    source: str
    text_path: Path
    exact: str
    prefix: str
    suffix: str
    line: int
    lines: tuple[int, ...]     # the line of every occurrence of the words alone

    def turtle(self) -> str:
        """The annotation's target, to paste after ``oa:hasTarget`` in a Turtle file."""
        selector = [f"oa:exact {turtle_string(self.exact)}"]
        if self.prefix:
            selector.append(f"oa:prefix {turtle_string(self.prefix)}")
        if self.suffix:
            selector.append(f"oa:suffix {turtle_string(self.suffix)}")
        inner = " ;\n        ".join(selector)
        return (f"[ a oa:SpecificResource ; oa:hasSource <{self.source}> ;\n"
                f"    oa:hasSelector [ a oa:TextQuoteSelector ;\n        {inner} ] ]")


def slug(text: str, limit: int = 60) -> str:
    """An identifier slug from a title: lower-case ASCII words joined by hyphens."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    words = re.findall(r"[a-z0-9]+", ascii_text.lower())
    out = ""
    for word in words:
        if out and len(out) + 1 + len(word) > limit:
            break
        out = f"{out}-{word}" if out else word
    return out


def _date_literal(published: str) -> str:
    for pattern, datatype in _DATE_FORMS:
        if pattern.match(published):
            return f'"{published}"^^xsd:{datatype}'
    raise InputError(f"--published {published!r} is not a date",
                     hint="Give the publication date at the precision you know: 2020, 2020-03 or 2020-03-15.")


def _existing(graph_path: Path) -> tuple[dict[str, str], ox.Store | None]:
    """The prefixes a Turtle file declares and its triples (none for a new or empty file)."""
    if not graph_path.exists() or not graph_path.read_text(encoding="utf-8").strip():
        return {}, None
    store = memory_store([graph_path], "urn:nkd:")
    parser = ox.parse(path=str(graph_path), format=ox.RdfFormat.TURTLE)
    for _ in parser:
        pass
    return dict(parser.prefixes), store


def add_source(path: str | Path, *, title: str, graph_path: str | Path, sources_dir: str | Path,
               base: str = BASE, url: str | None = None, publisher: str | None = None,
               author: str | None = None, published: str | None = None, language: str = "en") -> AddedSource:
    """Copy a text into ``sources_dir`` and describe it, appended to the Turtle ``graph_path``.

    Writes the source (``{base}id/source/{slug of the title}``, an ``nkd:Source`` with its
    title, ``nkd:textCopy <{base}sources/{file}>``, the copy's ``spdx:checksum`` and its
    rights, those of a third party's text), an
    ``nkd:Person`` for the author and an ``nkd:Organization`` for the publisher, and the
    publication date at the precision given. Raises :class:`InputError` for an unreadable
    or non-UTF-8 text, a title already taken, or a different text of the same name.
    """
    path, graph_path, sources_dir = Path(path), Path(graph_path), Path(sources_dir)
    try:
        data = path.read_bytes()
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError.for_file(path, exc, hint="Save the text as UTF-8; quotes are matched character "
                                                  "by character.") from None
    except OSError as exc:
        raise InputError.for_file(path, exc, hint="Give the path of the source's plain-text file.") from None
    if not graph_path.parent.is_dir() or not sources_dir.parent.is_dir():
        raise InputError(f"{graph_path.parent if not graph_path.parent.is_dir() else sources_dir.parent}: "
                         "no such directory", path=str(graph_path),
                         hint="Run from the checkout (graph/ beside you), or pass --graph FILE and --sources DIR.")
    name = slug(title)
    if not name:
        raise InputError("--title has no letters or digits to name the source by",
                         hint="Give the document's title as printed.")
    iri = f"{base}id/source/{name}"
    prefixes, store = _existing(graph_path)
    if store is not None and next(store.quads_for_pattern(ox.NamedNode(iri), None, None, None), None):
        raise InputError(f"{graph_path} already describes {iri}", path=str(graph_path),
                         hint="A source of that title is there already; give a fuller --title.")
    target = sources_dir / path.name
    if target.exists() and target.read_bytes() != data:
        raise InputError(f"{target} exists with a different text", path=str(target),
                         hint="Rename the file you add: each source text has a file of its own.")
    copy = f"{base}sources/{path.name}"
    lines = [f"# --------------------------------------------------------------------------- {title}", ""]
    lines += [f"<{copy}> spdx:checksum [ a spdx:Checksum ;",
              "    spdx:algorithm spdx:checksumAlgorithm_sha256 ;",
              f'    spdx:checksumValue "{hashlib.sha256(data).hexdigest()}"^^xsd:hexBinary ] .', ""]
    tag = f"@{language}"
    about = [f"<{iri}> a nkd:Source ;", f"    rdfs:label {turtle_string(title)}{tag} ;",
             f"    dcterms:title {turtle_string(title)}{tag} ;", f'    dcterms:language "{language}" ;',
             f"    nkd:textCopy <{copy}> ;",
             # The copy is a third party's text kept verbatim; graph/sources.ttl says what that means.
             f"    dcterms:rights <{base}id/rights/third-party-text>"]
    extra: list[str] = []
    for name_given, kind, cls, predicate in ((author, "person", "nkd:Person", "dcterms:creator"),
                                             (publisher, "org", "nkd:Organization", "dcterms:publisher")):
        if not name_given:
            continue
        agent = f"{base}id/{kind}/{slug(name_given)}"
        about[-1] += " ;"
        about.append(f"    {predicate} <{agent}>")
        if store is None or not next(store.quads_for_pattern(ox.NamedNode(agent), None, None, None), None):
            extra += ["", f"<{agent}> a {cls} ;", f"    rdfs:label {turtle_string(name_given)}@en ."]
    if url:
        if not re.match(r"^https?://[^\s<>\"{}|\\^`]+$", url):
            raise InputError(f"--url {url!r} is not an http(s) URL", hint="Give the address the document is published at.")
        about[-1] += " ;"
        about.append(f"    schema:url <{url}>")
    if published:
        about[-1] += " ;"
        about += [f"    dcterms:issued {_date_literal(published)} ;", "    nkd:publicationTimeStatus nkd:Stated"]
    about[-1] += " ."
    body = "\n".join(lines + about + extra) + "\n"
    missing = [f"@prefix {p}: <{ns}> ." for p, ns in PREFIXES.items() if prefixes.get(p) != ns]
    block = ("\n".join(missing) + "\n\n" if missing else "") + body
    sources_dir.mkdir(exist_ok=True)
    if not target.exists():
        shutil.copyfile(path, target)
    existing = graph_path.read_text(encoding="utf-8") if graph_path.exists() else ""
    separator = "" if not existing else ("\n" if existing.endswith("\n") else "\n\n")
    graph_path.write_text(existing + separator + block, encoding="utf-8")
    return AddedSource(iri, copy, target, graph_path, block)


def text_copy_of(source: str, data: Sequence[str | Path], base: str = BASE) -> tuple[str, str]:
    """The source's IRI and its ``nkd:textCopy``, found in the RDF files ``data``.

    ``source`` is an IRI, ``src:{slug}`` or a bare slug (``{base}id/source/{slug}``).
    Raises :class:`InputError` when the files do not describe it or give it no text copy.
    """
    if source.startswith(("http://", "https://")):
        iri = source
    else:
        iri = f"{base}id/source/{source.removeprefix('src:')}"
    store = memory_store(list(data), base)
    quad = next(store.quads_for_pattern(ox.NamedNode(iri), ox.NamedNode(NKD + "textCopy"), None, None), None)
    if quad is None:
        known = sorted({q.subject.value for q in store.quads_for_pattern(None, ox.NamedNode(NKD + "textCopy"), None, None)})
        raise InputError(f"no source {iri} with an nkd:textCopy in the graph",
                         hint="Name one of: " + ", ".join(k.removeprefix(f"{base}id/source/") for k in known)
                         if known else "Add the source first: nkd sources add FILE --title …")
    return iri, quad.object.value


def quote(source_iri: str, text_copy: str, words: str, sources_dir: str | Path, occurrence: int = 1) -> Quote:
    """The selector for ``words`` in the source's text: its occurrence number ``occurrence``.

    Raises :class:`QuoteNotFound` (with the nearest passages) when the words do not occur,
    and :class:`InputError` when the text is missing or there is no such occurrence.
    """
    sources_dir = Path(sources_dir)
    text_path = sources_dir / text_copy.rstrip("/").rsplit("/", 1)[-1]
    try:
        text = text_path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError.for_file(text_path, exc, hint="Pass --sources DIR, the directory holding the "
                                                       "source texts.") from None
    if not words:
        raise InputError("no words to quote", hint='Give the words: nkd quote SOURCE "the exact words".')
    found = occurrences(text, words)
    if not found:
        passages: list[Passage] = nearest(text, words)
        raise QuoteNotFound(f"the words do not occur in {text_path.name}", passages=passages)
    if not 1 <= occurrence <= len(found):
        raise InputError(f"--occurrence {occurrence}: the words occur {len(found)} time(s)",
                         hint=f"Give a number from 1 to {len(found)}.")
    start = found[occurrence - 1]
    prefix, suffix = context_for(text, start, len(words)) if len(found) > 1 else ("", "")
    return Quote(source_iri, text_path, words, prefix, suffix, line_at(text, start),
                 tuple(line_at(text, i) for i in found))


__all__ = ["AddedSource", "Quote", "add_source", "quote", "slug", "text_copy_of"]
