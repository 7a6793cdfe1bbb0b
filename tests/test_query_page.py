"""The query page at /sparql in headless Chromium (Debian's), with and without JavaScript.

The page must work with no network beyond this server: every request to another host
(the editor's CDN included) is aborted and recorded, which is what a browser with an
unreachable CDN sees.
"""

from __future__ import annotations

from urllib.parse import urlparse

import pytest
import requests

from conftest import ROOT, endpoint_data_args, start_server

pytestmark = pytest.mark.browser

@pytest.fixture(scope="module")
def page_server(tmp_path_factory):
    """A server on the endpoint's test data; its example queries are the shipped ones."""
    running = start_server(tmp_path_factory.mktemp("page"), *endpoint_data_args(),
                           "--max-html-rows", "5")
    yield running
    running.stop()


class Offline:
    """Aborts every request that leaves this server, and remembers their hosts."""

    def __init__(self, server_url: str) -> None:
        self.local = urlparse(server_url).netloc
        self.blocked: list[str] = []

    def __call__(self, route) -> None:
        url = urlparse(route.request.url)
        if url.netloc == self.local or url.scheme in ("data", "about"):
            route.continue_()
        else:
            self.blocked.append(url.netloc)
            route.abort("internetdisconnected")


def _page(browser, server, javascript: bool = True):
    context = browser.new_context(java_script_enabled=javascript)
    offline = Offline(server.url)
    context.route("**/*", offline)
    errors: list[str] = []
    page = context.new_page()
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    return context, page, offline, errors


def test_query_page_with_javascript(browser, page_server, tmp_path):
    context, page, offline, errors = _page(browser, page_server)
    try:
        page.goto(page_server.url + "/sparql")
        assert page.title().startswith("SPARQL query")
        textarea = page.locator("textarea#query")
        assert textarea.is_visible()
        # The editor's script comes from a CDN; here it is unreachable and the plain
        # text area stays, fully usable.
        page.wait_for_function("document.body.classList.contains('plain-editor')")
        assert offline.blocked, "the page did not even try its editor enhancement"
        # Every shipped example query is offered, after a "choose" placeholder.
        shipped = sorted(path.stem for path in (ROOT / "graph" / "queries").glob("*.rq"))
        offered = page.locator("select#example option").evaluate_all("options => options.map(o => o.value)")
        assert offered == ["", *shipped] and len(shipped) >= 2
        # Picking an example fills the editor at once; running it keeps it picked.
        page.select_option("select#example", shipped[-1])
        expected = (ROOT / "graph" / "queries" / f"{shipped[-1]}.rq").read_text(encoding="utf-8")
        assert textarea.input_value() == expected.replace("\r\n", "\n")
        page.click("button#run")
        page.wait_for_selector("#results, #query-error")
        assert page.locator("#query-error").count() == 0
        assert page.locator("select#example").input_value() == shipped[-1]
        textarea.fill("PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n"
                      "SELECT ?country ?label WHERE { ?country a <https://w3id.org/nkd/ontology#Country> ;"
                      " rdfs:label ?label } ORDER BY ?label")
        page.click("button#run")
        page.wait_for_selector("table.results-table")
        rows = page.locator("table.results-table tbody tr")
        assert rows.count() == 3
        assert page.locator("table.results-table th").all_inner_texts() == ["country", "label"]
        assert "China" in rows.nth(0).inner_text()
        formats = page.locator(".downloads a").evaluate_all("links => links.map(a => a.dataset.format)")
        assert formats == ["json", "xml", "csv", "tsv"]
        csv_href = page.locator(".downloads a[data-format=csv]").get_attribute("href")
        download = requests.get(page_server.url + csv_href, timeout=30)
        assert download.headers["Content-Type"].startswith("text/csv")
        assert download.text.splitlines()[1:] == [
            "https://w3id.org/nkd/id/country/china,China",
            "https://w3id.org/nkd/id/country/south-korea,South Korea",
            "https://w3id.org/nkd/id/country/vietnam,Vietnam"]
        screenshot = tmp_path / "query-page.png"
        page.screenshot(path=str(screenshot), full_page=True)
        data = screenshot.read_bytes()
        assert data.startswith(b"\x89PNG\r\n\x1a\n") and len(data) > 5_000
        # An IRI of the dataset links to the same path on this server.
        link = rows.nth(0).locator("td.iri a")
        assert link.get_attribute("href") == "/id/country/china"
        link.click()
        page.wait_for_load_state()
        assert urlparse(page.url).path == "/id/country/china"
        assert urlparse(page.url).netloc == urlparse(page_server.url).netloc
        # An error is shown in place, with line, column and excerpt, and the text kept.
        page.goto(page_server.url + "/sparql")
        bad = "SELECT * WHERE {\n  ?s ?p ?o .\n  FILTER(?o = ex:x)\n}"
        page.locator("textarea#query").fill(bad)
        page.keyboard.press("Control+Enter")
        page.wait_for_selector("#query-error")
        error = page.locator("#query-error").inner_text()
        assert "Line 3, column 15" in error and "ex:" in error
        assert "FILTER(?o = ex:x)" in page.locator("#query-error .excerpt").inner_text()
        assert page.locator("textarea#query").input_value() == bad
        assert errors == []
    finally:
        context.close()


def test_query_page_without_javascript(browser, page_server):
    context, page, offline, errors = _page(browser, page_server, javascript=False)
    try:
        page.goto(page_server.url + "/sparql")
        # Without script, an example is loaded by the form's own button.
        page.select_option("select#example", "cq01")
        page.click("button#load-example")
        page.wait_for_load_state()
        assert "example=cq01" in page.url
        cq01 = (ROOT / "graph" / "queries" / "cq01.rq").read_text(encoding="utf-8")
        assert page.locator("textarea#query").input_value().strip() == cq01.strip()
        assert page.locator("select#example").input_value() == "cq01"
        page.locator("textarea#query").fill("SELECT ?s ?p ?o WHERE { ?s ?p ?o } ORDER BY ?s ?p ?o")
        page.click("button#run")
        page.wait_for_selector("table.results-table")
        # 36 triples, max_html_rows is 5: the table is cut and says so.
        assert page.locator("table.results-table tbody tr").count() == 5
        assert "first 5 rows" in page.locator(".results .count").inner_text()
        page.locator("textarea#query").fill("ASK { ?s ?p ?o }")
        page.click("button#run")
        assert page.locator("#boolean").inner_text() == "true"
        page.locator("textarea#query").fill("SELECT * WHERE { ?s ?p ?o")
        page.click("button#run")
        assert "never closed" in page.locator("#query-error").inner_text()
        assert offline.blocked == []  # with script off, nothing even tries the CDN
    finally:
        context.close()


def test_construct_renders_as_a_triple_table(browser, page_server):
    context, page, _, _ = _page(browser, page_server, javascript=False)
    try:
        page.goto(page_server.url + "/sparql?query=" + requests.utils.quote(
            "CONSTRUCT WHERE { <https://w3id.org/nkd/id/country/vietnam> ?p ?o }"))
        assert page.locator("table.results-table th").all_inner_texts() == ["subject", "predicate", "object"]
        assert page.locator("table.results-table tbody tr").count() == 2
        formats = page.locator(".downloads a").evaluate_all("links => links.map(a => a.dataset.format)")
        assert formats == ["turtle", "ntriples", "jsonld", "rdfxml", "trig", "nquads"]
    finally:
        context.close()


def test_a_page_on_another_origin_can_query_the_endpoint(browser, page_server, endpoint_server):
    # What YASGUI on another origin does: a POST with a SPARQL body, which needs a preflight.
    # The other origin is another server on another port.
    context = browser.new_context()
    context.route("**/*", lambda route: route.continue_() if urlparse(route.request.url).hostname == "127.0.0.1"
                  else route.abort("internetdisconnected"))
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    try:
        page.goto(endpoint_server.url + "/healthz")
        result = page.evaluate("""async (url) => {
            const response = await fetch(url, {method: "POST", body: "ASK { ?s ?p ?o }",
                headers: {"Content-Type": "application/sparql-query",
                          "Accept": "application/sparql-results+json"}});
            return [response.status, await response.json()];
        }""", page_server.url + "/sparql")
        assert result == [200, {"head": {}, "boolean": True}]
        assert errors == []
    finally:
        context.close()
