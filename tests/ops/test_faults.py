"""Faults survived (issue 20, part B), the fast ones. Each injects a real fault on loopback, in a private server
or folder this test owns: a database that does not answer, a private Redis killed and restarted, the SMS
gateway and the provincial platform stand-ins down for simulated time, a full media filesystem. The heavy
runs under load (kill -9 of a web process, PostgreSQL restarting, Redis stopping for 30 s in the cluster
shape) are `bench/faults.py`; their figures are in docs/operations.md, "Faults and runbooks"."""

from __future__ import annotations

import datetime as dt
import errno
import io
import os
import subprocess
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.db import transaction
from django.db.models import Count

from govhall.cases.models import Case, CaseFile
from govhall.core.cache import DegradingRedisCache
from govhall.core.models import AuditEntry
from govhall.exchange.models import Notification, NotificationStatus, SyncItem, SyncStatus
from govhall.exchange.services import notifications_requeue_due, notify_sms
from govhall.exchange.sync import sync_enqueue, sync_items_requeue_due
from tests.cases.conftest import local, make_flow, receive
from tests.factories import DepartmentFactory
from tests.ops.private_servers import missing, private_redis
from tests.ops.test_health_metrics import run_django
from tests.standin import JsonHandler, serving

pytestmark = pytest.mark.django_db

PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
    b"\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82"
)


# --- the database unreachable: a clean 503 in Chinese ---------------------------------------------------


def test_database_unreachable_pages_and_api_answer_503_in_chinese(tmp_path):
    """PostgreSQL down or restarting (nothing listens on its port): a page and an API call that need the
    database answer 503 with Retry-After and a Chinese message; no 500, no traceback to the caller."""
    code = (
        "import django, json; django.setup()\n"
        "from django.test import Client\n"
        "c = Client(raise_request_exception=False)\n"
        "out = {}\n"
        "for path in ('/portal/', '/api/v1/onething/things'):\n"
        "    r = c.get(path, HTTP_HOST='localhost')\n"
        "    out[path] = [r.status_code, r.get('Retry-After'), r['Content-Type'], r.content.decode()]\n"
        "print(json.dumps(out))\n"
    )
    result = run_django(
        code,
        tmp_path,
        GOVHALL_DATABASE_URL="postgres://postgres@127.0.0.1:1/govhall",
        GOVHALL_DB_POOL_SIZE="0",
    )
    assert result.returncode == 0, result.stderr
    import json

    out = json.loads(result.stdout.strip().splitlines()[-1])
    status, retry, ctype, body = out["/portal/"]
    assert (status, retry) == (503, "5")
    assert ctype.startswith("text/html") and "系统暂时无法连接数据库" in body and "Traceback" not in body
    status, retry, ctype, body = out["/api/v1/onething/things"]
    assert (status, retry) == (503, "5")
    answer = json.loads(body)
    assert answer["code"] == "unavailable" and "系统暂时无法连接数据库" in answer["message"]
    assert answer["request_id"]
    assert "Service Unavailable" in result.stderr or "database unavailable" in result.stderr  # logged


# --- Redis stops: the cache degrades, the records and the outbox do not ------------------------------------


@pytest.fixture
def redis_server() -> Iterator[Any]:
    reason = missing("redis")
    if reason:
        pytest.skip(reason)
    with private_redis() as server:
        yield server


def test_the_cache_answers_like_an_empty_cache_while_redis_is_away(redis_server):
    cache = DegradingRedisCache(
        redis_server.url, {"OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 2}}
    )
    key = f"t-{uuid.uuid4().hex}"
    cache.set(key, "kept", 60)
    assert cache.get(key) == "kept"
    redis_server.stop()
    started = time.monotonic()
    assert cache.get(key, "missing") == "missing"
    assert cache.get_or_set(key + "x", lambda: "computed", 60) == "computed"
    assert cache.add(key + "n", 1, 60) is True  # a rate-limit counter starts again
    cache.set(key, "dropped", 60)
    assert cache.get_many([key]) == {}
    assert time.monotonic() - started < 3, "no connect timeout per call while Redis is down"
    redis_server.start()
    time.sleep(2.1)  # the pause after a failure (core/cache.py PAUSE_SECONDS)
    cache.set(key, "back", 60)
    assert cache.get(key) == "back"


def test_pages_keep_answering_while_redis_is_away(client, settings, redis_server, hall):
    suite_caches = settings.CACHES  # the suite's own cache (its per-test keys are removed after the test)
    settings.CACHES = {
        "default": {
            "BACKEND": "govhall.core.cache.DegradingRedisCache",
            "LOCATION": redis_server.url,
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 2},
            "KEY_PREFIX": uuid.uuid4().hex,
        }
    }
    assert client.get("/portal/").status_code == 200  # fills the cache
    redis_server.stop()
    for _ in range(3):
        response = client.get("/portal/")
        assert response.status_code == 200
        assert "政务服务" in response.content.decode()
    redis_server.start()
    assert client.get("/portal/").status_code == 200
    settings.CACHES = suite_caches


# The worker's shape: rows committed (not inside a test transaction), each task run by `HUEY.execute` as the
# consumer runs it, closing its database connection afterwards (huey's db_task). Inside a rolled-back test
# transaction that close would end the test's transaction on PostgreSQL.
@pytest.mark.django_db(transaction=True)
def test_messages_queued_while_redis_is_away_are_sent_by_the_sweep(redis_server, settings):
    """The task queue lives in Redis: with Redis down the SMS row is committed but its task cannot be
    queued; the periodic sweep queues it when Redis is back, and it is sent. Nothing is lost."""
    from huey.contrib.djhuey import HUEY
    from huey.storage import RedisStorage

    settings.SMS_BACKEND = "log"
    storage, immediate = HUEY.storage, HUEY.immediate
    HUEY.storage = RedisStorage(name=f"faults-{uuid.uuid4().hex[:8]}", url=redis_server.url)
    HUEY.immediate = False
    try:
        redis_server.stop()
        with time_machine.travel(local(2026, 6, 9, 9, 0), tick=False) as clock:
            with transaction.atomic():
                rows = [
                    notify_sms(phone="13800138000", text=f"您的号码 A00{n} 已叫号，请到3号窗口")
                    for n in range(3)
                ]
            assert Notification.objects.filter(status=NotificationStatus.QUEUED).count() == 3
            redis_server.start()
            clock.shift(dt.timedelta(minutes=3))  # past the sweep's grace
            assert notifications_requeue_due() == 3
            sent = 0
            while (task := HUEY.dequeue()) is not None:
                HUEY.execute(task)
                sent += 1
        assert sent == 3
        assert sorted(
            Notification.objects.filter(status=NotificationStatus.SENT).values_list("pk", flat=True)
        ) == [r.pk for r in rows]
    finally:
        HUEY.storage, HUEY.immediate = storage, immediate


# --- the SMS gateway and the provincial platform down: everything queues, back-fill in order ---------------


class Outage:
    """Both stand-ins: down (503) until `up` is set; every request recorded in arrival order."""

    def __init__(self) -> None:
        self.up = False
        self.sms: list[str] = []
        self.province: list[int] = []  # the payload's sequence number, in arrival order
        self.refused = 0


@pytest.fixture
def outage(settings: Any) -> Iterator[Outage]:
    import json

    state = Outage()

    class Handler(JsonHandler):
        def do_POST(self) -> None:
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            if not state.up:
                state.refused += 1
                return self.answer(503, {"code": 503, "message": "系统维护中"})
            if self.path.startswith("/sms"):
                state.sms.append(body["text"])
                return self.answer(200, {"id": f"gw-{len(state.sms)}"})
            state.province.append(body["data"]["n"])
            return self.answer(
                200, {"code": 0, "message": "成功", "data": {"receiptId": f"JS-{len(state.province)}"}}
            )

    with serving(Handler) as base:
        settings.SMS_BACKEND = "http"
        settings.SMS_URL = f"{base}/sms/send"
        settings.SMS_TOKEN = "gateway-secret"
        settings.PROVINCE_URL = f"{base}/exchange/v1/receive"
        settings.PROVINCE_APP_ID = "qidong-govhall"
        settings.PROVINCE_SECRET = "province-shared-secret-0001"
        settings.PROVINCE_SYNC_AUTO = False
        yield state


CASE_DATASETS = ("apply", "accept", "process", "finish")


def _run_outage(outage: Outage, down_minutes: int) -> None:
    """Every minute of `down_minutes` an SMS and a provincial record are queued and the worker's periodic
    sweeps run (they re-queue what is due); then the stand-ins come back and the sweeps run on."""
    from huey.contrib.djhuey import HUEY

    cases = [DepartmentFactory() for _ in range(down_minutes // 4 + 1)]  # any saved record stands for a case
    immediate = HUEY.immediate
    HUEY.immediate = True  # a queued task runs at once; a retry scheduled for later is left to the sweep
    try:
        with time_machine.travel(local(2026, 6, 9, 9, 0), tick=False) as clock:
            for minute in range(down_minutes):
                with transaction.atomic():
                    notify_sms(phone="13800138000", text=f"第{minute:03d}条：您的办件已受理")
                    # a case's four datasets, one a minute: 申请, 受理, 办理, 办结 of case minute // 4
                    sync_enqueue(
                        kind="case",
                        obj=cases[minute // 4],
                        dataset=CASE_DATASETS[minute % 4],
                        payload={"n": minute},
                    )
                notifications_requeue_due()
                sync_items_requeue_due()
                clock.shift(dt.timedelta(minutes=1))
            outage.up = True
            for _ in range(90):  # the worker's per-minute sweeps after the platforms are back
                notifications_requeue_due()
                sync_items_requeue_due()
                clock.shift(dt.timedelta(minutes=1))
    finally:
        HUEY.immediate = immediate


def _assert_nothing_lost_and_in_order(outage: Outage, down_minutes: int) -> None:
    assert outage.refused > 0
    statuses = dict(Notification.objects.values_list("status").annotate(n=Count("id")))
    assert statuses == {NotificationStatus.SENT: down_minutes}, statuses
    sync = dict(SyncItem.objects.values_list("status").annotate(n=Count("id")))
    assert sync.get(SyncStatus.FAILED, 0) == 0 and sync.get(SyncStatus.QUEUED, 0) == 0, sync
    assert len(outage.sms) == down_minutes == len(set(outage.sms)), "each SMS delivered once"
    # NET-2: the records of one object reach the platform in the order they were made, each once. (SMS are
    # independent messages: the sweep sends them by their next retry moment, not by creation.)
    assert sorted(outage.province) == list(range(down_minutes))
    for case in range(down_minutes // 4 + 1):
        arrived = [n for n in outage.province if n // 4 == case]
        assert arrived == sorted(arrived), f"case {case}: datasets out of order {arrived}"


def test_a_30_minute_outage_of_gateway_and_platform_loses_nothing(outage):
    _run_outage(outage, 30)
    _assert_nothing_lost_and_in_order(outage, 30)


def test_an_hour_long_outage_of_gateway_and_platform_loses_nothing(outage):
    _run_outage(outage, 60)
    _assert_nothing_lost_and_in_order(outage, 60)


# --- the media disk full: the upload refused with a clear message, nothing half-written --------------------


@pytest.fixture
def full_media(settings: Any, tmp_path: Path, monkeypatch: Any) -> Iterator[str]:
    """A real 1 MB tmpfs as MEDIA_ROOT when this process may mount one (root, as in CI); else the write is
    made to fail with ENOSPC (the fallback is named in the test's output). Yields how it was simulated."""
    mount_point = tmp_path / "media"
    mount_point.mkdir()
    mounted = (
        os.geteuid() == 0
        and subprocess.run(
            ["mount", "-t", "tmpfs", "-o", "size=1m,mode=0700", "tmpfs", str(mount_point)],
            capture_output=True,
        ).returncode
        == 0
    )
    settings.MEDIA_ROOT = mount_point
    try:
        if mounted:
            yield "tmpfs"
        else:
            yield "enospc-patch"
    finally:
        if mounted:
            subprocess.run(["umount", "-l", str(mount_point)], capture_output=True)


def _fill(folder: Path) -> None:
    """Write until the filesystem says ENOSPC."""
    try:
        with open(folder / "filler", "wb") as fh:
            while True:
                fh.write(b"\0" * 65536)
                fh.flush()
    except OSError as exc:
        assert exc.errno == errno.ENOSPC


def test_an_upload_to_a_full_disk_is_refused_and_nothing_is_half_written(
    client, settings, hall, full_media, monkeypatch
):
    with time_machine.travel(local(2026, 6, 9, 9, 0), tick=True):
        flow = make_flow(hall)
        case = receive(flow)
        client.force_login(flow.front_desk)
        url = f"/api/v1/cases/{case.pk}/files"
        first = client.post(url, {"file": io.BytesIO(PNG)}, format="multipart")
        assert first.status_code == 201, first.content  # the month's folder exists, as on a used disk
        root = Path(settings.MEDIA_ROOT)
        if full_media == "tmpfs":
            _fill(root)
        else:
            import govhall.core.filecrypt as filecrypt

            def no_space(*args: Any, **kwargs: Any) -> int:
                raise OSError(errno.ENOSPC, "No space left on device")

            monkeypatch.setattr(filecrypt, "encrypt_stream", no_space)
        files_before = sorted(p for p in root.rglob("*") if p.is_file())
        audit_before = AuditEntry.objects.count()
        upload = io.BytesIO(PNG * 8)
        upload.name = "scan.png"
        response = client.post(url, {"file": upload}, format="multipart")
        assert response.status_code == 507, response.content
        body = response.json()
        assert body["code"] == "storage_full"
        assert "存储空间已满" in body["message"] and body["fields"]["file"] == body["message"]
        # nothing half-written: no new file row, event or audit entry, no partial file on the disk
        assert CaseFile.objects.filter(case=case).count() == 1
        assert AuditEntry.objects.count() == audit_before
        assert sorted(p for p in root.rglob("*") if p.is_file()) == files_before
        assert Case.objects.get(pk=case.pk).status == case.status
    # The first upload of a new month needs a new folder, which the full disk cannot hold either.
    with time_machine.travel(local(2026, 7, 1, 9, 0), tick=True):
        client.force_login(flow.front_desk)  # a new day's session
        upload = io.BytesIO(PNG * 8)
        upload.name = "scan.png"
        response = client.post(url, {"file": upload}, format="multipart")
        assert response.status_code == 507, response.content
        assert response.json()["code"] == "storage_full"
        assert CaseFile.objects.filter(case=case).count() == 1
        assert sorted(p for p in root.rglob("*") if p.is_file()) == files_before
    print(f"disk full simulated by: {full_media}")
