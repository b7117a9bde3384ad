"""Hot paths against bare servers, in the cluster shape (PostgreSQL + Redis, 2 server processes), in
interleaved rounds so every figure of a round shares the same machine noise (issue 15; SITE-5, SITE-7,
MODE-1, NET-1), under both server shapes: ASGI (uvicorn) and WSGI (gunicorn, threaded workers).

    .venv/bin/python bench/hot_paths.py [--quick] [--rounds N] [--seconds S] [--threads T]
        [--generator auto|wrk|python] [--database-url postgres://…/db] [--redis-url redis://…/n]

Five servers run side by side, each with 2 worker processes:
  * a bare ASGI app returning JSON under the same uvicorn (bench/bare_asgi.py): the Python server's limit;
  * a bare Django view returning JSON, no middleware, no database (bench/bare_django_settings.py), started
    by `govhall serve --workers 2 --no-worker` (uvicorn) and by `govhall serve --server gunicorn
    --workers 2 --threads T --no-worker`: the yardstick of each shape;
  * govhall itself, in the same two shapes.
Each round loads, with 16 connections for --seconds each and for each shape: the bare Django view, an
authenticated API read (one centre by primary key), ticket issue, call next at open windows, case actions
(receive, accept, pass, finish, deliver, chained per connection) and the public guide page (gzip
accepted). The medians of the rounds are printed with their ratio to the bare Django view of the same
shape measured by the same load generator, the targets, OK/BELOW, and govhall's WSGI figure against its
ASGI figure.

Load generator: `wrk` (Debian's package, compiled; one thread pinned with taskset to the last CPU) when it
is installed, with Lua scripts for the POST bodies and tokens; else (or `--generator python`) the Python
one (httpx, asyncio), which on a small machine is itself the limit. With wrk, the bare servers and case
actions are also loaded by the Python generator in every round: the bare figures of both generators are
printed side by side, and case actions (a chain of five requests whose ids come from the answers, which
wrk's per-thread scripts cannot follow per connection) are measured by the Python generator only and
compared with the bare Django view under that generator. wrk's call next rotates the 16 windows with their
clerks over the connections, so two connections may call at the same window at once (the window's lock
serialises them). Then, in each shape, 32
connections over the 2 processes issue and call next at once; the database must show zero duplicate
numbers and zero tickets called twice.

The database named in the URL is dropped and re-created. The default run takes about four minutes (set-up
included), `--quick` about two and a half. Absolute figures on a shared machine are noisy; the ratios in
one run are what counts.
"""

from __future__ import annotations

import argparse
import asyncio
import math
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))

CONNECTIONS = 16
CHECK_CONNECTIONS = 32
QUEUE_WINDOWS = 16  # windows calling next in the correctness check (the other 16 connections issue)
# (name, target ratio to the bare Django view or None)
QUIET = ["--log-level", "warning", "--no-access-log", "--app-dir", str(BENCH)]
TARGETS: dict[str, float | None] = {
    "bare ASGI app (uvicorn)": None,
    "bare Django view": None,
    "authenticated API read": 0.5,
    "ticket issue": 0.25,
    "call next": 0.25,
    "case actions": 0.15,
    "portal guide page": 0.5,
}


def seed(args: argparse.Namespace) -> dict[str, object]:
    """Cases data from bench/cases_lifecycle.py (4 towns, a published matter, clerks and post holders);
    the first town also gets an all-day queue and QUEUE_WINDOWS windows, each with its own clerk."""
    os.environ["GOVHALL_DATABASE_URL"] = args.database_url
    os.environ["GOVHALL_REDIS_URL"] = args.redis_url
    import cases_lifecycle

    cases_lifecycle.recreate_database(args.database_url)
    towns = cases_lifecycle.build()
    import datetime as dt

    from govhall.accounts.models import Role, User, UserRole
    from govhall.accounts.tokens import token_create
    from govhall.catalog.models import Matter
    from govhall.orgs.models import Centre, Window
    from govhall.queueing.models import QueueSettings

    centre = Centre.objects.get(pk=towns[0]["centre"])
    QueueSettings.objects.update_or_create(
        centre=centre, defaults={"opening_time": dt.time(0, 0), "closing_time": dt.time(23, 59, 59)}
    )
    windows, clerks = [], []
    for n in range(QUEUE_WINDOWS):
        window = Window.objects.create(
            centre=centre, number=100 + n, name=f"民生{n}", window_class="minsheng"
        )
        user = User.objects.create(
            username=f"q{n}", full_name=f"叫号{n}", staff_no=f"Q{n:04d}", centre=centre
        )
        UserRole.objects.create(user=user, role=Role.FRONT_DESK)
        windows.append(window.pk)
        clerks.append(token_create(user=user, name="bench")[1])
    from django.db import connection

    connection.close()
    return {
        "towns": towns,
        "centre": centre.pk,
        "windows": windows,
        "clerks": clerks,
        "guide": f"/portal/guide/{Matter.objects.get().code}/",
    }


def start(cmd: list[str], env: dict[str, str], log: Path, url: str) -> tuple[subprocess.Popen, Path, str]:
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=open(log, "w"), stderr=subprocess.STDOUT)
    return proc, log, url


def wait_ready(started: tuple[subprocess.Popen, Path, str]) -> subprocess.Popen:
    import httpx

    proc, log, url = started
    cmd = proc.args
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"{cmd} exited:\n{log.read_text()[-3000:]}")
        try:
            if httpx.get(url, timeout=2).status_code == 200:
                return proc
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    raise SystemExit(f"{cmd} did not answer within 120 s")


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# --- load -------------------------------------------------------------------------------------------------


class Tally:
    def __init__(self) -> None:
        self.ok = 0
        self.errors: Counter[str] = Counter()
        self.issued: list[str] = []
        self.called: list[int] = []
        self.empty_calls = 0


Work = Callable[[object, int, Tally], Awaitable[None]]


async def load(work: Work, connections: int, seconds: float) -> tuple[float, Tally]:
    import httpx

    tally = Tally()
    limits = httpx.Limits(max_connections=connections, max_keepalive_connections=connections)
    async with httpx.AsyncClient(timeout=60, limits=limits) as client:
        stop = time.monotonic() + seconds

        async def loop(i: int) -> None:
            while time.monotonic() < stop:
                try:
                    await work(client, i, tally)
                except httpx.HTTPError as exc:
                    tally.errors[exc.__class__.__name__] += 1

        t0 = time.perf_counter()
        await asyncio.gather(*(loop(i) for i in range(connections)))
        elapsed = time.perf_counter() - t0
    return tally.ok / elapsed, tally


def check(tally: Tally, response: object, label: str, *codes: int) -> bool:
    status = response.status_code  # type: ignore[attr-defined]
    if status in codes:
        tally.ok += 1
        return True
    tally.errors[f"{label} HTTP {status}"] += 1
    return False


def get(url: str, headers: dict[str, str] | None = None) -> Work:
    async def work(client: object, i: int, tally: Tally) -> None:
        r = await client.get(url, headers=headers or {})  # type: ignore[attr-defined]
        check(tally, r, "GET", 200)

    return work


def issuing(base: str, data: dict) -> Work:
    url = f"{base}/api/v1/queueing/centres/{data['centre']}/tickets"

    async def work(client: object, i: int, tally: Tally) -> None:
        token = data["clerks"][i % len(data["clerks"])]
        r = await client.post(  # type: ignore[attr-defined]
            url, json={"group": "minsheng"}, headers={"Authorization": f"Bearer {token}"}
        )
        if check(tally, r, "issue", 201):
            tally.issued.append(r.json()["ticket"]["code"])

    return work


def calling(base: str, data: dict) -> Work:
    async def work(client: object, i: int, tally: Tally) -> None:
        n = i % len(data["windows"])
        r = await client.post(  # type: ignore[attr-defined]
            f"{base}/api/v1/queueing/windows/{data['windows'][n]}/call-next",
            headers={"Authorization": f"Bearer {data['clerks'][n]}"},
        )
        if check(tally, r, "call-next", 200):
            ticket = r.json()["ticket"]
            if ticket:
                tally.called.append(ticket["id"])
            else:
                tally.empty_calls += 1

    return work


def case_actions(base: str, data: dict) -> Work:
    from cases_lifecycle import APPLICANT, ID_NUMBER

    async def work(client: object, i: int, tally: Tally) -> None:
        town = data["towns"][i % len(data["towns"])]

        async def post(label: str, who: str, url: str, body: dict) -> dict | None:
            r = await client.post(  # type: ignore[attr-defined]
                base + url, json=body, headers={"Authorization": f"Bearer {town[who]}"}
            )
            return r.json() if check(tally, r, label, 200, 201) else None

        applicant = APPLICANT
        materials = [{"material_id": m, "status": "received"} for m in town["materials"]]
        created = await post(
            "receive",
            "clerk",
            "/api/v1/cases/",
            {
                "matter_id": town["matter"],
                "window_id": town["window"],
                "applicant": applicant,
                "materials": materials,
            },
        )
        if created is None:
            return
        case = f"/api/v1/cases/{created['id']}"
        steps = [
            ("accept", "clerk", f"{case}/accept", {}),
            ("pass", "reviewer", f"{case}/pass", {"opinion": "同意"}),
            ("finish", "approver", f"{case}/finish", {"result": "approved", "certificate_no": "B-1"}),
            (
                "deliver",
                "clerk",
                f"{case}/deliver",
                {"method": "window", "collector_name": "张三", "collector_id_number": ID_NUMBER},
            ),
        ]
        for label, who, url, body in steps:
            if await post(label, who, url, body) is None:
                return

    return work


async def open_windows(base: str, data: dict) -> None:
    import httpx

    async with httpx.AsyncClient(timeout=30) as client:
        for window, token in zip(data["windows"], data["clerks"], strict=True):
            r = await client.post(
                f"{base}/api/v1/queueing/windows/{window}/open", headers={"Authorization": f"Bearer {token}"}
            )
            assert r.status_code == 200, r.text


SHAPES = ("ASGI", "WSGI")  # uvicorn; gunicorn gthread
PYTHON, WRK = "python", "wrk"
# Loaded by the Python generator in every round even when wrk measures the rest: the yardsticks (to
# compare the generators) and case actions (see the module's docstring).
PYTHON_ALWAYS = ("bare ASGI app (uvicorn)", "bare Django view", "case actions")


# --- wrk ------------------------------------------------------------------------------------------------


@dataclass
class WrkJob:
    """wrk loading one URL with a fixed rotation of requests (method, path, headers, body)."""

    url: str
    requests: list[tuple[str, str, dict[str, str], str]]

    def script(self) -> str:
        def lua(text: str) -> str:
            return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'

        rows = []
        for method, path, headers, body in self.requests:
            head = ", ".join(f"[{lua(k)}] = {lua(v)}" for k, v in headers.items())
            rows.append(
                f"  reqs[#reqs + 1] = wrk.format({lua(method)}, {lua(path)}, {{{head}}}, {lua(body)})"
            )
        return "\n".join(
            [
                "local reqs = {}",
                "local n = 0",
                "init = function(args)",
                *rows,
                "end",
                "request = function()",
                "  n = n % #reqs + 1",
                "  return reqs[n]",
                "end",
                "done = function(summary, latency, requests)",
                '  io.write(string.format("GOVHALL %d %d %d %d\\n", summary.requests, summary.duration,',
                "    summary.errors.status, summary.errors.connect + summary.errors.read",
                "    + summary.errors.write + summary.errors.timeout))",
                "end",
            ]
        )


def wrk_command() -> list[str] | None:
    """wrk, pinned to the last CPU when taskset is there; None when wrk is not installed."""
    wrk = shutil.which("wrk")
    if wrk is None:
        return None
    cpus = os.cpu_count() or 1
    taskset = shutil.which("taskset")
    return ([taskset, "-c", str(cpus - 1)] if taskset and cpus > 1 else []) + [wrk]


def wrk_load(
    command: list[str], job: WrkJob, connections: int, seconds: float, tmp: Path
) -> tuple[float, Tally]:
    """Successful requests per second (2xx/3xx) under wrk; wrk takes whole seconds."""
    script = tmp / "load.lua"
    script.write_text(job.script())
    whole = max(1, math.ceil(seconds))
    out = subprocess.run(
        [*command, "-t1", f"-c{connections}", f"-d{whole}s", "--timeout", "60s", "-s", str(script), job.url],
        capture_output=True,
        text=True,
        timeout=whole + 90,
    )
    tally = Tally()
    line = next((x for x in out.stdout.splitlines() if x.startswith("GOVHALL ")), None)
    if line is None:
        raise SystemExit(f"wrk failed:\n{out.stdout}\n{out.stderr}")
    requests, micros, bad_status, socket_errors = (int(x) for x in line.split()[1:])
    tally.ok = requests - bad_status
    if bad_status:
        tally.errors["HTTP not 2xx/3xx"] = bad_status
    if socket_errors:
        tally.errors["socket"] = socket_errors
    return tally.ok / (micros / 1e6), tally


def wrk_get(url: str, headers: dict[str, str] | None = None) -> WrkJob:
    from urllib.parse import urlsplit

    return WrkJob(url, [("GET", urlsplit(url).path or "/", headers or {}, "")])


def wrk_plan(urls: dict[str, str], data: dict, shape: str) -> dict[str, WrkJob]:
    base = urls[f"govhall {shape}"]
    read_token = {"Authorization": f"Bearer {data['towns'][0]['clerk']}"}
    json_head = {"Content-Type": "application/json"}
    issue_path = f"/api/v1/queueing/centres/{data['centre']}/tickets"
    return {
        "bare Django view": wrk_get(urls[f"bare {shape}"] + "/bare"),
        "authenticated API read": wrk_get(f"{base}/api/v1/orgs/centres/{data['centre']}", read_token),
        "ticket issue": WrkJob(
            base + issue_path,
            [
                (
                    "POST",
                    issue_path,
                    {**json_head, "Authorization": f"Bearer {token}"},
                    '{"group": "minsheng"}',
                )
                for token in data["clerks"]
            ],
        ),
        "call next": WrkJob(
            base + "/",
            [
                (
                    "POST",
                    f"/api/v1/queueing/windows/{window}/call-next",
                    {"Authorization": f"Bearer {token}"},
                    "",
                )
                for window, token in zip(data["windows"], data["clerks"], strict=True)
            ],
        ),
        "portal guide page": wrk_get(base + data["guide"], {"Accept-Encoding": "gzip"}),
    }


def shape_plan(urls: dict[str, str], data: dict, shape: str) -> dict[str, Work]:
    base = urls[f"govhall {shape}"]
    read_token = {"Authorization": f"Bearer {data['towns'][0]['clerk']}"}
    return {
        "bare Django view": get(urls[f"bare {shape}"] + "/bare"),
        "authenticated API read": get(f"{base}/api/v1/orgs/centres/{data['centre']}", read_token),
        "ticket issue": issuing(base, data),
        "call next": calling(base, data),
        "case actions": case_actions(base, data),
        "portal guide page": get(base + data["guide"], {"Accept-Encoding": "gzip"}),
    }


Key = tuple[str, str, str]  # (generator, shape, endpoint)


async def rounds(
    args: argparse.Namespace, urls: dict[str, str], data: dict, wrk: list[str] | None
) -> dict[Key, list[float]]:
    python_plan: dict[tuple[str, str], Work] = {("", "bare ASGI app (uvicorn)"): get(urls["asgi"] + "/")}
    wrk_jobs: dict[tuple[str, str], WrkJob] = {("", "bare ASGI app (uvicorn)"): wrk_get(urls["asgi"] + "/")}
    for shape in SHAPES:
        python_plan |= {(shape, name): work for name, work in shape_plan(urls, data, shape).items()}
        wrk_jobs |= {(shape, name): job for name, job in wrk_plan(urls, data, shape).items()}
    plan: dict[Key, object] = {}
    for (shape, name), work in python_plan.items():
        if wrk is not None and (shape, name) in wrk_jobs:
            plan[(WRK, shape, name)] = wrk_jobs[(shape, name)]
        if wrk is None or name in PYTHON_ALWAYS:
            plan[(PYTHON, shape, name)] = work
    tmp = Path(tempfile.mkdtemp(prefix="govhall-bench-wrk-"))

    async def run(key: Key, seconds: float) -> tuple[float, Tally]:
        job = plan[key]
        if isinstance(job, WrkJob):
            assert wrk is not None
            return wrk_load(wrk, job, CONNECTIONS, seconds, tmp)
        return await load(job, CONNECTIONS, seconds)  # type: ignore[arg-type]

    # warm every server process and code path
    for key in plan:
        await run(key, 0.7 if key[0] == PYTHON else 1)
    figures: dict[Key, list[float]] = {key: [] for key in plan}
    for n in range(args.rounds):
        line = []
        for key in plan:
            gen, shape, name = key
            rate, tally = await run(key, args.seconds)
            figures[key].append(rate)
            note = f"{shape} {name} {rate:.0f}".strip()
            if wrk is not None:
                note += f" [{gen}]"
            if tally.errors:
                note += f" (errors {dict(tally.errors)})"
            if name == "call next" and tally.empty_calls:
                note += f" ({tally.empty_calls} found the queue empty)"
            line.append(note)
        print(f"  round {n + 1}: " + " · ".join(line), flush=True)
    return figures


def report(figures: dict[Key, list[float]]) -> bool:
    """The ratio table: each endpoint against the bare Django view of its shape, measured by the same load
    generator (wrk when it measured the endpoint); returns whether all targets are met in the better shape."""
    medians = {key: statistics.median(values) for key, values in figures.items()}
    gens = sorted({gen for gen, _, _ in medians}, key=lambda g: g != WRK)  # wrk first

    def pick(shape: str, name: str) -> str:
        return next(g for g in gens if (g, shape, name) in medians)

    asgi_gen = pick("", "bare ASGI app (uvicorn)")
    print(
        f"\n  {'endpoint':<26} {'ASGI req/s':>10} {'× bare':>7} {'WSGI req/s':>11} {'× bare':>7}"
        f"  {'WSGI/ASGI':>9}  load generator  target"
    )
    print(f"  {'bare ASGI app (uvicorn)':<26} {medians[(asgi_gen, '', 'bare ASGI app (uvicorn)')]:10.0f}")
    met = {shape: True for shape in SHAPES}
    for name, target in TARGETS.items():
        if name == "bare ASGI app (uvicorn)":
            continue
        cells, verdicts, used = [], [], set()
        rates = {}
        for shape in SHAPES:
            gen = pick(shape, name)
            used.add(gen)
            rate = rates[shape] = medians[(gen, shape, name)]
            ratio = rate / medians[(gen, shape, "bare Django view")]
            cells.append(f"{rate:{10 if shape == 'ASGI' else 11}.0f} {ratio:7.2f}")
            if target is not None:
                ok = ratio >= target
                met[shape] &= ok
                verdicts.append(f"{shape} {'OK' if ok else 'BELOW'}")
        cross = rates["WSGI"] / rates["ASGI"]
        goal = f"≥ {target:.2f}  " + ", ".join(verdicts) if target is not None else ""
        print(f"  {name:<26} {' '.join(cells)}  {cross:9.2f}  {'/'.join(sorted(used)):<14}  {goal}")
    for shape in SHAPES:
        print(f"  {shape}: targets {'all met' if met[shape] else 'not all met'}")
    if len(gens) > 1:
        print("\n  load generators compared (same rounds, medians, req/s):")
        print(f"  {'server':<30} {'python (httpx)':>14} {'wrk':>10} {'wrk/python':>11}")
        for shape, name in [("", "bare ASGI app (uvicorn)")] + [(s, "bare Django view") for s in SHAPES]:
            py, wr = medians[(PYTHON, shape, name)], medians[(WRK, shape, name)]
            print(f"  {(shape + ' ' + name).strip():<30} {py:14.0f} {wr:10.0f} {wr / py:11.1f}")
    return any(met.values())


async def correctness(base: str, data: dict, seconds: float) -> tuple[int, int, int, Counter[str]]:
    """32 connections over the 2 processes: half issue, half call next at their own window."""
    issue, call = issuing(base, data), calling(base, data)

    async def mixed(client: object, i: int, tally: Tally) -> None:
        if i < CHECK_CONNECTIONS - QUEUE_WINDOWS:
            await issue(client, i, tally)
        else:
            await call(client, i - (CHECK_CONNECTIONS - QUEUE_WINDOWS), tally)

    _, tally = await load(mixed, CHECK_CONNECTIONS, seconds)
    dup_client = len(tally.issued) - len(set(tally.issued))
    twice_client = sum(1 for c in Counter(tally.called).values() if c > 1)
    return len(tally.issued), len(tally.called), dup_client + twice_client, tally.errors


def gzip_served(url: str) -> str:
    import httpx

    r = httpx.get(url, headers={"Accept-Encoding": "gzip"})
    return r.headers.get("content-encoding", "none")


def main() -> int:
    import logging

    logging.getLogger("httpx").setLevel(logging.WARNING)
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--database-url",
        default=os.environ.get(
            "GOVHALL_BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/govhall_bench_hot"
        ),
    )
    parser.add_argument(
        "--redis-url", default=os.environ.get("GOVHALL_BENCH_REDIS_URL", "redis://127.0.0.1:6379/9")
    )
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument(
        "--seconds", type=float, default=2.5, help="length of each endpoint's load in a round"
    )
    parser.add_argument("--threads", type=int, default=4, help="gunicorn threads per worker process")
    parser.add_argument("--quick", action="store_true", help="2 rounds of 2 s: about two and a half minutes")
    parser.add_argument(
        "--generator",
        choices=("auto", WRK, PYTHON),
        default="auto",
        help="load generator: wrk when installed (auto), or the Python one",
    )
    args = parser.parse_args()
    if args.quick:
        args.rounds, args.seconds = 2, 2.0
    os.environ.setdefault("GOVHALL_FIELD_KEY", "be" * 16)
    var_dir = Path(tempfile.mkdtemp(prefix="govhall-bench-hot-"))
    os.environ["GOVHALL_VAR_DIR"] = str(var_dir)
    os.environ.setdefault("GOVHALL_ALLOWED_HOSTS", "127.0.0.1,localhost")
    os.environ.setdefault("GOVHALL_HUEY_NAME", "govhall-bench-hot")
    wrk = wrk_command() if args.generator != PYTHON else None
    if args.generator == WRK and wrk is None:
        raise SystemExit("wrk is not installed (apt-get install wrk)")
    t_setup = time.perf_counter()
    data = seed(args)
    env = {**os.environ, "PYTHONPATH": str(BENCH) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    bin_dir = Path(sys.executable).parent
    names = ["asgi"] + [f"{who} {shape}" for who in ("bare", "govhall") for shape in SHAPES]
    ports = {name: free_port() for name in names}
    urls = {name: f"http://127.0.0.1:{port}" for name, port in ports.items()}
    serve = {
        "ASGI": [str(bin_dir / "govhall"), "serve", "--workers", "2", "--no-worker"],
        "WSGI": [
            str(bin_dir / "govhall"),
            *("serve", "--server", "gunicorn", "--workers", "2", "--threads", str(args.threads)),
            "--no-worker",
        ],
    }
    procs: list[subprocess.Popen] = []
    try:
        uvicorn = [str(bin_dir / "uvicorn"), "bare_asgi:app", "--workers", "2", "--port", str(ports["asgi"])]
        starting = [start([*uvicorn, *QUIET], env, var_dir / "asgi.log", urls["asgi"] + "/")]
        for shape in SHAPES:
            for who, settings, probe in (
                ("bare", "bare_django_settings", "/bare"),
                ("govhall", "govhall.settings", "/healthz"),
            ):
                name = f"{who} {shape}"
                starting.append(
                    start(
                        [*serve[shape], "--port", str(ports[name])],
                        {**env, "DJANGO_SETTINGS_MODULE": settings},
                        var_dir / f"{name.replace(' ', '-')}.log",
                        urls[name] + probe,
                    )
                )
        procs += [started[0] for started in starting]  # all start at once; then wait for each
        for started in starting:
            wait_ready(started)
        import django

        print(
            f"govhall hot paths · Django {django.get_version()} · {os.cpu_count()} CPU · "
            f"load average {os.getloadavg()[0]:.1f} · PostgreSQL + Redis · each server 2 processes "
            f"(ASGI: uvicorn; WSGI: gunicorn gthread × {args.threads} threads) · {CONNECTIONS} connections · "
            f"{args.rounds} rounds × {args.seconds:g} s per endpoint (setup {time.perf_counter() - t_setup:.0f} s) · "
            + (
                f"load generator: {' '.join(Path(c).name for c in wrk)} -t1 (and python for the yardsticks and case actions)"
                if wrk
                else "load generator: python (httpx)"
            ),
            flush=True,
        )
        asyncio.run(open_windows(urls["govhall ASGI"], data))
        figures = asyncio.run(rounds(args, urls, data, wrk))
        checks = {
            shape: asyncio.run(correctness(urls[f"govhall {shape}"], data, max(3.0, args.seconds * 1.5)))
            for shape in SHAPES
        }
        encoding = gzip_served(urls["govhall WSGI"] + data["guide"])
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
    from queueing_load import database_counts

    tickets, dup, twice = database_counts(args.database_url)
    met = report(figures)
    print(f"  portal guide page served with Content-Encoding: {encoding}   (target gzip)")
    met &= encoding == "gzip"
    client_faults = 0
    for shape, (issued, called, faults, errors) in checks.items():
        client_faults += faults
        print(
            f"  {shape}: {CHECK_CONNECTIONS} connections over 2 processes: {issued} issued, {called} called"
            + (f", errors {dict(errors)}" if errors else "")
        )
    print(
        f"  database: {tickets} tickets, {dup} duplicate numbers, {twice} tickets called twice "
        f"(client saw {client_faults})   (target 0)"
    )
    correct = dup == 0 and twice == 0 and client_faults == 0
    print(f"  targets: {'all met' if met else 'not all met'}; correctness: {'OK' if correct else 'FAILED'}")
    print(
        f"  whole run {time.perf_counter() - t_setup:.0f} s · load average at the end "
        + " / ".join(f"{x:.1f}" for x in os.getloadavg())
    )
    return 0 if correct else 1


if __name__ == "__main__":
    sys.exit(main())
