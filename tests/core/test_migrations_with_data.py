"""Upgrades (issue 20 part A): the migrations after each app's first one run on a database holding data.

A throw-away SQLite installation gets the demo set (cases in several states, tickets, ratings, audit rows);
then every app is migrated back to its first migration (Django unapplies what depends on it), which leaves
the data of the first migrations' tables in place, and `govhall migrate` brings it forward again, as an
upgrade from the first release would. The rows are still there, the audit chain verifies, `migrate --check`
is satisfied. Before it, `migrate --check` on a database that is behind says so in Chinese and exits 1."""

from __future__ import annotations

import json

from tests.core.test_backup_restore import Site, govhall

ROLLBACK = """
import json
from django.core.management import call_command
from django.db import connection
from django.db.migrations.loader import MigrationLoader

loader = MigrationLoader(connection)
firsts = {}
for app, name in sorted(loader.disk_migrations):
    if loader.disk_migrations[(app, name)].__module__.startswith("govhall.") and name[:4] == "0001":
        firsts.setdefault(app, name)
for app in ("portal", "reports", "reviews", "onething", "cases", "staffing", "queueing", "exchange",
            "standards", "catalog", "orgs", "accounts", "core"):
    if app in firsts:
        call_command("migrate", app, firsts[app], verbosity=0)
print(json.dumps(firsts))
"""

COUNT = (
    "import json\n"
    "from django.db import connection\n"
    "c = connection.cursor()\n"
    "print(json.dumps({t: c.execute(f'SELECT COUNT(*) FROM {t}').fetchone()[0] for t in %r}))\n"
)
TABLES = [
    "cases_case",
    "core_auditentry",
    "accounts_user",
    "reviews_rating",
    "queueing_ticket",
    "orgs_centre",
]


def test_migrations_from_the_first_run_forward_on_a_database_with_data(tmp_path):
    site = Site(tmp_path / "site", "sqlite")
    govhall("migrate", "--no-input", "-v", "0", env=site.env)
    site.shell("from django.core.management import call_command; call_command('loaddemo', verbosity=0)")
    before = json.loads(site.shell(COUNT % TABLES))
    assert all(before.values()), before

    firsts = json.loads(site.shell(ROLLBACK).strip().splitlines()[-1])
    assert {"cases", "core", "orgs", "catalog", "portal"} <= set(firsts)
    behind = govhall("migrate", "--check", env=site.env, ok=False)
    assert behind.returncode == 1
    assert "尚未执行" in behind.stdout and "govhall migrate" in behind.stdout

    govhall("migrate", "--no-input", "-v", "0", env=site.env)
    assert json.loads(site.shell(COUNT % TABLES)) == before
    assert "OK 审计日志完整" in govhall("audit", "verify", env=site.env).stdout
    assert govhall("migrate", "--check", env=site.env).returncode == 0
