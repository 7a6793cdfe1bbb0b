"""The source texts: verbatim for text clients, annotated for people.

``/sources/{name}`` answers by content negotiation (the one :func:`negotiate`): plain
UTF-8 text, the verbatim copy every quote is checked against, or an HTML page with every
quoted passage marked and linked to the facts that quote it. ``.txt`` and ``.html``
pick the format whatever the Accept header says; the ``.txt`` address is the text copy's
IRI in the graph (``nkd:textCopy``), so it stays plain text.
"""

from __future__ import annotations

from flask import Blueprint, Response, render_template, request

from ..annotated import annotate, quotes_of, source_infos
from ..errors import NotFound
from ..negotiation import HTML, TEXT, negotiate
from ..source_texts import copy_iri, text_file, text_page
from . import caching
from .linked_data import get_ld, publish, vary_on_accept

bp = Blueprint("sources", __name__)
bp.after_request(vary_on_accept)  # one address gives text or HTML by Accept

SOURCE_FORMATS = (TEXT, HTML)  # text first: a client that names neither gets the verbatim copy


@bp.get("/sources/<name>")
def source(name: str) -> Response:
    """A source text, verbatim (text/plain) or annotated (HTML)."""
    stem, suffix = name, None
    for fmt in SOURCE_FORMATS:
        if name.endswith("." + fmt.extension):
            stem, suffix = name[: -len(fmt.extension) - 1], fmt.extension
    path = text_file(stem)
    if path is None:
        raise NotFound(f"no source text is named {stem}",
                       hint="Source texts are linked from each source's page and from /about.")
    fmt = negotiate(request.headers.get("Accept"), SOURCE_FORMATS, suffix)
    if fmt is TEXT:
        headers = [("Content-Location", f"/sources/{stem}.txt")] if suffix is None else []
        return caching.conditional(caching.validators_for(TEXT.content_type), headers,
                                   lambda: Response(path.read_bytes(), content_type=TEXT.content_type))

    def page() -> str:
        ld = get_ld()
        copy = copy_iri(ld.base, stem)
        marked = annotate(path.read_text(encoding="utf-8"), quotes_of(ld, copy))
        infos = source_infos(ld, copy)
        rights = list(dict.fromkeys(r for info in infos for r in info.rights))  # said once, if all share it
        return render_template("source.html", stem=stem, infos=infos, rights=rights, text=marked,
                               facts=len({f.term for p in marked.passages for f, _ in p.facts}))

    return publish(page, HTML, f"/sources/{stem}", suffix, SOURCE_FORMATS)


@bp.app_template_filter("text_page")
def text_page_filter(iri: str) -> str:
    """The page of a text copy IRI, with its quoted passages marked (the IRI itself if not ours)."""
    return text_page(get_ld().base, iri) or iri
