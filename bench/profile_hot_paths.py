"""Where a hot path's time goes: one ticket issue, one call next, one authenticated read and one case
action, in process (Django's test client through the full middleware stack), on PostgreSQL + Redis.

    .venv/bin/python bench/profile_hot_paths.py [--repeat 30] [--top 25]

Prints per operation the mean wall time, the CPU time per request of this process (the worker: Django,
ninja, govhall; plus the test client) and of the PostgreSQL backends serving it (their run time from
/proc/<pid>/schedstat, so the database must run on this machine), the SQL statements and their time
(CaptureQueriesContext), then a cProfile excerpt: the govhall and library functions with the most
cumulative time (`--summary`: only the table of all operations at the end). The database named by
--database-url is dropped and re-created with bench/hot_paths.py's data.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default="postgres://postgres@127.0.0.1:5432/govhall_profile_hot")
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/10")
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument("--only", default="", help="comma-separated operation names")
    parser.add_argument(
        "--trace", default="", help="print the govhall call stack of SQL containing this text"
    )
    parser.add_argument(
        "--sort", default="cumulative", help="cProfile order: cumulative (default) or tottime"
    )
    parser.add_argument(
        "--filter",
        default=r"govhall|ninja|django/(middleware|contrib|db/backends|template)|axes|psycopg|redis",
        help="regular expression of the files whose functions the cProfile excerpt lists ('.' for all)",
    )
    parser.add_argument(
        "--callers",
        default="",
        help="also print who calls the functions matching this regular expression (e.g. 'compiler.py.*as_sql')",
    )
    parser.add_argument(
        "--summary", action="store_true", help="no statements or cProfile per operation, only the table"
    )
    args = parser.parse_args()
    os.environ["GOVHALL_VAR_DIR"] = tempfile.mkdtemp(prefix="govhall-profile-")
    os.environ.setdefault("GOVHALL_FIELD_KEY", "be" * 16)
    os.environ.setdefault("GOVHALL_ALLOWED_HOSTS", "testserver,127.0.0.1")
    os.environ.setdefault("GOVHALL_HUEY_NAME", "govhall-profile-hot")
    import hot_paths

    data = hot_paths.seed(args)
    from cases_lifecycle import APPLICANT
    from django.core.signals import request_started
    from django.db import connection, reset_queries
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client()
    town = data["towns"][0]

    def auth(token: str) -> dict[str, str]:
        return {"HTTP_AUTHORIZATION": f"Bearer {token}"}

    window, clerk = data["windows"][0], data["clerks"][0]
    assert client.post(f"/api/v1/queueing/windows/{window}/open", **auth(clerk)).status_code == 200

    def issue() -> None:
        r = client.post(
            f"/api/v1/queueing/centres/{data['centre']}/tickets",
            {"group": "minsheng"},
            content_type="application/json",
            **auth(clerk),
        )
        assert r.status_code == 201, r.content

    def call_next() -> None:
        r = client.post(f"/api/v1/queueing/windows/{window}/call-next", **auth(clerk))
        assert r.status_code == 200 and r.json()["ticket"], r.content

    def read() -> None:
        assert client.get(f"/api/v1/orgs/centres/{data['centre']}", **auth(town["clerk"])).status_code == 200

    def receive() -> None:
        r = client.post(
            "/api/v1/cases/",
            {
                "matter_id": town["matter"],
                "window_id": town["window"],
                "applicant": APPLICANT,
                "materials": [{"material_id": m, "status": "received"} for m in town["materials"]],
            },
            content_type="application/json",
            **auth(town["clerk"]),
        )
        assert r.status_code == 201, r.content

    from cases_lifecycle import ID_NUMBER

    lifecycle: dict[str, str] = {}

    def client_last_case() -> int:
        from govhall.cases.models import Case

        return Case.objects.order_by("-pk").values_list("pk", flat=True)[0]

    chain = [  # the lifecycle after 收件, as bench/hot_paths.py runs it
        ("accept", "clerk", "/accept", {}),
        ("pass", "reviewer", "/pass", {"opinion": "同意"}),
        ("finish", "approver", "/finish", {"result": "approved", "certificate_no": "B-1"}),
        (
            "deliver",
            "clerk",
            "/deliver",
            {"method": "window", "collector_name": "张三", "collector_id_number": ID_NUMBER},
        ),
    ]

    def case_action(label: str) -> Callable[[], None]:
        """One lifecycle action; a new case is received and taken through the earlier actions first,
        unmeasured."""
        at = [c[0] for c in chain].index(label)
        _, who, suffix, body = chain[at]
        before = chain[:at]

        def prepare() -> None:
            receive()
            lifecycle["case"] = f"/api/v1/cases/{client_last_case()}"
            for step in before:
                r = client.post(
                    lifecycle["case"] + step[2],
                    step[3],
                    content_type="application/json",
                    **auth(town[step[1]]),
                )
                assert r.status_code == 200, r.content

        def op() -> None:
            r = client.post(
                lifecycle["case"] + suffix, body, content_type="application/json", **auth(town[who])
            )
            assert r.status_code == 200, r.content

        op.prepare = prepare  # type: ignore[attr-defined]
        return op

    def guide() -> None:
        assert client.get(data["guide"], HTTP_ACCEPT_ENCODING="gzip").status_code == 200

    def ping() -> None:
        assert client.get("/api/v1/queueing/ping").status_code == 200

    ops = {
        "ping (unauthenticated JSON)": ping,
        "authenticated API read": read,
        "ticket issue": issue,
        "call next": call_next,
        "case receive": receive,
        **{f"case {c[0]}": case_action(c[0]) for c in chain},
        "portal guide page": guide,
    }
    only = [o for o in args.only.split(",") if o]
    if args.trace:
        import traceback

        def tracer(execute, sql, params, many, context):  # type: ignore[no-untyped-def]
            if args.trace in sql:
                stack = [f for f in traceback.extract_stack() if "/govhall/" in f.filename]
                print(
                    f"  [{args.trace}] "
                    + " → ".join(f"{Path(f.filename).name}:{f.lineno} {f.name}" for f in stack)
                )
            return execute(sql, params, many, context)

        connection.execute_wrappers.append(tracer)

    def backend_pids() -> list[int]:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
            others = [row[0] for row in cursor.fetchall()]
            cursor.execute("SELECT pg_backend_pid()")
            return [cursor.fetchone()[0], *others]

    def backend_cpu_s(pids: list[int]) -> float:
        """Run time of these PostgreSQL backends (the pool's connections) so far, in seconds."""
        total = 0
        for pid in pids:
            try:
                total += int(Path(f"/proc/{pid}/schedstat").read_text().split()[0])
            except (OSError, ValueError):
                pass
        return total / 1e9

    summary: list[tuple[str, float, float, float, int]] = []
    for name, op in ops.items():
        if only and not any(o in name for o in only):
            continue
        prepare = getattr(op, "prepare", lambda: None)
        for _ in range(3):
            prepare()
            op()  # warm: templates, caches, connection
        request_started.disconnect(reset_queries)  # else each request empties the log being captured
        try:
            prepare()
            with CaptureQueriesContext(connection) as capture:
                op()
            queries = list(capture.captured_queries)
        finally:
            request_started.connect(reset_queries)
        sql_ms = sum(float(q["time"]) for q in queries) * 1000
        wall_s = 0.0
        for _ in range(args.repeat):
            prepare()
            t0 = time.perf_counter()
            op()
            wall_s += time.perf_counter() - t0
        wall = wall_s / args.repeat * 1000
        pids = backend_pids()
        worker_s = backend_s = 0.0
        for _ in range(args.repeat):
            prepare()
            pg0, cpu0 = backend_cpu_s(pids), time.process_time()
            op()
            worker_s += time.process_time() - cpu0
            backend_s += backend_cpu_s(pids) - pg0
        worker_ms, backend_ms = worker_s / args.repeat * 1000, backend_s / args.repeat * 1000
        summary.append((name, worker_ms, backend_ms, wall, len(queries)))
        if args.summary:
            continue
        profile = cProfile.Profile()
        for _ in range(args.repeat):
            prepare()
            profile.enable()
            op()
            profile.disable()
        print(
            f"\n=== {name}: {wall:.1f} ms per request, CPU {worker_ms:.1f} ms worker + {backend_ms:.1f} ms "
            f"PostgreSQL, {len(queries)} SQL statements ({sql_ms:.1f} ms)"
        )
        for q in queries:
            print(f"    {float(q['time']) * 1000:5.1f} ms  {q['sql'][:150]}")
        out = io.StringIO()
        stats = pstats.Stats(profile, stream=out).sort_stats(args.sort)
        stats.print_stats(args.filter, args.top)
        text = out.getvalue()
        print(text[text.find("ncalls") :] if "ncalls" in text else text)
        if args.callers:
            out = io.StringIO()
            pstats.Stats(profile, stream=out).sort_stats(args.sort).print_callers(args.callers)
            print(out.getvalue())
    load = " / ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"\nper request, mean of {args.repeat} (load average at the end {load}):")
    print(f"  {'operation':<30} {'CPU worker':>10} {'CPU PostgreSQL':>14} {'wall':>8} {'statements':>10}")
    for name, worker_ms, backend_ms, wall, count in summary:
        print(f"  {name:<30} {worker_ms:>7.1f} ms {backend_ms:>11.1f} ms {wall:>5.1f} ms {count:>10}")


if __name__ == "__main__":
    main()
