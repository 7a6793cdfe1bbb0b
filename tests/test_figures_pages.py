"""Every place a figure appears shows it in its source's words, hedge included ("less than
35,000", "some 225", "over 550"), never as "≈ 35,000": dataset tables, chart tooltips, entity
pages and search results, in headless Chromium on a real server (`nkd query`'s table:
test_cli_query.py)."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser


@pytest.fixture()
def page(browser):
    page = browser.new_page(java_script_enabled=False)
    yield page
    page.close()


def figure_cells(page) -> list[str]:
    return page.locator("table.observations td.num").all_inner_texts()


def test_dataset_tables_show_each_hedge_as_the_source_words_it(server, page):
    page.goto(server.url + "/id/dataset/defector-flows")
    cells = figure_cells(page)
    for words in ("less than 35,000", "some 225", "An additional thousand or two", "an estimated 31,000",
                  "some 35,000", "some 33,523", "1,047", "no North Koreans"):
        assert words in cells, words
    assert "≈" not in page.locator("body").inner_text()
    # No marker drawn before a hedged figure either.
    hedged = page.locator("table.observations tr.hedged td.num a").first
    assert hedged.evaluate("a => getComputedStyle(a, '::before').content") in ("none", "normal")

    page.goto(server.url + "/id/dataset/life-in-south-korea")
    cells = figure_cells(page)
    assert {"over 550", "some 553", "about $500", "US$1,720", "62.1 percent"} <= set(cells)


def test_chart_tooltips_give_the_words(server, page):
    page.goto(server.url + "/id/dataset/cohort-2023")
    titles = page.locator("figure.chart svg title").all_text_contents()
    assert any("around 80%, 2023" in title for title in titles), titles
    assert any("just over 21%, 2023" in title for title in titles), titles
    assert not any("% percent" in title or "individuals persons" in title for title in titles), titles
    page.goto(server.url + "/id/dataset/returns-to-north")  # figures of their own, not on a chart
    figures = page.locator("ul.single-figures .figure-words").all_inner_texts()
    assert {"less than 3 percent", "about a dozen"} <= set(figures), figures


def test_a_share_in_words_shows_its_words_and_no_number(server, page):
    page.goto(server.url + "/id/dataset/cohort-2023-in-words")
    assert figure_cells(page) == ["the majority"]


def test_entity_pages_and_search_results_give_the_words(server, page):
    page.goto(server.url + "/id/observation/resettled-two-and-a-half-decades-response")
    assert page.locator("section.main-fact .headline-text").inner_text() in ("less than 35,000", "less than 35,000 persons")
    page.goto(server.url + "/id/observation/support-recipients-over-550-blog")
    assert page.locator("section.main-fact .headline-text").inner_text().startswith("over 550")
    page.goto(server.url + "/search?q=additional%20support")
    figures = page.locator("ol.hits span.figure").all_inner_texts()
    assert {"over 550", "some 553"} <= set(figures)
