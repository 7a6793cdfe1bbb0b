"""The persistent on-disk store: built once by `nkd load`, opened read-only by `nkd serve --store`.

Building. :func:`build_store` bulk-loads the sources (the shipped graph or any RDF
files, one named graph per file exactly as :mod:`nkd.store` names them) into a new
directory beside the target, and only when every file has loaded does it swap that
directory into place. A syntax error, a missing file or an interrupt leaves an existing
store as it was. ``Store.bulk_load`` is the bulk loader `oxigraph load` uses (sorted
files ingested into RocksDB, no write-ahead log): the two do the same work.

Opening. :func:`open_store` opens a built store with ``Store.read_only``: nothing is
parsed, RocksDB only reads its manifest, so opening takes tens of milliseconds whatever
the size, and pages are read on demand. Any number of processes may hold the same
directory open read-only at once (pyoxigraph 0.5 has no "secondary" mode any more, and
needs none here); what is undefined is a process *writing* a directory that others
read, which is why :func:`build_store` never writes into the served directory.
A server must be restarted after its store has been rebuilt, because the swap removes
the files it had open.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import errno
import json
import os
import shutil
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Callable, Iterable

import pyoxigraph as ox

from .errors import InputError
from .http_cache import DataVersion, digest_files
from .store import Source, rdf_format, sources_version

# Written beside RocksDB's own files (RocksDB leaves files it does not name alone).
MARKER = "nkd-store.json"
MARKER_VERSION = 1

ProgressCallback = Callable[[int], None]


@dataclass(frozen=True)
class StoreInfo:
    """What `nkd load` recorded about a store: the public base it named graphs with, and its files."""

    public_base: str | None
    graphs: tuple[str, ...]
    input_bytes: int
    created: str | None


class _CountingReader:
    """A binary reader that reports how many bytes the parser has consumed (for the progress bar)."""

    def __init__(self, handle: IO[bytes], on_bytes: ProgressCallback) -> None:
        self._handle = handle
        self._on_bytes = on_bytes

    def read(self, size: int = -1) -> bytes:
        data = self._handle.read(size)
        self._on_bytes(len(data))
        return data

    def readinto(self, buffer: bytearray) -> int:
        count = self._handle.readinto(buffer) or 0
        self._on_bytes(count)
        return count


def is_store(directory: Path) -> bool:
    """True when ``directory`` holds a RocksDB store (built by `nkd load` or `oxigraph load`)."""
    return (directory / "CURRENT").is_file() and (directory / "IDENTITY").is_file()


def store_info(directory: Path) -> StoreInfo | None:
    """The record `nkd load` left in a store, or None for a store built by another tool."""
    try:
        data = json.loads((directory / MARKER).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return StoreInfo(public_base=data.get("public_base"),
                     graphs=tuple(s.get("graph") or "" for s in data.get("sources", [])),
                     input_bytes=int(data.get("input_bytes", 0)),
                     created=data.get("created"))


def input_size(sources: Iterable[Source]) -> int:
    """The total size in bytes of the sources' files; :class:`InputError` for a missing one."""
    total = 0
    for source in sources:
        try:
            total += source.path.stat().st_size
            if source.path.is_dir():
                raise IsADirectoryError(source.path)
        except OSError as exc:
            raise InputError.for_file(source.path, exc) from None
    return total


def _check_target(target: Path) -> None:
    if target.exists() and not target.is_dir():
        raise InputError(f"{target} exists and is not a directory", path=str(target),
                         hint="Pass --store a new directory, or the directory of an existing store.")
    if target.is_dir() and any(target.iterdir()) and not is_store(target):
        # Replacing it would delete whatever it holds.
        raise InputError(f"{target} is not empty and is not a store; refusing to replace it",
                         path=str(target),
                         hint="Pass --store a new or empty directory, or one built by `nkd load`.")


def build_store(target: str | Path, sources: list[Source], public_base: str,
                on_bytes: ProgressCallback | None = None) -> StoreInfo:
    """Build a store at ``target`` from ``sources``, replacing any store there only on success.

    Raises :class:`InputError` (with file, line and column for a syntax error); ``target``
    is then untouched. ``on_bytes`` is called with the number of input bytes parsed.
    """
    # Resolved: "." gets a name, and a symlink keeps pointing where the store is.
    target = Path(target).resolve()
    _check_target(target)
    total = input_size(sources)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        # A sibling, so that the final rename stays on one file system.
        building = Path(tempfile.mkdtemp(prefix=f".{target.name}.loading-", dir=target.parent))
    except OSError as exc:
        raise InputError(f"{target.parent}: cannot create the store there: {exc.strerror or exc}",
                         path=str(target), hint="Pass --store a directory you can write to.") from None
    try:
        _bulk_load(building, sources, on_bytes)
        info = {
            "version": MARKER_VERSION,
            "public_base": public_base,
            "created": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "input_bytes": total,
            # What ETags are made of: the same for every process and replica reading this store.
            "digest": sources_version(sources, public_base).digest,
            "sources": [{"file": source.path.name, "graph": source.graph} for source in sources],
        }
        try:
            (building / MARKER).write_text(json.dumps(info, indent=2) + "\n", encoding="utf-8")
            _swap_into_place(building, target)
        except OSError as exc:
            raise InputError(f"{target}: cannot put the new store in place: {exc.strerror or exc}",
                             path=str(target), hint="Check the permissions of the directory and its parent.") from None
    except BaseException:
        shutil.rmtree(building, ignore_errors=True)
        raise
    return StoreInfo(public_base, tuple(s.graph or "" for s in sources), total, info["created"])


def _bulk_load(directory: Path, sources: list[Source], on_bytes: ProgressCallback | None) -> None:
    store = ox.Store(str(directory))
    try:
        for source in sources:
            fmt = rdf_format(source.path)
            to_graph = ox.NamedNode(source.graph) if source.graph else None
            try:
                with open(source.path, "rb") as handle:
                    # Read through Python rather than by path: each read returns to the
                    # interpreter, so Ctrl-C stops a long load (and the bar can count).
                    reader = _CountingReader(handle, on_bytes or _ignore)
                    # No base IRI, as for the in-memory store: a relative IRI is an error.
                    store.bulk_load(input=reader, format=fmt, to_graph=to_graph)
            except SyntaxError as exc:
                raise InputError.for_file(source.path, exc) from None
            except OSError as exc:
                raise InputError.for_file(source.path, exc, hint="Check that the file exists and is readable, "
                                                                 "and that the disk has room for the store.") from None
        store.flush()
    finally:
        # Close RocksDB before the directory is renamed: the store has no close(), and
        # this is the only reference to it.
        del store


def _ignore(count: int) -> None:
    pass


_RENAME_EXCHANGE = 2  # linux/fs.h


def _exchange(first: Path, second: Path) -> bool:
    """Swap two directories in one step with Linux's renameat2; False where that is not available."""
    libc_name = ctypes.util.find_library("c")
    if libc_name is None:
        return False
    libc = ctypes.CDLL(libc_name, use_errno=True)
    renameat2 = getattr(libc, "renameat2", None)
    if renameat2 is None:
        return False
    at_fdcwd = -100
    result = renameat2(at_fdcwd, os.fsencode(first), at_fdcwd, os.fsencode(second), _RENAME_EXCHANGE)
    if result == 0:
        return True
    error = ctypes.get_errno()
    if error in (errno.ENOSYS, errno.EINVAL, errno.ENOTSUP):
        return False  # kernel or file system without RENAME_EXCHANGE
    raise OSError(error, os.strerror(error), str(second))


def _swap_into_place(built: Path, target: Path) -> None:
    """Put ``built`` at ``target``; an existing store there is replaced (atomically on Linux)."""
    if not target.exists():
        os.rename(built, target)
        return
    if target.is_dir() and not any(target.iterdir()):
        target.rmdir()
        os.rename(built, target)
        return
    if _exchange(built, target):
        shutil.rmtree(built)  # now holds the previous store
        return
    # Elsewhere: two renames, with a moment in which target does not exist.
    previous = target.with_name(f".{target.name}.previous-{os.getpid()}")
    os.rename(target, previous)
    os.rename(built, target)
    shutil.rmtree(previous, ignore_errors=True)


def check_store(directory: str | Path) -> StoreInfo | None:
    """Make sure ``directory`` holds a store (:class:`InputError` if not); return its record, if any."""
    directory = Path(directory)
    if not is_store(directory):
        raise InputError(f"{directory} does not hold a store", path=str(directory),
                         hint=f"Build it first: nkd load --store {directory} [FILES…]")
    return store_info(directory)


def built_at(directory: str | Path) -> float | None:
    """When the store was built, or None if that cannot be told.

    The time of `nkd load`'s record, else of RocksDB's CURRENT file; never of a file
    that opening the store may touch (its LOG), so every worker gives the same time.
    """
    for name in (MARKER, "CURRENT"):
        try:
            return (Path(directory) / name).stat().st_mtime
        except OSError:
            continue
    return None


def disk_version(directory: str | Path) -> DataVersion:
    """The version of the data in a built store: the digest `nkd load` recorded, and when.

    A store built by another tool (or by an older nkd) has none; its record or RocksDB's
    CURRENT file stands in, which changes whenever the store is rebuilt.
    """
    directory = Path(directory)
    modified = built_at(directory) or 0.0
    try:
        recorded = json.loads((directory / MARKER).read_text(encoding="utf-8")).get("digest")
    except (OSError, ValueError):
        recorded = None
    if recorded:
        return DataVersion(recorded, modified)
    entries = []
    for name in (MARKER, "CURRENT"):
        try:
            entries.append((name, (directory / name).read_bytes()))
        except OSError:
            continue
    return DataVersion(digest_files(entries + [("built", str(modified).encode())]), modified)


def open_store(directory: str | Path) -> ox.Store:
    """Open a built store read-only; :class:`InputError` when ``directory`` holds none."""
    directory = Path(directory)
    check_store(directory)
    try:
        return ox.Store.read_only(str(directory))
    except OSError as exc:
        raise InputError(f"{directory}: cannot open the store read-only: {exc}", path=str(directory),
                         hint="Rebuild it with `nkd load --store DIR`.") from None


__all__ = ["MARKER", "StoreInfo", "build_store", "built_at", "disk_version", "check_store", "input_size", "is_store", "open_store", "store_info"]
