"""Correctness under load (SITE-5 windows, SITE-7 self-service terminals): two live server processes on
PostgreSQL, many concurrent issue and call-next requests; no number is handed out twice and no ticket is
called to two windows."""

from __future__ import annotations

import datetime as dt
import os
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

import httpx
import pytest
from django.conf import settings
from django.db import connection
from django.db.models import Count

from govhall.accounts.models import Role
from govhall.accounts.tokens import token_create
from govhall.queueing.models import CallLog, QueueSettings, Ticket, TicketStatus
from tests.factories import UserFactory, WindowFactory

pytestmark = [pytest.mark.postgres]

ROOT = Path(__file__).resolve().parents[2]
ISSUERS = 8
ISSUES_EACH = 20
WINDOWS = 6


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_database_url() -> str:
    db = connection.settings_dict
    auth = db["USER"] + (f":{db['PASSWORD']}" if db.get("PASSWORD") else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


test_database_url.__test__ = False  # a helper, not a test


def start_servers(count: int, log_dir: Path) -> tuple[list[subprocess.Popen], list[str]]:
    env = {
        **os.environ,
        "GOVHALL_DATABASE_URL": test_database_url(),
        "GOVHALL_VAR_DIR": str(settings.VAR_DIR),
        "GOVHALL_ALLOWED_HOSTS": "127.0.0.1,localhost",
    }
    procs, urls = [], []
    for i in range(count):
        port = free_port()
        log = open(log_dir / f"server{i}.log", "w")
        procs.append(
            subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "uvicorn",
                    "govhall.asgi:application",
                    "--host",
                    "127.0.0.1",
                    "--port",
                    str(port),
                    "--lifespan",
                    "off",
                    "--log-level",
                    "warning",
                    "--no-access-log",
                ],
                cwd=ROOT,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        )
        urls.append(f"http://127.0.0.1:{port}")
    deadline = time.monotonic() + 60
    for url, proc in zip(urls, procs, strict=True):
        while True:
            assert proc.poll() is None, (log_dir / "server0.log").read_text()
            try:
                if httpx.get(f"{url}/healthz", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert time.monotonic() < deadline, "server did not start"
            time.sleep(0.2)
    return procs, urls


def stop_servers(procs: list[subprocess.Popen]) -> None:
    for proc in procs:
        proc.terminate()
    for proc in procs:
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()


def test_two_server_processes_never_duplicate_a_number_or_serve_a_ticket_twice(
    transactional_db, hall, tmp_path
):
    centre = hall.town
    # Whatever the hour the test runs at, the hall is open.
    QueueSettings.objects.create(centre=centre, opening_time=dt.time(0, 0), closing_time=dt.time(23, 59, 59))
    windows = [WindowFactory(centre=centre, number=10 + i, window_class="minsheng") for i in range(WINDOWS)]
    clerks = [UserFactory(centre=centre, roles=[Role.FRONT_DESK]) for _ in windows]
    tokens = [token_create(user=c, name="并发测试")[1] for c in clerks]
    guide_token = token_create(user=hall.guide, name="并发测试")[1]
    procs, urls = start_servers(2, tmp_path)
    issued: list[dict] = []
    called: list[tuple[int, int]] = []
    errors: list[str] = []
    lock = threading.Lock()
    issuing_done = threading.Event()

    def issuer(n: int) -> None:
        with httpx.Client(timeout=30, headers={"Authorization": f"Bearer {guide_token}"}) as client:
            for i in range(ISSUES_EACH):
                r = client.post(
                    f"{urls[(n + i) % 2]}/api/v1/queueing/centres/{centre.pk}/tickets",
                    json={"group": "minsheng"},
                )
                with lock:
                    (issued.append(r.json()["ticket"]) if r.status_code == 201 else errors.append(r.text))

    def clerk(n: int) -> None:
        window, token = windows[n], tokens[n]
        with httpx.Client(timeout=30, headers={"Authorization": f"Bearer {token}"}) as client:
            assert client.post(f"{urls[n % 2]}/api/v1/queueing/windows/{window.pk}/open").status_code == 200
            empty_after_done = 0
            i = 0
            while empty_after_done < 3:
                i += 1
                base = urls[(n + i) % 2]  # each window's requests alternate between the two processes
                r = client.post(f"{base}/api/v1/queueing/windows/{window.pk}/call-next")
                if r.status_code != 200:
                    with lock:
                        errors.append(r.text)
                    continue
                ticket = r.json()["ticket"]
                if ticket is None:
                    if issuing_done.is_set():
                        empty_after_done += 1
                    time.sleep(0.02)
                    continue
                with lock:
                    called.append((ticket["id"], window.number))
                if i % 3 == 0:  # some are served to the end, the others skipped by the next call
                    tid = ticket["id"]
                    assert (
                        client.post(
                            f"{base}/api/v1/queueing/windows/{window.pk}/tickets/{tid}/start"
                        ).status_code
                        == 200
                    )
                    assert (
                        client.post(
                            f"{urls[(n + i + 1) % 2]}/api/v1/queueing/windows/{window.pk}/tickets/"
                            f"{tid}/finish",
                            json={"served": True},
                        ).status_code
                        == 200
                    )

    try:
        issuers = [threading.Thread(target=issuer, args=(n,)) for n in range(ISSUERS)]
        clerks_ = [threading.Thread(target=clerk, args=(n,)) for n in range(WINDOWS)]
        for t in issuers + clerks_:
            t.start()
        for t in issuers:
            t.join(timeout=240)
        issuing_done.set()
        for t in clerks_:
            t.join(timeout=240)
    finally:
        stop_servers(procs)

    assert not errors, errors[:5]
    total = ISSUERS * ISSUES_EACH
    codes = [t["code"] for t in issued]
    assert len(codes) == total and len(set(codes)) == total, "duplicate numbers handed out"
    numbers = sorted(Ticket.objects.filter(centre=centre).values_list("number", flat=True))
    assert numbers == list(range(1, total + 1))  # no duplicate, no gap
    ids = [tid for tid, _ in called]
    twice = [tid for tid, n in Counter(ids).items() if n > 1]
    assert not twice, f"tickets called to two windows: {twice}"
    assert len(ids) == total  # every visitor was called exactly once
    assert not CallLog.objects.values("ticket").annotate(n=Count("id")).filter(n__gt=1).exists()
    assert not Ticket.objects.filter(status__in=[TicketStatus.WAITING, TicketStatus.TRANSFERRED]).exists()
    served_windows = {tid: w for tid, w in called}
    for t in Ticket.objects.filter(status=TicketStatus.DONE).select_related("called_window"):
        assert t.called_window.number == served_windows[t.pk]


def test_windows_calling_at_the_same_instant_take_distinct_tickets_and_none_goes_empty(
    transactional_db, hall, clock
):
    """Issue 15, SITE-5: on PostgreSQL call-next takes its ticket with one `UPDATE … (SELECT … FOR UPDATE
    SKIP LOCKED)` statement. Eight windows calling at the same instant, each on its own connection, get
    eight different tickets, and none comes back empty while tickets wait (a locked ticket is skipped,
    not waited for)."""
    from django.db import connections

    from govhall.queueing import services

    centre = hall.town
    QueueSettings.objects.create(centre=centre, opening_time=dt.time(0, 0), closing_time=dt.time(23, 59, 59))
    windows = [WindowFactory(centre=centre, number=30 + i, window_class="minsheng") for i in range(8)]
    clerks = [UserFactory(centre=centre, roles=[Role.FRONT_DESK]) for _ in windows]
    for window, clerk in zip(windows, clerks, strict=True):
        services.window_open(window=window, by=clerk)
    issued = [
        services.ticket_issue(centre=centre, group="minsheng").ticket.pk for _ in range(len(windows) + 4)
    ]
    start = threading.Barrier(len(windows))
    called: list[int | None] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def call(n: int) -> None:
        try:
            start.wait(timeout=30)
            ticket = services.ticket_call_next(window=windows[n], by=clerks[n])
            with lock:
                called.append(ticket.pk if ticket else None)
        except BaseException as exc:  # reported below, with the thread's own error
            with lock:
                errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=call, args=(n,)) for n in range(len(windows))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not errors, errors
    assert None not in called and len(called) == len(windows)
    assert len(set(called)) == len(windows) and set(called) <= set(issued)
    assert not CallLog.objects.values("ticket").annotate(n=Count("id")).filter(n__gt=1).exists()
    rows = Ticket.objects.filter(pk__in=called)
    assert sorted(rows.values_list("called_window__number", flat=True)) == [w.number for w in windows]
    assert Ticket.objects.filter(status=TicketStatus.WAITING).count() == 4
