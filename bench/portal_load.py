"""Portal load (NET-1, SCOPE-4): the home page, search and guide pages under 32 concurrent clients, on
PostgreSQL in the cluster shape (uvicorn worker processes + Redis), beside a trivial endpoint measured in
the same run so the figures read as ratios. Target: guide page p95 under 100 ms.

    .venv/bin/python bench/portal_load.py                      # 32 clients, 15 s per endpoint, 2 workers
    .venv/bin/python bench/portal_load.py --clients 32 --seconds 20 --workers 2

What it does: drops and re-creates the database GOVHALL_BENCH_PG_URL (default
postgres://postgres@127.0.0.1:5432/gh_portal_bench), migrates it and loads the built-in and demo data
(Qidong's towns and villages, the starter catalogue, themes, the notice); starts `govhall serve --workers N
--no-worker` against it with Redis (GOVHALL_BENCH_REDIS_URL, default redis://127.0.0.1:6379/9); then, from
this process, drives each endpoint with the given number of concurrent keep-alive connections for the given
time and prints requests per second and p50/p95/p99 latency. The trivial endpoint is /healthz (one
`SELECT 1` and a Redis ping through the same middleware stack). It also prints what a first visit to a guide
page transfers (HTML, stylesheet, scripts).
"""

from __future__ import annotations

import argparse
import asyncio
import gzip
import os
import platform
import random
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse

import httpx

ROOT = Path(__file__).resolve().parent.parent
SEARCHES = [
    "低保",
    "dbsq",
    "户口",
    "残疾人",
    "jzz",
    "用水",
    "个体工商户",
    "养老",
    "生育登记",
    "320681",
    "救助",
    "gthsl",
]


@dataclass
class Result:
    name: str
    latencies: list[float] = field(default_factory=list)
    errors: int = 0
    statuses: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0

    @property
    def rps(self) -> float:
        return len(self.latencies) / self.seconds if self.seconds else 0.0

    def pct(self, p: float) -> float:
        ordered = sorted(self.latencies)
        return (
            ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))] if ordered else float("nan")
        )


def recreate_database(url: str) -> None:
    import psycopg

    parsed = urlparse(url)
    name = parsed.path.lstrip("/")
    admin = parsed._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def manage(env: dict[str, str], *args: str) -> None:
    subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), *args],
        env=env,
        check=True,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
    )


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until_up(base: str, proc: subprocess.Popen[bytes], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"server exited with {proc.returncode}")
        try:
            if httpx.get(base + "/healthz", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    raise SystemExit("server did not come up")


async def drive(base: str, name: str, paths: list[str], clients: int, seconds: float) -> Result:
    result = Result(name)
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=30) as client:
        for path in paths[: min(len(paths), 20)]:  # warm up each worker's caches and connections
            await client.get(path)
        stop = time.perf_counter() + seconds
        rng = random.Random(7)

        async def worker() -> None:
            while time.perf_counter() < stop:
                path = rng.choice(paths)
                started = time.perf_counter()
                try:
                    response = await client.get(path)
                    ok = response.status_code == 200
                    what = str(response.status_code)
                except httpx.HTTPError as exc:
                    ok, what = False, exc.__class__.__name__
                elapsed = (time.perf_counter() - started) * 1000
                if ok:
                    result.latencies.append(elapsed)
                else:
                    result.errors += 1
                    result.statuses[what] = result.statuses.get(what, 0) + 1

        began = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(clients)))
        result.seconds = time.perf_counter() - began
    return result


def guide_weight(base: str, path: str) -> tuple[int, int, list[str]]:
    """(bytes as served, bytes gzip-compressed) for the guide HTML and the assets it references."""
    page = httpx.get(base + path, timeout=10)
    assets = re.findall(r'(?:href|src)="(/static/[^"]+)"', page.text)
    bodies = [page.content] + [httpx.get(base + a, timeout=10).content for a in assets]
    return sum(len(b) for b in bodies), sum(len(gzip.compress(b)) for b in bodies), assets


def machine() -> str:
    cpu = ""
    try:
        cpu = next(
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        )
    except (OSError, StopIteration):
        pass
    return f"{os.cpu_count()} CPU ({cpu or platform.processor()}), Python {platform.python_version()}, {platform.system()}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--seconds", type=float, default=15)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()

    pg_url = os.environ.get("GOVHALL_BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432/gh_portal_bench")
    redis_url = os.environ.get("GOVHALL_BENCH_REDIS_URL", "redis://127.0.0.1:6379/9")
    var_dir = tempfile.mkdtemp(prefix="govhall-portal-bench-")
    env = {
        **os.environ,
        "GOVHALL_DATABASE_URL": pg_url,
        "GOVHALL_REDIS_URL": redis_url,
        "GOVHALL_VAR_DIR": var_dir,
        "GOVHALL_DEBUG": "0",
        "GOVHALL_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "GOVHALL_LOG_LEVEL": "WARNING",
        "DJANGO_SETTINGS_MODULE": "govhall.settings",
    }

    print(f"portal load — {time.strftime('%Y-%m-%d %H:%M')} — {machine()}")
    print(
        f"PostgreSQL {pg_url.rsplit('@', 1)[-1]}, Redis {redis_url.rsplit('@', 1)[-1]}; {args.workers} uvicorn "
        f"worker processes; {args.clients} concurrent clients; {args.seconds:.0f} s per endpoint"
    )
    t0 = time.perf_counter()
    recreate_database(pg_url)
    import redis

    redis.Redis.from_url(redis_url).flushdb()
    manage(env, "migrate", "--no-input", "-v", "0")
    manage(env, "loaddemo")
    print(f"data: migrate + loaddemo in {time.perf_counter() - t0:.1f} s")

    server_log = open(Path(var_dir) / "server.log", "wb")
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(
        [
            sys.executable,
            str(ROOT / "manage.py"),
            "serve",
            "--workers",
            str(args.workers),
            "--no-worker",
            "--port",
            str(port),
        ],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=server_log,
        start_new_session=True,
    )
    try:
        wait_until_up(base, server)
        listing = httpx.get(base + "/portal/matters/?level=5", timeout=10).text
        codes = sorted(set(re.findall(r'href="/portal/guide/([^/"]+)/"', listing)))
        if not codes:
            raise SystemExit("no guide pages found: did loaddemo load the catalogue?")
        guide_paths = [f"/portal/guide/{c}/" for c in codes]
        plan = [
            ("trivial: /healthz", ["/healthz"]),
            ("home: /portal/", ["/portal/"]),
            ("search: /portal/matters/?q=…", [f"/portal/matters/?q={q}" for q in SEARCHES]),
            (f"guide: /portal/guide/<code>/ ({len(codes)})", guide_paths),
            ("trivial again: /healthz", ["/healthz"]),
        ]
        results = [asyncio.run(drive(base, name, paths, args.clients, args.seconds)) for name, paths in plan]
        # Service time without queueing: one client at a time.
        single = [
            asyncio.run(drive(base, name, paths, 1, max(3.0, args.seconds / 3)))
            for name, paths in (plan[0], plan[3])
        ]
        raw, packed, assets = guide_weight(base, guide_paths[0])
    finally:
        os.killpg(server.pid, signal.SIGINT)
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
        server_log.close()

    trivial = statistics.mean([results[0].rps, results[-1].rps])
    print()
    print(
        f"{'endpoint':<40} {'requests':>8} {'errors':>6} {'req/s':>8} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8}"
        f" {'rate/trivial':>12}"
    )
    for r in results:
        print(
            f"{r.name:<40} {len(r.latencies):>8} {r.errors:>6} {r.rps:>8.1f} {statistics.median(r.latencies):>8.1f}"
            f" {r.pct(95):>8.1f} {r.pct(99):>8.1f} {r.rps / trivial:>12.2f}"
            + (f"   errors: {r.statuses}" if r.statuses else "")
        )
    if any(r.errors for r in results):
        print(f"(server log: {Path(var_dir) / 'server.log'})")
    print()
    print("one client at a time (service time, no queueing):")
    for r in single:
        print(
            f"  {r.name:<38} {len(r.latencies):>8} requests   p50 {statistics.median(r.latencies):6.1f} ms   "
            f"p95 {r.pct(95):6.1f} ms"
        )
    guide = results[3]
    print()
    print(
        f"guide page p95 {guide.pct(95):.1f} ms (target < 100 ms): {'met' if guide.pct(95) < 100 else 'NOT met'}"
    )
    print(
        f"guide page first visit: {raw / 1024:.1f} KB as served, {packed / 1024:.1f} KB gzip-compressed "
        f"(HTML + {', '.join(Path(a).name for a in assets)}); target < 150 KB: "
        f"{'met' if raw < 150 * 1024 else 'NOT met'}"
    )


if __name__ == "__main__":
    main()
