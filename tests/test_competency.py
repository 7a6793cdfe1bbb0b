"""Every competency question (shared/competency-questions.md) as its query in graph/queries,
run on the shipped graph, checked against the answer the two documents support — including
what they do not say, which must stay absent."""

from __future__ import annotations

from decimal import Decimal

import pytest

from graph_queries import ARTICLE, BLOG, ID, PREFIXES, QUERIES, ask, run_query_file, select

ARTICLE_TITLE = "Sharp increase in North Korean defections to South in 2023, reflects rising dissatisfaction"
BLOG_TITLE = "Number of North Korean Defectors Declines"


@pytest.mark.parametrize("path", sorted(QUERIES.glob("*.rq")), ids=lambda p: p.stem)
def test_example_query_has_title_and_question(path):
    """The query page shows these comment lines, so every query starts with them."""
    lines = path.read_text(encoding="utf-8").splitlines()
    assert lines[0].startswith("# title: ") and len(lines[0]) > len("# title: ")
    assert lines[1].startswith("# question: ") and len(lines[1].strip()) > len("# question:")


def test_there_is_one_query_per_competency_question_and_a_conflicts_query():
    assert sorted(p.stem for p in QUERIES.glob("*.rq")) == ["conflicts"] + [f"cq{n:02d}" for n in range(1, 23)]


def test_cq01_1047_in_2019_from_both_sources(store):
    rows = run_query_file(store, "cq01")
    assert {row["value"] for row in rows} == {1047}
    assert {row["source"] for row in rows} == {ARTICLE, BLOG}
    quotes = {row["quote"] for row in rows}
    assert "the 2019 figure of 1,047" in quotes
    assert any("to only 1,047 last year" in quote for quote in quotes)
    # The two observations are linked as corroborating each other, in both directions.
    assert ask(store, PREFIXES + "ASK { obs:arrivals-2019-article nkd:corroborates obs:arrivals-2019-blog . "
                                 "obs:arrivals-2019-blog nkd:corroborates obs:arrivals-2019-article }")


def test_cq02_196_in_2023_resolved_from_last_year(store):
    rows = run_query_file(store, "cq02")
    assert {row["value"] for row in rows} == {196}
    assert {row["title"] for row in rows} == {ARTICLE_TITLE}
    assert any(row["statedAs"] == "last year" and "in 2023" in row["basis"] for row in rows)


def test_cq03_peak_in_2009_at_2914_with_both_sources_naming_the_year(store):
    rows = run_query_file(store, "cq03")
    assert len(rows) == 1
    row = rows[0]
    assert (row["year"], row["value"], row["valueSource"]) == ("2009", 2914, BLOG_TITLE)
    assert set(row["peakYearStatedBy"].split(" | ")) == {ARTICLE_TITLE, BLOG_TITLE}


def test_cq04_annual_series_is_exactly_the_stated_years(store):
    rows = run_query_file(store, "cq04")
    assert [(row["year"], row["value"]) for row in rows] == [
        ("2009", 2914), ("2019", 1047), ("2021", 63), ("2023", 196)]
    assert set(rows[1]["sources"].split(" | ")) == {ARTICLE_TITLE, BLOG_TITLE}


def test_cq04_no_stated_2022_observation(store):
    """'tripled' implies about 65 for 2022; that is derived and must not be an observation."""
    assert not ask(store, PREFIXES + 'ASK { ?o a qb:Observation ; sdmx-dimension:refPeriod "2022"^^xsd:gYear }')
    assert not ask(store, PREFIXES + "ASK { ?o a qb:Observation ; sdmx-measure:obsValue ?v . FILTER(?v > 65 && ?v < 66) }")
    # It is recorded, as derived, on the relative expression instead.
    rows = select(store, PREFIXES + 'SELECT ?v WHERE { ?e nkd:expression "tripled" ; nkd:resolvedValue ?v }')
    assert [round(row["v"]) for row in rows] == [65]


def test_cq05_vietnam_events_and_what_stays_unknown(store):
    rows = run_query_file(store, "cq05")
    items = {row["item"].removeprefix(ID) for row in rows}
    assert {"event/2019-11-vietnam-crossing", "event/vietnam-refugees-arrest",
            "event/vietnam-refugees-return-announced", "event/vietnam-refugees-foreign-ministry-pursues",
            "event/vietnam-refugees-european-involvement", "event/vietnam-refugees-media-publicity",
            "claim/moon-government-criticised-over-vietnam"} <= items
    # Whether the eleven were returned, who arrested them, and who announced it: not stated.
    assert not ask(store, PREFIXES + "ASK { ?e a nkd:Repatriation ; nkd:affected cohort:eleven-refugees-vietnam-2019 }")
    assert not ask(store, PREFIXES + "ASK { ev:vietnam-refugees-arrest nkd:performedBy ?who }")
    assert not ask(store, PREFIXES + "ASK { ev:vietnam-refugees-return-announced nkd:performedBy ?who }")
    # "Hanoi" is the Vietnamese government.
    assert ask(store, PREFIXES + 'ASK { nkdorg:government-of-vietnam skos:altLabel "Hanoi"@en ; nkd:jurisdiction place:vietnam }')


def test_cq06_king_fellow_of_kei_and_former_special_envoy(store):
    rows = run_query_file(store, "cq06")
    assert {(row["author"], row["role"], row["organisation"], row["status"]) for row in rows} == {
        ("Robert R. King", "Non-Resident Fellow", "Korea Economic Institute of America", "current"),
        ("Robert R. King", "Special Envoy for North Korea Human Rights", "Government of the United States", "former"),
    }
    assert {row["organisationPublishes"] for row in rows if row["role"] == "Non-Resident Fellow"} == {"The Peninsula"}
    assert ask(store, PREFIXES + "ASK { ?c nkd:claimant person:robert-r-king ; nkd:claimKind nkd:Disclaimer }")


def test_cq07_thae_yong_ho(store):
    rows = run_query_file(store, "cq07")
    facts = {row["fact"]: row for row in rows}
    post = next(row for fact, row in facts.items() if "deputy ambassador" in fact)
    assert post["detail"] == "United Kingdom" and post["status"] == "former"
    candidacy = next(row for fact, row in facts.items() if "seek election" in fact)
    assert "Liberty Korea Party" in candidacy["detail"] and candidacy["date"] == "2020"
    assert any("defects" in fact for fact in facts)
    # Neither the announcement ("recent") nor his defection is dated.
    assert not ask(store, PREFIXES + "ASK { ev:thae-yong-ho-candidacy nkd:date|nkd:time ?t }")
    assert not ask(store, PREFIXES + "ASK { ev:thae-yong-ho-defects nkd:date|nkd:time ?t }")


def test_cq08_nam_young_hwa_suggestion(store):
    rows = run_query_file(store, "cq08")
    assert len(rows) == 1
    row = rows[0]
    assert row["kind"] == "suggestion"
    assert "isolation" in row["quote"] and "financial difficulties" in row["quote"]
    assert "Women’s Association for the Future of the Korean Peninsula" in row["capacity"]
    assert (row["ratio"], row["unit"]) == (3, "times")


def test_cq09_three_things_in_november_2019_and_not_the_2017_shooting(store):
    rows = run_query_file(store, "cq09")
    assert {row["event"].removeprefix(ID + "event/") for row in rows} == {
        "2019-11-sailors-repatriation", "2019-11-vietnam-refugees-case", "2019-11-unga-resolution-not-sponsored"}
    assert ask(store, PREFIXES + 'ASK { ev:2017-11-dmz-shooting nkd:date "2017-11"^^xsd:gYearMonth }')


def test_cq10_march_2018_budget(store):
    rows = run_query_file(store, "cq10")
    changes = {row["budgetLine"]: row for row in rows}
    assert changes["inter-Korean cooperation"]["direction"] == "increase"
    assert changes["inter-Korean cooperation"]["change"] is None
    assert changes["aid for defectors"]["change"] == -31
    assert "number of new refugees has declined" in changes["aid for defectors"]["justification"]
    assert changes["funds of the Ministry of Unification's Human Rights Foundation"]["change"] == -93
    assert changes["the Ministry's database on North Korean human-rights abuses"]["change"] == -74
    assert changes["aid for South Korean human rights efforts"]["direction"] == "decrease"
    assert changes["funding for human rights groups focused on North Korea"]["direction"] == "decrease"
    # The 93% and 74% cuts belong to the March 2018 budget only by context: not dated themselves.
    assert changes["funds of the Ministry of Unification's Human Rights Foundation"]["datedByContextOnly"] is True
    assert changes["aid for defectors"]["datedByContextOnly"] is False


def test_cq11_both_sources_state_the_2009_peak_in_their_words(store):
    rows = run_query_file(store, "cq11")
    by_title = {}
    for row in rows:
        by_title.setdefault(row["title"], set()).add(row["quote"])
    assert "The number of defections peaked in 2009" in by_title[ARTICLE_TITLE]
    assert "a peak of 2,914 in 2009" in by_title[BLOG_TITLE]
    assert {row["author"] for row in rows if row["title"] == BLOG_TITLE} == {"Robert R. King"}


def test_cq12_ministry_of_unification_statements_across_both_documents(store):
    rows = run_query_file(store, "cq12")
    assert len(rows) == 4
    statements = " ".join(row["statement"] for row in rows)
    assert {row["title"] for row in rows} == {ARTICLE_TITLE, BLOG_TITLE}
    for words in ("worsening conditions", "approaching the salary and employment figures",
                  "additional support", "continue to monitor"):
        assert words in statements


def test_cq13_2023_motivations_and_shares(store):
    rows = run_query_file(store, "cq13")
    shares = {(row["motivation"], row["measure"]): (row["value"], row["qualifier"]) for row in rows}
    assert shares[("disillusionment", "share giving disillusionment as their primary reason")] == (23, "exact")
    assert shares[("food shortages", "share giving food shortages as their primary reason")] == (21, "just over")
    assert shares[("food shortages", "share citing food shortages as a driving factor")] == (100, "exact")
    reported = {row["motivation"] for row in rows if row["measure"] == "reported motivation"}
    assert reported == {"prospect of freedom", "dissatisfaction with the regime"}
    # "a driving factor" (the 13 who fled by sea) is a different measure from "primary reason".
    driving = next(row for row in rows if row["measure"] == "share citing food shortages as a driving factor")
    assert driving["group"] == "2023 defectors who fled to the South by sea"


def test_cq14_women_and_age(store):
    rows = run_query_file(store, "cq14")
    by_measure = {row["measure"]: row for row in rows}
    women = by_measure["share of women"]
    assert (women["percent"], women["qualifier"], women["cohortSize"], women["derivedCount"]) == (80, "about", 196, 157)
    majority = by_measure["share in their 20s and 30s"]
    assert majority["qualifier"] == "majority"
    # "the majority" is more than half: no head count follows from it.
    assert majority["derivedCount"] is None


def test_cq15_united_states(store):
    rows = run_query_file(store, "cq15")
    annual = [row for row in rows if row["what"] == "North Korean defectors admitted to the United States"
              and len(row["period"]) == 4]
    peak = max(annual, key=lambda row: row["value"])
    assert (peak["period"], peak["value"]) == ("2008", 38)
    assert {(row["period"], row["value"]) for row in rows
            if row["what"] == "North Koreans granted asylum in the United States"} == {("2019", 0)}
    assert any(row["words"] and "to a trickle" in row["words"] for row in rows)
    # 2019 was the first year without asylum since the U.S. began accepting North Korean refugees.
    (asylum,) = [row for row in rows if row["what"] == "North Koreans granted asylum in the United States"]
    assert asylum["words"] and "first year since the United States began accepting" in asylum["words"]


def test_cq16_economic_indicators_2019(store):
    rows = {row["indicator"]: row for row in run_query_file(store, "cq16")}
    earnings = rows["average monthly earnings"]
    assert (earnings["defectors"], earnings["southKoreanBorn"], earnings["derivedGap"]) == (1720, 2220, 500)
    assert earnings["derivedSharePercent"] == Decimal("77.5")
    assert rows["monthly earnings gap to South Korean-born citizens"]["qualifier"] == "about"
    participation = rows["economic participation rate"]
    assert (participation["defectors"], participation["southKoreanBorn"]) == (Decimal("62.1"), Decimal("63.3"))
    assert participation["derivedGap"] == Decimal("1.2")
    satisfaction = rows["share satisfied with their quality of life"]
    assert satisfaction["defectors"] == Decimal("74.2") and satisfaction["southKoreanBorn"] is None
    assert rows["change in satisfaction with quality of life from the previous year"]["defectors"] == Decimal("1.7")


def test_cq17_decline_from_2009_to_2019(store):
    rows = run_query_file(store, "cq17")
    assert len(rows) == 1
    row = rows[0]
    assert (row["in2009"], row["in2019"], row["fewer"]) == (2914, 1047, 1867)
    assert row["factor"] == Decimal("2.78") and row["declinePercent"] == Decimal("64.1")
    # The years in between are not given.
    assert not ask(store, PREFIXES + """ASK { ?o nkd:variable var:arrivals-in-south-korea ;
        sdmx-dimension:refPeriod ?y . FILTER(DATATYPE(?y) = xsd:gYear && ?y > "2009"^^xsd:gYear && ?y < "2019"^^xsd:gYear) }""")


def test_cq18_late_july_2019_and_what_followed(store):
    rows = run_query_file(store, "cq18")
    order = [row["label"] for row in rows]
    def position(words):
        return next(i for i, label in enumerate(order) if words in label)
    assert position("trafficked") < position("escaping") < position("resettles") < position("returns to China")
    assert position("returns to China") < position("divorces") < position("returns to Seoul") < position("die")
    assert position("die") < position("bodies") < position("shrine")
    assert position("bodies") < position("soul-searching")
    assert position("die") < position("additional support")
    found = rows[position("bodies")]
    assert found["when"] == "late July 2019" and "bank account balance was zero" in found["outcome"]
    assert rows[position("returns to China")]["when"] == "2018"
    assert ask(store, PREFIXES + "ASK { ?c nkd:claimKind nkd:Conclusion ; nkd:certainty nkd:Apparent ; "
                                 "nkd:concerns ev:seoul-defector-and-son-die }")


def test_cq19_kang_kyung_wha(store):
    rows = run_query_file(store, "cq19")
    assert {row["minister"] for row in rows} == {"Kang Kyung-wha"}
    posts = {row["post"]: row for row in rows}
    assert posts["Foreign Minister"]["status"] == "current"
    un = posts["Deputy High Commissioner for Human Rights"]
    assert (un["organisation"], un["status"]) == ("United Nations", "former")
    assert "over six years" in un["duration"]
    assert ask(store, PREFIXES + "ASK { ?d nkd:qualifier nkd:MoreThan ; time:hasDuration [ time:numericDuration 6 ; time:unitType time:unitYear ] }")
    # She is the unnamed Foreign Minister of May 2019.
    assert any("delicacy of discussions with China" in (row["statementInMay2019"] or "") for row in rows)


def test_cq20_china(store):
    rows = run_query_file(store, "cq20")
    labels = " || ".join(row["label"] for row in rows)
    for words in ("seals its border with China", "cross into China, then reach the South via a third country",
                  "almost all refugees cross into China", "seven defectors held in China",
                  "trafficked as a bride", "returns to China (2018)", "divorces her husband in China",
                  "Chinese border guards and police are complicit", "small portion of those who have gone illegally to China",
                  "seven refugees' safety"):
        assert words in labels, words
    assert {row["title"] for row in rows} == {ARTICLE_TITLE, BLOG_TITLE}


def test_cq21_letter(store):
    rows = run_query_file(store, "cq21")
    assert {row["organisationsInAll"] for row in rows} == {67}
    assert {row["addressee"] for row in rows} == {"Moon Jae-in"}
    kinds = {row["kind"]: row["statement"] for row in rows}
    assert "cosponsor the UN General Assembly resolution" in kinds["criticism"]
    assert "investigate the repatriation of the two North Korean fishermen" in kinds["demand"]
    # The letter is not dated in the post.
    assert not ask(store, PREFIXES + "ASK { ?l a nkd:Letter ; dcterms:date|dcterms:issued|dcterms:created ?d }")


def test_cq22_the_two_sailors(store):
    rows = run_query_file(store, "cq22")
    facts = {}
    for row in rows:
        facts.setdefault(row["aspect"], set()).add(row["value"])
    assert facts["performed by"] == {"Moon Jae-in government"}
    assert facts["returned to"] == {"Pyongyang"}
    assert facts["date"] == {"2019-11"}
    assert facts["first of its kind"] == {"true"}
    (how,) = facts["how"]
    assert "attorney" in how and "court hearing" in how and "appeal" in how
    assert "the two North Korean fishermen" in facts["also called"]
    assert any("sixteen shipmates" in value for value in facts["why: before the return"])
    assert any("seek to defect" in value for value in facts["why: before the return"])
    afterwards = " ".join(facts["afterwards"])
    assert "text message" in afterwards and "National Assembly investigates" in afterwards
    assert ask(store, PREFIXES + "ASK { ?k nkd:victimCount 16 ; nkd:certainty nkd:Alleged }")


def test_conflicts_query_finds_both_kinds_and_every_asserted_conflict(store):
    rows = run_query_file(store, "conflicts")
    found = {(row["inWords"], row["otherInWords"]): row for row in rows}
    assert set(found) == {("an estimated 31,000", "some 33,523"), ("an estimated 31,000", "some 35,000"),
                          ("some 35,000", "some 33,523")}
    assert all(row["asserted"] for row in rows)
    # Across sources, found from the data alone; and within the blog post.
    assert found[("an estimated 31,000", "some 33,523")]["reason"] == "a longer period has a smaller count"
    assert not found[("an estimated 31,000", "some 35,000")]["sameSource"]
    assert found[("some 35,000", "some 33,523")]["sameSource"] is True
    # Every asserted conflict is found by the query (one row per pair) and is symmetric.
    asserted = select(store, PREFIXES + "SELECT ?a ?b WHERE { ?a nkd:conflictsWith ?b }")
    assert len(asserted) == 2 * len(found)
    pairs = {(row["a"], row["b"]) for row in asserted}
    assert all((b, a) in pairs for a, b in pairs)


def test_conflicts_less_than_35000_in_the_reader_comment_conflicts_with_nothing(store):
    """An upper bound over an unstated period agrees with every other total."""
    assert not ask(store, PREFIXES + "ASK { obs:resettled-two-and-a-half-decades-response nkd:conflictsWith ?o }")
    rows = run_query_file(store, "conflicts")
    assert not any("less than 35,000" in row["figure"] + row["otherFigure"] for row in rows)
