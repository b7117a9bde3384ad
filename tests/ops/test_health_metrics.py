"""/readyz, /metrics and the request log line (issue 20, part B: health and metrics, structured logs)."""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import subprocess
import sys
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.utils import timezone
from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.multiprocess import MultiProcessCollector

from govhall.cases.models import Case, CaseStatus
from govhall.core import calendar, metrics
from govhall.core.requestlog import JsonFormatter
from govhall.exchange.models import Notification, NotificationStatus
from govhall.queueing import services as queueing
from tests.cases.conftest import make_flow, receive
from tests.factories import UserFactory
from tests.queueing.conftest import make_matter

REPO = Path(__file__).resolve().parents[2]
TZ = ZoneInfo("Asia/Shanghai")
MORNING = dt.datetime(2026, 3, 10, 9, 0, tzinfo=TZ)  # a working Tuesday; 2026 and its next 60 days known
PUBLIC = "https://zwfw.qidong.gov.cn"
TOKEN = "metrics-token-0123456789abcdef"

pytestmark = pytest.mark.django_db


def run_django(code: str, var_dir: Path, *args: str, **variables: str) -> subprocess.CompletedProcess[str]:
    """Run `code` in a fresh process with its own settings (only these GOVHALL_* variables)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("GOVHALL_")}
    env.pop("PROMETHEUS_MULTIPROC_DIR", None)
    env.update(DJANGO_SETTINGS_MODULE="govhall.settings", GOVHALL_VAR_DIR=str(var_dir), **variables)
    return subprocess.run(
        [sys.executable, "-c", code, *args], cwd=REPO, env=env, capture_output=True, text=True, timeout=90
    )


@pytest.fixture
def clock() -> Any:
    with time_machine.travel(MORNING, tick=True) as traveller:
        yield traveller


@pytest.fixture
def ready_settings(settings: Any) -> Any:
    settings.PUBLIC_URL = PUBLIC
    settings.REDIS_URL = ""
    return settings


# --- /readyz ---------------------------------------------------------------------------------------------


def test_readyz_is_200_when_every_check_passes(client, ready_settings, clock):
    response = client.get("/readyz")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == "ok" and body["failing"] == []
    assert set(body["checks"]) == {"database", "calendar", "task_queue_age", "outbox_backlog", "public_url"}
    assert all(check["ok"] for check in body["checks"].values())
    assert "no-cache" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]


def test_readyz_names_a_loopback_public_url_in_chinese(client, ready_settings, clock):
    ready_settings.PUBLIC_URL = "http://127.0.0.1:8000"
    response = client.get("/readyz")
    assert response.status_code == 503
    [failing] = response.json()["failing"]
    assert failing["code"] == "public_url_local"
    assert "本机地址" in failing["message"]


def test_readyz_fails_when_the_calendar_lacks_the_next_60_days(client, ready_settings):
    last = calendar.CC_LAST_YEAR
    while calendar.year_is_known(last + 1):  # the bureau may have imported later years
        last += 1
    with time_machine.travel(dt.datetime(last, 12, 1, 10, 0, tzinfo=TZ), tick=True):
        response = client.get("/readyz")
        assert response.status_code == 503
        body = response.json()
        assert body["checks"]["calendar"]["code"] == "calendar_unknown"
        assert f"{last + 1} 年" in body["checks"]["calendar"]["message"]
        assert [f["code"] for f in body["failing"]] == ["calendar_unknown"]
    # on 1 October of that year, 60 days stay inside it
    with time_machine.travel(dt.datetime(last, 10, 1, 10, 0, tzinfo=TZ), tick=True):
        assert client.get("/readyz").json()["checks"]["calendar"]["ok"]


def test_readyz_fails_when_redis_is_unreachable(client, ready_settings, clock):
    ready_settings.REDIS_URL = "redis://127.0.0.1:1/0"  # nothing listens on port 1
    response = client.get("/readyz")
    assert response.status_code == 503
    body = response.json()
    assert body["checks"]["redis"]["code"] == "redis_unavailable"
    assert "Redis 无法连接" in body["checks"]["redis"]["message"]
    assert body["checks"]["database"]["ok"]


def _queued_sms(created: dt.datetime, **fields: Any) -> Notification:
    return Notification.objects.create(
        recipient="13800138000",
        recipient_digest="d",
        recipient_masked="138****8000",
        text="您的号码 A001 已叫号",
        created_at=created,
        next_attempt_at=created,
        **fields,
    )


def test_readyz_fails_when_due_messages_wait_longer_than_the_limit(client, ready_settings, clock):
    """The task worker is not running: a due SMS has waited 20 minutes (limit 10)."""
    _queued_sms(timezone.now() - dt.timedelta(minutes=20))
    response = client.get("/readyz")
    assert response.status_code == 503
    body = response.json()
    assert [f["code"] for f in body["failing"]] == ["task_queue_stalled"]
    assert body["checks"]["task_queue_age"]["value"] >= 1200
    assert "run_huey" in body["failing"][0]["message"]
    # a message waiting for its next retry moment is not stalled
    Notification.objects.update(next_attempt_at=timezone.now() + dt.timedelta(minutes=5))
    assert client.get("/readyz").status_code == 200


def test_readyz_fails_on_an_outbox_backlog_over_the_limit(client, ready_settings, clock):
    ready_settings.READY_MAX_OUTBOX = 2
    for _ in range(3):
        _queued_sms(timezone.now())
    body = client.get("/readyz").json()
    assert [f["code"] for f in body["failing"]] == ["outbox_backlog"]
    assert body["checks"]["outbox_backlog"]["value"] == 3


def test_readyz_reports_an_unreachable_database_as_503(tmp_path):
    """In a separate process: this one's database connection belongs to the test run."""
    code = (
        "import django, json; django.setup()\n"
        "from django.test import Client\n"
        "r = Client().get('/readyz', HTTP_HOST='localhost')\n"
        "print(json.dumps({'status': r.status_code, 'body': r.json()}))\n"
    )
    result = run_django(
        code,
        tmp_path,
        GOVHALL_DATABASE_URL="postgres://postgres@127.0.0.1:1/govhall",
        GOVHALL_PUBLIC_URL=PUBLIC,
        GOVHALL_DB_POOL_SIZE="0",
    )
    assert result.returncode == 0, result.stderr
    answer = json.loads(result.stdout.strip().splitlines()[-1])
    assert answer["status"] == 503
    assert [f["code"] for f in answer["body"]["failing"]] == ["database_unavailable"]
    assert "数据库无法连接" in answer["body"]["failing"][0]["message"]
    assert "Traceback" not in result.stdout


# --- /metrics: who may read it ----------------------------------------------------------------------------


def test_metrics_do_not_exist_unless_configured(client, settings):
    settings.METRICS_TOKEN = ""
    settings.METRICS_ALLOW = []
    assert client.get("/metrics").status_code == 404
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer anything").status_code == 404


def test_metrics_need_the_token(client, settings, clock):
    settings.METRICS_TOKEN = TOKEN
    settings.METRICS_ALLOW = []
    assert client.get("/metrics").status_code == 403
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer wrong").status_code == 403
    assert client.get("/metrics", HTTP_AUTHORIZATION=f"Token {TOKEN}").status_code == 403
    response = client.get("/metrics", HTTP_AUTHORIZATION=f"Bearer {TOKEN}")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")


def test_metrics_allow_listed_networks(client, settings, clock):
    settings.METRICS_TOKEN = ""
    settings.METRICS_ALLOW = ["10.1.0.0/16"]
    assert client.get("/metrics", REMOTE_ADDR="10.1.2.3").status_code == 200
    assert client.get("/metrics", REMOTE_ADDR="10.2.0.1").status_code == 403
    # a forged X-Forwarded-For counts only behind our own proxy
    assert client.get("/metrics", REMOTE_ADDR="8.8.8.8", HTTP_X_FORWARDED_FOR="10.1.2.3").status_code == 403


# --- /metrics: what it says --------------------------------------------------------------------------------


def _scrape(client: Any, settings: Any) -> str:
    settings.METRICS_TOKEN = TOKEN
    response = client.get("/metrics", HTTP_AUTHORIZATION=f"Bearer {TOKEN}")
    assert response.status_code == 200
    return response.content.decode()


def _value(text: str, name: str, **labels: str) -> float:
    want = ",".join(f'{k}="{v}"' for k, v in sorted(labels.items()))
    total = 0.0
    for line in text.splitlines():
        if line.startswith(name + "{") or line.startswith(name + " "):
            series, value = line.rsplit(" ", 1)
            got = series[len(name) :].strip("{}")
            if all(f"{part}" in got.split(",") for part in want.split(",") if part):
                total += float(value)
    return total


def test_requests_are_counted_by_route_name_never_by_raw_path(client, settings, clock):
    before = _scrape(client, settings)
    client.get("/healthz")
    client.get("/healthz")
    client.get("/no/such/page/13800138000/")
    client.get("/catalog/m/320681000099/")  # a route with a code in its path
    text = _scrape(client, settings)
    delta = _value(text, "govhall_http_requests_total", view="healthz", method="GET", status="200") - _value(
        before, "govhall_http_requests_total", view="healthz", method="GET", status="200"
    )
    assert delta == 2
    assert _value(text, "govhall_http_requests_total", view="<unmatched>", status="404") >= 1
    assert "13800138000" not in text and "320681000099" not in text
    assert 'view="catalog:matter"' in text or "catalog:" in text
    assert _value(text, "govhall_http_request_duration_seconds_count", view="healthz") >= 2


def test_queues_outboxes_and_overdue_cases_are_read_on_scrape(client, settings, hall):
    with time_machine.travel(MORNING, tick=True):
        matter = make_matter(hall.town, name="生育登记", code="320681000001")
        for _ in range(3):
            queueing.ticket_issue(centre=hall.town, matter_id=matter.pk)
        _queued_sms(timezone.now() - dt.timedelta(minutes=3))
        _queued_sms(timezone.now(), status=NotificationStatus.FAILED)
        text = _scrape(client, settings)
    centre = f"{hall.town.pk}"
    assert _value(text, "govhall_queue_waiting", centre_id=centre) == 3
    assert f'centre="{hall.town.name}"' in text
    assert _value(text, "govhall_outbox_items", outbox="sms", status="queued") == 1
    assert _value(text, "govhall_outbox_items", outbox="sms", status="failed") == 1
    assert 170 <= _value(text, "govhall_outbox_oldest_due_seconds", outbox="sms") <= 400


def test_overdue_cases_are_counted_per_handling_centre(client, settings, hall):
    with time_machine.travel(dt.datetime(2026, 6, 9, 9, 0, tzinfo=TZ), tick=True):
        flow = make_flow(hall)
        case = receive(flow)
        Case.objects.filter(pk=case.pk).update(
            status=CaseStatus.PROCESSING, due_at=timezone.now() - dt.timedelta(days=1)
        )
        text = _scrape(client, settings)
    handling = Case.objects.get(pk=case.pk).handling_centre_id
    assert _value(text, "govhall_cases_overdue", centre_id=str(handling)) == 1


def test_task_failures_are_counted(client, settings, clock):
    from huey.contrib.djhuey import HUEY
    from huey.signals import SIGNAL_ERROR

    class FailedTask:
        name = "send_notification_task"

    before = _value(_scrape(client, settings), "govhall_task_failures_total", task="send_notification_task")
    HUEY._signal.send(SIGNAL_ERROR, FailedTask(), RuntimeError("gateway down"))
    after = _value(_scrape(client, settings), "govhall_task_failures_total", task="send_notification_task")
    assert after - before == 1


def test_several_worker_processes_add_up_in_one_scrape(tmp_path):
    """prometheus_client's multiprocess mode: two processes count 3 and 4 requests into one folder; a scrape
    reading that folder sees 7."""
    folder = tmp_path / "metrics"
    folder.mkdir()
    code = (
        "import sys, django; django.setup()\n"
        "from django.test import Client\n"
        "c = Client()\n"
        "for _ in range(int(sys.argv[1])): assert c.get('/healthz', HTTP_HOST='localhost').status_code == 200\n"
    )
    for n in (3, 4):
        result = run_django(code, tmp_path, str(n), PROMETHEUS_MULTIPROC_DIR=str(folder))
        assert result.returncode == 0, result.stderr
    registry = CollectorRegistry()
    MultiProcessCollector(registry, path=str(folder))
    text = generate_latest(registry).decode()
    assert _value(text, "govhall_http_requests_total", view="healthz", status="200") == 7
    # the two processes have ended: `govhall serve` removes their files at its start, keeps live ones
    live = folder / f"counter_{os.getpid()}.db"
    live.write_bytes(b"")
    assert metrics.remove_dead_process_files(str(folder)) >= 2
    assert [p.name for p in folder.iterdir()] == [live.name]


# --- the request log line ----------------------------------------------------------------------------------


def test_each_request_writes_one_line_with_its_id_user_view_status_and_duration(client, caplog, clock):
    user = UserFactory(full_name="王小明", username="wangxm13912345678")
    client.force_login(user)
    with caplog.at_level(logging.INFO, logger="govhall.request"):
        response = client.get("/healthz")
    [record] = [r for r in caplog.records if r.name == "govhall.request"]
    assert record.request_id == response["X-Request-ID"]
    assert record.view == "healthz" and record.method == "GET" and record.status == 200
    assert record.duration_ms >= 0
    line = json.loads(JsonFormatter().format(record))
    assert line["request_id"] == response["X-Request-ID"]
    assert {"time", "level", "logger", "message", "user", "view", "method", "status", "duration_ms"} <= set(
        line
    )
    assert line["status"] == 200 and line["view"] == "healthz"
    # healthz never looked at the user: the line does not load the session for it
    assert line["user"] is None
    with caplog.at_level(logging.INFO, logger="govhall.request"):
        caplog.clear()
        response = client.get("/me/tokens/")
    [record] = [r for r in caplog.records if r.name == "govhall.request"]
    line = json.loads(JsonFormatter().format(record))
    assert line["user"] == f"u{user.pk}"
    text = json.dumps(line, ensure_ascii=False)
    assert "王小明" not in text and "13912345678" not in text and "/me/tokens/" not in text


def test_json_log_format_writes_json_lines_end_to_end(tmp_path):
    """GOVHALL_LOG_FORMAT=json: the console handler writes each request as one JSON object per line."""
    code = (
        "import django; django.setup()\n"
        "from django.test import Client\n"
        "r = Client().get('/healthz', HTTP_HOST='localhost', HTTP_X_REQUEST_ID='nginx-0123456789')\n"
    )
    result = run_django(code, tmp_path, GOVHALL_LOG_FORMAT="json")
    assert result.returncode == 0, result.stderr
    lines = [json.loads(line) for line in result.stderr.splitlines() if line.startswith("{")]
    requests = [line for line in lines if line["logger"] == "govhall.request"]
    assert len(requests) == 1
    assert requests[0]["request_id"] == "nginx-0123456789"
    assert requests[0]["view"] == "healthz" and requests[0]["status"] == 200


def test_a_wrong_log_format_stops_start_up(tmp_path):
    result = run_django("import django; django.setup()", tmp_path, GOVHALL_LOG_FORMAT="xml")
    assert result.returncode != 0
    assert "GOVHALL_LOG_FORMAT='xml'" in result.stderr
