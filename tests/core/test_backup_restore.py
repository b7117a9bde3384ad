"""The restore drill (issue 20 part A): a throw-away installation with a small hall (cases in several states,
tickets and ratings, uploaded scans, audit rows; tests/core/backup_drill.py) is backed up by `govhall backup`
WHILE another process keeps receiving cases; the backup is verified, restored by `govhall restore` into a fresh, empty installation, and
every table of the restored database is compared row for row with the source up to the backup's moment. Then
`govhall audit verify` passes on it and it serves a restored case (decrypting its applicant with the key).

Each installation is driven through the real `govhall` command in subprocesses (the backup must see other
processes' commits, as in production). SQLite always; PostgreSQL (pg_dump / pg_restore) under the `postgres`
marker."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import pytest

REPO = Path(__file__).resolve().parents[2]
GOVHALL = Path(sys.executable).with_name("govhall")
KEY = "5a" * 16

# Rows the writer *updates* in place (not only appends) while the backup runs: the restored copy holds the
# value at the backup's moment, the source a later one. Every other table must match row for row.
UPDATED_IN_PLACE = {"core_audithead", "cases_casecounter"}


def env_for(var_dir: Path, database_url: str = "") -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GOVHALL_")}
    env.update(
        GOVHALL_VAR_DIR=str(var_dir),
        GOVHALL_FIELD_KEY=KEY,
        GOVHALL_ALLOWED_HOSTS="testserver,127.0.0.1,localhost",
        DJANGO_SETTINGS_MODULE="govhall.settings",
        PYTHONUNBUFFERED="1",
        # `govhall shell -c` imports the drill's helpers from tests/ (and keeps the clock-ahead pass's folder)
        PYTHONPATH=os.pathsep.join(p for p in (str(REPO), os.environ.get("PYTHONPATH", "")) if p),
    )
    if database_url:
        env.update(GOVHALL_DATABASE_URL=database_url, GOVHALL_DB_POOL_SIZE="0")
    return env


def govhall(*args: str, env: dict[str, str], ok: bool = True) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(
        [str(GOVHALL), *args], cwd=REPO, env=env, capture_output=True, text=True, timeout=240
    )
    if ok:
        assert done.returncode == 0, f"govhall {' '.join(args)}:\n{done.stdout}\n{done.stderr}"
    return done


# --- reading whole tables -----------------------------------------------------------------------------


class Tables:
    """Every table of a database as {table: {key: row}}; key is the id column (else the first)."""

    def __init__(self, vendor: str, location: str) -> None:
        self.vendor, self.location = vendor, location

    def read(self) -> dict[str, dict[Any, tuple]]:
        if self.vendor == "sqlite":
            db = sqlite3.connect(self.location)
            names = [
                r[0]
                for r in db.execute(
                    "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%'"
                )
            ]
            result = {name: self._rows(db.execute(f'SELECT * FROM "{name}"')) for name in names}  # noqa: S608
            db.close()
            return result
        import psycopg

        with psycopg.connect(self.location) as db:
            names = [
                r[0]
                for r in db.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'").fetchall()
            ]
            return {name: self._rows(db.execute(f'SELECT * FROM "{name}"')) for name in names}  # noqa: S608

    @staticmethod
    def _rows(cursor: Any) -> dict[Any, tuple]:
        columns = [c[0] for c in cursor.description]
        key = columns.index("id") if "id" in columns else 0
        return {row[key]: tuple(row) for row in cursor.fetchall()}


# --- one installation per vendor -------------------------------------------------------------------------


class Site:
    def __init__(self, var_dir: Path, vendor: str, database_url: str = "") -> None:
        var_dir.mkdir(parents=True, exist_ok=True)
        self.var_dir, self.vendor, self.url = var_dir, vendor, database_url
        self.env = env_for(var_dir, database_url)

    @property
    def tables(self) -> Tables:
        if self.vendor == "sqlite":
            return Tables("sqlite", str(self.var_dir / "govhall.sqlite3"))
        return Tables("postgres", self.url)

    def shell(self, code: str) -> str:
        return govhall("shell", "-c", code, env=self.env).stdout


def postgres_url(suffix: str) -> str:
    """A database of our own beside the test database, dropped and created empty."""
    import psycopg

    url = os.environ.get("GOVHALL_DATABASE_URL", "")
    parsed = urlparse(url)
    name = f"{parsed.path.lstrip('/')}_drill_{suffix}"
    with psycopg.connect(parsed._replace(path="/postgres").geturl(), autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{name}"')
    return parsed._replace(path=f"/{name}").geturl()


def migrated_copy(site: Site) -> None:
    """Give the site the test database's migrated, empty schema (cheaper than running every migration again)."""
    from django.db import connection

    connection.ensure_connection()
    if site.vendor == "sqlite" and connection.vendor != "sqlite":  # a PostgreSQL run of the suite
        govhall("migrate", "--no-input", "-v", "0", env=site.env)
        return
    if site.vendor == "sqlite":
        target = sqlite3.connect(site.var_dir / "govhall.sqlite3")
        connection.connection.backup(target)
        target.close()
        return
    env = {**os.environ, "PGPASSWORD": str(connection.settings_dict.get("PASSWORD") or "")}
    dump = site.var_dir / "schema.dump"
    test_db = urlparse(site.url)._replace(path=f"/{connection.settings_dict['NAME']}").geturl()
    subprocess.run(["pg_dump", "-Fc", "-d", test_db, "-f", str(dump)], env=env, check=True)
    subprocess.run(["pg_restore", "--no-owner", "-d", site.url, str(dump)], env=env, check=True)
    dump.unlink()


POSTGRES = pytest.param("postgres", marks=pytest.mark.postgres)


@pytest.fixture(params=["sqlite", POSTGRES])
def sites(
    request: pytest.FixtureRequest, tmp_path: Path, transactional_db: None
) -> Iterator[tuple[Site, Site]]:
    vendor = request.param
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    source = Site(tmp_path / "source", vendor, postgres_url(f"{worker}_src") if vendor == "postgres" else "")
    restored = Site(
        tmp_path / "restored", vendor, postgres_url(f"{worker}_dst") if vendor == "postgres" else ""
    )
    migrated_copy(source)  # the test database: migrated, nothing in it committed
    yield source, restored


@pytest.mark.timeout(600)  # subprocesses; well under a minute on an idle machine
def test_backup_while_writing_restores_every_row_up_to_the_backup(sites, tmp_path):
    source, restored = sites
    source.shell("from tests.core.backup_drill import load; load()")
    loaded = source.tables.read()
    assert len(loaded["cases_case"]) >= 3 and loaded["reviews_rating"] and loaded["cases_casefile"]

    # A second process keeps receiving cases while the backup runs.
    stop, log = tmp_path / "stop", tmp_path / "written.jsonl"
    writer = subprocess.Popen(
        [
            str(GOVHALL),
            "shell",
            "-c",
            f"from tests.core.backup_drill import write; write({str(stop)!r}, {str(log)!r})",
        ],
        cwd=REPO,
        env=source.env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        started = time.monotonic()
        while not log.exists() or len(log.read_text().splitlines()) < 2:
            assert writer.poll() is None, writer.communicate()
            assert time.monotonic() - started < 60, "writer did not start"
            time.sleep(0.05)
        tar = ["--tar"] if source.vendor == "postgres" else []
        made = govhall("backup", "--dest", str(tmp_path / "backups"), *tar, env=source.env)
        backups = sorted((tmp_path / "backups").iterdir())
        after_backup = len(log.read_text().splitlines())
        while len(log.read_text().splitlines()) < after_backup + 2:  # the writer goes on after the backup
            assert writer.poll() is None, writer.communicate()
            time.sleep(0.05)
    finally:
        stop.touch()
        _, err = writer.communicate(timeout=60)
    assert writer.returncode == 0, err
    assert "OK 备份完成" in made.stdout and len(backups) == 1
    backup = backups[0]

    # Restore into the fresh installation (no migrate first: the backup brings its schema).
    done = govhall("restore", str(backup), env=restored.env)
    assert "备份核验通过" in done.stdout and "OK 恢复完成" in done.stdout
    assert "可以启动" in done.stdout  # the schema matches: no migration pending
    assert "OK 审计日志完整" in govhall("audit", "verify", env=restored.env).stdout

    # Row for row: the restored database is the source as it was at one moment during the backup.
    now, back = source.tables.read(), restored.tables.read()
    assert set(back) == set(now)
    written = [json.loads(line)["case"] for line in log.read_text().splitlines()]
    for table, rows in back.items():
        if table in UPDATED_IN_PLACE:
            assert set(rows) <= set(now[table]), table
            continue
        missing = set(now[table]) - set(rows)
        for key, row in rows.items():
            assert now[table].get(key) == row, f"{table} row {key} differs from the source"
        # What the restored copy lacks came after everything it has: no commit from before the backup's
        # moment is missing while a later one is present.
        if missing and rows:
            assert min(missing) > max(rows), f"{table}: rows {sorted(missing)[:5]} missing before later rows"
        # Everything loaded before the writer started is there.
        assert set(loaded[table]) - set(now[table]) or set(loaded[table]) <= set(rows), table
    restored_cases = set(back["cases_case"])
    assert restored_cases >= set(loaded["cases_case"])
    assert set(written[:2]) <= restored_cases  # committed before the backup began
    assert not set(written[-2:]) & restored_cases  # committed after it ended
    manifest_head = json.loads(
        subprocess.run(["tar", "-xOf", str(backup), "manifest.json"], capture_output=True, check=True).stdout
        if backup.is_file()
        else (backup / "manifest.json").read_text()
    )["audit_head"]
    assert max(back["core_auditentry"]) > 0 and manifest_head["seq"] == len(back["core_auditentry"])

    # The uploaded scans came back as stored (ciphertext), and the restored system serves them decrypted.
    case_id = max(restored_cases)
    served = restored.shell(
        "from django.test import Client\n"
        "from govhall.accounts.models import User\n"
        "from govhall.cases.models import CaseFile\n"
        "c = Client()\n"
        "c.force_login(User.objects.get(username='drill_front'), "
        "backend='django.contrib.auth.backends.ModelBackend')\n"
        f"page = c.get('/cases/{case_id}/')\n"
        "f = CaseFile.objects.order_by('pk').first()\n"
        "scan = c.get(f'/cases/{f.case_id}/files/{f.pk}/')\n"
        "print(c.get('/healthz').status_code, page.status_code, scan.status_code, "
        "b''.join(scan.streaming_content)[:8] if scan.status_code == 200 else b'')\n"
    )
    status = served.strip().splitlines()[-1]
    assert status.split()[:3] == ["200", "200", "200"], served
    assert "PNG" in status
