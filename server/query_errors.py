"""What the engine says about a query it refuses, turned into errors a person can act on.

pyoxigraph raises ``SyntaxError`` for a query it cannot parse (``error at L:C:`` and
what it expected there), ``RuntimeError`` for a function it does not implement and
for other evaluation failures, ``OSError`` when the store cannot be read. Each becomes
a typed :class:`~nkd.errors.NkdError`: :func:`syntax_error` keeps the parser's
diagnosis whole and adds nkd's hint; :func:`evaluation_error` names the function the
engine lacks.
"""

from __future__ import annotations

import re
import secrets

import pyoxigraph as ox

from .errors import (NkdError, QueryFailed, QuerySyntaxError, QueryTooComplex, StoreRefused, Unavailable,
                     UnsupportedFunction)
from .guards import TOKEN, position
from .namespaces import FN

_POSITION = re.compile(r"error at (\d+):(\d+): (.*)", re.DOTALL)
_DECLARED_PREFIX = re.compile(r"\bPREFIX\s+([^\s:]*):", re.IGNORECASE)
_PREFIXED_NAME = re.compile(r"^([A-Za-z\u00C0-\U000EFFFF][\w.\-\u00B7\u00C0-\U000EFFFF]*)?:")
_PAIRS = {"}": "{", ")": "(", "]": "["}


def syntax_error(text: str, error: SyntaxError) -> QuerySyntaxError:
    """Turn pyoxigraph's parser error into a :class:`QuerySyntaxError` a person can act on.

    The message is the parser's own diagnosis, whole: line, column and what it expected
    there, with any explanation it gives ("The SELECT contains a variable that is
    unbound") put first; the excerpt shows the line with a caret under the column; the
    hint is nkd's reading of the mistake (a bracket never closed, the end of the query
    reached). pyoxigraph reports the farthest position its parser reached, so an
    undeclared prefix before it gets a message of its own, at the prefix.
    """
    message = str(error)
    match = _POSITION.match(message)
    if not match:
        return QuerySyntaxError(f"the query is not valid SPARQL: {message[:2000]}")
    line, column, expected = int(match.group(1)), int(match.group(2)), match.group(3).strip()
    undeclared = _undeclared_prefix(text)
    if undeclared is not None and undeclared[:2] <= (line, column):
        return _undeclared_prefix_error(text, *undeclared)
    explanations = _explanations(expected)
    if explanations and expected == "expected " + explanations[0]:
        detail = explanations[0]  # "expected IRI parsing failed": an explanation alone
    elif explanations:
        detail = f"{'; '.join(explanations)} (the parser {expected})"
    else:
        detail = f"the parser {expected}"
    hint = QuerySyntaxError.hint if explanations else _hint(text, line, column)
    return QuerySyntaxError(f"syntax error at line {line}, column {column}: {detail}",
                            line=line, column=column, excerpt=_excerpt(text, line, column), hint=hint)


def _undeclared_prefix_error(text: str, line: int, column: int, name: str, called: bool) -> QuerySyntaxError:
    prefix = name.split(":", 1)[0]
    hint = f"Add PREFIX {prefix}: <…> before the query form, with the namespace IRI the prefix stands for."
    if called:
        message = f"the prefix {prefix}: of the function {name} is not declared"
        iri = CONVENTIONAL_PREFIXES.get(prefix, "") + name.split(":", 1)[1]
        if prefix in CONVENTIONAL_PREFIXES:
            built_in = BUILT_IN_FOR.get(iri)
            hint = (f"This endpoint's engine does not implement {name} (<{iri}>); "
                    + (f"use the SPARQL 1.1 built-in {built_in}(…) instead." if built_in else
                       "use the SPARQL 1.1 built-in functions instead."))
    else:
        message = f"the prefix {prefix}: is not declared"
    return QuerySyntaxError(f"syntax error at line {line}, column {column}: {message}",
                            line=line, column=column, excerpt=_excerpt(text, line, column), hint=hint)


def _excerpt(text: str, line: int, column: int) -> str:
    """The line at ``line`` with a caret under ``column`` (after the line before it, if it is blank)."""
    lines = text.splitlines() or [""]
    source_line = lines[line - 1] if 0 < line <= len(lines) else ""
    shown = [source_line, " " * max(column - 1, 0) + "^"]
    if not source_line.strip() and 1 < line <= len(lines) + 1:
        shown.insert(0, lines[line - 2])  # the end of the query: show what came last
    return "\n".join(shown)


def _explanations(expected: str) -> list[str]:
    """The sentences among what the parser expected (its tokens are single words or quoted)."""
    items, depth, current = [], 0, ""
    body = expected.removeprefix("expected one of ").removeprefix("expected ")
    for char in body:  # split on the commas outside [character classes]
        if char == "[":
            depth += 1
        elif char == "]":
            depth -= 1
        if char == "," and depth == 0:
            items.append(current.strip())
            current = ""
        else:
            current += char
    items.append(current.strip())
    return [item for item in items if " " in item and item[:1].isalpha()]


def _hint(text: str, line: int, column: int) -> str:
    unbalanced = _unbalanced(text)
    if unbalanced is not None:
        return unbalanced + " Correct it, and the rest of the message may change."
    lines = text.splitlines() or [""]
    rest = "\n".join([lines[line - 1][column - 1:] if 0 < line <= len(lines) else "", *lines[line:]])
    if not TOKEN.sub(lambda m: "" if m.lastgroup == "comment" else m.group(), rest).strip():
        return ("The parser reached the end of the query without completing it: look before it for "
                "something missing (an operand after an operator, a closing bracket, a variable the "
                "SELECT uses but the pattern never binds).")
    return QuerySyntaxError.hint


def _undeclared_prefix(text: str) -> tuple[int, int, str, bool] | None:
    """The first prefixed name whose prefix is never declared: line, column, name, and whether it is called."""
    declared = {m.group(1) for m in _DECLARED_PREFIX.finditer(text)}
    for match in TOKEN.finditer(text):
        if match.lastgroup != "word":
            continue
        value, start = match.group("word"), match.start("word")
        prefixed = _PREFIXED_NAME.match(value)
        previous = text[max(0, start - 12):start].upper()
        in_iri = text.startswith("//", match.end())  # `<http://x y>`: an IRI with a space
        if prefixed and (prefixed.group(1) or "") not in declared and "PREFIX" not in previous \
                and not in_iri:
            called = text[match.end():].lstrip().startswith("(")
            return (*position(text, start), value.rstrip("."), called)
    return None


def _unbalanced(text: str) -> str | None:
    """A sentence about the first bracket that closes nothing or is never closed, if any."""
    stack: list[tuple[str, int]] = []
    for match in TOKEN.finditer(text):
        kind = match.lastgroup
        if kind == "open":
            stack.append((match.group(kind), match.start(kind)))
        elif kind == "close":
            value = match.group(kind)
            if not stack or stack[-1][0] != _PAIRS[value]:
                line, column = position(text, match.start(kind))
                return f"The {value!r} at line {line}, column {column} closes nothing that is open."
            stack.pop()
    if stack:
        opener, offset = stack[-1]
        line, column = position(text, offset)
        return f"The {opener!r} at line {line}, column {column} is never closed."
    return None


_LINE = re.compile(r"\bline (\d+)")


def without_prologue(error: NkdError, lines: int) -> NkdError:
    """``error``, raised for a text with ``lines`` lines added in front, as if for the text without them.

    The Python API declares the common prefixes in lines of its own ahead of a query; the
    lines and columns a message names are the query's as its author wrote it.
    """
    def shifted(match: re.Match[str]) -> str:
        number = int(match.group(1))
        return f"line {number - lines}" if number > lines else match.group(0)

    if not lines or not isinstance(error, (QuerySyntaxError, QueryTooComplex)) or error.line is None:
        return error
    error.message = _LINE.sub(shifted, error.message)
    error.args = (error.message,)
    error.hint = _LINE.sub(shifted, error.hint)
    error.line = max(1, error.line - lines)
    error.details["line"] = error.line
    return error


# --------------------------------------------------------------------------- evaluation

_CUSTOM_FUNCTION = re.compile(r"custom function <([^>]*)> is not supported")
_XPATH = FN
# XPath functions that queries written for other stores call by IRI, and the SPARQL 1.1
# built-in that does the same here.
BUILT_IN_FOR = {
    _XPATH + "upper-case": "UCASE", _XPATH + "lower-case": "LCASE", _XPATH + "contains": "CONTAINS",
    _XPATH + "starts-with": "STRSTARTS", _XPATH + "ends-with": "STRENDS",
    _XPATH + "string-length": "STRLEN", _XPATH + "substring": "SUBSTR", _XPATH + "concat": "CONCAT",
    _XPATH + "replace": "REPLACE", _XPATH + "matches": "REGEX", _XPATH + "abs": "ABS",
    _XPATH + "round": "ROUND", _XPATH + "ceiling": "CEIL", _XPATH + "floor": "FLOOR",
    _XPATH + "substring-before": "STRBEFORE", _XPATH + "substring-after": "STRAFTER",
    _XPATH + "encode-for-uri": "ENCODE_FOR_URI", _XPATH + "year-from-dateTime": "YEAR",
    _XPATH + "month-from-dateTime": "MONTH", _XPATH + "day-from-dateTime": "DAY",
    "bif:contains": "CONTAINS (or REGEX)",
}
# Prefixes other stores declare by themselves, so that queries written for them call
# `fn:upper-case(…)` or `bif:contains(…)` without a PREFIX line.
CONVENTIONAL_PREFIXES = {"fn": _XPATH, "bif": "bif:"}


def evaluation_error(exc: BaseException) -> NkdError:
    """The :class:`NkdError` for what pyoxigraph raised while evaluating or serializing a query."""
    if isinstance(exc, NkdError):
        return exc
    message = str(exc)
    found = _CUSTOM_FUNCTION.search(message)
    if found:
        iri = found.group(1)
        built_in = BUILT_IN_FOR.get(iri)
        return UnsupportedFunction(
            f"the function <{iri}> is not supported by this endpoint's engine",
            function=iri,
            hint=(f"Use the SPARQL 1.1 built-in {built_in}(…) instead." if built_in else
                  "Use the SPARQL 1.1 built-in functions (STR, UCASE, CONTAINS, REGEX…) and XSD casts "
                  "(xsd:integer(…) and the like); other functions are not available here."))
    if isinstance(exc, OSError):
        return Unavailable("the store could not be read while answering the query")
    return QueryFailed(f"the engine could not evaluate the query: {message[:1000]}")


def parse_error(text: str, base: str) -> QuerySyntaxError | None:
    """The syntax error of a query pyoxigraph's parser refuses (relative IRIs against
    ``base``), located as :func:`syntax_error` does; None for a SPARQL 1.1 query.

    The query is parsed, never evaluated. pyoxigraph has no parse-only call: ``query``
    parses, checks the functions and the substitutions, then evaluates, so a query here
    (outside the query threads' time and memory limits) is given a substitution for a
    variable it cannot project (a random name), which stops it before evaluation.
    """
    unguessable = ox.Variable("parse_only_" + secrets.token_hex(16))
    try:
        ox.Store().query(text, base_iri=base, substitutions={unguessable: ox.Literal(0)})
    except SyntaxError as exc:
        return syntax_error(text, exc)
    except Exception:  # noqa: BLE001 - anything after parsing (a function, the substitution): it parsed
        return None
    return None


def located(error: NkdError, text: str, base: str) -> NkdError:
    """A store's refusal of a query, as nkd's own syntax error when the query is not SPARQL 1.1.

    pyoxigraph's parser then locates the mistake (line, column, the line with a caret)
    as it does for the embedded store, whatever the store's parser said; a query that is
    valid SPARQL but that the store's parser refuses keeps the store's words.
    """
    if not isinstance(error, StoreRefused) or "does not support" in error.message:
        return error
    return parse_error(text, base) or error


__all__ = ["BUILT_IN_FOR", "evaluation_error", "located", "parse_error", "syntax_error", "without_prologue"]
