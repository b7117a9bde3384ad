"""Upgrades (issue 20 part A): the migrations after each app's first one run on a database holding data.

A throw-away SQLite installation gets the demo set (cases in several states, tickets, ratings, audit rows);
then every app is migrated back to its first migration (Django unapplies what depends on it), which leaves
the data of the first migrations' tables in place, and `govhall migrate` brings it forward again, as an
upgrade from the first release would. The rows are still there, the audit chain verifies, `migrate --check`
is satisfied. Before it, `migrate --check` on a database that is behind says so in Chinese and exits 1."""

from __future__ import annotations

import json

import pytest

from tests.core.test_backup_restore import Site, govhall, migrated_copy

ROLLBACK = """
import json
from django.db.migrations.executor import MigrationExecutor
from django.db import connection
from django.db.migrations.loader import MigrationLoader

loader = MigrationLoader(connection)
firsts = {}
for app, name in sorted(loader.disk_migrations):
    if loader.disk_migrations[(app, name)].__module__.startswith("govhall.") and name[:4] == "0001":
        firsts.setdefault(app, name)
# One plan for all apps (Django unapplies whatever depends on a later migration of theirs).
executor = MigrationExecutor(connection)
executor.migrate(list(firsts.items()))
print(json.dumps(firsts))
"""

COUNT = (
    "import json\n"
    "from django.db import connection\n"
    "c = connection.cursor()\n"
    "print(json.dumps({t: c.execute(f'SELECT COUNT(*) FROM {t}').fetchone()[0] for t in %r}))\n"
)


def last_json(output: str) -> dict:
    return json.loads(output.strip().splitlines()[-1])


TABLES = [
    "cases_case",
    "core_auditentry",
    "accounts_user",
    "reviews_rating",
    "queueing_ticket",
    "orgs_centre",
]


@pytest.mark.timeout(600)  # subprocesses; ~40 s on an idle machine
@pytest.mark.django_db(transaction=True)
def test_migrations_from_the_first_run_forward_on_a_database_with_data(tmp_path):
    site = Site(tmp_path / "site", "sqlite")
    migrated_copy(site)  # the test database's schema: every migration applied
    site.shell("from tests.core.backup_drill import load; load()")  # the demo set and a few scans
    before = last_json(site.shell(COUNT % TABLES))
    assert all(before.values()), before

    firsts = last_json(site.shell(ROLLBACK))
    assert {"cases", "core", "orgs", "catalog", "portal"} <= set(firsts)
    behind = govhall("migrate", "--check", env=site.env, ok=False)
    assert behind.returncode == 1
    assert "尚未执行" in behind.stdout and "govhall migrate" in behind.stdout

    govhall("migrate", "--no-input", "-v", "0", env=site.env)
    assert last_json(site.shell(COUNT % TABLES)) == before
    assert "OK 审计日志完整" in govhall("audit", "verify", env=site.env).stdout
    assert govhall("migrate", "--check", env=site.env).returncode == 0
