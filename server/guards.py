"""The guards of a public, read-only endpoint: what a query may say, checked before any parser sees it.

:func:`check_query` reads a query's tokens once and refuses what this endpoint never
does — updates, and ``SERVICE`` (pyoxigraph would open an HTTP connection for it,
with no switch to turn that off) — and the few constructs whose cost explodes with
their size, each against its own setting (``bench/guards.py`` measures them on
pyoxigraph; the README's *Guards* gives the numbers):

- nesting deeper than ``max_query_depth`` brackets: the parser recurses once per
  level and overflows even a 512 MB stack about 200,000 levels down, and nested
  ``OPTIONAL`` or blank nodes grow with the square or cube of their depth;
- a chain of more than ``max_chain_operators`` operators (``||``, ``&&``, ``+``, ``-``,
  ``*``, ``/``, ``!``) inside one pair of parentheses: pyoxigraph's time grows with the
  square of its length (about a second at 1,000 ``||``, over 15 s at 3,000);
- a chain of more than ``max_union_branches`` ``UNION`` branches: the square too;
- a property path of more than ``max_path_steps`` ``/`` steps: the cube (0.1 s at 100
  steps, 2–3 s at 300, over 15 s at 1,000);
- more than ``max_group_patterns`` triple patterns and subgroups (``OPTIONAL``,
  ``MINUS``, ``{…}``, ``[…]``) joined in one group: pyoxigraph's join planner takes time
  that grows with the cube of their number or faster (1–3 s at 100 patterns on one
  subject, a minute at 300).

What grows linearly (``VALUES`` rows, ``IN`` lists, ``|`` alternatives, the text's
length) is bounded by ``max_query_bytes`` alone, and whatever a query costs in the end
by ``query_timeout_s``.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from functools import cached_property, lru_cache

from .errors import PayloadTooLarge, QueryRefused, QuerySyntaxError, QueryTooComplex
from .settings import Settings

# Terminals of the SPARQL 1.1 grammar (§19.8) that can hide other characters: strings,
# IRIs, comments and prefixed names with escapes. IRIREF is tried before the `<`
# operator and before comments, as the parser does where an IRI may stand; a `<` the
# parser reads as an operator can only make us see *more* keywords, never fewer.
# Leading white space belongs to the token that follows it: half as many tokens to
# loop over, and lines are counted only for a message.
TOKEN = re.compile(
    r"""
    [\ \t\r\n]*
    (?:
      (?P<string>'''(?:(?:'|'')?(?:[^'\\]|\\.))*'''
               |\"\"\"(?:(?:"|"")?(?:[^"\\]|\\.))*\"\"\"
               |'(?:[^'\\\n\r]|\\.)*'
               |"(?:[^"\\\n\r]|\\.)*")
    | (?P<iri><[^<>"{}|^`\\\x00-\x20]*>)
    | (?P<comment>\#[^\r\n]*)
    | (?P<var>[?$][\w\u00B7\u0300-\u036F\u203F-\u2040]+)
    | (?P<word>(?:[\w\u00B7\u00C0-\U000EFFFF:%.\-]|\\[_~.\-!$&'()*+,;=/?#@%])+)
    | (?P<open>[{(\[])
    | (?P<close>[})\]])
    | (?P<datatype>\^\^)
    | (?P<op>&&|\|\||!=|<=|>=|[-+*/|^!=<>])
    | (?P<separator>[;,])
    | (?P<other>.)
    )
    """,
    re.VERBOSE | re.DOTALL,
)
_CODEPOINT = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")

QUERY_FORMS = ("SELECT", "ASK", "CONSTRUCT", "DESCRIBE")
UPDATE_KEYWORDS = frozenset(
    {"INSERT", "DELETE", "LOAD", "CLEAR", "DROP", "CREATE", "ADD", "MOVE", "COPY", "WITH"})
# Operators whose chains pyoxigraph nests one level per operator (inside parentheses:
# in a group, `+`, `*` and `!` are path modifiers and `/` a path step).
_CHAINED = frozenset({"||", "&&", "+", "-", "*", "/", "!"})


@dataclass(frozen=True)
class Query:
    """A query that passed the guards: its text, its form and whether it names a dataset."""

    text: str
    form: str  # SELECT, ASK, CONSTRUCT or DESCRIBE
    has_dataset_clause: bool = False
    # How deep the engine's parser recurses, at most: bracket levels plus the longest
    # chain of operators (None for a Query not made by check_query: not measured).
    nesting: int | None = None

    @property
    def returns_graph(self) -> bool:
        """True for CONSTRUCT and DESCRIBE, whose result is RDF rather than a table."""
        return self.form in ("CONSTRUCT", "DESCRIBE")

    @cached_property
    def digest(self) -> str:
        """A short stable hash of the text, for logs."""
        return hashlib.sha256(self.text.encode("utf-8")).hexdigest()[:12]


def unescape_codepoints(text: str) -> str:
    """The text with its ``\\u`` and ``\\U`` escapes decoded.

    SPARQL 1.1 §19.2 lets them stand anywhere; decoding them first means an escaped
    keyword cannot slip past the checks (pyoxigraph rejects most of these, but a
    check stricter than the parser costs nothing).
    """
    def decode(match: re.Match[str]) -> str:
        try:
            return chr(int(match.group(1) or match.group(2), 16))
        except (ValueError, OverflowError):
            return match.group(0)
    return _CODEPOINT.sub(decode, text)


def position(text: str, offset: int) -> tuple[int, int]:
    """The 1-based line and column (in characters, as pyoxigraph counts) of ``offset``."""
    line_start = text.rfind("\n", 0, offset) + 1
    return text.count("\n", 0, offset) + 1, offset - line_start + 1


# Clients repeat the same short queries (dashboards, Linked Data pages, retries), and
# checking one costs tens of microseconds, a lookup's whole evaluation; texts this
# short are remembered, so the cache stays a few megabytes at most.
_CACHED_TEXT_CHARS = 4096


def check_query(text: str, settings: Settings) -> Query:
    """Check a query's size, constructs, form and keywords before it reaches a parser.

    Returns the :class:`Query`; raises :class:`PayloadTooLarge` (413),
    :class:`QueryRefused` (403) for an update or ``SERVICE``,
    :class:`QueryTooComplex` (400) for a construct past its limit, or
    :class:`QuerySyntaxError` (400) for a text with no query form.
    """
    if len(text) <= _CACHED_TEXT_CHARS:
        return _check_remembered(text, settings)
    return _check(text, settings)


@lru_cache(maxsize=1024)
def _check_remembered(text: str, settings: Settings) -> Query:
    return _check(text, settings)  # a refusal raises, and is not remembered


def _check(text: str, settings: Settings) -> Query:
    size = len(text.encode("utf-8"))
    if size > settings.max_query_bytes:
        # A construct past its limit is reported as such (400) even in a text that is
        # also too long; scanning only the first max_query_bytes bounds the cost of refusing.
        _Scan(text[: settings.max_query_bytes], settings).run()
        raise PayloadTooLarge(
            f"the query is {size:,} bytes; this endpoint accepts at most {settings.max_query_bytes:,} "
            f"(max_query_bytes)",
            hint="Shorten the query, or split a very long VALUES block over several queries.",
        )
    if "\x00" in text:
        raise QuerySyntaxError("the query contains a NUL character", hint="Remove the NUL character.")
    scan = _Scan(text, settings)
    scan.run()
    if scan.form is None:
        raise QuerySyntaxError(
            "no query form found: a query starts (after any PREFIX and BASE) with "
            "SELECT, ASK, CONSTRUCT or DESCRIBE",
            line=1, column=1,
        )
    return Query(text=text, form=scan.form, has_dataset_clause=scan.has_dataset,
                 nesting=scan.depth + scan.chain)


class _Frame:
    """What the scan counts inside one pair of brackets."""

    __slots__ = ("opener", "offset", "group", "operators", "union", "patterns", "path", "template")

    def __init__(self, opener: str, offset: int, group: "_Frame | None", template: bool = False) -> None:
        self.opener = opener  # "{", "[", "(", or "" for the query's top level
        self.offset = offset
        # The group graph pattern whose join this frame's triple patterns belong to.
        self.group: _Frame = self if group is None else group
        self.operators = 0  # chained operators, in a "(" frame
        self.union = 0  # UNIONs of the current chain, in a "{" frame
        self.patterns = 0  # triple patterns and subgroups joined, in a group
        self.path = 0  # `/` steps of the current property path, in a "{" or "[" frame
        self.template = template  # a CONSTRUCT template: triples, but nothing is joined


class _Scan:
    """One pass over a query's tokens: its form, its dataset clause, and every limit."""

    def __init__(self, text: str, settings: Settings) -> None:
        self.text = unescape_codepoints(text)
        self.settings = settings
        self.form: str | None = None
        self.has_dataset = False
        self.depth = 0  # the deepest nesting of brackets
        self.chain = 0  # the longest chain of operators

    def run(self) -> None:
        s = self.settings
        text = self.text
        root = _Frame("", 0, None)
        frames = [root]
        frame = root
        after_union = False
        template_next = False  # CONSTRUCT seen, its template's `{` not yet
        for match in TOKEN.finditer(text):
            kind = match.lastgroup
            if kind == "word":
                word = match.group(kind).upper()
                bare = word.rstrip(".")
                if bare:
                    after_union = bare == "UNION"
                    if after_union:
                        frame.union += 1
                        if frame.union >= s.max_union_branches:
                            self._too_complex(match, "a UNION chain", "branches", s.max_union_branches,
                                              "max_union_branches",
                                              "List alternatives in one VALUES block instead of UNION "
                                              "branches, or split the query.")
                    elif bare[0] in "0123456789-" and "-" in bare and frame.opener == "(":
                        # `1-1-1…` lexes as numbers with signs: a chain all the same.
                        frame.operators += bare.count("-")
                        self._check_chain(frame, match)
                    else:
                        self._keyword(bare, match)
                        if bare == "CONSTRUCT" and self.form == "CONSTRUCT":
                            template_next = True
                        elif bare == "WHERE":
                            template_next = False
                if word.endswith("."):  # the `.` between triple patterns, alone or stuck to a name
                    self._separator(frame, match)
            elif kind == "open":
                opener = match.group(kind)
                offset = match.start(kind)
                if len(frames) > s.max_query_depth:
                    line, column = position(text, offset)
                    raise QueryTooComplex(
                        f"the query nests brackets more than {s.max_query_depth} levels deep "
                        f"(max_query_depth), at line {line}, column {column}",
                        line=line, column=column, setting="max_query_depth", limit=s.max_query_depth,
                        hint="Flatten the query: nesting of {}, () or [] this deep is refused before "
                             "parsing, as the engine's time and stack grow with it.")
                if opener == "{":
                    if frame.opener in ("{", ""):
                        if not after_union:
                            frame.union = 0  # a group not after UNION starts a new chain
                            self._add_pattern(frame.group, match)
                    child = _Frame("{", offset, None, template=template_next and frame is root)
                    template_next = False
                elif opener == "[":
                    self._add_pattern(frame.group, match)  # a blank node's property list
                    child = _Frame("[", offset, frame.group)
                else:
                    child = _Frame("(", offset, frame.group)
                frames.append(child)
                frame = child
                if len(frames) > self.depth + 1:
                    self.depth = len(frames) - 1
                after_union = False
            elif kind == "op":
                op = match.group(kind)
                if op == "/":
                    home = frame if frame.opener != "(" else self._path_home(frames)
                    home.path += 1
                    if home.path >= s.max_path_steps:
                        self._too_complex(match, "a property path", "steps", s.max_path_steps, "max_path_steps",
                                          "Shorten the path: the engine's time grows with the cube of a "
                                          "sequence path's length.")
                if frame.opener == "(" and op in _CHAINED:
                    frame.operators += 1
                    self._check_chain(frame, match)
                after_union = False
            elif kind == "close":
                if len(frames) > 1:
                    frames.pop()
                    frame = frames[-1]
                after_union = False
            elif kind == "separator":
                self._separator(frame, match)
                after_union = False
            elif kind != "comment":
                after_union = False

    def _keyword(self, word: str, match: re.Match[str]) -> None:
        if word == "SERVICE":
            raise QueryRefused(
                "SERVICE (federated query) is disabled: this endpoint never opens network connections",
                hint="Remove the SERVICE clause and query the remote endpoint yourself.",
            )
        if self.form is None:
            if word in QUERY_FORMS:
                self.form = word
            elif word in UPDATE_KEYWORDS:
                raise QueryRefused(
                    f"{word} is a SPARQL Update operation; this endpoint is read-only",
                    hint="Send a SELECT, ASK, CONSTRUCT or DESCRIBE query.",
                )
        elif word == "FROM":
            self.has_dataset = True

    def _separator(self, frame: _Frame, match: re.Match[str]) -> None:
        # `.`, `;` and `,` in a group or a blank node's list end one triple pattern and
        # start another (in parentheses they separate arguments: nothing to count).
        if frame.opener != "(":
            frame.path = 0
            self._add_pattern(frame.group, match)

    def _add_pattern(self, group: _Frame, match: re.Match[str]) -> None:
        if group.template or not group.opener:
            return
        group.patterns += 1
        limit = self.settings.max_group_patterns
        if group.patterns > limit:
            line, column = position(self.text, group.offset)
            self._too_complex(match, f"the group at line {line}, column {column}",
                              "triple patterns and subgroups joined", limit, "max_group_patterns",
                              "The engine's planner takes time that grows with the cube of the number of "
                              "patterns joined in one group: move alternatives into VALUES, or split the "
                              "query.")

    def _check_chain(self, frame: _Frame, match: re.Match[str]) -> None:
        self.chain = max(self.chain, frame.operators)
        limit = self.settings.max_chain_operators
        if frame.operators > limit:
            self._too_complex(match, "an expression", "operators in a row", limit, "max_chain_operators",
                              "Chains of ||, &&, +, -, *, / or ! take the engine time that grows with the "
                              "square of their length: use IN (…) or VALUES for alternatives, or split the "
                              "expression with parentheses.")

    @staticmethod
    def _path_home(frames: list[_Frame]) -> _Frame:
        # A path in parentheses, `(<p>/<q>)`, counts its steps with the enclosing pattern's.
        for frame in reversed(frames):
            if frame.opener != "(":
                return frame
        return frames[0]

    def _too_complex(self, match: re.Match[str], what: str, unit: str, limit: int, setting: str,
                     hint: str) -> None:
        line, column = position(self.text, match.start(match.lastgroup))
        raise QueryTooComplex(
            f"{what} has more than {limit:,} {unit} ({setting}), at line {line}, column {column}",
            line=line, column=column, setting=setting, limit=limit, hint=hint)


__all__ = ["Query", "TOKEN", "check_query", "position", "unescape_codepoints"]
