"""HTTP caching: validators, freshness and conditional requests, for every GET answer.

nkd's answers depend only on the data and the request, so each one can be validated
and cached by clients, shared caches and CDNs. A :class:`DataVersion` says what data a
server answers from (a digest and a modification time); :func:`validators` turns it and
a request's representation into an ``ETag``, ``Last-Modified`` and ``Cache-Control``,
and :meth:`Validators.fresh` answers ``If-None-Match`` / ``If-Modified-Since``.

Entity tags are weak (``W/"…"``) everywhere: they name an equivalent representation,
not the bytes, so the tag of an identity body revalidates the gzip body of the same
answer and back (RFC 9110 §8.8.3, §13.1.2), whoever compresses it — nkd's dumps, a
compressing middleware or the proxy in front. A tag is made of the data's digest and
the representation: the path, the query string and the media type.

Plain Python, no Flask: the /sparql path and the Flask views share it.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import cached_property, lru_cache
from email.utils import formatdate
from typing import Iterable, Mapping

from werkzeug.sansio.http import is_resource_modified

from .settings import SPECS, Settings

# Repeated GETs (a dashboard's queries, a crawler's pages) share what their answers'
# headers are made of, which changes only with the data's version. Remembered for query
# strings up to this length only (gunicorn caps the request line at 8 KB; longer ones
# come only from other WSGI servers), so that what is held stays a few megabytes.
REMEMBERED_QUERY_STRING_CHARS = 8192

# What an answer that must not be kept says: errors, POST answers, caching turned off.
NO_STORE = "no-store"
# The headers a 304 repeats from the 200 it stands for (RFC 9110 §15.4.5), which a cache
# refreshes its stored copy's headers with.
_REPEATED_IN_304 = frozenset({"content-location", "vary", "link", "access-control-allow-origin", "x-query-hash"})


@dataclass(frozen=True)
class DataVersion:
    """What data a server answers from: a content digest and when it last changed (epoch seconds)."""

    digest: str
    modified: float

    def with_settings(self, settings: Settings) -> "DataVersion":
        """The same data as served with ``settings``: answers change with the settings too.

        ``data_version`` is mixed in here, so an operator can invalidate every tag at once.
        """
        # Settings of how the server runs (shapes_answers False) cannot change an answer's
        # bytes: replicas that differ only in these give the same tags.
        relevant = [f"{spec.name}={getattr(settings, spec.name)!r}" for spec in SPECS if spec.shapes_answers]
        return DataVersion(_hash(self.digest, *relevant, _package_version()), self.modified)


def _hash(*parts: str) -> str:
    return hashlib.sha256("\x00".join(parts).encode("utf-8")).hexdigest()


def _package_version() -> str:
    # Pages change with nkd itself (templates, serializations), not only with the data.
    try:
        from importlib.metadata import version

        return version("nkd")
    except Exception:  # not installed (run from a checkout): the data and settings still count
        return "unknown"


def digest_files(entries: Iterable[tuple[str, bytes | None]]) -> str:
    """A digest of named contents (a graph name and its file's bytes, say), in the given order."""
    digest = hashlib.sha256()
    for name, content in entries:
        digest.update(name.encode("utf-8") + b"\x00")
        digest.update(hashlib.sha256(content or b"").digest())
    return digest.hexdigest()


def http_date(epoch: float) -> str:
    """An IMF-fixdate (``Wed, 02 Dec 2026 16:27:06 GMT``) for whole seconds."""
    return formatdate(int(epoch), usegmt=True)


def cache_control(settings: Settings) -> str:
    """The ``Cache-Control`` of a cacheable answer: public, ``max-age`` and ``stale-while-revalidate``."""
    if settings.cache_max_age_s <= 0:
        return NO_STORE
    value = f"public, max-age={settings.cache_max_age_s}"
    if settings.stale_while_revalidate_s > 0:
        value += f", stale-while-revalidate={settings.stale_while_revalidate_s}"
    return value


@dataclass(frozen=True)
class Validators:
    """The validators and freshness of one representation."""

    etag: str
    last_modified: float
    cache_control: str

    def headers(self) -> list[tuple[str, str]]:
        """``ETag``, ``Last-Modified`` and ``Cache-Control`` as header pairs."""
        return list(self._headers)

    @cached_property
    def _headers(self) -> tuple[tuple[str, str], ...]:
        # Formatting the date costs a few microseconds; repeated GETs share their Validators.
        return (("ETag", self.etag), ("Last-Modified", http_date(self.last_modified)),
                ("Cache-Control", self.cache_control))

    def fresh(self, if_none_match: str | None, if_modified_since: str | None) -> bool:
        """True when the client's copy is current: answer 304 instead of the body.

        ``If-None-Match`` is compared weakly and, when present, wins over
        ``If-Modified-Since`` (RFC 9110 §13.1.2, §13.2.2); werkzeug implements both.
        """
        if not if_none_match and not if_modified_since:
            return False
        return not is_resource_modified(http_if_none_match=if_none_match,
                                        http_if_modified_since=if_modified_since,
                                        etag=self.etag, last_modified=http_date(self.last_modified))

    def fresh_for(self, environ: Mapping[str, str]) -> bool:
        """:meth:`fresh` for a WSGI environ's conditional headers."""
        return self.fresh(environ.get("HTTP_IF_NONE_MATCH"), environ.get("HTTP_IF_MODIFIED_SINCE"))


def validators(version: DataVersion | None, settings: Settings, path: str, query_string: str | bytes,
               media_type: str) -> Validators | None:
    """The validators of a GET answer: ``path`` and ``query_string`` asked for ``media_type``.

    None when caching is off (``cache_max_age_s`` 0) or the data's version is unknown:
    the answer then carries ``Cache-Control: no-store`` and no validator.
    """
    if version is None or settings.cache_max_age_s <= 0:
        return None
    if len(query_string) <= REMEMBERED_QUERY_STRING_CHARS:
        return _remembered_validators(version, settings, path, query_string, media_type)
    return _validators(version, settings, path, query_string, media_type)


@lru_cache(maxsize=512)
def _remembered_validators(version: DataVersion, settings: Settings, path: str, query_string: str | bytes,
                           media_type: str) -> Validators:
    return _validators(version, settings, path, query_string, media_type)


def _validators(version: DataVersion, settings: Settings, path: str, query_string: str | bytes,
                media_type: str) -> Validators:
    if isinstance(query_string, bytes):
        query_string = query_string.decode("latin-1")
    media_type = media_type.split(";", 1)[0].strip().lower()
    representation = _hash(path, query_string, media_type)[:12]
    # Weak: equivalent, not byte-identical, in every worker and in every content coding.
    return Validators(f'W/"{version.digest[:20]}-{representation}"', version.modified, cache_control(settings))


def not_modified_headers(found: Validators, headers: Iterable[tuple[str, str]]) -> list[tuple[str, str]]:
    """The headers of a 304: the validators and those of the 200's that a 304 repeats."""
    return found.headers() + [(name, value) for name, value in headers if name.lower() in _REPEATED_IN_304]


__all__ = ["DataVersion", "NO_STORE", "REMEMBERED_QUERY_STRING_CHARS", "Validators", "cache_control", "digest_files",
           "http_date", "not_modified_headers", "validators"]
