"""The conflict check: figures that cannot both be true are linked by nkd:conflictsWith."""

from __future__ import annotations

from typing import Iterator

from .. import conflicts
from ..figures import figure_words
from ..namespaces import NKD
from .base import Finding, ProvenanceData, as_number, local, short


class ConflictChecks(ProvenanceData):
    """Conflicting figures linked, within one source or across sources; corroborating ones compatible."""

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
            qualifier = local(row.get("proportion") or row.get("qualifier")) or "Exact"
            values = conflicts.value_range(as_number(row.get("value")), qualifier, as_number(row.get("upper")))
            if values is None:
                continue
            words = row["words"].value if "words" in row else figure_words(
                row["value"].value if "value" in row else None, qualifier)
            period = row["period"]
            figures[obs] = conflicts.Figure(
                obs, (row["variable"], row.get("population"), row["area"], row["unit"].value if "unit" in row else None),
                period, periods.bounds(period), values, f"\"{' '.join(words.split())}\" ({short(obs)})",
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


