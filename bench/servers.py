"""Starting, watching and always stopping the servers a benchmark measures.

Every process a benchmark starts is registered here and stopped when the script
ends, however it ends: normally, on an exception, on Ctrl-C, on SIGTERM or SIGHUP
(turned into ``SystemExit`` so that ``finally`` blocks run), and even when the
script is killed outright (each child gets ``PR_SET_PDEATHSIG`` so the kernel sends
it SIGTERM when its parent dies). Servers run in their own process group, so
stopping one stops its workers too.
"""

from __future__ import annotations

import atexit
import ctypes
import os
import re
import shutil
import signal
import socket
import string
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Sequence

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent

_running: list["Service"] = []


class BenchError(RuntimeError):
    """A benchmark cannot go on (a server did not start, a tool is missing…)."""


def _die_with_parent() -> None:  # runs in the child between fork and exec
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


def _exit_on_signal(signum: int, _frame: object) -> None:
    raise SystemExit(128 + signum)


def run_script(main: Callable[[], int]) -> None:
    """Exit with ``main()``'s code; a message instead of a traceback for :class:`BenchError`, 130 on Ctrl-C."""
    install_signal_handlers()
    try:
        code = main()
    except BenchError as exc:
        print(f"bench: error: {exc}", file=sys.stderr)
        code = 1
    except KeyboardInterrupt:
        print("interrupted; every server started was stopped", file=sys.stderr)
        code = 130
    finally:
        stop_all()
    sys.exit(code)


def install_signal_handlers() -> None:
    """Make SIGTERM and SIGHUP unwind the script like Ctrl-C does, so servers get stopped."""
    for signum in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, _exit_on_signal)


def stop_all() -> None:
    """Stop every service still running (idempotent)."""
    while _running:
        _running.pop().stop()


atexit.register(stop_all)


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def tool(name: str) -> str:
    """The path of a command installed beside this Python (a venv's bin/) or on PATH."""
    beside = Path(sys.executable).parent / name
    if beside.exists():
        return str(beside)
    found = shutil.which(name)
    if found is None:
        raise BenchError(f"{name} is not installed; pip install -e '.[bench]' provides it")
    return found


def spawn(args: Sequence[str], log_path: Path, env: dict[str, str] | None = None) -> subprocess.Popen:
    """Start a process in its own group, output to ``log_path``, dying with this one."""
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with open(log_path, "wb") as log:
        return subprocess.Popen(list(args), cwd=ROOT, env={**os.environ, **(env or {})},
                                stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                start_new_session=True, preexec_fn=_die_with_parent)


@dataclass
class Service:
    """A running server: its name, the URL queries go to, and its process group."""

    name: str
    query_url: str
    process: subprocess.Popen | None  # None: a server someone else runs
    log_path: Path | None = None
    cleanup: list[Path] = field(default_factory=list)
    started_at: float = field(default_factory=time.monotonic)
    first_answer_s: float | None = None  # from start to the first answer, set by wait_ready

    @property
    def pid(self) -> int | None:
        """The process (group) id, or None for an external server."""
        return self.process.pid if self.process else None

    def log(self) -> str:
        """What the server wrote so far (last 4 kB)."""
        try:
            return self.log_path.read_text(errors="replace")[-4000:] if self.log_path else ""
        except OSError:
            return ""

    def stop(self) -> None:
        """SIGTERM the group, SIGKILL it after 15 s, and remove its temporary files."""
        if self.process is None:
            return
        if self.process.poll() is None:
            try:
                os.killpg(self.process.pid, signal.SIGTERM)
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=5)
            except ProcessLookupError:
                pass
        # Workers that outlive a dead master are in the same group.
        try:
            os.killpg(self.process.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        for path in self.cleanup:
            shutil.rmtree(path, ignore_errors=True)
        self.cleanup = []
        if self in _running:
            _running.remove(self)


def _register(service: Service, ready_timeout_s: float, probe: str = "ASK {}") -> Service:
    _running.append(service)
    try:
        wait_ready(service, ready_timeout_s, probe)
    except BaseException:
        service.stop()
        raise
    return service


def wait_ready(service: Service, timeout_s: float, probe: str = "ASK {}") -> float:
    """Wait until the service answers ``probe`` and then goes idle; return seconds from start to first answer.

    Going idle matters for servers whose workers load data one after the other:
    the first worker answers while the others still parse, and a measurement taken
    then would time the loading too.
    """
    deadline = time.monotonic() + timeout_s
    url = service.query_url + "?" + urllib.parse.urlencode({"query": probe})
    first_answer = None
    while time.monotonic() < deadline:
        if service.process is not None and service.process.poll() is not None:
            raise BenchError(f"{service.name} exited with {service.process.returncode}:\n{service.log()}")
        try:
            with urllib.request.urlopen(urllib.request.Request(
                    url, headers={"Accept": "application/sparql-results+json"}), timeout=5) as resp:
                resp.read()
                if resp.status == 200:
                    first_answer = time.monotonic() - service.started_at
                    break
        except (urllib.error.URLError, ConnectionError, TimeoutError, OSError):
            pass
        time.sleep(0.01)
    if first_answer is None:
        raise BenchError(f"{service.name} did not answer within {timeout_s:.0f} s:\n{service.log()}")
    service.first_answer_s = first_answer
    if service.pid is not None:
        wait_idle(service.pid, deadline)
    return first_answer


def wait_idle(pid: int, deadline: float, busy_share: float = 0.05) -> None:
    """Wait until a process tree uses less than ``busy_share`` of one core over half a second."""
    ticks = os.sysconf("SC_CLK_TCK")
    previous = cpu_seconds(pid)
    while time.monotonic() < deadline:
        time.sleep(0.5)
        now = cpu_seconds(pid)
        if now - previous < busy_share * 0.5 + 1 / ticks:
            return
        previous = now


def start_nkd(data: Sequence[Path] = (), *, store: Path | None = None, extra: Sequence[str] = (),
              env: dict[str, str] | None = None, ready_timeout_s: float = 600.0, probe: str = "ASK {}",
              cleanup: Sequence[Path] = ()) -> Service:
    """``nkd serve`` from this checkout on a free loopback port, default settings unless ``extra``.

    ``cleanup`` lists directories to remove when the service stops.
    """
    port = free_port()
    args = nkd_command("serve", "--host", "127.0.0.1", "--port", str(port))
    for path in data:
        args += ["--data", str(path)]
    if store is not None:
        args += ["--store", str(store)]
    args += list(extra)
    log_path = log_dir() / f"nkd-{port}.log"
    process = spawn(args, log_path, {**NKD_ENV, **(env or {})})
    service = Service("nkd", f"http://127.0.0.1:{port}/sparql", process, log_path, list(cleanup))
    return _register(service, ready_timeout_s, probe)


@dataclass(frozen=True)
class Finished:
    """A command that ran to its end: wall time, exit code and peak RSS."""

    seconds: float
    code: int
    peak_rss: int  # bytes
    log_path: Path

    def log(self) -> str:
        """The last 2 kB of its output."""
        return self.log_path.read_text(errors="replace")[-2000:]


def run_timed(args: Sequence[str], log_path: Path, timeout_s: float | None = None,
              env: dict[str, str] | None = None) -> Finished:
    """Run a command to its end (killing its group past ``timeout_s``); time it and read its peak RSS."""
    started = time.monotonic()
    process = spawn(args, log_path, env)
    try:
        while True:
            pid, status, usage = os.wait4(process.pid, os.WNOHANG)
            if pid:
                break
            if timeout_s is not None and time.monotonic() - started > timeout_s:
                os.killpg(process.pid, signal.SIGKILL)
                pid, status, usage = os.wait4(process.pid, 0)
                process.returncode = -9
                return Finished(time.monotonic() - started, -9, usage.ru_maxrss * 1024, log_path)
            time.sleep(0.02)
    except BaseException:
        try:
            os.killpg(process.pid, signal.SIGKILL)
            os.wait4(process.pid, 0)
        except (ProcessLookupError, ChildProcessError):
            pass
        raise
    elapsed = time.monotonic() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    return Finished(elapsed, process.returncode, usage.ru_maxrss * 1024, log_path)


def log_dir() -> Path:
    """Where server and tool logs go (git-ignored)."""
    path = BENCH / "results" / "logs"
    path.mkdir(parents=True, exist_ok=True)
    return path


def nkd_command(*args: str) -> list[str]:
    """``nkd ARGS`` as run from this checkout."""
    return [sys.executable, "-m", "nkd", *args]


NKD_ENV = {"PYTHONPATH": str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", "")}


def nkd_load(store: Path, files: Sequence[Path]) -> Finished:
    """``nkd load --store STORE FILES…`` from this checkout."""
    result = run_timed(nkd_command("load", "--store", str(store), *map(str, files)),
                       log_dir() / f"nkd-load-{store.name}-{os.getpid()}.log", env=NKD_ENV)
    if result.code != 0:
        raise BenchError(f"nkd load failed ({result.code}):\n{result.log()}")
    return result


def oxigraph_load(location: Path, files: Sequence[Path]) -> Finished:
    """``oxigraph load`` files into an on-disk store."""
    args = [tool("oxigraph"), "load", "--location", str(location)]
    for path in files:
        args += ["--file", str(path)]
    result = run_timed(args, log_dir() / f"oxigraph-load-{location.name}-{os.getpid()}.log")
    if result.code != 0:
        raise BenchError(f"oxigraph load failed ({result.code}):\n{result.log()}")
    return result


def start_oxigraph(data: Sequence[Path], *, ready_timeout_s: float = 600.0) -> Service:
    """Oxigraph server on a loopback port, over ``data`` loaded with ``oxigraph load``.

    The default graph is the union of all graphs (``--union-default-graph``), as in
    nkd, so both answer over the same triples whether the data has named graphs or not.
    The store is removed when the service stops.
    """
    location = Path(tempfile.mkdtemp(prefix="nkd-bench-oxigraph-"))
    try:
        oxigraph_load(location, data)
    except BaseException:
        shutil.rmtree(location, ignore_errors=True)
        raise
    port = free_port()
    log_path = log_dir() / f"oxigraph-{port}.log"
    process = spawn([tool("oxigraph"), "serve", "--location", str(location),
                     "--bind", f"127.0.0.1:{port}", "--union-default-graph"], log_path)
    service = Service("oxigraph", f"http://127.0.0.1:{port}/query", process, log_path, [location])
    return _register(service, ready_timeout_s)


def start_minimal(data: Sequence[Path], *, workers: int = 2, threads: int = 8,
                  ready_timeout_s: float = 600.0) -> Service:
    """``bench/minimal_endpoint.py`` under gunicorn with nkd's default worker settings."""
    port = free_port()
    log_path = log_dir() / f"minimal-{port}.log"
    process = spawn([tool("gunicorn"), "--chdir", str(BENCH), "--worker-class", "gthread",
                     "--workers", str(workers), "--threads", str(threads), "--bind", f"127.0.0.1:{port}",
                     "minimal_endpoint:create_app()"], log_path,
                    {"NKD_BENCH_DATA": os.pathsep.join(map(str, data))})
    service = Service("minimal", f"http://127.0.0.1:{port}/sparql", process, log_path)
    return _register(service, ready_timeout_s)


VIRTUOSO_INI = ROOT / "tests" / "fixtures" / "virtuoso.ini"  # the tests' template, with bench limits
VIRTUOSO_USER = ("nkd", "nkd-bench-secret")


def start_virtuoso(data: Sequence[Path], *, max_rows: int = 10_000_000, time_limit_s: int = 600,
                   ready_timeout_s: float = 600.0) -> Service:
    """Virtuoso 7 (``virtuoso-t``, Debian's virtuoso-opensource) on loopback ports, loaded with ``nkd push``.

    Its database and configuration live in a temporary directory, removed when it stops;
    its row cap is raised so that large results are measured, not refused.
    """
    directory = Path(tempfile.mkdtemp(prefix="nkd-bench-virtuoso-"))
    sql_port, http_port = free_port(), free_port()
    ini = directory / "virtuoso.ini"
    ini.write_text(string.Template(VIRTUOSO_INI.read_text(encoding="utf-8")).substitute(
        dir=directory, sql_port=sql_port, http_port=http_port, max_rows=max_rows, time_limit_s=time_limit_s))
    log_path = log_dir() / f"virtuoso-{http_port}.log"
    process = spawn([tool("virtuoso-t"), "+foreground", "+configfile", str(ini)], log_path)
    service = Service("virtuoso", f"http://127.0.0.1:{http_port}/sparql", process, log_path, [directory])
    _register(service, ready_timeout_s)
    user, password = VIRTUOSO_USER
    made = run_timed([tool("isql-vt"), f"127.0.0.1:{sql_port}", "dba", "dba",
                      f"exec=DB.DBA.USER_CREATE('{user}', '{password}'); GRANT SPARQL_UPDATE TO \"{user}\";"],
                     log_dir() / f"virtuoso-user-{http_port}.log", timeout_s=60)
    if made.code != 0:
        raise BenchError(f"could not create the Virtuoso user:\n{made.log()}")
    pushed = run_timed(nkd_command("push", "--to", f"http://{user}:{password}@127.0.0.1:{http_port}"
                                   "/sparql-graph-crud-auth", *map(str, data)),
                       log_dir() / f"virtuoso-push-{http_port}.log", env=NKD_ENV)
    if pushed.code != 0:
        raise BenchError(f"nkd push into Virtuoso failed:\n{pushed.log()}")
    return service


def nginx_binary() -> str:
    """Debian's nginx (in /usr/sbin, which a user's PATH may lack)."""
    return "/usr/sbin/nginx" if os.access("/usr/sbin/nginx", os.X_OK) else tool("nginx")


def start_nginx(upstream: str, *, ready_timeout_s: float = 60.0) -> Service:
    """nginx with the shipped deploy/nginx/nkd.conf in front of ``upstream`` (host:port).

    Only its addresses and directories change, into a temporary prefix removed when it stops.
    """
    directory = Path(tempfile.mkdtemp(prefix="nkd-bench-nginx-"))
    port = free_port()
    site = (ROOT / "deploy" / "nginx" / "nkd.conf").read_text(encoding="utf-8")
    site = site.replace("/var/cache/nginx/nkd", str(directory / "cache")).replace(
        "listen 80;", f"listen 127.0.0.1:{port};")
    site = re.sub(r"(upstream nkd \{\n)(?:\s*#.*\n)?(?:\s*server [^;]+;\n)+", rf"\1    server {upstream};\n", site)
    (directory / "nkd.conf").write_text(site)
    temp_paths = "".join(f"    {name}_temp_path {directory}/{name};\n"
                         for name in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
    (directory / "nginx.conf").write_text(
        f"{'user root;' if os.geteuid() == 0 else ''}\nworker_processes auto;\npid {directory}/nginx.pid;\n"
        f"events {{ worker_connections 1024; }}\n"
        f"http {{\n    access_log off;\n{temp_paths}    include {directory}/nkd.conf;\n}}\n")
    log_path = log_dir() / f"nginx-{port}.log"
    process = spawn([nginx_binary(), "-p", str(directory), "-c", str(directory / "nginx.conf"),
                     "-e", str(log_path.with_suffix(".error.log")), "-g", "daemon off;"], log_path)
    service = Service("nginx", f"http://127.0.0.1:{port}/sparql", process, log_path, [directory])
    return _register(service, ready_timeout_s)


def external(name: str, url: str, ready_timeout_s: float = 30.0) -> Service:
    """A server someone else runs at ``url``: measured, never started or stopped here."""
    service = Service(name, url, None)
    wait_ready(service, ready_timeout_s)
    return service


# --------------------------------------------------------------------------- /proc


def descendants(pid: int) -> list[int]:
    """``pid`` and every process below it."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as handle:
                stat = handle.read()
        except OSError:
            continue
        # The command name is in parentheses and may hold spaces; fields follow the last ')'.
        ppid = int(stat[stat.rindex(b")") + 2:].split()[1])
        children.setdefault(ppid, []).append(int(entry))
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        todo.extend(children.get(current, []))
    return found


def _proc_kb(pid: int, file_name: str, field_name: str) -> int:
    # A "Name:  123 kB" line of /proc/PID/FILE; 0 when the process is gone.
    try:
        with open(f"/proc/{pid}/{file_name}") as handle:
            for line in handle:
                if line.startswith(field_name + ":"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


@dataclass(frozen=True)
class Memory:
    """Memory of a process tree in bytes: resident (summed), proportional (shared pages split), peak."""

    processes: int
    rss: int
    pss: int
    peak_rss: int

    def describe(self) -> str:
        """Human-readable summary."""
        plural = "es" if self.processes != 1 else ""
        return (f"{self.rss / 2**20:,.0f} MiB RSS summed over {self.processes} process{plural} "
                f"({self.pss / 2**20:,.0f} MiB PSS; peak {self.peak_rss / 2**20:,.0f} MiB)")


def memory(pid: int) -> Memory:
    """RSS summed over ``pid`` and its descendants (master + workers), from /proc."""
    pids = descendants(pid)
    return Memory(
        processes=len(pids),
        rss=sum(_proc_kb(p, "status", "VmRSS") for p in pids) * 1024,
        pss=sum(_proc_kb(p, "smaps_rollup", "Pss") for p in pids) * 1024,
        peak_rss=sum(_proc_kb(p, "status", "VmHWM") for p in pids) * 1024,
    )


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of ``pid`` and its descendants."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for p in descendants(pid):
        try:
            with open(f"/proc/{p}/stat", "rb") as handle:
                stat = handle.read()
        except OSError:
            continue
        fields = stat[stat.rindex(b")") + 2:].split()
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / ticks


def disk_usage(path: Path) -> int:
    """Bytes used by the files under ``path``."""
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file())
