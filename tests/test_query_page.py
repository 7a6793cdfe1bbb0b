"""The query page at /sparql in headless Chromium (Debian's), with and without JavaScript.

The page must work with no network beyond this server: every request to another host
is aborted and recorded, and none may be made. The editor (YASQE) and the result viewer
(YASR) are served by this server from the package.
"""

from __future__ import annotations

import threading
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import quote, urlparse

import pytest
import requests

from conftest import ROOT, endpoint_data_args, start_server

pytestmark = pytest.mark.browser

NKD = "https://w3id.org/nkd/ontology#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
SHIPPED_EXAMPLES = sorted(path.stem for path in (ROOT / "graph" / "queries").glob("*.rq"))
# Records what the page's Content-Security-Policy blocks (an init script runs whatever the policy).
RECORD_VIOLATIONS = """
window.__violations = [];
document.addEventListener("securitypolicyviolation", (e) => window.__violations.push(e.violatedDirective + " " + e.blockedURI));
"""
EDITOR_TEXT = "document.querySelector('.CodeMirror').CodeMirror.getValue()"


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
        if url.netloc == self.local or url.scheme in ("data", "about", "blob"):
            route.continue_()
        else:
            self.blocked.append(url.netloc)
            route.abort("internetdisconnected")


def _page(browser, server, javascript: bool = True, width: int = 1280):
    context = browser.new_context(java_script_enabled=javascript, viewport={"width": width, "height": 900})
    offline = Offline(server.url)
    context.route("**/*", offline)
    context.add_init_script(RECORD_VIOLATIONS)
    errors: list[str] = []
    page = context.new_page()
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    return context, page, offline, errors


@contextmanager
def _opened(browser, server, path: str = "/sparql", javascript: bool = True):
    """The page at ``path``, its editor ready; on leaving, nothing went to another host, broke
    the page's policy or raised a script error."""
    context, page, offline, errors = _page(browser, server, javascript=javascript)
    try:
        page.goto(server.url + path)
        if javascript:
            page.wait_for_selector(".yasqe .CodeMirror")
        yield page
        assert offline.blocked == [] and errors == []
        if javascript:  # the recorder is a script too
            assert page.evaluate("window.__violations") == []
    finally:
        context.close()


def _example(name: str) -> str:
    """A shipped example query's text, as a browser's editor holds it."""
    return (ROOT / "graph" / "queries" / f"{name}.rq").read_text(encoding="utf-8").replace("\r\n", "\n")


def _editor_text(page) -> str:
    return page.evaluate(EDITOR_TEXT)


def _set_editor_text(page, text: str) -> None:
    page.evaluate("(text) => document.querySelector('.CodeMirror').CodeMirror.setValue(text)", text)


def _submit(page, action) -> None:
    """Do what submits the query form, and wait for the new page and its editor."""
    with page.expect_navigation():
        action()
    page.wait_for_selector(".yasqe .CodeMirror")


def test_query_page_with_javascript(browser, page_server, tmp_path):
    context, page, offline, errors = _page(browser, page_server)
    try:
        page.goto(page_server.url + "/sparql")
        assert page.title().startswith("SPARQL query")
        # The editor is YASQE, served by this server: no request leaves it.
        page.wait_for_selector(".yasqe .CodeMirror")
        assert page.locator("textarea#query").is_hidden()
        assert "rich-editor" in page.locator("body").get_attribute("class")
        # The starting query declares the common prefixes.
        start = _editor_text(page)
        assert f"PREFIX nkd: <{NKD}>" in start and f"PREFIX rdfs: <{RDFS}>" in start
        # Every shipped example query is offered, after a "choose" placeholder.
        offered = page.locator("select#example option").evaluate_all("options => options.map(o => o.value)")
        assert offered == ["", *SHIPPED_EXAMPLES] and len(SHIPPED_EXAMPLES) >= 2
        # Picking an example fills an unedited editor at once; running it keeps it picked.
        page.select_option("select#example", SHIPPED_EXAMPLES[-1])
        assert _editor_text(page) == _example(SHIPPED_EXAMPLES[-1])
        _submit(page, lambda: page.click("button#run"))
        assert page.locator("#results").count() == 1 and page.locator("#query-error").count() == 0
        assert page.locator("select#example").input_value() == SHIPPED_EXAMPLES[-1]
        _set_editor_text(page, "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n"
                               "SELECT ?country ?label WHERE { ?country a <https://w3id.org/nkd/ontology#Country> ;"
                               " rdfs:label ?label } ORDER BY ?label")
        page.locator(".CodeMirror textarea").focus()
        _submit(page, lambda: page.keyboard.press("Control+Enter"))  # in the editor: runs the query
        # The result is shown by YASR, the server's own table hidden.
        page.wait_for_selector(".yasr table.dataTable tbody tr")
        assert page.locator("#server-table").is_hidden()
        rows = page.locator(".yasr table.dataTable tbody tr")
        assert rows.count() == 3
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
        # An IRI of the dataset is shown by its label and links to the same path on this server.
        link = rows.nth(0).locator("a.iri")
        assert link.inner_text() == "China"
        assert link.get_attribute("href") == "/id/country/china"
        link.click()
        page.wait_for_load_state()
        assert urlparse(page.url).path == "/id/country/china"
        assert urlparse(page.url).netloc == urlparse(page_server.url).netloc
        # An error is shown in place, with line, column and excerpt, and the text kept.
        page.goto(page_server.url + "/sparql")
        page.wait_for_selector(".yasqe .CodeMirror")
        bad = "SELECT * WHERE {\n  ?s ?p ?o .\n  FILTER(?o = ex:x)\n}"
        _set_editor_text(page, bad)
        _submit(page, lambda: page.click("button#run"))
        error = page.locator("#query-error").inner_text()
        assert "Line 3, column 15" in error and "ex:" in error
        assert "FILTER(?o = ex:x)" in page.locator("#query-error .excerpt").inner_text()
        assert _editor_text(page) == bad
        assert offline.blocked == []
        assert page.evaluate("window.__violations") == []
        assert errors == []
    finally:
        context.close()


def test_an_edited_query_is_not_replaced_by_browsing_the_examples(browser, page_server):
    with _opened(browser, page_server) as page:
        typed = "SELECT ?typed WHERE { ?typed ?p ?o }"
        _set_editor_text(page, typed)
        # Arrow keys on the list pick example after example: each is a change event.
        page.focus("select#example")
        for _ in range(3):
            page.keyboard.press("ArrowDown")
        assert page.locator("select#example").input_value() == SHIPPED_EXAMPLES[2]
        assert _editor_text(page) == typed
        prompt = page.locator("#example-prompt")
        assert prompt.is_visible() and "Your query has changes" in prompt.inner_text()
        # Keeping the query leaves it and resets the list.
        page.click("button#keep-query")
        assert _editor_text(page) == typed and prompt.is_hidden()
        assert page.locator("select#example").input_value() == ""
        # Replacing it takes the example when asked to.
        page.select_option("select#example", SHIPPED_EXAMPLES[0])
        assert _editor_text(page) == typed
        page.click("button#replace-query")
        assert _editor_text(page) == _example(SHIPPED_EXAMPLES[0]) and prompt.is_hidden()
        # An example nobody edited is replaced at once by the next one picked.
        page.select_option("select#example", SHIPPED_EXAMPLES[1])
        assert _editor_text(page) == _example(SHIPPED_EXAMPLES[1]) and prompt.is_hidden()


def test_typing_a_common_prefix_declares_it(browser, page_server):
    with _opened(browser, page_server) as page:
        _set_editor_text(page, "SELECT * WHERE {\n  ?s \n}")
        page.evaluate("document.querySelector('.CodeMirror').CodeMirror.setCursor({line: 1, ch: 5})")
        page.locator(".CodeMirror textarea").focus()
        page.keyboard.type("skos:")
        page.wait_for_function(f"{EDITOR_TEXT}.includes('PREFIX skos:')")
        assert "PREFIX skos: <http://www.w3.org/2004/02/skos/core#>" in _editor_text(page)


def test_results_are_sortable_and_paged_with_labels_and_prefixed_names(browser, server):
    query = ("PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n"
             "SELECT ?thing ?kind ?label WHERE { ?thing a ?kind ; rdfs:label ?label } ORDER BY ?label LIMIT 120")
    with _opened(browser, server, "/sparql?query=" + quote(query)) as page:
        page.wait_for_selector(".yasr table.dataTable tbody tr")
        assert "Showing 1 to 50 of 120" in page.locator(".yasr .dataTables_info").inner_text()
        first = page.locator(".yasr table.dataTable tbody tr").first.inner_text()
        # Paged: the next page starts at row 51.
        page.locator(".yasr .paginate_button.next").click()
        assert "Showing 51 to 100 of 120" in page.locator(".yasr .dataTables_info").inner_text()
        assert page.locator(".yasr table.dataTable tbody tr .rowNumber").first.inner_text() == "51"
        # Sortable: twice on the label column sorts it descending.
        header = page.locator(".yasr table.dataTable thead th", has_text="label")
        header.click()
        header.click()
        assert page.locator(".yasr table.dataTable tbody tr").first.inner_text() != first
        shown = page.locator(".yasr table.dataTable tbody tr td:nth-child(4)").all_inner_texts()
        labels = [text[text.index('"') + 1:text.rindex('"')] for text in shown]  # "…"@en
        assert labels == sorted(labels, key=str.lower, reverse=True)  # as DataTables sorts: case folded
        # IRIs by label, the prefixed name beneath; an unlabelled class by its prefixed name.
        kinds = page.locator(".yasr table.dataTable tbody tr td:nth-child(3)").all_inner_texts()
        assert any("\nnkd:" in kind for kind in kinds), kinds


def test_query_page_without_javascript(browser, page_server):
    with _opened(browser, page_server, "/sparql", javascript=False) as page:
        assert f"PREFIX nkd: <{NKD}>" in page.locator("textarea#query").input_value()
        # Without script, an example is loaded by the form's own button.
        page.select_option("select#example", "cq01")
        page.click("button#load-example")
        page.wait_for_load_state()
        assert "example=cq01" in page.url
        assert page.locator("textarea#query").input_value().strip() == _example("cq01").strip()
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


def test_labels_and_prefixed_names_without_javascript(browser, page_server):
    with _opened(browser, page_server, "/sparql?query=" + quote(
            "SELECT ?org ?kind WHERE { VALUES ?org { <https://w3id.org/nkd/id/org/ministry-of-unification> }"
            " ?org a ?kind }"), javascript=False) as page:
        # The English label, not the Korean one; the IRI on hover; an unlabelled IRI by its prefixed name.
        org = page.locator("td.iri a[href='/id/org/ministry-of-unification']")
        assert org.inner_text() == "Ministry of Unification"
        assert org.get_attribute("title") == "https://w3id.org/nkd/id/org/ministry-of-unification"
        kind = page.locator("td.iri a[href='/ontology#Organisation']")
        assert kind.inner_text() == "nkd:Organisation"


def test_a_missing_common_prefix_is_offered_without_javascript(browser, page_server):
    with _opened(browser, page_server, "/sparql?query=" + quote(
            "SELECT ?label WHERE { ?s rdfs:label ?label } ORDER BY ?label LIMIT 3"), javascript=False) as page:
        assert page.locator("#query-error").is_visible()
        page.click("#fix-prefixes a")
        page.wait_for_selector("table.results-table")
        assert page.locator("textarea#query").input_value().startswith(f"PREFIX rdfs: <{RDFS}>\n")
        assert page.locator("table.results-table tbody tr").count() == 3


def test_construct_renders_as_a_triple_table(browser, page_server):
    with _opened(browser, page_server, "/sparql?query=" + quote(
            "CONSTRUCT WHERE { <https://w3id.org/nkd/id/country/vietnam> ?p ?o }"), javascript=False) as page:
        assert page.locator("table.results-table th").all_inner_texts() == ["subject", "predicate", "object"]
        assert page.locator("table.results-table tbody tr").count() == 2
        formats = page.locator(".downloads a").evaluate_all("links => links.map(a => a.dataset.format)")
        assert formats == ["turtle", "ntriples", "jsonld", "rdfxml", "trig", "nquads"]


class _BlankPage(BaseHTTPRequestHandler):
    """Another origin: a blank page with no policy of its own."""

    def do_GET(self) -> None:  # noqa: N802 (http.server's name)
        body = b"<!doctype html><title>elsewhere</title>"
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args) -> None:
        pass


@pytest.fixture()
def other_origin():
    """A web server on another loopback port, standing for a query page such as YASGUI's."""
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _BlankPage)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def test_a_page_on_another_origin_can_query_the_endpoint(browser, page_server, other_origin):
    # What YASGUI on another origin does: a POST with a SPARQL body, which needs a preflight.
    context = browser.new_context()
    context.route("**/*", lambda route: route.continue_() if urlparse(route.request.url).hostname == "127.0.0.1"
                  else route.abort("internetdisconnected"))
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    try:
        page.goto(other_origin + "/")
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
