"""What browsers and crawlers ask every site for: the favicon, robots.txt and the sitemap."""

from __future__ import annotations

from flask import Blueprint, Response, current_app, request, send_from_directory

from ..errors import NotFound
from ..sitemap import part_count, part_paths, sitemap_index, urlset
from . import get_state

bp = Blueprint("site", __name__)

SITEMAP_TYPE = "application/xml; charset=utf-8"
# Crawlers may read every page; running queries and searches on their behalf would
# only load the server (the landing page links to example queries).
ROBOTS_DISALLOW = ("/sparql", "/search")


def _site_url() -> str:
    return request.url_root.rstrip("/")


@bp.get("/favicon.ico")
def favicon() -> Response:
    """The icon browsers ask for on every site (pages also link the SVG version)."""
    return send_from_directory(current_app.static_folder, "favicon.ico", mimetype="image/vnd.microsoft.icon",
                               max_age=86400)


@bp.get("/robots.txt")
def robots() -> Response:
    """Every page may be crawled except queries and searches; the sitemap lists the pages."""
    lines = ["User-agent: *", *(f"Disallow: {path}" for path in ROBOTS_DISALLOW), "",
             f"Sitemap: {_site_url()}/sitemap.xml", ""]
    return Response("\n".join(lines), content_type="text/plain; charset=utf-8")


@bp.get("/sitemap.xml")
def sitemap() -> Response:
    """Every entity page and the main pages; an index of numbered parts when they are many."""
    state = get_state()
    parts = part_count(state.engine, state.settings)
    if parts == 1:
        body = urlset(_site_url(), part_paths(state.engine, state.settings, 1))
    else:
        body = sitemap_index(_site_url(), parts)
    return Response(body, content_type=SITEMAP_TYPE)


@bp.get("/sitemap/<int:part>.xml")
def sitemap_part(part: int) -> Response:
    """One numbered part of a sitemap too large for one file."""
    state = get_state()
    if not 1 <= part <= part_count(state.engine, state.settings):
        raise NotFound(f"there is no sitemap part {part}", hint="The parts are listed in /sitemap.xml.")
    return Response(urlset(_site_url(), part_paths(state.engine, state.settings, part)),
                    content_type=SITEMAP_TYPE)
