"""The one settings table.

Every limit and switch of nkd is one row of :data:`SPECS`: a name that carries its
unit, a type, a default, its bounds, a help text and, where it has one, a shorter
flag. Everything else is derived from the rows: the :class:`Settings` class (one
field per row), the checks of :func:`load_settings`, the command-line options
(``--`` + the name), the environment variables (``NKD_`` + the name in upper case),
the table at ``/-/settings`` and ``--help``. A setting is read, in order of
precedence, from a command-line flag (or a keyword of :func:`nkd.open`), the
environment and the default. A test fails when a row is missing from the README.
"""

from __future__ import annotations

import dataclasses
import os
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Callable, Mapping

from .errors import SettingError


def _parse_bool(text: str) -> bool:
    lowered = text.strip().lower()
    if lowered in {"1", "true", "yes", "on"}:
        return True
    if lowered in {"0", "false", "no", "off"}:
        return False
    raise ValueError(f"expected true or false, got {text!r}")


def _parse_base(text: str) -> str:
    text = text.strip()
    if not (text.startswith("http://") or text.startswith("https://")):
        raise ValueError(f"expected an http(s) IRI, got {text!r}")
    return text if text.endswith("/") else text + "/"


def _parse_iris(text: str) -> str:
    for iri in text.split():
        if not iri.startswith(("http://", "https://", "urn:")):
            raise ValueError(f"{iri!r} is not an absolute IRI")
    return " ".join(text.split())


# How a value of each type is read from a flag or the environment, and what --help calls it.
_PARSERS: dict[type, Callable[[str], Any]] = {bool: _parse_bool, int: int, float: float, str: str}


@dataclass(frozen=True)
class Spec:
    """One row of the settings table: everything nkd says or checks about one setting."""

    name: str  # with its unit: _s seconds, _bytes, _mb, max_… a count
    type: type  # bool, int, float or str
    default: Any
    help: str
    flag: str | None = None  # an extra, shorter command-line flag, if any
    minimum: float | None = None  # the smallest value allowed
    above: float | None = None  # values must be greater than this
    parser: Callable[[str], Any] | None = None  # reads a text other than by its type (an IRI…)
    # False for how the server runs (where it listens, how many processes): replicas that
    # differ only in these answer alike, so their ETags are equal.
    shapes_answers: bool = True

    @property
    def env(self) -> str:
        """The environment variable that sets this setting."""
        return "NKD_" + self.name.upper()

    @property
    def option(self) -> str:
        """The long command-line option derived from the name."""
        return "--" + self.name.replace("_", "-")

    @property
    def flags(self) -> tuple[str, ...]:
        """Every command-line spelling: the long option, then the shorter flag if any."""
        return (self.option, self.flag) if self.flag else (self.option,)

    @property
    def metavar(self) -> str:
        """What ``--help`` calls a value: BOOL, N, SECONDS, X or TEXT."""
        if self.type is float:
            return "SECONDS" if self.name.endswith("_s") else "X"
        return {bool: "BOOL", int: "N"}.get(self.type, "TEXT")

    @property
    def values(self) -> str:
        """The values allowed, in words (``an integer ≥ 1``), for --help, the README and /-/settings."""
        kind = {bool: "true or false", int: "an integer", float: "a number"}.get(self.type, "text")
        if self.minimum is not None:
            kind += f" ≥ {self.minimum:g}"
        if self.above is not None:
            kind += f" > {self.above:g}"
        return kind

    def parse(self, text: str) -> Any:
        """The value a flag or an environment variable's text stands for; ValueError if none."""
        return (self.parser or _PARSERS[self.type])(text)

    def check(self, value: Any) -> None:
        """Raise :class:`SettingError` when ``value`` is out of this setting's bounds."""
        if self.minimum is not None and value < self.minimum:
            raise SettingError(f"{self.name} must be {self.minimum:g} or more, got {value}")
        if self.above is not None and value <= self.above:
            raise SettingError(f"{self.name} must be greater than {self.above:g}, got {value}")


SPECS: tuple[Spec, ...] = (
    Spec("host", str, "127.0.0.1", "Interface `nkd serve` listens on.", shapes_answers=False),
    Spec("port", int, 8000, "TCP port `nkd serve` listens on.", minimum=1, shapes_answers=False),
    Spec("workers", int, 2,
         "Worker processes of `nkd serve`; each holds its own copy of an in-memory store.", minimum=1,
         shapes_answers=False),
    Spec("threads", int, 8,
         "Requests each worker process serves at once, and the query threads it runs them on.", minimum=1,
         shapes_answers=False),
    Spec("query_timeout_s", float, 30.0,
         "Wall-clock limit of one query; past it the client gets 503 and the worker "
         "process that ran the query is replaced.", flag="--timeout", above=0),
    Spec("max_query_bytes", int, 500_000,
         "Longest query text accepted (UTF-8 bytes); longer gets 413. Room for a VALUES block "
         "of several thousand IRIs.", minimum=1),
    Spec("max_request_bytes", int, 1_000_000,
         "Largest request body accepted; larger gets 413.", minimum=1),
    Spec("max_query_depth", int, 500,
         "Deepest nesting of brackets, braces and parentheses in a query; deeper gets 400 "
         "before the parser sees it.", minimum=1),
    Spec("max_chain_operators", int, 1000,
         "Most operators (||, &&, +, -, *, /, !) in a row inside one pair of parentheses; more "
         "gets 400 before the parser sees it (the engine's time grows with the square of a chain).",
         minimum=1),
    Spec("max_union_branches", int, 1000,
         "Most branches of one UNION chain; more gets 400 before the parser sees it (the "
         "engine's time grows with the square of the chain).", minimum=1),
    Spec("max_path_steps", int, 100,
         "Most steps (/) of one property path; more gets 400 before the parser sees it (the "
         "engine's time grows with the cube of a path's length).", minimum=1),
    Spec("max_group_patterns", int, 64,
         "Most triple patterns and subgroups (OPTIONAL, MINUS, {…}) joined in one group; more "
         "gets 400 before the parser sees it (the engine's join planner grows with the cube).",
         minimum=1),
    Spec("max_result_bytes", int, 512 * 1024 * 1024,
         "Largest serialized result a query may produce; larger gets 413, or is cut off "
         "if it has begun to stream (past its first MiB).", minimum=1),
    Spec("max_query_memory_mb", int, 1024,
         "How much a worker process may grow while its queries run, over its size when idle; "
         "past it those queries get 503 and the worker is replaced.", minimum=1),
    Spec("max_html_rows", int, 1000,
         "Result rows shown in an HTML table, and items on a page of /browse; the download links "
         "carry them all.", minimum=1),
    Spec("cors", bool, True,
         "Send `Access-Control-Allow-Origin: *` so query pages on other origins can use the endpoint."),
    Spec("cors_max_age_s", int, 86400,
         "How long browsers may cache the answer to a CORS preflight (OPTIONS) request.", minimum=0),
    Spec("public_base", str, "https://w3id.org/nkd/",
         "Namespace base of the graph's IRIs; request paths on this server map onto it.",
         parser=_parse_base),
    Spec("cache_max_age_s", int, 300,
         "How long clients and shared caches may reuse a GET answer before revalidating it "
         "(`Cache-Control: max-age`); every such answer has an `ETag` and `Last-Modified` and "
         "revalidates with 304. 0 turns HTTP caching off (`no-store`, no validators).", minimum=0),
    Spec("stale_while_revalidate_s", int, 60,
         "How long past `cache_max_age_s` a cache may serve a stored answer while it revalidates "
         "it in the background (`stale-while-revalidate`); 0 leaves it out.", minimum=0),
    Spec("data_version", str, "",
         "A label mixed into every `ETag`: change it to invalidate every cached answer at once, "
         "e.g. after changing an external store's data without changing its graphs' sizes."),
    Spec("store_check_s", float, 60.0,
         "With `--endpoint`: how often each worker re-reads the store's graphs and their sizes, "
         "which make the `ETag`s and the VoID description; a change shows within this time.",
         minimum=0),
    Spec("store_graphs", str, "",
         "With `--endpoint`: the store's graphs that are nkd's, as IRIs separated by spaces; "
         "empty means those named under `public_base` + `data/` (what `nkd push` writes). "
         "Queries, pages, VoID and dumps see only these when the store holds others.",
         parser=_parse_iris),
)

SPECS_BY_NAME: dict[str, Spec] = {spec.name: spec for spec in SPECS}


class _SettingsMethods:
    """What :class:`Settings` adds to its fields (one per row of :data:`SPECS`)."""

    def as_rows(self) -> list[dict[str, Any]]:
        """The table as rows of name, value, default, values allowed, flag, environment variable and help."""
        return [
            {
                "name": spec.name,
                "value": getattr(self, spec.name),
                "default": spec.default,
                "values": spec.values,
                "env": spec.env,
                "flag": ", ".join(spec.flags),
                "help": spec.help,
            }
            for spec in SPECS
        ]

    def replace(self, **changes: Any) -> "Settings":
        """A copy with some values changed (validated like any other source)."""
        return load_settings(overrides=changes, environ={}, base=self)  # type: ignore[arg-type]


if TYPE_CHECKING:  # what a type checker sees; at run time the class is made from the rows below
    class Settings(_SettingsMethods):
        """The resolved value of every setting. Build it with :func:`load_settings`."""

        def __getattr__(self, name: str) -> Any: ...
        def __init__(self, **values: Any) -> None: ...
else:
    # One frozen (hashable: checked queries are remembered per settings) field per row.
    Settings = dataclasses.make_dataclass(
        "Settings",
        [(spec.name, spec.type, dataclasses.field(default=spec.default)) for spec in SPECS],
        bases=(_SettingsMethods,), frozen=True,
    )
    Settings.__module__ = __name__  # for pickle and repr (make_dataclass's own argument is 3.12+)
    Settings.__doc__ = "The resolved value of every setting. Build it with :func:`load_settings`."


def load_settings(
    overrides: Mapping[str, Any] | None = None,
    environ: Mapping[str, str] | None = None,
    base: Settings | None = None,
) -> Settings:
    """Resolve every setting from overrides (flags), then the environment, then defaults.

    Raises :class:`SettingError` naming the setting and the source of a bad value.
    """
    environ = os.environ if environ is None else environ
    values: dict[str, Any] = dataclasses.asdict(base) if base else {}
    for spec in SPECS:
        if spec.env in environ:
            values[spec.name] = _convert(spec, environ[spec.env], spec.env)
    for name, value in (overrides or {}).items():
        if value is None:
            continue
        spec = SPECS_BY_NAME.get(name)
        if spec is None:
            raise SettingError(f"unknown setting {name!r}; known: {', '.join(SPECS_BY_NAME)}")
        values[name] = _convert(spec, value, spec.flag or spec.option)
    settings = Settings(**values)
    for spec in SPECS:
        spec.check(getattr(settings, spec.name))
    return settings


def _convert(spec: Spec, value: Any, source: str) -> Any:
    if not isinstance(value, str):
        value = str(value).lower() if isinstance(value, bool) else str(value)
    try:
        return spec.parse(value)
    except ValueError as exc:
        raise SettingError(f"{source}: {exc}".replace("invalid literal for", "not a valid")) from None
