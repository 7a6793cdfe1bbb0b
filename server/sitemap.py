"""The sitemap of the entity pages (the Sitemaps protocol, https://www.sitemaps.org/protocol.html).

Search engines read it to find every page of the graph. One file holds at most
:data:`MAX_URLS` addresses; past that, ``/sitemap.xml`` is an index of numbered parts.
The addresses are on the server that answers (``site_url``), not under
``public_base``: a sitemap may only list pages of its own host.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from typing import TYPE_CHECKING, Iterable
from urllib.parse import quote

from .linked_data import local_path, sparql_string
from .settings import Settings

if TYPE_CHECKING:
    from .engine import Engine
from .sparql import check_query

SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"
MAX_URLS = 50_000  # the protocol's limit for one file
# The pages that are not entities, listed first in the first part.
SITE_PAGES = ("/", "/ontology", "/shapes", "/.well-known/void", "/dumps/")


def _entities_where(settings: Settings) -> str:
    prefix = sparql_string(settings.public_base + "id/")
    return f"?s ?p ?o FILTER(isIRI(?s) && STRSTARTS(STR(?s), {prefix}))"


def entity_count(engine: Engine, settings: Settings) -> int:
    """How many entities (subjects under ``{public_base}id/``) have a page."""
    query = check_query(f"SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE {{ {_entities_where(settings)} }}", settings)
    table = engine.table(query, 1)
    return int(table.rows[0][0].value) if table.rows and table.rows[0][0] is not None else 0


def part_count(engine: Engine, settings: Settings) -> int:
    """How many sitemap files the pages need (1 when they fit in one)."""
    total = len(SITE_PAGES) + entity_count(engine, settings)
    return max(1, -(-total // MAX_URLS))


def part_paths(engine: Engine, settings: Settings, part: int) -> list[str]:
    """The paths of sitemap part ``part`` (from 1): the site pages, then entities by IRI."""
    first = (part - 1) * MAX_URLS  # position in SITE_PAGES + entities
    paths = list(SITE_PAGES[first:first + MAX_URLS])
    offset = max(0, first - len(SITE_PAGES))
    limit = MAX_URLS - len(paths)
    query = check_query(f"SELECT DISTINCT ?s WHERE {{ {_entities_where(settings)} }} ORDER BY ?s "
                        f"OFFSET {offset} LIMIT {limit}", settings)
    for row in engine.table(query, limit).rows:
        path = local_path(settings.public_base, row[0].value) if row[0] is not None else None
        if path is not None:
            paths.append(path)
    return paths


def _xml(root: ET.Element) -> bytes:
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)


def urlset(site_url: str, paths: Iterable[str]) -> bytes:
    """A ``<urlset>`` with one ``<url><loc>`` per path on ``site_url`` (no trailing slash)."""
    root = ET.Element("urlset", xmlns=SITEMAP_NS)
    for path in paths:
        ET.SubElement(ET.SubElement(root, "url"), "loc").text = site_url + quote(path, safe="/:@!$&'()*+,;=-._~%")
    return _xml(root)


def sitemap_index(site_url: str, parts: int) -> bytes:
    """A ``<sitemapindex>`` of the numbered parts ``/sitemap/{n}.xml``."""
    root = ET.Element("sitemapindex", xmlns=SITEMAP_NS)
    for n in range(1, parts + 1):
        ET.SubElement(ET.SubElement(root, "sitemap"), "loc").text = f"{site_url}/sitemap/{n}.xml"
    return _xml(root)
