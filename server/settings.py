"""The one settings table.

Every limit and switch of nkd is a row here: a name that carries its unit, a type,
a default and a help text. A setting is read, in order of precedence, from a
command-line flag, the environment (``NKD_`` + the name in upper case) and the
default. The table is shown at ``/-/settings`` and documented in the README; a test
fails when a row is missing from the README.
"""

from __future__ import annotations

import dataclasses
import os
from dataclasses import dataclass
from typing import Any, Callable, Mapping

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


@dataclass(frozen=True)
class Spec:
    """One row of the settings table."""

    name: str
    parse: Callable[[str], Any]
    help: str
    flag: str | None = None  # an extra, shorter command-line flag, if any

    @property
    def default(self) -> Any:
        """The default value: the one :class:`Settings` declares, so it is stated once."""
        return Settings.__dataclass_fields__[self.name].default

    @property
    def env(self) -> str:
        """The environment variable that sets this setting."""
        return "NKD_" + self.name.upper()

    @property
    def option(self) -> str:
        """The long command-line option derived from the name."""
        return "--" + self.name.replace("_", "-")


SPECS: tuple[Spec, ...] = (
    Spec("host", str, "Interface `nkd serve` listens on."),
    Spec("port", int, "TCP port `nkd serve` listens on."),
    Spec("workers", int,
         "Worker processes of `nkd serve`; each holds its own copy of an in-memory store."),
    Spec("threads", int,
         "Requests each worker process serves at once, and the query threads it runs them on."),
    Spec("query_timeout_s", float,
         "Wall-clock limit of one query; past it the client gets 503 and the worker "
         "process that ran the query is replaced.", flag="--timeout"),
    Spec("max_query_bytes", int,
         "Longest query text accepted (UTF-8 bytes); longer gets 413. Room for a VALUES block "
         "of several thousand IRIs."),
    Spec("max_request_bytes", int,
         "Largest request body accepted; larger gets 413."),
    Spec("max_query_depth", int,
         "Deepest nesting of brackets, braces and parentheses in a query; deeper gets 400 "
         "before the parser sees it."),
    Spec("max_chain_operators", int,
         "Most operators (||, &&, +, -, *, /, !) in a row inside one pair of parentheses; more "
         "gets 400 before the parser sees it (the engine's time grows with the square of a chain)."),
    Spec("max_union_branches", int,
         "Most branches of one UNION chain; more gets 400 before the parser sees it (the "
         "engine's time grows with the square of the chain)."),
    Spec("max_path_steps", int,
         "Most steps (/) of one property path; more gets 400 before the parser sees it (the "
         "engine's time grows with the cube of a path's length)."),
    Spec("max_group_patterns", int,
         "Most triple patterns and subgroups (OPTIONAL, MINUS, {…}) joined in one group; more "
         "gets 400 before the parser sees it (the engine's join planner grows with the cube)."),
    Spec("max_result_bytes", int,
         "Largest serialized result a query may produce; larger gets 413, or is cut off "
         "if it has begun to stream (past its first MiB)."),
    Spec("max_query_memory_mb", int,
         "How much a worker process may grow while its queries run, over its size when idle; "
         "past it those queries get 503 and the worker is replaced."),
    Spec("max_html_rows", int,
         "Result rows shown in an HTML table, and items on a page of /browse; the download links carry them all."),
    Spec("cors", _parse_bool,
         "Send `Access-Control-Allow-Origin: *` so query pages on other origins can use the endpoint."),
    Spec("cors_max_age_s", int,
         "How long browsers may cache the answer to a CORS preflight (OPTIONS) request."),
    Spec("public_base", _parse_base,
         "Namespace base of the graph's IRIs; request paths on this server map onto it."),
    Spec("cache_max_age_s", int,
         "How long clients and shared caches may reuse a GET answer before revalidating it "
         "(`Cache-Control: max-age`); every such answer has an `ETag` and `Last-Modified` and "
         "revalidates with 304. 0 turns HTTP caching off (`no-store`, no validators)."),
    Spec("stale_while_revalidate_s", int,
         "How long past `cache_max_age_s` a cache may serve a stored answer while it revalidates "
         "it in the background (`stale-while-revalidate`); 0 leaves it out."),
    Spec("data_version", str,
         "A label mixed into every `ETag`: change it to invalidate every cached answer at once, "
         "e.g. after changing an external store's data without changing its graphs' sizes."),
    Spec("store_check_s", float,
         "With `--endpoint`: how often each worker re-reads the store's graphs and their sizes, "
         "which make the `ETag`s and the VoID description; a change shows within this time."),
    Spec("store_graphs", str,
         "With `--endpoint`: the store's graphs that are nkd's, as IRIs separated by spaces; "
         "empty means those named under `public_base` + `data/` (what `nkd push` writes). "
         "Queries, pages, VoID and dumps see only these when the store holds others."),
)

SPECS_BY_NAME: dict[str, Spec] = {spec.name: spec for spec in SPECS}


@dataclass(frozen=True)
class Settings:
    """The resolved value of every setting. Build it with :func:`load_settings`."""

    host: str = "127.0.0.1"
    port: int = 8000
    workers: int = 2
    threads: int = 8
    query_timeout_s: float = 30.0
    max_query_bytes: int = 500_000
    max_request_bytes: int = 1_000_000
    max_query_depth: int = 500
    max_chain_operators: int = 1000
    max_union_branches: int = 1000
    max_path_steps: int = 100
    max_group_patterns: int = 64
    max_result_bytes: int = 512 * 1024 * 1024
    max_query_memory_mb: int = 1024
    max_html_rows: int = 1000
    cors: bool = True
    cors_max_age_s: int = 86400
    public_base: str = "https://w3id.org/nkd/"
    cache_max_age_s: int = 300
    stale_while_revalidate_s: int = 60
    data_version: str = ""
    store_check_s: float = 60.0
    store_graphs: str = ""

    def as_rows(self) -> list[dict[str, Any]]:
        """The table as rows of name, value, default, environment variable and help."""
        return [
            {
                "name": spec.name,
                "value": getattr(self, spec.name),
                "default": spec.default,
                "env": spec.env,
                "flag": spec.flag or spec.option,
                "help": spec.help,
            }
            for spec in SPECS
        ]

    def replace(self, **changes: Any) -> "Settings":
        """A copy with some values changed (validated like any other source)."""
        return load_settings(overrides=changes, environ={}, base=self)


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
    _check(settings)
    return settings


def _convert(spec: Spec, value: Any, source: str) -> Any:
    if not isinstance(value, str):
        value = str(value).lower() if isinstance(value, bool) else str(value)
    try:
        return spec.parse(value)
    except ValueError as exc:
        raise SettingError(f"{source}: {exc}".replace("invalid literal for", "not a valid")) from None


def _check(settings: Settings) -> None:
    positive = ("port", "workers", "threads", "query_timeout_s", "max_query_bytes",
                "max_request_bytes", "max_query_depth", "max_chain_operators", "max_union_branches",
                "max_path_steps", "max_group_patterns", "max_result_bytes", "max_query_memory_mb",
                "max_html_rows")
    for name in positive:
        if getattr(settings, name) <= 0:
            raise SettingError(f"{name} must be greater than 0, got {getattr(settings, name)}")
    for name in ("cache_max_age_s", "stale_while_revalidate_s", "store_check_s"):
        if getattr(settings, name) < 0:
            raise SettingError(f"{name} must be 0 or more, got {getattr(settings, name)}")
    for iri in settings.store_graphs.split():
        if not iri.startswith(("http://", "https://", "urn:")):
            raise SettingError(f"store_graphs: {iri!r} is not an absolute IRI")
