"""/healthz (issue 2, part 9): the database and, when configured, Redis; 503 when either is down."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


@pytest.mark.django_db
def test_healthz_is_ok_and_never_cached(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["database"] == "ok"
    assert "no-cache" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]


@pytest.mark.redis
@pytest.mark.django_db
def test_healthz_reports_redis_when_configured(client):
    body = client.get("/healthz").json()
    assert body["redis"] == "ok"
    assert body["events"] == "redis"
    assert body["status"] == "ok"


@pytest.mark.django_db
def test_unreachable_redis_makes_healthz_503(client, settings):
    settings.REDIS_URL = "redis://127.0.0.1:1/0"  # nothing listens on port 1
    response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "error"
    assert body["redis"].startswith("error: ")
    assert body["database"] == "ok"


@pytest.mark.django_db
def test_healthz_without_redis_does_not_mention_it(client, settings):
    settings.REDIS_URL = ""
    body = client.get("/healthz").json()
    assert "redis" not in body
    assert body["events"] == "local"


@pytest.mark.parametrize(
    "database_url",
    ["sqlite:////nonexistent-directory/govhall.sqlite3", "postgres://postgres@127.0.0.1:1/govhall"],
    ids=["sqlite-unopenable", "postgres-unreachable"],
)
def test_unreachable_database_makes_healthz_503(tmp_path, database_url):
    """In a separate process: this one's database connection belongs to the test run."""
    code = (
        "import django, json; django.setup()\n"
        "from django.test import Client\n"
        "r = Client().get('/healthz', HTTP_HOST='localhost')\n"
        "print(json.dumps({'status': r.status_code, 'body': r.json()}))\n"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("GOVHALL_")}
    env.update(
        DJANGO_SETTINGS_MODULE="govhall.settings",
        GOVHALL_VAR_DIR=str(tmp_path),
        GOVHALL_DATABASE_URL=database_url,
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    answer = json.loads(result.stdout.strip().splitlines()[-1])
    assert answer["status"] == 503
    assert answer["body"]["status"] == "error"
    assert answer["body"]["database"].startswith("error: OperationalError")
