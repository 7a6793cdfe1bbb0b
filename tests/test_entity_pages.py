"""Entity pages for people: the main fact first, plain words, one source line, inverse links read
from the entity's side, conflicts with their reason, quotes labelled by their own fact; and the
figure in words that every page uses. Flask's test client over the shipped graph."""

from __future__ import annotations

import html
import re

import pytest

from nkd.figures import figure_words

HTML = {"Accept": "text/html"}
NKD = "https://w3id.org/nkd/ontology#"


def page(client, path: str) -> str:
    response = client.get(path, headers=HTML)
    assert response.status_code == 200, path
    return html.unescape(response.get_data(as_text=True))


def section(text: str, cls: str) -> str:
    found = re.search(rf'<(section|aside) class="{cls}[^"]*".*?</\1>', text, re.DOTALL)
    assert found, cls
    return found.group(0)


def test_quotes_are_labelled_by_their_own_fact_regression_1047_page_showed_the_2914_figure(client):
    text = page(client, "/id/observation/arrivals-2019-blog")
    provenance = section(text, "provenance")
    assert "represents a consistent decline from a peak of 2,914 in 2009 to only 1,047 last year" in provenance
    assert "quote: 2,914" not in text  # the annotation's own label, naming another figure, is never shown
    assert "2,914 North Korean defectors resettled in South Korea in 2009" in provenance.split("also state:")[1]


def test_an_observation_page_starts_with_the_figure_in_words_its_period_area_and_source(client):
    text = page(client, "/id/observation/arrivals-since-1950s-article")
    main = section(text, "main-fact")
    assert '<p class="headline-text">an estimated 31,000 persons</p>' in main
    for name, value in (("period", "from the 1950s"), ("area", "South Korea"), ("hedge", "estimated"),
                        ("source", "Sharp increase in North Korean defections")):
        assert re.search(rf"<dt>{name}</dt><dd>.*?{re.escape(value)}", main, re.DOTALL), name
    assert text.index('class="main-fact') < text.index('class="provenance') < text.index('id="properties"')


def test_properties_are_in_plain_words_grouped_with_the_iri_on_hover(client):
    text = page(client, "/id/event/2019-11-sailors-repatriation")
    details = section(text, "details-groups")
    assert "<h3>Who</h3>" in details or "<h3>Linked facts</h3>" in details
    for raw in ("sdmx-dimension:", "prov:wasDerivedFrom", "rdfs:comment", "nkd:"):
        assert f">{raw}" not in details, raw
    assert '<span title="http://www.w3.org/2000/01/rdf-schema#comment">note</span>' in details
    observation = section(page(client, "/id/observation/arrivals-2019-blog"), "details-groups")
    assert "refPeriod" not in re.sub(r'title="[^"]*"', "", observation)


def test_one_source_line_not_nkd_source_and_prov_was_derived_from_twice(client):
    text = page(client, "/id/observation/arrivals-2019-blog")
    source = "/id/source/number-of-defectors-declines"
    assert section(text, "provenance").count(f'<a href="{source}"') >= 1
    details = section(text, "details-groups")
    assert f'href="{source}"' not in details
    assert section(text, "provenance").count('class="source-line"') == 1


def incoming_phrases(text: str) -> dict[str, str]:
    """{predicate IRI: the words a link pointing at the page's entity reads with}."""
    incoming = text[text.index('id="incoming"'):]
    return dict(re.findall(r'<th scope="row"><span title="([^"]+)">([^<]+)</span></th>', incoming))


def test_links_pointing_at_an_entity_read_from_its_side_regression_claimant_read_backwards(client):
    kim = incoming_phrases(page(client, "/id/person/kim-jong-un"))
    assert kim[NKD + "performedBy"] == "performed"  # not "performed by"
    assert kim[NKD + "concerns"] == "is the subject of"
    assert kim["http://www.w3.org/ns/org#member"] == "is a member in"
    moon = incoming_phrases(page(client, "/id/person/moon-jae-in"))
    assert moon[NKD + "addressee"] == "is the addressee of"
    claimant = incoming_phrases(page(client, "/id/group/author-of-sharp-increase-article"))
    assert claimant[NKD + "claimant"] == "is the claimant of"  # not "claimant"
    covid = incoming_phrases(page(client, "/id/event/covid-19-pandemic"))
    assert covid[NKD + "subEventOf"] == "has as part"  # not "sub-event of"


def test_a_conflicts_reason_is_stated_beside_the_conflicting_figures(client):
    text = page(client, "/id/observation/arrivals-since-1950s-article")
    aside = section(text, "conflict")
    assert "some 33,523 persons" in aside and "an estimated 31,000 persons" in aside
    assert "Why they disagree" in aside and "a count since the 1950s cannot be below the 33,523" in aside
    assert 'href="/id/observation/resettled-mid-1990s-to-2019-blog"' in aside


def test_an_event_page_says_what_when_where_and_who_first(client):
    main = section(page(client, "/id/event/2011-kim-jong-un-assumes-leadership"), "main-fact")
    assert "<dt>when</dt><dd><a" in main and "late 2011" in main
    assert "<dt>by</dt>" in main and "Kim Jong-un" in main


@pytest.mark.parametrize("value, qualifier, kwargs, words", [
    (1047, NKD + "Exact", {}, "1,047"),
    (31000, NKD + "Estimated", {}, "an estimated 31,000"),
    (80, NKD + "About", {}, "about 80"),
    (225, NKD + "Some", {}, "some 225"),
    (35000, NKD + "LessThan", {}, "less than 35,000"),
    (21, NKD + "JustOver", {}, "just over 21"),
    (None, NKD + "Majority", {}, "the majority"),  # words with no number: "the majority" is not 50
    (1000, NKD + "Range", {"upper_bound": 2000}, "1,000 to 2,000"),
    (62.1, None, {}, "62.1"),
    (-31, NKD + "Exact", {}, "-31"),
    (35000, NKD + "LessThan", {"stated_as": "less than 35,000"}, "less than 35,000"),
    (225, NKD + "Some", {"stated_as": "some 225"}, "some 225"),
    (3, NKD + "SomethingNew", {}, "something new 3"),
])
def test_figure_words_uses_the_sources_words_or_the_hedge_in_plain_words(value, qualifier, kwargs, words):
    assert figure_words(value, qualifier, **kwargs) == words


def test_stated_words_win_over_the_value_and_qualifier():
    assert figure_words(1000, NKD + "Range", stated_as="a thousand or two", upper_bound=2000) == "a thousand or two"
