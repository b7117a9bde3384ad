"""Faults survived under load, in the cluster shape (issue 20, part B): prints figures for docs/operations.md.

    .venv/bin/python bench/faults.py kill      [--seconds 60] [--clients 8]
    .venv/bin/python bench/faults.py redis     [--seconds 60] [--clients 8] [--down 30]
    .venv/bin/python bench/faults.py postgres  [--seconds 60] [--clients 8]

Each run starts its OWN PostgreSQL (initdb in a temporary folder, a free port) and its OWN Redis (a free
port): the shared servers on 5432/6379 are never touched. Then `govhall serve --workers 2 --no-worker` and
`govhall run_huey`, and --clients threads doing, back to back: receive a case (收件, API), accept it (受理),
issue a ticket (取号), call the next ticket at the town's window (叫号), read the portal home page (its lists
come from the cache) and GET /healthz. A third of the way through, the fault:

- kill:     kill -9 of one uvicorn worker process (uvicorn's supervisor starts a new one);
- redis:    Redis killed for --down seconds, then started again (empty, as after a crash); a display
            screen's event stream is followed throughout (it must reconnect and get a fresh snapshot);
- postgres: `pg_ctl restart -m fast` (every open session cut, as `systemctl restart postgresql`).

Afterwards the database is checked: every action answered 2xx is there whole (a received case has its
three materials and its audit entry; an accepted one is past 收件), no case half-written, no duplicate
case or ticket number, `govhall audit verify` passes, no SMS lost (all sent once the worker's sweep ran).
"""

from __future__ import annotations

import argparse
import atexit
import collections
import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from tests.ops.private_servers import free_port, missing, private_postgres, private_redis  # noqa: E402

BIN = Path(sys.executable).parent


class Tally:
    """Answers per phase (before / during / after the fault) and what each 2xx created."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.phase = "before"
        self.answers: dict[str, collections.Counter[str]] = collections.defaultdict(collections.Counter)
        self.cases: dict[int, str] = {}  # id -> number, receive answered 201
        self.accepted: set[int] = set()
        self.tickets: list[str] = []
        self.bodies_500: list[str] = []
        self.non_chinese_503: list[str] = []
        self.first_ok_after: float | None = None
        self.fault_at = 0.0

    def note(self, op: str, status: int | str, body: str = "") -> None:
        with self.lock:
            self.answers[self.phase][f"{op} {status}"] += 1
            if status == 500:
                self.bodies_500.append(body[:300])
            if status == 503 and "系统暂时无法" not in body and op != "healthz":
                self.non_chinese_503.append(body[:200])
            if (
                self.phase != "before"
                and isinstance(status, int)
                and status < 300
                and op in ("receive", "issue")
                and self.first_ok_after is None
                and time.monotonic() > self.fault_at
            ):
                self.first_ok_after = time.monotonic() - self.fault_at


def setup(database_url: str, redis_url: str, var_dir: Path) -> list[dict[str, Any]]:
    os.environ.update(
        GOVHALL_DATABASE_URL=database_url,
        GOVHALL_REDIS_URL=redis_url,
        GOVHALL_VAR_DIR=str(var_dir),
        GOVHALL_FIELD_KEY="be" * 16,
        GOVHALL_HUEY_NAME="govhall-faults",
        GOVHALL_SMS_BACKEND="log",
        GOVHALL_LOG_LEVEL="WARNING",
    )
    import datetime as dt

    from cases_lifecycle import build

    towns = build()  # migrate, 4 towns with staff, tokens, posts, the matter
    from govhall.queueing.models import QueueSettings

    for town in towns:
        QueueSettings.objects.update_or_create(
            centre_id=town["centre"],
            defaults={"opening_time": dt.time(0, 0), "closing_time": dt.time(23, 59, 59)},
        )
    from django.db import connections

    connections.close_all()
    return towns


def start(port: int) -> tuple[subprocess.Popen[bytes], subprocess.Popen[bytes]]:
    """`govhall serve --workers 2 --no-worker` and `govhall run_huey`; waits up to 5 minutes (a loaded
    machine)."""
    import httpx

    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "govhall.settings"}
    web = subprocess.Popen(
        [str(BIN / "govhall"), "serve", "--workers", "2", "--no-worker", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    worker = subprocess.Popen(
        [str(BIN / "govhall"), "run_huey", "--workers", "2"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=5).status_code == 200:
                return web, worker
        except httpx.HTTPError:
            pass
        if web.poll() is not None:
            worker.kill()
            raise SystemExit("govhall serve exited")
        time.sleep(0.5)
    web.kill()
    worker.kill()
    raise SystemExit("govhall serve did not answer within 5 minutes")


def children(pid: int) -> list[int]:
    """The uvicorn worker processes of `govhall serve` (not multiprocessing's resource tracker)."""
    found: list[int] = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            found += [int(p) for p in (task / "children").read_text().split()]
        except OSError:
            pass
    workers = []
    for child in found:
        try:
            cmdline = Path(f"/proc/{child}/cmdline").read_bytes().decode(errors="replace")
        except OSError:
            continue
        if "spawn_main" in cmdline or "govhall" in cmdline:
            workers.append(child)
    return workers


def load(base: str, towns: list[dict[str, Any]], tally: Tally, stop: threading.Event, n: int) -> None:
    import httpx
    from cases_lifecycle import APPLICANT

    town = towns[n % len(towns)]
    clerk = {"Authorization": f"Bearer {town['clerk']}"}
    with httpx.Client(base_url=base, timeout=30) as http:

        def call(op: str, method: str, url: str, **kw: Any) -> httpx.Response | None:
            try:
                response = http.request(method, url, **kw)
            except httpx.HTTPError as exc:
                tally.note(op, exc.__class__.__name__)
                return None
            tally.note(op, response.status_code, response.text if response.status_code >= 500 else "")
            return response

        call("open", "POST", f"/api/v1/queueing/windows/{town['window']}/open", headers=clerk)
        while not stop.is_set():
            r = call(
                "receive",
                "POST",
                "/api/v1/cases/",
                headers=clerk,
                json={
                    "matter_id": town["matter"],
                    "window_id": town["window"],
                    "applicant": APPLICANT,
                    "materials": [{"material_id": m, "status": "received"} for m in town["materials"]],
                },
            )
            if r is not None and r.status_code == 201:
                case = r.json()
                with tally.lock:
                    tally.cases[case["id"]] = case["number"]
                r = call("accept", "POST", f"/api/v1/cases/{case['id']}/accept", headers=clerk, json={})
                if r is not None and r.status_code == 200:
                    with tally.lock:
                        tally.accepted.add(case["id"])
            r = call(
                "issue",
                "POST",
                f"/api/v1/queueing/centres/{town['centre']}/tickets",
                headers=clerk,
                json={"group": "minsheng"},
            )
            if r is not None and r.status_code == 201:
                with tally.lock:
                    tally.tickets.append(r.json()["ticket"]["code"])
            call("call", "POST", f"/api/v1/queueing/windows/{town['window']}/call-next", headers=clerk)
            call("page", "GET", "/portal/")
            call("healthz", "GET", "/healthz")


def follow_screen(base: str, centre: int, stop: threading.Event, seen: list[tuple[float, str]]) -> None:
    """A display screen: an EventSource that reconnects after its stream ends, noting each snapshot."""
    import httpx

    t0 = time.monotonic()
    while not stop.is_set():
        try:
            with (
                httpx.Client(base_url=base, timeout=httpx.Timeout(10, read=40)) as http,
                http.stream("GET", f"/queueing/screen/{centre}/events/") as response,
            ):
                seen.append((time.monotonic() - t0, f"connect {response.status_code}"))
                for line in response.iter_lines():
                    if line.startswith("event: "):
                        kind = line[7:]
                        if kind == "snapshot":
                            seen.append((time.monotonic() - t0, "snapshot"))
                    if stop.is_set():
                        break
            seen.append((time.monotonic() - t0, "stream ended"))
        except httpx.HTTPError as exc:
            seen.append((time.monotonic() - t0, f"error {exc.__class__.__name__}"))
        stop.wait(1.0)  # the `retry:` delay


def verify(database_url: str, tally: Tally) -> dict[str, Any]:
    import psycopg

    with psycopg.connect(database_url) as conn:
        q = lambda sql, *a: conn.execute(sql, a).fetchall()  # noqa: E731
        ids = list(tally.cases)
        rows = dict(q("SELECT id, number FROM cases_case WHERE id = ANY(%s)", ids)) if ids else {}
        missing_cases = [i for i in ids if i not in rows]
        wrong_number = [i for i in ids if i in rows and rows[i] != tally.cases[i]]
        half = q(
            "SELECT c.id FROM cases_case c LEFT JOIN cases_casematerial m ON m.case_id = c.id "
            "GROUP BY c.id HAVING count(m.id) <> 3"
        )
        no_audit = q(
            "SELECT c.id FROM cases_case c WHERE NOT EXISTS (SELECT 1 FROM core_auditentry a "
            "WHERE a.object_type = 'cases.case' AND a.object_id = c.id::text)"
        )
        not_accepted = q(
            "SELECT id FROM cases_case WHERE id = ANY(%s) AND status = 'received'",
            list(tally.accepted) or [0],
        )
        dup_cases = q("SELECT number FROM cases_case GROUP BY number HAVING count(*) > 1")
        dup_tickets = q(
            "SELECT 1 FROM queueing_ticket GROUP BY centre_id, date, prefix, number HAVING count(*) > 1"
        )
        total_cases = q("SELECT count(*) FROM cases_case")[0][0]
        total_tickets = q("SELECT count(*) FROM queueing_ticket")[0][0]
        sms = dict(q("SELECT status, count(*) FROM exchange_notification GROUP BY status"))
    audit = subprocess.run(
        [str(BIN / "govhall"), "audit", "verify"],
        capture_output=True,
        text=True,
        env=dict(os.environ),
        timeout=600,
    )
    return {
        "cases answered 201": len(ids),
        "cases in the database": total_cases,
        "answered 201 but missing": len(missing_cases),
        "number differs from the answer": len(wrong_number),
        "cases without their 3 materials (half-written)": len(half),
        "cases without an audit entry": len(no_audit),
        "accepted (200) but still 收件": len(not_accepted),
        "duplicate case numbers": len(dup_cases),
        "tickets answered 201": len(tally.tickets),
        "tickets in the database": total_tickets,
        "duplicate ticket numbers": len(dup_tickets),
        "SMS by status": sms,
        "audit verify": f"exit {audit.returncode}: {(audit.stdout or audit.stderr).strip().splitlines()[-1:]}",
    }


def wait_for_sms(database_url: str, seconds: float) -> float:
    """Seconds until no SMS is left queued (the worker's per-minute sweep re-queues lost tasks)."""
    import psycopg

    t0 = time.monotonic()
    while time.monotonic() - t0 < seconds:
        with psycopg.connect(database_url) as conn:
            left = conn.execute(
                "SELECT count(*) FROM exchange_notification WHERE status IN ('queued', 'sending')"
            ).fetchone()[0]
        if left == 0:
            return time.monotonic() - t0
        time.sleep(2)
    return -1.0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("fault", choices=["kill", "redis", "postgres"])
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--down", type=float, default=30, help="redis: seconds Redis stays down")
    args = parser.parse_args()
    for what in ("postgres", "redis"):
        if missing(what):
            print(f"skipped: {missing(what)}")
            return 0
    import logging

    logging.getLogger("httpx").setLevel(logging.WARNING)
    var_dir = Path(tempfile.mkdtemp(prefix="govhall-faults-"))
    with private_postgres() as pg, private_redis() as rds:
        database_url = pg.url.rsplit("/", 1)[0] + "/govhall"
        import psycopg

        with psycopg.connect(pg.url, autocommit=True) as conn:
            conn.execute("CREATE DATABASE govhall")
        t0 = time.monotonic()
        towns = setup(database_url, rds.url, var_dir)
        print(f"setup (initdb, migrate, seed): {time.monotonic() - t0:.0f} s")
        port = free_port()
        web, worker = start(port)
        atexit.register(lambda: [p.kill() for p in (web, worker) if p.poll() is None])  # never left running
        base = f"http://127.0.0.1:{port}"
        tally = Tally()
        stop = threading.Event()
        screen: list[tuple[float, str]] = []
        threads = [
            threading.Thread(target=load, args=(base, towns, tally, stop, n)) for n in range(args.clients)
        ]
        threads.append(threading.Thread(target=follow_screen, args=(base, towns[0]["centre"], stop, screen)))
        for th in threads:
            th.start()
        try:
            time.sleep(args.seconds / 3)
            tally.phase = "during"
            tally.fault_at = time.monotonic()
            fault_note = ""
            if args.fault == "kill":
                victims = children(web.pid)
                victim = victims[0]
                os.kill(victim, signal.SIGKILL)
                fault_note = f"kill -9 of uvicorn worker {victim} (of {victims})"
                deadline = time.monotonic() + 30
                while time.monotonic() < deadline and len(set(children(web.pid)) - {victim}) < len(victims):
                    time.sleep(0.1)
                fault_note += f"; a new worker was running after {time.monotonic() - tally.fault_at:.1f} s"
                time.sleep(3)
            elif args.fault == "redis":
                rds.stop()
                time.sleep(args.down)
                rds.start()
                fault_note = f"Redis killed for {args.down:.0f} s, then started again empty"
            else:
                pg.restart()
                fault_note = f"PostgreSQL restarted (-m fast) in {time.monotonic() - tally.fault_at:.1f} s"
                time.sleep(5)
            tally.phase = "after"
            time.sleep(args.seconds / 3)
        finally:
            stop.set()
            for th in threads:
                th.join(60)
        sms_wait = wait_for_sms(database_url, 200)
        web.send_signal(signal.SIGINT)
        worker.send_signal(signal.SIGINT)
        for proc in (web, worker):
            try:
                proc.wait(30)
            except subprocess.TimeoutExpired:
                proc.kill()
        print(f"fault: {fault_note}")
        for phase in ("before", "during", "after"):
            answers = dict(sorted(tally.answers[phase].items()))
            print(f"  {phase:7s} {json.dumps(answers, ensure_ascii=False)}")
        print(f"  500 answers: {len(tally.bodies_500)} {tally.bodies_500[:2]}")
        print(
            f"  503 answers without the Chinese message: {len(tally.non_chinese_503)} {tally.non_chinese_503[:2]}"
        )
        if tally.first_ok_after is not None:
            print(f"  first 2xx write after the fault began: {tally.first_ok_after:.1f} s")
        if args.fault == "redis":
            print(f"  display screen: {screen}")
        print(
            f"  SMS all sent {sms_wait:.0f} s after the load ended" if sms_wait >= 0 else "  SMS still queued"
        )
        for name, value in verify(database_url, tally).items():
            print(f"  {name}: {value}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
