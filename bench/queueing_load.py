"""Queue load benchmark: the cluster shape (PostgreSQL + Redis, `govhall serve --workers 2`), driven from this
separate process.

    .venv/bin/python bench/queueing_load.py [--database-url postgres://…/db] [--redis-url redis://…/n]

1. A trivial JSON endpoint (GET /api/v1/queueing/ping) with 16 concurrent connections: the yardstick.
2. Issuing only (16 connections), which also builds a backlog.
3. Mixed: 16 connections, 4 issuing tickets and 12 clerks calling next at 12 windows.
   Requests per second, p50/p95/p99 per operation, duplicate numbers, tickets called to two windows.
4. Display latency: 200 screen clients on the server-sent event stream; for each call-next, the time until
   every client has received the call (p50, p99), across both worker processes.

The benchmark database is dropped and created afresh; figures go to stdout (paste them into
docs/performance.md). Runs in about two minutes.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import os
import platform
import socket
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from urllib.parse import urlparse

import httpx

ROOT = Path(__file__).resolve().parents[1]
CONNECTIONS = 16
WINDOWS = 12
ISSUERS = 4
SCREENS = 200
CALLS_FOR_LATENCY = 30
PHASE_SECONDS = 15.0


def percentile(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    k = max(0, min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1))))
    return ordered[k]


def ms(values: list[float], p: float) -> str:
    return f"{percentile(values, p) * 1000:7.1f}"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# --- setup ---------------------------------------------------------------------------------------


def recreate_database(url: str) -> None:
    import psycopg

    parsed = urlparse(url)
    name = parsed.path.lstrip("/")
    admin = parsed._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s", [name])
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')


def server_env(args: argparse.Namespace, var_dir: Path) -> dict[str, str]:
    return {
        **os.environ,
        "GOVHALL_DATABASE_URL": args.database_url,
        "GOVHALL_REDIS_URL": args.redis_url,
        "GOVHALL_VAR_DIR": str(var_dir),
        "GOVHALL_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "GOVHALL_HUEY_NAME": "govhall-bench-queue",
        "DJANGO_SETTINGS_MODULE": "govhall.settings",
    }


SEED = r"""
import datetime as dt, json, django
django.setup()
from govhall.accounts.models import Role, User, UserRole
from govhall.accounts.tokens import token_create
from govhall.orgs.models import Centre, Division, Window
from govhall.queueing.models import QueueSettings
town = Division.objects.create(code="320681999000", name="基准镇", kind="town", town_class=1)
centre = Centre.objects.create(division=town, level="town", name="启东市基准镇为民服务中心")
QueueSettings.objects.create(centre=centre, opening_time=dt.time(0, 0), closing_time=dt.time(23, 59, 59))
tokens = []
for n in range(1, WINDOWS + 1):
    Window.objects.create(centre=centre, number=n, name=f"民生{n}", window_class="minsheng")
for n in range(WINDOWS + 2):
    user = User.objects.create(username=f"bench{n}", full_name=f"基准{n}", staff_no=f"B{n:04d}", centre=centre)
    UserRole.objects.create(user=user, role=Role.FRONT_DESK)
    tokens.append(token_create(user=user, name="基准测试")[1])
windows = list(Window.objects.filter(centre=centre).order_by("number").values_list("pk", flat=True))
print(json.dumps({"centre": centre.pk, "windows": windows, "tokens": tokens}))
"""


def setup(args: argparse.Namespace, var_dir: Path) -> dict:
    env = server_env(args, var_dir)
    recreate_database(args.database_url)
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--no-input", "-v", "0"], cwd=ROOT, env=env, check=True
    )
    out = subprocess.run(
        [sys.executable, "-c", SEED.replace("WINDOWS", str(WINDOWS))],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return json.loads(out.strip().splitlines()[-1])


def start_server(args: argparse.Namespace, var_dir: Path, port: int) -> subprocess.Popen:
    proc = subprocess.Popen(
        [sys.executable, "-m", "govhall.cli", "serve", "--workers", "2", "--no-worker", "--port", str(port)],
        cwd=ROOT,
        env=server_env(args, var_dir),
        stdout=open(var_dir / "server.log", "w"),
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit("server exited:\n" + (var_dir / "server.log").read_text())
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2).json()["status"] == "ok":
                return proc
        except (httpx.HTTPError, ValueError):
            pass
        time.sleep(0.3)
    raise SystemExit("server did not start")


# --- load phases -----------------------------------------------------------------------------------


class Recorder:
    def __init__(self) -> None:
        self.latencies: dict[str, list[float]] = {}
        self.errors: Counter[str] = Counter()
        self.issued: list[str] = []
        self.called: list[tuple[int, int]] = []

    def add(self, op: str, seconds: float) -> None:
        self.latencies.setdefault(op, []).append(seconds)


async def run_for(seconds: float, workers: list) -> float:
    stop = time.monotonic() + seconds
    start = time.perf_counter()
    await asyncio.gather(*(w(stop) for w in workers))
    return time.perf_counter() - start


async def timed(
    client: httpx.AsyncClient, rec: Recorder, op: str, method: str, url: str, **kw: object
) -> httpx.Response | None:
    t0 = time.perf_counter()
    try:
        r = await client.request(method, url, **kw)
    except httpx.HTTPError as exc:
        rec.errors[f"{op}: {exc.__class__.__name__}"] += 1
        return None
    rec.add(op, time.perf_counter() - t0)
    if r.status_code >= 400:
        rec.errors[f"{op}: HTTP {r.status_code}"] += 1
    return r


def issuer(client: httpx.AsyncClient, rec: Recorder, base: str, seed: dict, token: str):
    async def work(stop: float) -> None:
        headers = {"Authorization": f"Bearer {token}"}
        while time.monotonic() < stop:
            r = await timed(
                client,
                rec,
                "issue",
                "POST",
                f"{base}/api/v1/queueing/centres/{seed['centre']}/tickets",
                json={"group": "minsheng"},
                headers=headers,
            )
            if r is not None and r.status_code == 201:
                rec.issued.append(r.json()["ticket"]["code"])

    return work


def caller(client: httpx.AsyncClient, rec: Recorder, base: str, window_id: int, token: str):
    async def work(stop: float) -> None:
        headers = {"Authorization": f"Bearer {token}"}
        while time.monotonic() < stop:
            r = await timed(
                client,
                rec,
                "call-next",
                "POST",
                f"{base}/api/v1/queueing/windows/{window_id}/call-next",
                headers=headers,
            )
            if r is not None and r.status_code == 200 and r.json()["ticket"]:
                rec.called.append((r.json()["ticket"]["id"], window_id))

    return work


def trivial(client: httpx.AsyncClient, rec: Recorder, base: str):
    async def work(stop: float) -> None:
        while time.monotonic() < stop:
            await timed(client, rec, "ping", "GET", f"{base}/api/v1/queueing/ping")

    return work


def report(title: str, rec: Recorder, elapsed: float) -> float:
    total = sum(len(v) for v in rec.latencies.values())
    rps = total / elapsed
    print(f"\n{title}: {total} requests in {elapsed:.1f} s = {rps:.0f} req/s")
    print(f"  {'operation':<10} {'count':>6} {'req/s':>7} {'p50 ms':>7} {'p95 ms':>7} {'p99 ms':>7}")
    for op, values in rec.latencies.items():
        print(
            f"  {op:<10} {len(values):>6} {len(values) / elapsed:>7.0f} {ms(values, 50)} {ms(values, 95)} "
            f"{ms(values, 99)}"
        )
    if rec.errors:
        print("  errors:", dict(rec.errors))
    return rps


# --- display latency -------------------------------------------------------------------------------


async def screen_client(
    base: str, centre: int, ready: asyncio.Event, counter: list[int], arrivals: dict, index: int
) -> None:
    url = f"{base}/queueing/screen/{centre}/events/"
    topic = f"queueing.centre.{centre}.call"
    try:
        await _read_screen(url, topic, ready, counter, arrivals, index)
    except httpx.HTTPError as exc:
        counter[1] += 1
        print(f"  screen {index} lost its stream: {exc.__class__.__name__}", file=sys.stderr)


async def _read_screen(
    url: str, topic: str, ready: asyncio.Event, counter: list[int], arrivals: dict, index: int
) -> None:
    async with httpx.AsyncClient(timeout=None) as client, client.stream("GET", url) as response:
        event = None
        async for line in response.aiter_lines():
            if line.startswith("event: "):
                event = line[7:]
            elif line.startswith("data: "):
                if event == "snapshot":
                    counter[0] += 1
                    if counter[0] == SCREENS:
                        ready.set()
                elif event == topic:
                    code = json.loads(line[6:])["ticket"]["code"]
                    arrivals.setdefault(code, {})[index] = time.perf_counter()
            elif line == "":
                event = None


async def display_latency(base: str, seed: dict) -> tuple[list[float], list[float], int]:
    ready, counter, arrivals = asyncio.Event(), [0, 0], {}
    clients = [
        asyncio.create_task(screen_client(base, seed["centre"], ready, counter, arrivals, i))
        for i in range(SCREENS)
    ]
    t_connect = time.perf_counter()
    await asyncio.wait_for(ready.wait(), 90)
    print(
        f"\n4. display: {SCREENS} screens connected and got their snapshot in {time.perf_counter() - t_connect:.1f} s"
    )
    sent: dict[str, float] = {}
    headers = {"Authorization": f"Bearer {seed['tokens'][0]}"}
    async with httpx.AsyncClient(timeout=30, headers=headers) as client:
        for n in range(CALLS_FOR_LATENCY):
            window = seed["windows"][n % WINDOWS]
            t0 = time.perf_counter()
            r = await client.post(f"{base}/api/v1/queueing/windows/{window}/call-next")
            ticket = r.json()["ticket"]
            if ticket:
                sent[ticket["code"]] = t0
            await asyncio.sleep(0.25)
    await asyncio.sleep(1.0)
    for task in clients:
        task.cancel()
    await asyncio.gather(*clients, return_exceptions=True)
    all_received, each = [], []
    missing = 0
    for code, t0 in sent.items():
        got = arrivals.get(code, {})
        missing += SCREENS - len(got)
        if len(got) == SCREENS:
            all_received.append(max(got.values()) - t0)
        each.extend(t - t0 for t in got.values())
    if counter[1]:
        print(f"  streams lost: {counter[1]}")
    return all_received, each, missing


# --- main --------------------------------------------------------------------------------------------


def machine() -> str:
    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{platform.node()} · {cpu or platform.processor()} · {os.cpu_count()} CPU · Python {platform.python_version()}"


async def main_async(args: argparse.Namespace, seed: dict, base: str) -> int:
    limits = httpx.Limits(max_connections=CONNECTIONS, max_keepalive_connections=CONNECTIONS)
    async with httpx.AsyncClient(timeout=30, limits=limits) as client:
        # warm both workers
        await asyncio.gather(*(client.get(f"{base}/api/v1/queueing/ping") for _ in range(50)))
        rec = Recorder()
        elapsed = await run_for(args.seconds, [trivial(client, rec, base) for _ in range(CONNECTIONS)])
        trivial_rps = report("1. trivial JSON endpoint (GET /api/v1/queueing/ping)", rec, elapsed)

        rec_issue = Recorder()
        tokens = seed["tokens"]
        elapsed = await run_for(
            args.seconds / 2,
            [issuer(client, rec_issue, base, seed, tokens[i % len(tokens)]) for i in range(CONNECTIONS)],
        )
        issue_rps = report("2. issuing only (16 connections)", rec_issue, elapsed)

        for i, window in enumerate(seed["windows"]):
            r = await client.post(
                f"{base}/api/v1/queueing/windows/{window}/open",
                headers={"Authorization": f"Bearer {tokens[i]}"},
            )
            assert r.status_code == 200, r.text
        rec_mix = Recorder()
        workers = [issuer(client, rec_mix, base, seed, tokens[WINDOWS + (i % 2)]) for i in range(ISSUERS)]
        workers += [caller(client, rec_mix, base, seed["windows"][i], tokens[i]) for i in range(WINDOWS)]
        elapsed = await run_for(args.seconds, workers)
        mixed_rps = report(
            f"3. mixed: {ISSUERS} issuing + {WINDOWS} windows calling next (16 connections)", rec_mix, elapsed
        )

        # A backlog for the display phase, so every call there calls someone.
        rec_backlog = Recorder()
        await asyncio.gather(
            *(issuer(client, rec_backlog, base, seed, tokens[i])(time.monotonic() + 4) for i in range(4))
        )

    codes = rec_issue.issued + rec_mix.issued + rec_backlog.issued
    duplicates = len(codes) - len(set(codes))
    ids = [tid for tid, _ in rec_mix.called]
    double_served = sum(1 for n in Counter(ids).values() if n > 1)
    all_received, each, missing = await display_latency(base, seed)

    print("\nSummary")
    print(
        f"  ticket operations / trivial endpoint: issuing {issue_rps / trivial_rps:.2f}, "
        f"mixed {mixed_rps / trivial_rps:.2f}   (target ≥ 0.40)"
    )
    print(f"  duplicate numbers handed out: {duplicates} (of {len(codes)} tickets)   (target 0)")
    print(f"  tickets called to two windows: {double_served} (of {len(ids)} calls)   (target 0)")
    print(
        f"  display latency, call-next → all {SCREENS} screens received: p50 {ms(all_received, 50).strip()} ms, "
        f"p99 {ms(all_received, 99).strip()} ms over {len(all_received)} calls   (target p99 < 250 ms)"
    )
    print(
        f"  display latency per screen: p50 {ms(each, 50).strip()} ms, p99 {ms(each, 99).strip()} ms; "
        f"missed deliveries: {missing}"
    )
    return 0 if duplicates == 0 and double_served == 0 and missing == 0 else 1


def database_counts(url: str) -> tuple[int, int, int]:
    """The database's own view: (tickets, duplicate numbers, tickets with two calls)."""
    import psycopg

    with psycopg.connect(url) as conn:
        dup = conn.execute(
            "SELECT count(*) FROM (SELECT 1 FROM queueing_ticket GROUP BY centre_id, date, prefix, "
            "number HAVING count(*) > 1) d"
        ).fetchone()[0]
        twice = conn.execute(
            "SELECT count(*) FROM (SELECT 1 FROM queueing_calllog WHERE kind = 'call' "
            "GROUP BY ticket_id HAVING count(*) > 1) d"
        ).fetchone()[0]
        tickets = conn.execute("SELECT count(*) FROM queueing_ticket").fetchone()[0]
    return tickets, dup, twice


def verify_database(args: argparse.Namespace, var_dir: Path) -> None:
    """The database's own view: no duplicate number and no ticket with two calls."""
    tickets, dup, twice = database_counts(args.database_url)
    print(f"  database check: {tickets} tickets, {dup} duplicate numbers, {twice} tickets with two calls")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--database-url",
        default=os.environ.get(
            "GOVHALL_BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/govhall_bench_queueing"
        ),
    )
    parser.add_argument(
        "--redis-url", default=os.environ.get("GOVHALL_BENCH_REDIS_URL", "redis://127.0.0.1:6379/12")
    )
    parser.add_argument("--seconds", type=float, default=PHASE_SECONDS, help="length of each load phase")
    args = parser.parse_args()
    import tempfile

    var_dir = Path(tempfile.mkdtemp(prefix="govhall-bench-queue-"))
    print(f"govhall queue benchmark · {dt.datetime.now():%Y-%m-%d %H:%M} · {machine()}")
    print(
        f"cluster shape: govhall serve --workers 2 --no-worker · PostgreSQL {args.database_url.rsplit('/', 1)[-1]}"
        f" · Redis {args.redis_url} · {CONNECTIONS} client connections from a separate process"
    )
    seed = setup(args, var_dir)
    port = free_port()
    server = start_server(args, var_dir, port)
    try:
        status = asyncio.run(main_async(args, seed, f"http://127.0.0.1:{port}"))
        verify_database(args, var_dir)
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
    return status


if __name__ == "__main__":
    sys.exit(main())
