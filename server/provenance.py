"""Provenance checks: what SHACL cannot see, because it needs the source texts or arithmetic.

``nkd validate`` runs these beside the SHACL shapes, on the same data, and reports them in
the same report (each result names an nkd constraint component, :data:`COMPONENTS`):

- **text copies unchanged**: each ``nkd:textCopy`` file has the SHA-256 recorded in the
  graph (``spdx:checksum``), so an edited or re-encoded text is caught before its quotes
  are trusted (their quotes are not checked against a changed text);
- **quotes verbatim and unambiguous**: each ``oa:exact`` occurs in the text of the source
  its annotation targets, once, or once with its ``oa:prefix`` / ``oa:suffix``; a
  prefix or suffix that does not match is wrong too (W3C Web Annotation);
- **figures agree with their words**: each count or amount (:data:`STATED`) has the
  words that state it (``nkd:statedAs``), which occur in its quote and read as its value,
  hedge and unit (:mod:`server.figures`); or it is derived (``nkd:derivation``: how,
  from what) and equals that derivation; ``nkd:resolvedValue`` is always derived;
- **conflicts found from the data**: figures that cannot both be true
  (:mod:`server.conflicts`) are linked by ``nkd:conflictsWith``, and figures linked by
  ``nkd:corroborates`` can both be true.

The source texts are read from a directory (the shipped ``graph/sources/`` by default):
a text copy ``https://w3id.org/nkd/sources/{file}`` is the file ``{file}`` there.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from pathlib import Path
from typing import Iterable, Iterator
from urllib.parse import unquote

import pyoxigraph as ox

from . import conflicts
from .figures import STATED_PROPERTIES, FigureError, figure_words, read_figure
from .quotes import NBSP, matching, nearest, occurrences, sha256, shorten

NKD = "https://w3id.org/nkd/ontology#"
NKDSH = "https://w3id.org/nkd/shapes#"
OA = "http://www.w3.org/ns/oa#"
QB = "http://purl.org/linked-data/cube#"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
SPDX = "http://spdx.org/rdf/terms#"
SDMX_MEASURE = "http://purl.org/linked-data/sdmx/2009/measure#"
SHA256 = SPDX + "checksumAlgorithm_sha256"

# The properties whose values are counts or amounts a source states: each needs its words.
STATED = STATED_PROPERTIES

# shape (the check) -> its constraint components: the IRIs results name (shapes/provenance.ttl).
COMPONENTS = {
    "TextCopyCheck": ("TextCopyChecksumComponent",),
    "QuoteCheck": ("QuoteInSourceComponent", "QuoteUniqueComponent", "QuoteContextComponent"),
    "FigureCheck": ("FigureWordsComponent", "DerivationComponent"),
    "ConflictCheck": ("UnlinkedConflictComponent", "CorroborationComponent"),
}

PREFIXES = f"""PREFIX nkd: <{NKD}> PREFIX oa: <{OA}> PREFIX qb: <{QB}> PREFIX rdfs: <{RDFS}>
PREFIX spdx: <{SPDX}> PREFIX sdmx-measure: <{SDMX_MEASURE}>
PREFIX sdmx-dimension: <http://purl.org/linked-data/sdmx/2009/dimension#>
PREFIX sdmx-attribute: <http://purl.org/linked-data/sdmx/2009/attribute#>
"""


@dataclass(frozen=True)
class Finding:
    """One failed check: the node it is about, where, the value at fault, and what to do."""

    focus: object                     # a pyoxigraph term
    shape: str                        # local name under nkdsh: (a key of COMPONENTS)
    component: str                    # local name under nkdsh:
    message: str
    path: tuple[str, ...] = ()        # a SHACL sequence path of property IRIs
    value: object | None = None       # a pyoxigraph term


class Checker:
    """Runs the provenance checks over a store holding the data (one named graph per file)."""

    def __init__(self, store: ox.Store, sources_dir: Path) -> None:
        self.store = store
        self.sources_dir = Path(sources_dir)
        self._texts: dict[str, str | None] = {}
        self._trusted: dict[str, bool] = {}

    def rows(self, query: str) -> list[dict[str, object]]:
        """A SELECT over the union of the data's graphs; each row maps names to pyoxigraph terms."""
        results = self.store.query(PREFIXES + query, use_default_graph_as_union=True)
        names = [v.value for v in results.variables]
        return [{name: row[name] for name in names if row[name] is not None} for row in results]

    def findings(self) -> list[Finding]:
        """Every check, in order: text copies, quotes, figures, derivations, conflicts."""
        found: list[Finding] = []
        found += self.check_text_copies()
        found += self.check_quotes()
        found += self.check_figures()
        found += self.check_derivations()
        found += self.check_conflicts()
        return found

    # ----------------------------------------------------------------------- text copies

    def text_path(self, copy: str) -> Path:
        """The file holding the text published at a text-copy IRI: its last path segment."""
        return self.sources_dir / unquote(copy.rstrip("/").rsplit("/", 1)[-1])

    def text(self, copy: str) -> str | None:
        """The text of a text copy, or None when the file is missing or not UTF-8."""
        if copy not in self._texts:
            try:
                self._texts[copy] = self.text_path(copy).read_bytes().decode("utf-8")
            except (OSError, UnicodeDecodeError):
                self._texts[copy] = None
        return self._texts[copy]

    def check_text_copies(self) -> Iterator[Finding]:
        """Each text copy exists and has the SHA-256 the graph records for it."""
        recorded: dict[str, list[tuple[str, str | None]]] = {}
        for row in self.rows("""SELECT DISTINCT ?copy ?value ?algorithm WHERE { ?source nkd:textCopy ?copy .
            FILTER(isIRI(?copy))
            OPTIONAL { ?copy spdx:checksum ?sum . OPTIONAL { ?sum spdx:checksumValue ?value }
                       OPTIONAL { ?sum spdx:algorithm ?algorithm } } }"""):
            sums = recorded.setdefault(row["copy"].value, [])
            if "value" in row:
                sums.append((row["value"].value.lower(), row["algorithm"].value if "algorithm" in row else None))
        path_of_sum = (NKD + "textCopy", SPDX + "checksum")
        for copy, sums in sorted(recorded.items()):
            node = ox.NamedNode(copy)
            path = self.text_path(copy)
            self._trusted[copy] = False
            if not path.is_file():
                yield Finding(node, "TextCopyCheck", "TextCopyChecksumComponent",
                              f"No text for this text copy: {path.name} is not in {self.sources_dir}. Add the "
                              "source text there (or pass --sources DIR), so that its quotes can be checked.")
                continue
            actual = sha256(path)
            sha = [value for value, algorithm in sums if algorithm in (None, SHA256)]
            if not sha:
                yield Finding(node, "TextCopyCheck", "TextCopyChecksumComponent",
                              f"No SHA-256 recorded for {path.name}: add <{copy}> spdx:checksum [ a spdx:Checksum ; "
                              f"spdx:algorithm spdx:checksumAlgorithm_sha256 ; spdx:checksumValue "
                              f"\"{actual}\"^^xsd:hexBinary ] once you have checked the text is the source's.",
                              path=path_of_sum[1:])
                continue
            if actual not in sha:
                yield Finding(node, "TextCopyCheck", "TextCopyChecksumComponent",
                              f"{path.name} has changed since its checksum was recorded (SHA-256 {actual}, recorded "
                              f"{sha[0]}): an edited or re-encoded text; its quotes are not checked against it. "
                              "Restore the source's text, or record the new checksum if the text is the source's.",
                              path=(SPDX + "checksum", SPDX + "checksumValue"),
                              value=ox.Literal(sha[0], datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#hexBinary")))
                continue
            self._trusted[copy] = self.text(copy) is not None

    # ----------------------------------------------------------------------- quotes

    def check_quotes(self) -> Iterator[Finding]:
        """Each quote occurs in its source's text, once (with its prefix and suffix if it has them)."""
        exact_path = (OA + "hasTarget", OA + "hasSelector", OA + "exact")
        for row in self.rows("""SELECT ?annotation ?copy ?exact ?prefix ?suffix WHERE {
            ?annotation oa:hasTarget ?target . ?target oa:hasSource ?source ; oa:hasSelector ?selector .
            ?selector oa:exact ?exact . ?source nkd:textCopy ?copy .
            OPTIONAL { ?selector oa:prefix ?prefix } OPTIONAL { ?selector oa:suffix ?suffix } }
            ORDER BY ?annotation"""):
            copy = row["copy"].value
            if not self._trusted.get(copy):
                continue  # reported by check_text_copies
            text = self.text(copy) or ""
            annotation, exact = row["annotation"], row["exact"]
            prefix = row["prefix"].value if "prefix" in row else None
            suffix = row["suffix"].value if "suffix" in row else None
            if not exact.value:
                continue  # an empty quote: the shapes report it (nkdsh:AnnotationShape-quote)
            found = occurrences(text, exact.value)
            if not found:
                closest = nearest(text, exact.value, 1)
                # No-break spaces shown as Turtle writes them: the usual difference nobody sees.
                hint = (f" The closest passage (line {closest[0].line}): "
                        f"\"{shorten(closest[0].text).replace(NBSP, chr(92) + 'u00A0')}\"." if closest else "")
                yield Finding(annotation, "QuoteCheck", "QuoteInSourceComponent",
                              f"The quote does not occur in the source's text ({self.text_path(copy).name}).{hint} "
                              "Copy the words verbatim (`nkd quote SOURCE \"words\"` prints the selector).",
                              exact_path, exact)
                continue
            if prefix is None and suffix is None:
                if len(found) > 1:
                    yield Finding(annotation, "QuoteCheck", "QuoteUniqueComponent",
                                  f"The quote occurs {len(found)} times in the source's text: add oa:prefix and/or "
                                  "oa:suffix, the words just before or after it, so that it names one place "
                                  "(`nkd quote SOURCE \"words\"` prints them).", exact_path, exact)
                continue
            selected = matching(text, exact.value, prefix, suffix)
            if not selected:
                # The prefix is at fault if the quote never follows it; otherwise the suffix is.
                prefix_wrong = bool(prefix) and not matching(text, exact.value, prefix, None)
                name, term = ("prefix", row["prefix"]) if prefix_wrong else ("suffix", row["suffix"])
                yield Finding(annotation, "QuoteCheck", "QuoteContextComponent",
                              f"The quote's oa:{name} does not match the text {'before' if prefix_wrong else 'after'} "
                              f"it: oa:prefix must be the words just before the quote, oa:suffix those just after, "
                              "verbatim (`nkd quote SOURCE \"words\"` prints them).",
                              exact_path[:2] + (OA + name,), term)
            elif len(selected) > 1:
                yield Finding(annotation, "QuoteCheck", "QuoteUniqueComponent",
                              f"The quote occurs {len(selected)} times in the source's text even with its prefix "
                              "and suffix: lengthen them so that they name one place.", exact_path, exact)

    # ----------------------------------------------------------------------- figures

    def check_figures(self) -> Iterator[Finding]:
        """Each stated count or amount has its words, quoted, that read as its value and hedge."""
        values = " ".join(f"<{p}>" for p in STATED)
        facts: dict[object, dict[str, set]] = {}
        for row in self.rows(f"""SELECT ?node ?property ?value ?words ?qualifier ?upper ?unit ?proportion ?derivation ?type
            WHERE {{
            {{ VALUES ?property {{ {values} }} ?node ?property ?value }}
            UNION {{ ?node nkd:statedAs ?words }}
            OPTIONAL {{ ?node nkd:statedAs ?words }} OPTIONAL {{ ?node nkd:qualifier ?qualifier }}
            OPTIONAL {{ ?node nkd:upperBound ?upper }} OPTIONAL {{ ?node sdmx-attribute:unitMeasure ?unit }}
            OPTIONAL {{ ?node nkd:proportion ?proportion }} OPTIONAL {{ ?node nkd:derivation ?derivation }}
            OPTIONAL {{ ?node a qb:Observation BIND(true AS ?type) }} }}"""):
            fact = facts.setdefault(row["node"], {})
            for key in ("property", "value", "words", "qualifier", "upper", "unit", "proportion", "derivation", "type"):
                if key in row:
                    fact.setdefault(key, set()).add(row[key])
        quotes: dict[object, list[str]] = {}
        for row in self.rows("SELECT ?node ?exact WHERE { ?a oa:hasBody ?node ; oa:hasTarget/oa:hasSelector/oa:exact ?exact }"):
            quotes.setdefault(row["node"], []).append(row["exact"].value)
        for node, fact in sorted(facts.items(), key=lambda item: str(item[0])):
            yield from self._check_figure(node, fact, quotes.get(node, []))

    def _check_figure(self, node: object, facts: dict[str, set], quotes: list[str]) -> Iterator[Finding]:
        # Two values where one is allowed (two qualifiers, two units, two counts) and values
        # that are not numbers are the shapes' to report; this check needs one of each.
        if any(len(values) > 1 for key, values in facts.items() if key != "type"):
            return
        if any(_number(v) is None for v in facts.get("value", ())):
            return
        fact = {key: next(iter(values)) for key, values in facts.items()}
        prop = fact.get("property")
        words = sorted(w.value for w in facts.get("words", ()))
        stated_path = (NKD + "statedAs",)
        if not words:
            if prop is not None and "derivation" not in fact:
                yield Finding(node, "FigureCheck", "FigureWordsComponent",
                              f"A figure without its words: add nkd:statedAs \"…\", the words of the quote that state "
                              f"it with their hedge (\"less than 35,000\"), or nkd:derivation if the source does not "
                              f"state it (how it is computed, and from what).", (prop.value,), fact.get("value"))
            return
        stated = words[0]
        literal = ox.Literal(stated)
        if not quotes:
            yield Finding(node, "FigureCheck", "FigureWordsComponent",
                          "The words of the figure are not quoted: add an annotation with oa:hasBody <this> whose "
                          "oa:exact holds them.", stated_path, literal)
            return
        missing = [q for q in quotes if stated not in q]
        if len(missing) == len(quotes) or (fact.get("type") and missing):
            where = "any of its quotes" if len(quotes) > 1 and len(missing) == len(quotes) else f"its quote \"{shorten(missing[0], 100)}\""
            yield Finding(node, "FigureCheck", "FigureWordsComponent",
                          f"nkd:statedAs \"{stated}\" does not occur in {where}: copy the words that state the figure "
                          "verbatim from the quote (an observation states one figure: a quote giving it in other "
                          "words is another observation).", stated_path, literal)
            return
        try:
            figure = read_figure(stated)
        except FigureError as err:
            yield Finding(node, "FigureCheck", "FigureWordsComponent",
                          f"nkd:statedAs cannot be read as one figure: {err}. Keep only the words that state the "
                          "figure and its hedge.", stated_path, literal)
            return
        if "proportion" in fact:
            qualifier = _local(fact["proportion"])
            value = None
        else:
            qualifier = _local(fact["qualifier"]) if "qualifier" in fact else None
            if qualifier is None and figure.qualifier != "Exact":
                qualifier = "Exact"  # unhedged in the graph, hedged in the words
            value = _number(fact.get("value"))
        upper = _number(fact.get("upper"))
        if "derivation" in fact and value is not None and prop is not None and prop.value != NKD + "statedValue":
            return  # a derived count: checked against its derivation
        problem = figure.matches(value, qualifier, upper)
        if problem is None and "unit" in fact:
            problem = _unit_problem(figure, fact["unit"].value)
        if problem:
            yield Finding(node, "FigureCheck", "FigureWordsComponent",
                          f"The figure does not read from its words \"{stated}\": {problem}. Correct the value, the "
                          "hedge (nkd:qualifier) or the unit so that they say what the words say.",
                          (prop.value,) if prop is not None else stated_path, fact.get("value", literal))

    # ----------------------------------------------------------------------- derivations

    def check_derivations(self) -> Iterator[Finding]:
        """Each derived value equals its derivation, computed from the values it names."""
        rows = self.rows("""SELECT ?node ?resolved ?derivation ?method WHERE {
            { ?node nkd:resolvedValue ?resolved OPTIONAL { ?node nkd:derivation ?derivation } }
            UNION { ?node nkd:derivation ?derivation FILTER NOT EXISTS { ?node nkd:resolvedValue ?any } }
            OPTIONAL { ?derivation nkd:method ?method } }""")
        for row in sorted(rows, key=lambda r: str(r["node"])):
            node = row["node"]
            target = row.get("resolved") or self._derived_value(node)
            if "derivation" not in row:
                yield Finding(node, "FigureCheck", "DerivationComponent",
                              "A derived value must say how it is derived and from what: add nkd:derivation [ "
                              "nkd:method nkd:Quotient ; nkd:operands ( <observation> 3 ) ].",
                              (NKD + "resolvedValue",), target)
                continue
            path = (NKD + "derivation",)
            method = row.get("method")
            operation = _OPERATIONS.get(method.value) if method is not None else None
            if operation is None:
                yield Finding(node, "FigureCheck", "DerivationComponent",
                              f"The derivation's nkd:method must be one of {', '.join('nkd:' + _local_name(m) for m in _OPERATIONS)}.",
                              path + (NKD + "method",), method)
                continue
            operands, problem = self._operands(row["derivation"])
            if problem:
                yield Finding(node, "FigureCheck", "DerivationComponent", problem, path + (NKD + "operands",))
                continue
            try:
                computed = operation(operands)
            except (ArithmeticError, IndexError):
                yield Finding(node, "FigureCheck", "DerivationComponent",
                              f"The derivation cannot be computed from its operands ({', '.join(map(str, operands))}).",
                              path + (NKD + "operands",))
                continue
            stored = _number(target)
            if stored is None:
                continue
            if _rounded(computed, stored) != stored:
                yield Finding(node, "FigureCheck", "DerivationComponent",
                              f"The derived value {figure_words(stored)} is not what its derivation gives: "
                              f"nkd:{_local_name(method.value)} of ({', '.join(figure_words(o) for o in operands)}) = "
                              f"{figure_words(_rounded(computed, stored))}. Correct the value or the derivation.",
                              (NKD + "resolvedValue",) if "resolved" in row else path, target)

    def _derived_value(self, node: object) -> object | None:
        for prop in STATED:
            quad = next(self.store.quads_for_pattern(node, ox.NamedNode(prop), None, None), None)
            if quad is not None:
                return quad.object
        return None

    def _operands(self, derivation: object) -> tuple[list[Decimal], str | None]:
        head = self._object(derivation, NKD + "operands")
        operands: list[Decimal] = []
        seen = set()
        while head is not None and head != ox.NamedNode(RDF + "nil") and head not in seen:
            seen.add(head)
            item = self._object(head, RDF + "first")
            if isinstance(item, ox.Literal):
                number = _number(item)
            else:
                number = _number(self._derived_value(item)) if item is not None else None
            if number is None:
                return [], (f"An operand of the derivation ({item.value if item is not None else 'nothing'}) has no "
                            "number: name an observation or another fact with a stated value, or write the number.")
            operands.append(number)
            head = self._object(head, RDF + "rest")
        if not operands:
            return [], "The derivation names no operands: add nkd:operands ( <fact> <fact or number> … )."
        return operands, None

    def _object(self, subject: object, predicate: str) -> object | None:
        quad = next(self.store.quads_for_pattern(subject, ox.NamedNode(predicate), None, None), None)
        return quad.object if quad is not None else None

    # ----------------------------------------------------------------------- conflicts

    def check_conflicts(self) -> Iterator[Finding]:
        """Figures that cannot both be true are linked by nkd:conflictsWith; corroborating ones can."""
        periods = conflicts.PeriodReader(self.store)
        figures: dict[object, conflicts.Figure] = {}
        for row in self.rows("""SELECT ?obs ?variable ?population ?area ?unit ?period ?periodLabel ?value ?qualifier
                ?upper ?proportion ?words WHERE {
            ?obs a qb:Observation ; nkd:variable ?variable ; sdmx-dimension:refArea ?area ;
                 sdmx-dimension:refPeriod ?period .
            OPTIONAL { ?obs nkd:population ?population } OPTIONAL { ?obs sdmx-attribute:unitMeasure ?unit }
            OPTIONAL { ?obs sdmx-measure:obsValue ?value } OPTIONAL { ?obs nkd:qualifier ?qualifier }
            OPTIONAL { ?obs nkd:upperBound ?upper } OPTIONAL { ?obs nkd:proportion ?proportion }
            OPTIONAL { ?obs nkd:statedAs ?words } OPTIONAL { ?period rdfs:label ?periodLabel } }"""):
            obs = row["obs"]
            if obs in figures:
                continue
            qualifier = _local(row.get("proportion") or row.get("qualifier")) or "Exact"
            values = conflicts.value_range(_number(row.get("value")), qualifier, _number(row.get("upper")))
            if values is None:
                continue
            words = row["words"].value if "words" in row else figure_words(
                row["value"].value if "value" in row else None, qualifier)
            period = row["period"]
            figures[obs] = conflicts.Figure(
                obs, (row["variable"], row.get("population"), row["area"], row["unit"].value if "unit" in row else None),
                period, periods.bounds(period), values, f"\"{' '.join(words.split())}\" ({_short(obs)})",
                row["periodLabel"].value if "periodLabel" in row else period.value)
        linked = {name: {(r["a"], r["b"]) for r in self.rows(f"SELECT ?a ?b WHERE {{ ?a nkd:{name} ?b }}")}
                  for name in ("conflictsWith", "corroborates")}
        by_key: dict[tuple, list[conflicts.Figure]] = {}
        for figure in figures.values():
            by_key.setdefault(figure.key, []).append(figure)
        for group in by_key.values():
            for a, b in conflicts.candidate_pairs(group):
                reason = conflicts.disagreement(a, b)
                if reason:
                    pair = {(a.node, b.node), (b.node, a.node)}
                    if not pair & linked["conflictsWith"]:
                        yield Finding(b.node, "ConflictCheck", "UnlinkedConflictComponent",
                                      f"{reason}, and they are not linked: if each reads its source right, keep both "
                                      f"and add nkd:conflictsWith in both directions; if not, correct the one that "
                                      f"misreads its source.", (NKD + "conflictsWith",), a.node)
                    if pair & linked["corroborates"]:
                        yield Finding(b.node, "ConflictCheck", "CorroborationComponent",
                                      f"Linked by nkd:corroborates, but {reason}: figures that corroborate each other "
                                      "can both be true.", (NKD + "corroborates",), a.node)
        for a, b in sorted(linked["corroborates"], key=str):
            fa, fb = figures.get(a), figures.get(b)
            if fa is None or fb is None or str(a) > str(b):
                continue
            if fa.key != fb.key:
                problem = "do not measure the same variable of the same population in the same area and unit"
            elif not conflicts.may_be_one_period(fa, fb):
                problem = f"are for different periods ({fa.period_words}; {fb.period_words})"
            else:
                continue
            yield Finding(b, "ConflictCheck", "CorroborationComponent",
                          f"Linked by nkd:corroborates, but the two figures {problem}: figures corroborate each "
                          "other when they give the same thing for the same period.", (NKD + "corroborates",), a)


def _local(term: object | None) -> str | None:
    if term is None:
        return None
    return _local_name(term.value)


def _local_name(iri: str) -> str:
    return iri.rsplit("#", 1)[-1].rsplit("/", 1)[-1]


def _short(term: object) -> str:
    value = term.value
    return "/".join(value.split("/")[-2:]) if "/id/" in value else value


def _number(term: object | None) -> Decimal | None:
    if not isinstance(term, ox.Literal):
        return None
    try:
        return Decimal(term.value)
    except InvalidOperation:
        return None


def _rounded(computed: Decimal, like: Decimal) -> Decimal:
    """``computed`` rounded to the decimal places ``like`` is written with."""
    exponent = like.as_tuple().exponent
    return computed.quantize(Decimal(1).scaleb(min(0, exponent)), rounding=ROUND_HALF_UP)


def _unit_problem(figure, unit: str) -> str | None:
    name = _local_name(unit).lower()
    if figure.percent and name != "percent":
        return f"the words give a percentage, the unit is {_local_name(unit)}"
    if name == "percent" and not figure.percent:
        return "the unit is percent, the words give no percentage"
    if figure.currency and "dollar" not in name:
        return f"the words give an amount of money, the unit is {_local_name(unit)}"
    return None


def _difference(values: list[Decimal]) -> Decimal:
    return values[0] - sum(values[1:], Decimal(0))


def _product(values: list[Decimal]) -> Decimal:
    result = Decimal(1)
    for value in values:
        result *= value
    return result


def _quotient(values: list[Decimal]) -> Decimal:
    result = values[0]
    for value in values[1:]:
        result /= value
    return result


# nkd:method -> how to compute it from the operands, in order (ontology/nkd.ttl defines each).
_OPERATIONS = {
    NKD + "Sum": lambda v: sum(v, Decimal(0)),
    NKD + "Difference": _difference,
    NKD + "Product": _product,
    NKD + "Quotient": _quotient,
    NKD + "PercentDecrease": lambda v: (v[0] - v[1]) / v[0] * 100,
    NKD + "PercentIncrease": lambda v: (v[1] - v[0]) / v[0] * 100,
}


def check(store: ox.Store, sources_dir: Path) -> list[Finding]:
    """Every provenance finding for the data in ``store``, reading texts from ``sources_dir``."""
    return Checker(store, sources_dir).findings()


def components() -> Iterable[tuple[str, str]]:
    """(shape, component) local names of every provenance check."""
    for shape, names in COMPONENTS.items():
        for name in names:
            yield shape, name


__all__ = ["COMPONENTS", "Checker", "Finding", "STATED", "check", "components"]
