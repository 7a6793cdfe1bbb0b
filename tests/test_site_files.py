"""What browsers and crawlers ask every site for: the favicon, robots.txt and the sitemap."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from urllib.parse import urlparse

from nkd import sitemap
from nkd.linked_data import iri_for_path
from nkd.sparql import check_query

NS = {"sm": sitemap.SITEMAP_NS}


def _entities(app) -> set[str]:
    state = app.extensions["nkd"]
    base = state.settings.public_base
    query = check_query(f'SELECT DISTINCT ?s WHERE {{ ?s ?p ?o FILTER(isIRI(?s) && STRSTARTS(STR(?s), "{base}id/")) }}',
                        state.settings)
    return {row[0].value for row in state.engine.table(query, 100_000).rows}


def _locs(body: bytes, tag: str) -> list[str]:
    root = ET.fromstring(body)
    return [loc.text for loc in root.findall(f"sm:{tag}/sm:loc", NS)]


def test_favicon(client):
    answer = client.get("/favicon.ico")
    assert answer.status_code == 200
    assert answer.headers["Content-Type"] == "image/vnd.microsoft.icon"
    assert answer.data.startswith(b"\x00\x00\x01\x00")  # the ICO header


def test_pages_link_the_svg_icon(client):
    page = client.get("/", headers={"Accept": "text/html"}).get_data(as_text=True)
    assert '<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">' in page
    assert client.get("/static/favicon.svg").data.startswith(b"<svg")


def test_robots_txt_names_the_sitemap_and_keeps_crawlers_off_queries(client):
    answer = client.get("/robots.txt", base_url="https://nkd.example.org")
    assert answer.headers["Content-Type"] == "text/plain; charset=utf-8"
    lines = answer.get_data(as_text=True).splitlines()
    assert lines[0] == "User-agent: *"
    assert "Disallow: /sparql" in lines and "Disallow: /search" in lines
    assert "Sitemap: https://nkd.example.org/sitemap.xml" in lines


def test_sitemap_lists_every_entity_page_on_this_host(app, client):
    answer = client.get("/sitemap.xml", base_url="https://nkd.example.org")
    assert answer.status_code == 200 and answer.headers["Content-Type"].startswith("application/xml")
    locs = _locs(answer.data, "url")
    assert len(locs) == len(set(locs))
    assert all(urlparse(loc).netloc == "nkd.example.org" for loc in locs)
    base = app.extensions["nkd"].settings.public_base
    listed = {iri_for_path(base, urlparse(loc).path) for loc in locs}
    entities = _entities(app)
    assert len(entities) > 500
    assert entities <= listed
    assert "https://nkd.example.org/ontology" in locs
    assert client.get("/sitemap/2.xml").status_code == 404


def test_a_large_sitemap_is_an_index_of_parts(app, client, monkeypatch):
    monkeypatch.setattr(sitemap, "MAX_URLS", 100)  # the protocol's 50,000, scaled to the shipped graph
    index = client.get("/sitemap.xml", base_url="https://nkd.example.org")
    parts = _locs(index.data, "sitemap")
    assert ET.fromstring(index.data).tag == f"{{{sitemap.SITEMAP_NS}}}sitemapindex"
    expected_parts = -(-(len(_entities(app)) + len(sitemap.SITE_PAGES)) // 100)
    assert parts == [f"https://nkd.example.org/sitemap/{n}.xml" for n in range(1, expected_parts + 1)]
    listed: list[str] = []
    for part in parts:
        answer = client.get(urlparse(part).path, base_url="https://nkd.example.org")
        locs = _locs(answer.data, "url")
        assert 0 < len(locs) <= 100
        listed += locs
    assert len(listed) == len(set(listed)) == len(_entities(app)) + len(sitemap.SITE_PAGES)
    assert client.get(f"/sitemap/{expected_parts + 1}.xml").status_code == 404
