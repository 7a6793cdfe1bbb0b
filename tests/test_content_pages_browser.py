"""The content pages in headless Chromium, JavaScript off, at 1280 and 390 px: nothing wider than
the screen, nothing fetched from another host, the drawings readable on a phone."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest

PAGES = {
    "landing": "/",
    "about": "/about",
    "browse": "/browse/",
    "events": "/browse/events",
    "observations": "/browse/observations",
    "timeline": "/timeline",
    "news article": "/sources/000_76ada298a9581b2c",
    "blog post": "/sources/001_147da7631101f1fd",
    "search": "/search?q=kim+jong+un",
    "observation": "/id/observation/arrivals-since-1950s-article",
    "event": "/id/event/2019-11-sailors-repatriation",
    "person": "/id/person/kim-jong-un",
    "bars": "/id/dataset/budget-2018",
    "time series": "/id/dataset/defector-flows",
    "cohort": "/id/dataset/cohort-2023",
}
WIDTHS = (1280, 390)


@pytest.fixture(scope="module")
def pages(browser):
    """One browser page per width, JavaScript off, recording every request's host."""
    opened = {}
    for width in WIDTHS:
        context = browser.new_context(viewport={"width": width, "height": 900}, java_script_enabled=False)
        page = context.new_page()
        page.hosts = set()
        page.on("request", lambda request, page=page: page.hosts.add(urlsplit(request.url).netloc))
        opened[width] = page
    yield opened
    for page in opened.values():
        page.context.close()


@pytest.mark.browser
@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("name", list(PAGES))
def test_content_page_fits_the_screen_and_asks_no_other_host(server, pages, name, width):
    page = pages[width]
    page.hosts.clear()
    response = page.goto(server.url + PAGES[name])
    assert response.status == 200
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, f"{name} is {overflow} px wider than a {width} px screen"
    assert page.hosts == {urlsplit(server.url).netloc}, page.hosts
    assert page.locator("footer.site-footer p.citation").is_visible()


@pytest.mark.browser
def test_charts_and_their_legends_stay_readable_on_a_phone_regression_4px_legend(server, pages):
    page = pages[390]
    for path in (PAGES["bars"], PAGES["time series"], PAGES["cohort"]):
        page.goto(server.url + path)
        charts = page.locator("figure.chart svg.chart")
        assert charts.count() >= 1, path
        for chart in charts.all():
            box = chart.bounding_box()
            assert box["width"] <= 390 and box["height"] > 150, path
            label = chart.locator("text.value, g.point text").first.bounding_box()
            assert label["height"] >= 8, (path, label)  # 12-unit text drawn at least 8 px high
        legend = page.locator("figure.chart ul.legend li").first.bounding_box()
        assert legend["height"] >= 14, path


@pytest.mark.browser
def test_the_timeline_draws_every_dated_event_on_a_phone(server, pages):
    page = pages[390]
    page.goto(server.url + PAGES["timeline"])
    strips = page.locator("li.event svg.strip")
    assert strips.count() > 20
    for strip in strips.all()[:5]:
        box = strip.bounding_box()
        assert box["width"] > 250 and box["height"] >= 14
    late_2011 = page.locator("li.event", has_text="Kim Jong-un assumes the leadership")
    assert "late 2011" in late_2011.inner_text()


@pytest.mark.browser
def test_a_quote_leads_to_its_marked_passage_and_back_to_the_fact(server, pages):
    page = pages[1280]
    page.goto(server.url + "/id/observation/arrivals-2019-blog")
    page.get_by_role("link", name="read them in the text").first.click()
    page.wait_for_url("**/sources/001_147da7631101f1fd#q-*")
    target = page.url.split("#", 1)[1]
    mark = page.locator(f"mark#{target}")
    assert mark.is_visible()
    number = mark.get_attribute("data-passage")
    passage = "".join(page.locator(f'mark[data-passage="{number}"]').all_inner_texts())
    assert "from a peak of 2,914 in 2009 to only 1,047 last year" in passage
    note = page.locator(f"#note-{number}")
    assert note.get_by_role("link", name="1,047 North Korean defectors resettled in South Korea in 2019 (blog post)").count() == 1
