"""Plain-text renderings of query results for the terminal (`nkd query`)."""

from __future__ import annotations

from .namespaces import XSD, datatype_name
from .sparql import Table, Term

# Literals a table shows as they are, like Turtle's short forms (``63``, ``1.5``, ``true``).
_BARE = {XSD + "integer", XSD + "decimal", XSD + "boolean"}


def _datatype(term: Term) -> str:
    """``^^xsd:gYear`` (or ``^^<iri>``) after a literal whose datatype is shown, else nothing."""
    name = datatype_name(term.datatype)
    if not name:
        return ""
    return f"^^{name}" if name != term.datatype else f"^^<{name}>"


def term_text(term: Term | None) -> str:
    """A term as a person reads it: IRIs in angle brackets, literals with language or datatype."""
    if term is None:
        return ""
    if term.kind == "iri":
        return f"<{term.value}>"
    if term.kind == "bnode":
        return f"_:{term.value}"
    if term.kind == "literal":
        if term.language:
            return f'"{term.value}"@{term.language}'
        if term.datatype not in _BARE and _datatype(term):
            return f'"{term.value}"{_datatype(term)}'
        return term.value
    return term.value


def render_table(table: Table, figures: dict[str, str] | None = None) -> str:
    """A SELECT result as an aligned text table, or an ASK result as yes/no.

    ``figures`` maps IRIs to the figure they state in their source's words (from
    :func:`nkd.figures.figure_words`): such an IRI is shown with it, ``<…/obs> (less than 35,000)``.
    """
    if table.boolean is not None:
        return ("yes" if table.boolean else "no") + "\n"
    figures = figures or {}

    def cell(term: Term | None) -> str:
        text = term_text(term).replace("\n", " ")
        if term is not None and term.kind == "iri" and term.value in figures:
            text += f" ({figures[term.value]})"
        return text

    cells = [[cell(t) for t in row] for row in table.rows]
    widths = [max([len(v)] + [len(r[i]) for r in cells]) for i, v in enumerate(table.variables)]
    def line(values: list[str]) -> str:
        return "  ".join(v.ljust(w) for v, w in zip(values, widths)).rstrip()
    out = [line(table.variables), line(["-" * w for w in widths])]
    out += [line(r) for r in cells]
    out.append(f"({len(cells)} row{'s' if len(cells) != 1 else ''})")
    return "\n".join(out) + "\n"


def render_triples(triples: list[tuple[Term, Term, Term]]) -> str:
    """A CONSTRUCT or DESCRIBE result as one triple per line."""
    lines = [" ".join(term_text(t) if t.kind != "literal" else _literal(t) for t in triple) + " ."
             for triple in triples]
    return "\n".join(lines) + ("\n" if lines else "")


def _literal(term: Term) -> str:
    escaped = term.value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    if term.language:
        return f'"{escaped}"@{term.language}'
    return f'"{escaped}"{_datatype(term)}'
