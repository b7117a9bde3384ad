"""The city view at scale (issue 17, GOV-1 / GOV-2): the city dashboard and a department view under 8
concurrent clients as ratios to a trivial endpoint in the same run, the monthly 通报 (DOCX + PDF + XLSX), and
`reports rebuild` of one month, on PostgreSQL with two years of data.

    GOVHALL_DATABASE_URL=postgres://postgres@127.0.0.1:5432/govhall_reports \
    GOVHALL_REDIS_URL=redis://127.0.0.1:6379/2 .venv/bin/python bench/reports_scale.py [--scale 0.1] [--reuse]

Full scale (--scale 1): 1,000,000 cases over two years (bench/cases_scale.py's generator: one template case
copied with INSERT … SELECT over generate_series), 12 towns, 339 villages, 200 staff, 2,000,000 tickets and
500,000 ratings (one per rated visit), both INSERT … SELECT from a template row the same way. `--scale`
multiplies the cases, tickets and ratings (the organisation stays the same). The load is a bulk load
(`bulk_load`): the indexes that back no constraint are dropped first and built once at the end, and the
foreign-key triggers are skipped while loading; the full size loads in about six minutes. The database in
the URL is dropped and re-created (unless --reuse finds data in it); then the whole two years of roll-up
are built with `reports rebuild` (printed, not a target). `--data-only` stops there (then measure with
`--reuse`).

Measured: `govhall serve` (uvicorn, 2 worker processes, no huey worker) against that database; 8 concurrent
keep-alive clients (bench/portal_load.py's driver) on /healthz (trivial: one SELECT 1 and a Redis ping), the
city dashboard for today and for last month as the bureau admin, and the department view as a 部门联络员; the
monthly 通报 of last month (build + DOCX + PDF + XLSX, in-process); `rebuild` of last month (in-process).
Targets: p95 < 200 ms, 通报 < 10 s, rebuild of a month < 60 s.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import logging
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlparse

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))
sys.path.insert(0, str(BENCH.parent))
os.environ.setdefault("GOVHALL_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/govhall_reports")
os.environ.setdefault("GOVHALL_REDIS_URL", "redis://127.0.0.1:6379/2")
# The served process must read the sessions this one writes: the same secret key, so the same var folder.
os.environ.setdefault("GOVHALL_VAR_DIR", tempfile.mkdtemp(prefix="govhall-reports-bench-"))

import cases_scale  # noqa: E402  (sets the settings module and the field key)
import httpx  # noqa: E402
from portal_load import Result, free_port, machine, wait_until_up  # noqa: E402

TOWNS, VILLAGES = 12, 339
# 12 directors + 187 handlers + 1 front-desk clerk = 200 staff (cases_scale makes them).
cases_scale.VILLAGES_PER_TOWN = VILLAGES // TOWNS  # 28 a town: 336 villages with cases, 3 more without
cases_scale.HANDLERS = 187
CASES, TICKETS, RATINGS = 1_000_000, 2_000_000, 500_000
TARGET_MS, BULLETIN_S, REBUILD_S = 200, 10, 60


BULK_TABLES = ("cases_case", "cases_casestep", "queueing_ticket", "reviews_rating")


@contextlib.contextmanager
def bulk_load(tables: tuple[str, ...] = BULK_TABLES) -> Iterator[None]:
    """What a bulk load does in PostgreSQL: the tables' indexes that back no constraint are dropped before the
    INSERT … SELECT and built once after (one sort each instead of a million random index inserts), and the
    foreign-key triggers are skipped while loading (session_replication_role = replica: the generated rows
    point at rows made just before, by construction)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid)
            FROM pg_index i
            WHERE i.indrelid = ANY(%s::regclass[])
              AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)
            """,
            [list(tables)],
        )
        indexes = cursor.fetchall()
        for name, _ in indexes:
            cursor.execute(f'DROP INDEX "{name}"')
        cursor.execute("SET session_replication_role = replica")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SET session_replication_role = DEFAULT")
            t0 = time.perf_counter()
            cursor.execute("SET maintenance_work_mem = '256MB'")
            for _, definition in indexes:
                cursor.execute(definition)
            cursor.execute("RESET maintenance_work_mem")
            for table in tables:
                cursor.execute(f"VACUUM (ANALYZE) {table}")
        print(f"  {len(indexes)} indexes built and tables analysed in {time.perf_counter() - t0:.1f} s")


def generate(scale: float) -> None:
    """Cases (cases_scale), three more villages, a 部门联络员, tickets and ratings, bulk-loaded."""
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)  # cases_scale.build's own migrate is then a no-op
    with bulk_load():
        _generate(scale)


def _generate(scale: float) -> None:
    cases_scale.build(max(1000, int(CASES * scale)))
    from django.db import connection
    from django.utils import timezone

    from govhall.accounts.models import Role, User, UserRole
    from govhall.catalog.models import Matter
    from govhall.orgs.models import Centre, Department, Division
    from govhall.queueing.models import Ticket
    from govhall.reviews.models import Rating

    towns = list(Centre.objects.filter(level="town").order_by("pk"))
    for i in range(VILLAGES - Centre.objects.filter(level="village").count()):
        town = towns[i]
        div = Division.objects.create(
            code=f"{town.division.code[:9]}{900 + i:03d}",
            name=f"基准{i}-附村",
            kind="village",
            parent=town.division,
        )
        Centre.objects.create(
            division=div, level="village", parent=town, name=f"{town.name}附{i}村便民服务中心"
        )
    dept = Department.objects.order_by("pk").first()
    liaison = User.objects.create(
        username="bench_liaison", full_name="部门联络员", unit_kind="department", department=dept
    )
    UserRole.objects.create(user=liaison, role=Role.DEPT_LIAISON)

    now = timezone.now()
    today = timezone.localdate()
    t0 = time.perf_counter()
    template = Ticket.objects.create(
        centre=towns[0],
        date=today,
        prefix="Z",
        number=0,
        window_class="minsheng",
        matter=Matter.objects.first(),
        issued_at=now,
        queued_at=now,
        status="done",
        finished_at=now,
    )
    village_ids = list(Centre.objects.filter(level="village").order_by("pk").values_list("pk", flat=True))
    handlers = list(User.objects.filter(username__startswith="h").order_by("pk").values_list("pk", flat=True))
    cols = [f.column for f in Ticket._meta.concrete_fields if f.column != "id"]
    varying = {
        "centre_id": f"CASE WHEN g %% 5 = 0 THEN (%(villages)s::bigint[])[1 + g %% {len(village_ids)}] "
        f"ELSE (%(towns)s::bigint[])[1 + (g / 5) %% {TOWNS}] END",
        "date": "x.day",
        "prefix": "'A'",
        "number": "g",
        "status": "CASE WHEN x.day = %(today)s AND g %% 3 = 0 THEN 'waiting' ELSE 'done' END",
        "served_by_id": f"(%(handlers)s::bigint[])[1 + g %% {len(handlers)}]",
        "issued_at": "x.at",
        "queued_at": "x.at",
        "finished_at": "CASE WHEN x.day = %(today)s AND g %% 3 = 0 THEN NULL ELSE x.at + interval '25 minutes' END",
        "public_token": "substr(md5(g::text), 1, 24)",
    }
    select_cols = ", ".join(varying.get(c, f"t.{c}") for c in cols)
    n_tickets = max(2000, int(TICKETS * scale))
    with connection.cursor() as cursor:
        # Ticket g: day g mod 730 before today, issued between 08:30 and 16:30 (today: before now).
        cursor.execute(
            f"""
            INSERT INTO queueing_ticket ({", ".join(cols)})
            SELECT {select_cols}
            FROM queueing_ticket t
            CROSS JOIN LATERAL (
                SELECT g, (%(today)s::date - (g %% 730)) AS day,
                       LEAST(((%(today)s::date - (g %% 730))::timestamp + interval '8 hours 30 minutes'
                              + ((g * 7) %% 480 || ' minutes')::interval) AT TIME ZONE 'Asia/Shanghai',
                             %(now)s - ((g %% 90) || ' minutes')::interval) AS at
                FROM generate_series(1, %(n)s) AS g
            ) x
            WHERE t.id = %(template)s
            """,  # noqa: S608 - column names and constants are ours
            {
                "villages": village_ids,
                "towns": [t.pk for t in towns],
                "handlers": handlers,
                "today": today,
                "now": now,
                "n": n_tickets,
                "template": template.pk,
            },
        )
        print(f"  {n_tickets:,} tickets generated in {time.perf_counter() - t0:.1f} s")
        t0 = time.perf_counter()
        rating = Rating.objects.create(
            stage="visit",
            channel="pad",
            level=1,
            ticket=template,
            centre=towns[0],
            town_centre=towns[0],
            created_at=now,
        )
        cols = [f.column for f in Rating._meta.concrete_fields if f.column != "id"]
        varying = {
            "level": "CASE WHEN k.id %% 23 = 0 THEN 5 WHEN k.id %% 17 = 0 THEN 4 ELSE 1 + k.id %% 3 END",
            "ticket_id": "k.id",
            "clerk_id": "k.served_by_id",
            "centre_id": "k.centre_id",
            "town_centre_id": "COALESCE(c.parent_id, c.id)",
            "created_at": "COALESCE(k.finished_at, k.issued_at) + interval '1 minute'",
        }
        select_cols = ", ".join(varying.get(c, f"r.{c}") for c in cols)
        every = max(1, n_tickets // max(1, int(RATINGS * scale)))
        cursor.execute(
            f"""
            INSERT INTO reviews_rating ({", ".join(cols)})
            SELECT {select_cols}
            FROM reviews_rating r, queueing_ticket k JOIN orgs_centre c ON c.id = k.centre_id
            WHERE r.id = %(template)s AND k.id %% %(every)s = 0 AND k.status = 'done' AND k.id <> %(ticket)s
            LIMIT %(n)s
            """,  # noqa: S608 - column names and constants are ours
            {
                "template": rating.pk,
                "every": every,
                "ticket": template.pk,
                "n": max(500, int(RATINGS * scale)),
            },
        )
        print(f"  {cursor.rowcount:,} ratings generated in {time.perf_counter() - t0:.1f} s")


async def load(base: str, name: str, path: str, session: str, clients: int, seconds: float) -> Result:
    """`clients` keep-alive connections asking for `path` (logged in with `session`) for `seconds`."""
    result = Result(name)
    cookies = {"sessionid": session} if session else None
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=60, cookies=cookies) as client:
        for _ in range(clients):  # warm up every worker
            await client.get(path)
        stop = time.perf_counter() + seconds

        async def worker() -> None:
            while time.perf_counter() < stop:
                started = time.perf_counter()
                response = await client.get(path)
                if response.status_code == 200:
                    result.latencies.append((time.perf_counter() - started) * 1000)
                else:
                    result.errors += 1
                    key = f"{response.status_code} {response.headers.get('location', '')}".strip()
                    result.statuses[key] = result.statuses.get(key, 0) + 1

        began = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(clients)))
        result.seconds = time.perf_counter() - began
    return result


def stop(server: subprocess.Popen[bytes]) -> None:
    """Stop the server's process group (the uvicorn workers with it): politely, then for good."""
    os.killpg(server.pid, signal.SIGINT)
    with contextlib.suppress(subprocess.TimeoutExpired):
        server.wait(timeout=20)
        return
    os.killpg(server.pid, signal.SIGKILL)


def timed(fn: object) -> float:
    t0 = time.perf_counter()
    fn()  # type: ignore[operator]
    return time.perf_counter() - t0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--scale", type=float, default=1.0, help="share of the full data set (0.1: 100,000 cases)"
    )
    parser.add_argument("--reuse", action="store_true", help="reuse the data and roll-up of an earlier run")
    parser.add_argument(
        "--data-only",
        action="store_true",
        help="build the data and the roll-up, measure nothing (then --reuse)",
    )
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=15)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    url = os.environ["GOVHALL_DATABASE_URL"]
    if not urlparse(url).scheme.startswith("postgres"):
        raise SystemExit("this benchmark needs PostgreSQL (GOVHALL_DATABASE_URL=postgres://…)")
    loadavg = os.getloadavg()
    print(f"city view at scale — {time.strftime('%Y-%m-%d %H:%M')} — {machine()}")
    print(f"load average {loadavg[0]:.1f} / {loadavg[1]:.1f} / {loadavg[2]:.1f}; scale {args.scale:g}")

    import django

    django.setup()
    logging.getLogger("httpx").setLevel(logging.WARNING)
    from django.db import connection

    reuse = False
    if args.reuse:
        try:
            with connection.cursor() as cursor:
                cursor.execute("SELECT count(*) FROM reports_dailyfigure")
                reuse = cursor.fetchone()[0] > 0
        except Exception:
            reuse = False
        connection.close()
    from django.utils import timezone

    from govhall.core.calendar import month_bounds, previous_month
    from govhall.reports import monthly
    from govhall.reports.selectors import Period
    from govhall.reports.services import rebuild, refresh_today

    today = timezone.localdate()
    if not reuse:
        cases_scale.recreate_database(url)
        connection.close()
        t0 = time.perf_counter()
        generate(args.scale)
        print(f"data built in {time.perf_counter() - t0:.1f} s")
        t0 = time.perf_counter()
        result = rebuild(today - dt.timedelta(days=730), today - dt.timedelta(days=1))
        print(
            f"roll-up of two years built in {time.perf_counter() - t0:.1f} s "
            f"({result['days']} days, {result['rows']:,} rows)"
        )
    else:
        from django.core.management import call_command

        call_command("migrate", verbosity=0)  # a reused database gets this code's new migrations
    refresh_today()
    with connection.cursor() as cursor:
        cursor.execute("VACUUM (ANALYZE) reports_dailyfigure")
        counts = {}
        for table in ("cases_case", "queueing_ticket", "reviews_rating", "orgs_centre", "accounts_user"):
            cursor.execute(f"SELECT count(*) FROM {table}")  # noqa: S608 - our table names
            counts[table] = cursor.fetchone()[0]
        cursor.execute("SELECT count(*) FROM reports_dailyfigure")
        counts["reports_dailyfigure"] = cursor.fetchone()[0]
    print("database: " + ", ".join(f"{t} {n:,}" for t, n in counts.items()))
    if args.data_only:
        return

    last_month = previous_month(today)
    period = Period(*month_bounds(last_month))
    rebuild_s = timed(lambda: rebuild(period.date_from, period.date_to))
    files: dict[str, bytes] = {}
    bulletin_s = timed(lambda: files.update(monthly.render(monthly.build(last_month))))

    from django.test import Client

    from govhall.accounts.models import User

    def cookie(username: str) -> str:
        client = Client()
        client.force_login(
            User.objects.get(username=username), backend="django.contrib.auth.backends.ModelBackend"
        )
        return client.cookies["sessionid"].value

    admin, liaison = cookie("bench_bureau"), cookie("bench_liaison")
    connection.close()

    var_dir = os.environ["GOVHALL_VAR_DIR"]
    env = {
        **os.environ,
        "GOVHALL_DEBUG": "0",
        "GOVHALL_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "GOVHALL_LOG_LEVEL": "WARNING",
    }
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    log = open(Path(var_dir) / "server.log", "wb")
    server = subprocess.Popen(
        [sys.executable, str(BENCH.parent / "manage.py"), "serve", "--workers", str(args.workers), "--no-worker",
         "--port", str(port)],
        env=env,
        cwd=BENCH.parent,
        stdout=subprocess.DEVNULL,
        stderr=log,
        start_new_session=True,
    )  # fmt: skip
    month_q = f"?from={period.date_from.isoformat()}&to={period.date_to.isoformat()}"
    plan = [
        ("trivial: /healthz", "/healthz", ""),
        ("city dashboard, today", "/reports/", admin),
        ("city dashboard, last month", "/reports/" + month_q, admin),
        ("department view (部门联络员)", "/reports/department/", liaison),
        ("trivial again: /healthz", "/healthz", ""),
    ]
    try:
        wait_until_up(base, server)
        results = [asyncio.run(load(base, *step, args.clients, args.seconds)) for step in plan]
    finally:
        stop(server)
        log.close()

    trivial_p95 = statistics.mean([results[0].pct(95), results[-1].pct(95)])
    print()
    print(
        f"{args.clients} concurrent clients, {args.seconds:.0f} s per endpoint, {args.workers} uvicorn workers"
    )
    print(
        f"{'endpoint':<34} {'requests':>8} {'errors':>6} {'req/s':>7} {'p50 ms':>8} {'p95 ms':>8} {'p95/trivial':>11}"
    )
    for r in results:
        print(
            f"{r.name:<34} {len(r.latencies):>8} {r.errors:>6} {r.rps:>7.1f} {r.pct(50):>8.1f}"
            f" {r.pct(95):>8.1f} {r.pct(95) / trivial_p95:>11.1f}"
            + (f"   errors: {r.statuses}" if r.statuses else "")
        )
    print()
    for r in results[1:-1]:
        print(
            f"{r.name}: p95 {r.pct(95):.0f} ms (target < {TARGET_MS} ms): {'met' if r.pct(95) < TARGET_MS else 'NOT met'}"
        )
    sizes = ", ".join(f"{k.upper()} {len(v) / 1024:.0f} KB" for k, v in files.items())
    print(
        f"monthly 通报 {last_month:%Y-%m} (build + DOCX + PDF + XLSX: {sizes}): {bulletin_s:.1f} s "
        f"(target < {BULLETIN_S} s): {'met' if bulletin_s < BULLETIN_S else 'NOT met'}"
    )
    print(
        f"reports rebuild of {last_month:%Y-%m} ({(period.date_to - period.date_from).days + 1} days): {rebuild_s:.1f} s "
        f"(target < {REBUILD_S} s): {'met' if rebuild_s < REBUILD_S else 'NOT met'}"
    )


if __name__ == "__main__":
    main()
