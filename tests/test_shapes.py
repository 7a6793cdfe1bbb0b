"""The SHACL shapes: the shipped graph conforms, and each shape catches what it is for.

Every fixture in ``tests/fixtures/shapes/`` is a small broken graph, validated together with
``base.ttl`` (which conforms) and the shipped ontology; it must trigger exactly the results
listed in :data:`CASES` (source shape, constraint component, SPARQL constraint) and nothing
else. A test fails when a shape that can report something has no fixture.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import pytest
from rdflib import BNode
from rdflib.namespace import RDF, SH

from conftest import FIXTURES
from nkd.provenance import COMPONENTS
from nkd.validation import ValidationReport, load_shapes, shape_name, validate

SHAPES_FIXTURES = FIXTURES / "shapes"
BASE = SHAPES_FIXTURES / "base.ttl"


@dataclass(frozen=True)
class Expect:
    """What a broken fixture must trigger: ``count`` results, all from this shape and component."""

    shape: str
    component: str
    constraint: str | None = None
    count: int = 1
    ontology: bool = False  # the fixture is the ontology itself (validated without base.ttl)
    severity: str = "Violation"


# fixture name -> the result it must trigger
CASES = {
    'label-missing': Expect('nkdsh:LabelledShape-label', 'MinCountConstraintComponent'),
    'label-not-english': Expect('nkdsh:LabelledShape-label', 'LanguageInConstraintComponent'),
    'label-plain': Expect('nkdsh:LabelledShape-label', 'LanguageInConstraintComponent'),
    'label-two': Expect('nkdsh:LabelledShape-label', 'MaxCountConstraintComponent'),
    'date-vague-as-year': Expect('nkdsh:DatedShape-date', 'NodeConstraintComponent'),
    'date-with-time-of-day': Expect('nkdsh:DatedShape-date', 'NodeConstraintComponent'),
    'date-two': Expect('nkdsh:DatedShape-date', 'MaxCountConstraintComponent'),
    'date-impossible-day': Expect('nkdsh:DatedShape-date', 'NodeConstraintComponent'),
    'date-month-as-year': Expect('nkdsh:DatedShape-date', 'NodeConstraintComponent'),
    'time-literal': Expect('nkdsh:TimedShape-time', 'NodeConstraintComponent'),
    'count-member-text': Expect('nkdsh:CountedShape-memberCount', 'NodeConstraintComponent'),
    'count-member-negative': Expect('nkdsh:CountedShape-memberCount', 'NodeConstraintComponent'),
    'count-age-decimal': Expect('nkdsh:CountedShape-age', 'NodeConstraintComponent'),
    'count-times-shot-text': Expect('nkdsh:CountedShape-timesShot', 'NodeConstraintComponent'),
    'count-victims-two': Expect('nkdsh:CountedShape-victimCount', 'MaxCountConstraintComponent'),
    'fact-no-source': Expect('nkdsh:SourcedFactShape-source', 'MinCountConstraintComponent'),
    'fact-not-quoted': Expect('nkdsh:SourcedFactShape-quote', 'EqualsConstraintComponent'),
    'fact-quotes-uncited-source': Expect('nkdsh:SourcedFactShape-quote', 'EqualsConstraintComponent'),
    'annotation-no-body': Expect('nkdsh:AnnotationShape-body', 'MinCountConstraintComponent'),
    'annotation-no-quote': Expect('nkdsh:AnnotationShape-quote', 'MinCountConstraintComponent'),
    'annotation-empty-quote': Expect('nkdsh:AnnotationShape-quote', 'MinLengthConstraintComponent'),
    'annotation-two-quotes': Expect('nkdsh:AnnotationShape-quote', 'MaxCountConstraintComponent'),
    'annotation-unknown-source': Expect('nkdsh:AnnotationShape-source', 'ClassConstraintComponent'),
    'annotation-untyped': Expect('nkdsh:AnnotationTypeShape', 'ClassConstraintComponent'),
    'annotation-blank-node': Expect('nkdsh:AnnotationIriShape', 'PatternConstraintComponent'),
    'target-untyped': Expect('nkdsh:QuoteTargetShape', 'ClassConstraintComponent'),
    'selector-untyped': Expect('nkdsh:TextQuoteShape', 'ClassConstraintComponent'),
    'quote-context-tagged': Expect('nkdsh:QuoteContextShape-text', 'DatatypeConstraintComponent'),
    'source-no-text-copy': Expect('nkdsh:SourceShape-textCopy', 'MinCountConstraintComponent'),
    'source-text-copy-elsewhere': Expect('nkdsh:SourceShape-textCopy', 'PatternConstraintComponent'),
    'dataset-no-structure': Expect('nkdsh:IC-2', 'MinCountConstraintComponent'),
    'dataset-two-structures': Expect('nkdsh:IC-2', 'MaxCountConstraintComponent'),
    'structure-no-measure': Expect('nkdsh:StructureShape', 'SPARQLConstraintComponent', constraint='nkdsh:IC-3'),
    'structure-optional-dimension': Expect('nkdsh:StructureShape', 'SPARQLConstraintComponent', constraint='nkdsh:IC-6'),
    'structure-no-period': Expect('nkdsh:Structure-refPeriod', 'QualifiedMinCountConstraintComponent'),
    'structure-no-area': Expect('nkdsh:Structure-refArea', 'QualifiedMinCountConstraintComponent'),
    'structure-no-source': Expect('nkdsh:Structure-source', 'QualifiedMinCountConstraintComponent'),
    'structure-other-measure': Expect('nkdsh:Structure-measure', 'InConstraintComponent'),
    'structure-unit-optional': Expect('nkdsh:Structure-unitMeasure', 'QualifiedMinCountConstraintComponent'),
    'structure-no-qualifier': Expect('nkdsh:Structure-qualifier', 'QualifiedMinCountConstraintComponent'),
    'dimension-no-range': Expect('nkdsh:DimensionShape', 'SPARQLConstraintComponent', constraint='nkdsh:IC-4'),
    'dimension-concepts-no-code-list': Expect('nkdsh:DimensionShape', 'SPARQLConstraintComponent', constraint='nkdsh:IC-5'),
    'observation-no-dataset': Expect('nkdsh:IC-1', 'MinCountConstraintComponent'),
    'observation-no-period': Expect('nkdsh:ObservationShape', 'SPARQLConstraintComponent', constraint='nkdsh:IC-11'),
    'observation-duplicate': Expect('nkdsh:ObservationShape', 'SPARQLConstraintComponent', constraint='nkdsh:IC-12', count=2),
    'observation-no-unit': Expect('nkdsh:ObservationShape', 'SPARQLConstraintComponent', constraint='nkdsh:IC-13'),
    'observation-no-value': Expect('nkdsh:ObservationShape', 'SPARQLConstraintComponent', constraint='nkdsh:IC-14'),
    'observation-code-not-in-list': Expect('nkdsh:ObservationShape', 'SPARQLConstraintComponent', constraint='nkdsh:IC-19', count=2),
    'observation-value-text': Expect('nkdsh:Observation-value', 'OrConstraintComponent'),
    'observation-two-units': Expect('nkdsh:Observation-unit', 'MaxCountConstraintComponent'),
    'observation-period-vague': Expect('nkdsh:Observation-period', 'NodeConstraintComponent'),
    'observation-area-not-place': Expect('nkdsh:Observation-area', 'ClassConstraintComponent'),
    'observation-two-sources': Expect('nkdsh:Observation-source', 'MaxCountConstraintComponent'),
    'observation-source-not-cited': Expect('nkdsh:Observation-sourceCited', 'EqualsConstraintComponent', count=2),
    'observation-two-qualifiers': Expect('nkdsh:Observation-qualifier', 'MaxCountConstraintComponent'),
    'observation-population-not-population': Expect('nkdsh:Observation-population', 'ClassConstraintComponent'),
    'observation-two-variables': Expect('nkdsh:Observation-variable', 'MaxCountConstraintComponent'),
    'upper-bound-text': Expect('nkdsh:UpperBoundShape/nkd:upperBound', 'OrConstraintComponent'),
    'conflict-one-way': Expect('nkdsh:SymmetricLinkShape-conflicts', 'EqualsConstraintComponent', count=2),
    'corroboration-one-way': Expect('nkdsh:SymmetricLinkShape-corroborates', 'EqualsConstraintComponent', count=2),
    'conflict-not-observation': Expect('nkdsh:SymmetricLinkShape', 'ClassConstraintComponent'),
    'ontology-no-ontology': Expect('nkdsh:OntologyShape', 'ClassConstraintComponent', ontology=True),
    'ontology-no-title': Expect('nkdsh:OntologyShape-title', 'MinCountConstraintComponent', ontology=True),
    'ontology-no-versioniri': Expect('nkdsh:OntologyShape-versionIRI', 'MinCountConstraintComponent', ontology=True),
    'ontology-no-versioninfo': Expect('nkdsh:OntologyShape-versionInfo', 'MinCountConstraintComponent', ontology=True),
    'ontology-no-license': Expect('nkdsh:OntologyShape-license', 'MinCountConstraintComponent', ontology=True),
    'ontology-no-creator': Expect('nkdsh:OntologyShape-creator', 'MinCountConstraintComponent', ontology=True),
    'term-no-definition': Expect('nkdsh:TermShape-definition', 'MinCountConstraintComponent'),
    'term-no-label': Expect('nkdsh:TermShape-label', 'MinCountConstraintComponent'),
    'coded-qualifier': Expect('nkdsh:Coded-qualifier/nkd:qualifier', 'NodeConstraintComponent'),
    'coded-motivation': Expect('nkdsh:Coded-motivation/nkd:motivation', 'NodeConstraintComponent'),
    'coded-route': Expect('nkdsh:Coded-route/nkd:route', 'NodeConstraintComponent'),
    'coded-direction': Expect('nkdsh:Coded-direction/nkd:direction', 'NodeConstraintComponent'),
    'coded-holding-status': Expect('nkdsh:Coded-holdingStatus/nkd:holdingStatus', 'NodeConstraintComponent'),
    'coded-publication-time-status': Expect('nkdsh:Coded-publicationTimeStatus/nkd:publicationTimeStatus', 'NodeConstraintComponent'),
    'coded-resolution-status': Expect('nkdsh:Coded-resolutionStatus/nkd:resolutionStatus', 'NodeConstraintComponent'),
    'coded-claim-kind': Expect('nkdsh:Coded-claimKind/nkd:claimKind', 'NodeConstraintComponent'),
    'coded-certainty': Expect('nkdsh:Coded-certainty/nkd:certainty', 'NodeConstraintComponent'),
    'coded-political-leaning': Expect('nkdsh:Coded-politicalLeaning/nkd:politicalLeaning', 'NodeConstraintComponent'),
    'coded-period-part': Expect('nkdsh:Coded-periodPart/nkd:periodPart', 'NodeConstraintComponent'),
    'coded-unit-measure': Expect('nkdsh:Coded-unitMeasure/sdmx-attribute:unitMeasure', 'NodeConstraintComponent'),
    'event-place-not-place': Expect('nkdsh:EventPlacesShape/nkd:place|nkd:fromPlace|nkd:toPlace', 'ClassConstraintComponent'),
    'event-actor-not-actor': Expect('nkdsh:EventActorsShape/nkd:actor|nkd:performedBy|nkd:affected', 'OrConstraintComponent'),
    'event-follows-claim': Expect('nkdsh:EventLinksShape/nkd:subEventOf|nkd:follows|nkd:contributedTo|nkd:reverses', 'ClassConstraintComponent'),
    'event-quantified-by-variable': Expect('nkdsh:QuantifiedShape/nkd:quantifiedBy', 'ClassConstraintComponent'),
    'event-outcome-untagged': Expect('nkdsh:EventTextShape/nkd:outcome|nkd:purpose', 'DatatypeConstraintComponent'),
    'event-first-of-its-kind-text': Expect('nkdsh:FirstOfItsKindShape/nkd:firstOfItsKind', 'DatatypeConstraintComponent'),
    'border-closure-no-place': Expect('nkdsh:BorderMeasureShape/nkd:place', 'MinCountConstraintComponent'),
    'defection-no-one': Expect('nkdsh:HappensToShape/nkd:affected', 'MinCountConstraintComponent'),
    'repatriation-nowhere': Expect('nkdsh:RepatriationShape/nkd:toPlace', 'MinCountConstraintComponent'),
    'trend-no-direction': Expect('nkdsh:TrendShape/nkd:direction', 'MinCountConstraintComponent'),
    'budget-no-changes': Expect('nkdsh:BudgetShape/^nkd:subEventOf', 'MinCountConstraintComponent'),
    'budget-change-no-line': Expect('nkdsh:BudgetChange-line', 'MinCountConstraintComponent'),
    'budget-change-no-direction': Expect('nkdsh:BudgetChange-direction', 'MinCountConstraintComponent'),
    'candidacy-no-election': Expect('nkdsh:ElectionCandidacy-election', 'MinCountConstraintComponent'),
    'candidacy-party-not-party': Expect('nkdsh:ElectionCandidacy-party', 'ClassConstraintComponent'),
    'election-legislature-not-organisation': Expect('nkdsh:ElectionShape/nkd:legislature', 'ClassConstraintComponent'),
    'sponsorship-unsaid': Expect('nkdsh:ResolutionSponsorship-sponsored', 'MinCountConstraintComponent'),
    'sponsorship-no-resolution': Expect('nkdsh:ResolutionSponsorship-resolution', 'MinCountConstraintComponent'),
    'leadership-change-no-leader': Expect('nkdsh:LeadershipChangeShape/nkd:performedBy', 'MinCountConstraintComponent'),
    'actor-nationality-city': Expect('nkdsh:Actor-nationality', 'ClassConstraintComponent'),
    'actor-member-of-place': Expect('nkdsh:Actor-memberOf', 'ClassConstraintComponent'),
    'person-name-tagged': Expect('nkdsh:Person-name', 'DatatypeConstraintComponent'),
    'person-occupation-role': Expect('nkdsh:Person-occupation', 'ClassConstraintComponent'),
    'cohort-of-nothing': Expect('nkdsh:DefectorCohortShape/nkd:memberOf', 'MinCountConstraintComponent'),
    'organisation-two-jurisdictions': Expect('nkdsh:Organization-jurisdiction', 'MaxCountConstraintComponent'),
    'organisation-part-of-person': Expect('nkdsh:Organization-parent', 'ClassConstraintComponent'),
    'government-of-nowhere': Expect('nkdsh:GovernmentShape/nkd:jurisdiction', 'MinCountConstraintComponent'),
    'administration-of-no-government': Expect('nkdsh:AdministrationShape/org:subOrganizationOf', 'MinCountConstraintComponent'),
    'position-no-member': Expect('nkdsh:Position-member', 'MinCountConstraintComponent'),
    'position-no-organisation': Expect('nkdsh:Position-organization', 'MinCountConstraintComponent'),
    'position-no-role': Expect('nkdsh:Position-role', 'MinCountConstraintComponent'),
    'position-no-status': Expect('nkdsh:Position-status', 'MinCountConstraintComponent'),
    'position-post-location-person': Expect('nkdsh:Position-postLocation', 'ClassConstraintComponent'),
    'place-in-person': Expect('nkdsh:PlaceShape/nkd:containedIn', 'ClassConstraintComponent'),
    'city-in-nothing': Expect('nkdsh:CityShape/nkd:containedIn', 'MinCountConstraintComponent'),
    'place-link-to-web-page': Expect('nkdsh:Place-geonames', 'OrConstraintComponent'),
    'place-two-links': Expect('nkdsh:Place-oneGeonamesLink', 'QualifiedMaxCountConstraintComponent'),
    'place-name-without-origin': Expect('nkdsh:Place-importedName', 'EqualsConstraintComponent'),
    'imported-name-unsourced': Expect('nkdsh:ImportedLabel-source', 'MinCountConstraintComponent'),
    'imported-name-two-forms': Expect('nkdsh:ImportedLabel-form', 'MaxCountConstraintComponent'),
    'source-title-untagged': Expect('nkdsh:Source-title', 'DatatypeConstraintComponent'),
    'source-creator-place': Expect('nkdsh:Source-creator', 'ClassConstraintComponent'),
    'source-year-as-month': Expect('nkdsh:Source-approximateYear', 'NodeConstraintComponent'),
    'source-approximate-date-stated': Expect('nkdsh:ApproximatelyDated-status', 'HasValueConstraintComponent'),
    'source-approximate-date-unexplained': Expect('nkdsh:ApproximatelyDated-inference', 'MinCountConstraintComponent'),
    'response-to-nothing': Expect('nkdsh:ReaderResponseShape/nkd:responseTo', 'MinCountConstraintComponent'),
    'image-credit-tagged': Expect('nkdsh:ImageShape/nkd:creditText', 'DatatypeConstraintComponent'),
    'document-by-place': Expect('nkdsh:Document-creator', 'ClassConstraintComponent'),
    'document-citation-tagged': Expect('nkdsh:Document-citation', 'DatatypeConstraintComponent'),
    'letter-from-nobody': Expect('nkdsh:Letter-sender', 'MinCountConstraintComponent'),
    'letter-to-nobody': Expect('nkdsh:Letter-addressee', 'MinCountConstraintComponent'),
    'resolution-of-no-body': Expect('nkdsh:ResolutionShape/dcterms:creator', 'MinCountConstraintComponent'),
    'offence-code-untagged': Expect('nkdsh:Offence-code', 'DatatypeConstraintComponent'),
    'offence-penalty-untagged': Expect('nkdsh:Offence-penalty', 'DatatypeConstraintComponent'),
    'offence-minimum-penalty-text': Expect('nkdsh:Offence-minimumPenalty', 'DatatypeConstraintComponent'),
    'claim-no-claimant': Expect('nkdsh:Claim-claimant', 'MinCountConstraintComponent'),
    'claim-no-statement': Expect('nkdsh:Claim-statement', 'MinCountConstraintComponent'),
    'claim-statement-french': Expect('nkdsh:Claim-statement', 'LanguageInConstraintComponent'),
    'claim-no-kind': Expect('nkdsh:Claim-kind', 'MinCountConstraintComponent'),
    'claim-stated-in-place': Expect('nkdsh:Claim-statedIn', 'ClassConstraintComponent'),
    'claim-addressed-to-place': Expect('nkdsh:Claim-addressee', 'ClassConstraintComponent'),
    'claim-offence-place': Expect('nkdsh:Claim-offence', 'ClassConstraintComponent'),
    'expression-no-words': Expect('nkdsh:RelativeExpression-expression', 'MinCountConstraintComponent'),
    'expression-no-source': Expect('nkdsh:RelativeExpression-inSource', 'MinCountConstraintComponent'),
    'expression-no-anchor': Expect('nkdsh:RelativeExpression-anchor', 'MinCountConstraintComponent'),
    'expression-unused': Expect('nkdsh:RelativeExpression-usedBy', 'MinCountConstraintComponent'),
    'expression-no-status': Expect('nkdsh:RelativeExpression-status', 'MinCountConstraintComponent'),
    'expression-no-basis': Expect('nkdsh:RelativeExpression-basis', 'MinCountConstraintComponent'),
    'expression-two-resolutions': Expect('nkdsh:RelativeExpression-resolved', 'MaxCountConstraintComponent'),
    'expression-not-in-quote': Expect('nkdsh:RelativeExpressionShape', 'SPARQLConstraintComponent', constraint='nkdsh:RelativeExpression-quoted'),
    'expression-resolved-to-nothing': Expect('nkdsh:RelativeTimeExpressionShape', 'SPARQLConstraintComponent', constraint='nkdsh:RelativeTime-resolution'),
    'quantity-value-text': Expect('nkdsh:RelativeQuantity-values', 'OrConstraintComponent'),
    'quantity-compared-with-place': Expect('nkdsh:RelativeQuantity-comparedWith', 'ClassConstraintComponent'),
    'interval-unplaced': Expect('nkdsh:ProperIntervalShape/time:intervalDuring|time:hasBeginning|time:hasEnd|nkd:beginsWithin|nkd:endsWithin|time:intervalStartedBy|time:intervalFinishedBy|time:after|time:before|time:intervalContains|time:hasXSDDuration|time:hasDuration', 'MinCountConstraintComponent'),
    'period-part-twice': Expect('nkdsh:PeriodPart-part', 'MaxCountConstraintComponent'),
    'period-part-of-nothing': Expect('nkdsh:PeriodPart-enclosing', 'MinCountConstraintComponent'),
    'calendar-interval-undescribed': Expect('nkdsh:DateTimeIntervalShape/time:hasDateTimeDescription', 'MinCountConstraintComponent'),
    'description-unit-week': Expect('nkdsh:DateTimeDescription-unit', 'InConstraintComponent'),
    'description-year-vague': Expect('nkdsh:DateTimeDescription-year', 'NodeConstraintComponent'),
    'description-month-malformed': Expect('nkdsh:DateTimeDescription-month', 'PatternConstraintComponent'),
    'instant-unplaced': Expect('nkdsh:InstantShape/time:inXSDgYear|time:inXSDgYearMonth|time:inXSDDate|time:inDateTime', 'MinCountConstraintComponent'),
    'role-unheld': Expect('nkdsh:RoleShape/^org:role', 'MinCountConstraintComponent', severity='Warning'),
    'occupation-unpractised': Expect('nkdsh:OccupationShape/^nkd:occupation', 'MinCountConstraintComponent', severity='Warning'),
    'publication-empty': Expect('nkdsh:Publication-carries', 'MinCountConstraintComponent', severity='Warning'),
    'publication-publisher-place': Expect('nkdsh:Publication-publisher', 'ClassConstraintComponent'),
    'variable-undefined': Expect('nkdsh:Variable-definition', 'MinCountConstraintComponent'),
    'variable-unused': Expect('nkdsh:Variable-used', 'MinCountConstraintComponent', severity='Warning'),
    'variable-budget-line-place': Expect('nkdsh:Variable-budgetLine', 'ClassConstraintComponent'),
    'unit-out-of-scheme': Expect('nkdsh:UnitOfMeasureShape/skos:inScheme', 'HasValueConstraintComponent'),
    'budget-line-undefined': Expect('nkdsh:BudgetLine-definition', 'MinCountConstraintComponent'),
    'budget-line-broader-place': Expect('nkdsh:BudgetLine-broader', 'ClassConstraintComponent'),
    'stated-as-tagged': Expect('nkdsh:StatedAs-words', 'DatatypeConstraintComponent'),
    'derivation-no-method': Expect('nkdsh:Derivation-method', 'MinCountConstraintComponent'),
    'derivation-no-operands': Expect('nkdsh:Derivation-operands', 'MinCountConstraintComponent'),
    'coded-proportion': Expect('nkdsh:Coded-proportion/nkd:proportion', 'NodeConstraintComponent'),
    'coded-method': Expect('nkdsh:Coded-method/nkd:method', 'NodeConstraintComponent'),
}


def report_text(report: ValidationReport) -> str:
    """The results, one per line, for assertion messages."""
    return "\n".join(f"{r.file}:{r.line} {r.focus_node_name} {r.rule} {r.constraint_component_name}: {r.message}"
                     for r in report.results) or "(no results)"


def test_base_fixture_conforms():
    report = validate([BASE])
    assert report.conforms, report_text(report)


def test_shipped_graph_conforms():
    report = validate()
    assert report.conforms, report_text(report)
    assert report.triples > 5000 and len(report.files) > 5


@pytest.mark.parametrize("name", sorted(CASES))
def test_broken_fixture_triggers_exactly_its_shape(name):
    expect = CASES[name]
    fixture = SHAPES_FIXTURES / f"{name}.ttl"
    report = validate([], ontology=[fixture]) if expect.ontology else validate([BASE, fixture])
    # The shapes, not the checks that read the source texts (tests/test_provenance.py has theirs).
    shacl = [r for r in report.results if r.source_shape_name.removeprefix("nkdsh:") not in COMPONENTS]
    found = [(r.source_shape_name, r.constraint_component_name, r.source_constraint_name) for r in shacl]
    wanted = [(expect.shape, f"sh:{expect.component}", expect.constraint)] * expect.count
    assert found == wanted, report_text(report)
    for result in shacl:
        assert result.severity == expect.severity and result.message
        # The broken node is described in the fixture, or in base.ttl when the fixture adds to it.
        assert result.file in (f"tests/fixtures/shapes/{name}.ttl", "tests/fixtures/shapes/base.ttl")
        assert result.line or result.focus_node.startswith("_:")  # a blank node no subject encloses


def test_every_fixture_is_a_case():
    fixtures = {path.stem for path in SHAPES_FIXTURES.glob("*.ttl")} - {"base"}
    assert fixtures == set(CASES)


@lru_cache(maxsize=None)
def reporting_shapes() -> tuple[frozenset[str], frozenset[str]]:
    """Names of the shapes that can produce results, and of their SPARQL constraints.

    A shape reports when it has a target, or is the property shape of one that has; shapes
    used only through sh:node, sh:or and the like report through the shape that uses them.
    """
    graph, namespaces = load_shapes()
    targets = (SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf, SH.target)
    targeted = {s for t in targets for s in graph.subjects(t, None)}
    shapes, constraints = set(), set()
    for node in targeted:
        properties = set(graph.objects(node, SH.property))
        # SPARQL constraints are counted on their own, each needing its own fixture.
        own = {p for p, _ in graph.predicate_objects(node)} - set(targets) - {
            RDF.type, SH.property, SH.message, SH.sparql}
        if any(str(p).startswith(str(SH)) for p in own):
            shapes.add(shape_name(node, graph, namespaces))
        shapes.update(shape_name(p, graph, namespaces) for p in properties)
        constraints.update(shape_name(c, graph, namespaces) for c in graph.objects(node, SH.sparql)
                           if not isinstance(c, BNode))
    return frozenset(shapes), frozenset(constraints)


def test_every_shape_has_a_broken_fixture():
    shapes, constraints = reporting_shapes()
    tested_shapes = {e.shape for e in CASES.values() if e.constraint is None}
    tested_constraints = {e.constraint for e in CASES.values() if e.constraint}
    assert sorted(shapes - tested_shapes) == []
    assert sorted(constraints - tested_constraints) == []


def test_every_ontology_class_is_targeted_by_a_shape():
    """Each class of the ontology is a target of some shape, itself or through a superclass."""
    from rdflib import Graph
    from rdflib.namespace import OWL, RDFS

    from nkd.data import turtle_files

    ontology = Graph()
    for path in turtle_files("ontology"):
        ontology.parse(path, format="turtle")
    graph, _ = load_shapes()
    targeted = set(graph.objects(None, SH.targetClass))
    nkd = "https://w3id.org/nkd/ontology#"
    untargeted = []
    for cls in ontology.subjects(RDF.type, OWL.Class):
        if not str(cls).startswith(nkd):
            continue
        ancestors = set(ontology.transitive_objects(cls, RDFS.subClassOf))
        if not ancestors & targeted:
            untargeted.append(str(cls))
    assert sorted(untargeted) == []
