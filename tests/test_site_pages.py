"""Every kind of page in headless Chromium (Debian's), at a desktop and a phone width.

Each page must: fit its width (no horizontal scroll; a wide table scrolls inside its
own region), ask no other host for anything (every such request is aborted and
recorded), break no rule of its Content-Security-Policy, raise no script error, and
pass axe-core (tests/node_modules, pinned by tests/package-lock.json, installed with
`npm ci`) with zero violations.

PAGES is the one list of pages; a new kind of page is one more line there. A resource
of each kind of entity (``/id/{kind}/…``) is added from the graph itself.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from typing import Any, Iterator
from urllib.parse import quote, urlparse

import pytest

from conftest import ROOT

pytestmark = pytest.mark.browser

AXE = ROOT / "tests" / "node_modules" / "axe-core" / "axe.min.js"
WIDTHS = (1280, 390)


def _query(text: str) -> str:
    return "/sparql?query=" + quote(text, safe="")


# (name, path): every kind of page the site has.
PAGES: list[tuple[str, str]] = [
    ("landing", "/"),
    ("ontology", "/ontology"),
    ("shapes", "/shapes"),
    ("VoID", "/.well-known/void"),
    ("dumps", "/dumps/"),
    ("named graph", "/data/graph/events"),
    ("dataset with the most figures", "/id/dataset/defector-flows"),
    ("search", "/search?q=korea"),
    ("search, no hit", "/search?q=zzzzzz"),
    ("query page, empty", "/sparql"),
    ("query page, an example", "/sparql?example=cq01"),
    ("query page, a table", _query("PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n"
                                   "SELECT ?s ?p ?o WHERE { ?s ?p ?o ; rdfs:label ?l } LIMIT 120")),
    ("query page, triples", _query("CONSTRUCT WHERE { ?s ?p ?o } LIMIT 30")),
    ("query page, yes or no", _query("ASK { ?s ?p ?o }")),
    ("query page, an error", _query("SELECT * WHERE {\n  ?s rdfs:label ?o\n}")),
    ("settings", "/-/settings"),
    ("about", "/about"),
    ("browse, every kind", "/browse/"),
    ("browse, events", "/browse/events"),
    ("browse, observations", "/browse/observations"),
    ("timeline", "/timeline"),
    ("source text, annotated", "/sources/001_147da7631101f1fd.html"),
    ("search, grouped hits", "/search?q=kim+jong+un"),
    ("not found", "/id/event/no-such-event"),
]


def _entity_kinds() -> list[tuple[str, str]]:
    """One resource of each kind (``/id/{kind}/…``) of the shipped graph: the first by IRI."""
    from nkd.settings import load_settings
    from nkd.store import shipped_store

    base = load_settings(environ={}).public_base
    store = shipped_store(base)
    prefix = base + "id/"
    rows = store.query(f"""SELECT ?kind (MIN(STR(?s)) AS ?first) WHERE {{
        ?s ?p ?o FILTER(isIRI(?s) && STRSTARTS(STR(?s), "{prefix}"))
        BIND(STRBEFORE(STRAFTER(STR(?s), "{prefix}"), "/") AS ?kind)
    }} GROUP BY ?kind ORDER BY ?kind""", use_default_graph_as_union=True)
    return [(f"resource: {row['kind'].value}", "/" + row["first"].value[len(base):]) for row in rows]


ALL_PAGES = PAGES + _entity_kinds()

# What each page records while it loads: CSP violations and script errors.
RECORDER = """
window.__nkdViolations = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__nkdViolations.push(e.violatedDirective + " blocked " + (e.blockedURI || "inline") + " " + (e.sample || ""));
});
"""

RUN_AXE = """async () => {
  const result = await axe.run(document, {resultTypes: ["violations"]});
  return result.violations.map((v) => ({id: v.id, impact: v.impact, help: v.help,
                                        nodes: v.nodes.slice(0, 5).map((n) => n.target.join(" "))}));
}"""


@pytest.fixture(scope="module")
def axe_source() -> str:
    """The axe-core script, from tests/node_modules (`npm ci` in tests/)."""
    if not AXE.exists():
        if os.environ.get("NKD_REQUIRE_BROWSER"):
            pytest.fail("axe-core is not installed: run `npm ci` in tests/")
        pytest.skip("axe-core is not installed (run `npm ci` in tests/)")
    return AXE.read_text(encoding="utf-8")


@dataclass
class Tab:
    """One browser tab that visits every page in turn, and what it saw on the current one."""

    page: Any
    elsewhere: list[str] = field(default_factory=list)  # requests to other hosts, aborted
    failed: list[str] = field(default_factory=list)     # requests that failed
    errors: list[str] = field(default_factory=list)     # script errors

    def visit(self, url: str):
        """Load ``url``, forgetting what the previous page saw; its response."""
        for seen in (self.elsewhere, self.failed, self.errors):
            seen.clear()
        self.page.set_viewport_size({"width": WIDTHS[0], "height": 900})
        return self.page.goto(url)


@pytest.fixture(scope="module")
def tab(browser, server) -> Iterator[Tab]:
    """One tab for the module's pages, as a visitor going from page to page: no page keeps
    state (no cookie, no storage), each load is a new document, and one renderer process
    serves them all instead of one started per page."""
    context = browser.new_context(viewport={"width": WIDTHS[0], "height": 900})
    # Init scripts are not subject to the page's CSP, which forbids injected inline scripts;
    # nor is what Playwright evaluates, which brings axe in once the page has loaded (as an
    # init script it would be parsed again for every document the context opens).
    context.add_init_script(RECORDER)
    tab = Tab(context.new_page())
    local = urlparse(server.url).netloc

    def only_this_site(route) -> None:
        url = urlparse(route.request.url)
        if url.netloc == local or url.scheme in ("data", "blob", "about"):
            route.continue_()
        else:
            tab.elsewhere.append(route.request.url)
            route.abort("blockedbyclient")

    tab.page.route("**/*", only_this_site)
    tab.page.on("pageerror", lambda exc: tab.errors.append(str(exc)))
    tab.page.on("requestfailed", lambda request: tab.failed.append(f"{request.url}: {request.failure}"))
    yield tab
    context.close()


@pytest.mark.parametrize("name,path", ALL_PAGES, ids=[name for name, _ in ALL_PAGES])
def test_page_fits_stays_on_this_site_and_passes_axe(tab, server, axe_source, name, path):
    # The load event, not network idle (500 ms of quiet more per page): no page asks
    # for anything after it loads, and its CSP would block and report another host.
    response = tab.visit(server.url + path)
    assert response is not None and response.status in (200, 400, 404), response and response.status
    tab.page.evaluate(axe_source)
    # One load, every width: the page is checked at each, as a window resized or a phone
    # turned sees it (CSS media queries and the editor follow).
    for width in WIDTHS:
        tab.page.set_viewport_size({"width": width, "height": 900})
        widths = tab.page.evaluate("[document.documentElement.scrollWidth, document.documentElement.clientWidth]")
        assert widths[0] <= widths[1], f"{path} is {widths[0]} px wide in a {widths[1]} px window"
        violations = tab.page.evaluate(RUN_AXE)
        assert violations == [], f"at {width} px: " + json.dumps(violations, indent=1)
    assert tab.elsewhere == [], f"{path} asked another host for {tab.elsewhere}"
    assert tab.failed == [], tab.failed
    assert tab.errors == [], tab.errors
    assert tab.page.evaluate("window.__nkdViolations") == []


# WCAG 1.4.11: what shows a control's extent (its fill, or else its border) stands out
# from what is around it by 3:1. axe-core checks text contrast only.
CONTROL_CONTRAST = """() => {
  const rgb = (c) => (c.match(/[\\d.]+/g) || []).map(Number);
  const opaque = (c) => { const v = rgb(c); return v.length === 3 || v[3] > 0; };
  const luminance = (c) => {
    const [r, g, b] = rgb(c).slice(0, 3).map((v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; });
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  };
  const ratio = (a, b) => { const [x, y] = [luminance(a), luminance(b)].sort((p, q) => q - p); return (x + 0.05) / (y + 0.05); };
  const around = (el) => {
    for (let p = el.parentElement; p; p = p.parentElement) {
      const bg = getComputedStyle(p).backgroundColor;
      if (opaque(bg)) return bg;
    }
    return "rgb(255, 255, 255)";
  };
  const found = [];
  for (const el of document.querySelectorAll("input:not([type=hidden]), select, textarea, button, .CodeMirror")) {
    if (!el.getClientRects().length || getComputedStyle(el).visibility === "hidden") continue;
    const style = getComputedStyle(el), outside = around(el);
    const fill = style.backgroundColor;
    const edge = opaque(fill) && ratio(fill, outside) > 1.1 ? fill : style.borderTopColor;
    const contrast = ratio(edge, outside);
    if (contrast < 3) found.push(`${el.tagName.toLowerCase()}#${el.id || el.className}: ${contrast.toFixed(2)}:1`);
  }
  return found;
}"""


@pytest.mark.parametrize("path", ["/", "/sparql", _query("SELECT * WHERE { ?s ?p ?o } LIMIT 60"),
                                  "/search?q=korea", "/id/event/no-such-event"])
def test_controls_stand_out_by_three_to_one(tab, server, path):
    tab.visit(server.url + path)
    assert tab.page.evaluate(CONTROL_CONTRAST) == []
