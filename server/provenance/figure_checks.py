"""The checks of figures: each count or amount reads from its words, or equals its derivation."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Iterator

import pyoxigraph as ox

from ..figures import FigureError, figure_words, read_figure
from ..quotes import shorten
from ..namespaces import NKD, RDF
from .base import STATED, Finding, ProvenanceData, as_number, local, local_name


class FigureChecks(ProvenanceData):
    """Figures agree with their words (nkd:statedAs); derived values with their nkd:derivation."""

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
        if any(as_number(v) is None for v in facts.get("value", ())):
            return
        fact = {key: next(iter(values)) for key, values in facts.items()}
        prop = fact.get("property")
        words = sorted(w.value for w in facts.get("words", ()))
        stated_path = (NKD + "statedAs",)
        if not words:
            if prop is not None and "derivation" not in fact:
                yield Finding(node, "FigureCheck", "FigureWordsComponent",
                              "A figure without its words: add nkd:statedAs \"…\", the words of the quote that state "
                              "it with their hedge (\"less than 35,000\"), or nkd:derivation if the source does not "
                              "state it (how it is computed, and from what).", (prop.value,), fact.get("value"))
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
            qualifier = local(fact["proportion"])
            value = None
        else:
            qualifier = local(fact["qualifier"]) if "qualifier" in fact else None
            if qualifier is None and figure.qualifier != "Exact":
                qualifier = "Exact"  # unhedged in the graph, hedged in the words
            value = as_number(fact.get("value"))
        upper = as_number(fact.get("upper"))
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

    def check_derivations(self) -> Iterator[Finding]:
        """Each derived value equals its derivation, computed from the values it names."""
        rows = self.rows("""SELECT ?node ?resolved ?derivation ?method WHERE {
            { ?node nkd:resolvedValue ?resolved OPTIONAL { ?node nkd:derivation ?derivation } }
            UNION { ?node nkd:derivation ?derivation FILTER NOT EXISTS { ?node nkd:resolvedValue ?any } }
            OPTIONAL { ?derivation nkd:method ?method } }""")
        for row in sorted(rows, key=lambda r: str(r["node"])):
            node = row["node"]
            target = row.get("resolved") or self.stated_value(node)
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
                              f"The derivation's nkd:method must be one of {', '.join('nkd:' + local_name(m) for m in _OPERATIONS)}.",
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
            stored = as_number(target)
            if stored is None:
                continue
            if _rounded(computed, stored) != stored:
                yield Finding(node, "FigureCheck", "DerivationComponent",
                              f"The derived value {figure_words(stored)} is not what its derivation gives: "
                              f"nkd:{local_name(method.value)} of ({', '.join(figure_words(o) for o in operands)}) = "
                              f"{figure_words(_rounded(computed, stored))}. Correct the value or the derivation.",
                              (NKD + "resolvedValue",) if "resolved" in row else path, target)

    def _operands(self, derivation: object) -> tuple[list[Decimal], str | None]:
        head = self.object_of(derivation, NKD + "operands")
        operands: list[Decimal] = []
        seen = set()
        while head is not None and head != ox.NamedNode(RDF + "nil") and head not in seen:
            seen.add(head)
            item = self.object_of(head, RDF + "first")
            if isinstance(item, ox.Literal):
                number = as_number(item)
            else:
                number = as_number(self.stated_value(item)) if item is not None else None
            if number is None:
                return [], (f"An operand of the derivation ({item.value if item is not None else 'nothing'}) has no "
                            "number: name an observation or another fact with a stated value, or write the number.")
            operands.append(number)
            head = self.object_of(head, RDF + "rest")
        if not operands:
            return [], "The derivation names no operands: add nkd:operands ( <fact> <fact or number> … )."
        return operands, None


def _rounded(computed: Decimal, like: Decimal) -> Decimal:
    """``computed`` rounded to the decimal places ``like`` is written with."""
    exponent = like.as_tuple().exponent
    return computed.quantize(Decimal(1).scaleb(min(0, exponent)), rounding=ROUND_HALF_UP)


def _unit_problem(figure, unit: str) -> str | None:
    name = local_name(unit).lower()
    if figure.percent and name != "percent":
        return f"the words give a percentage, the unit is {local_name(unit)}"
    if name == "percent" and not figure.percent:
        return "the unit is percent, the words give no percentage"
    if figure.currency and "dollar" not in name:
        return f"the words give an amount of money, the unit is {local_name(unit)}"
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


