"""The cluster shape's settings: a PostgreSQL connection pool per process, gzip for HTML (NET-1: guide pages
over a village's mobile link; SITE-5)."""

import gzip

import pytest

from govhall.settings import parse_database_url


def test_postgresql_gets_a_connection_pool_per_process_sized_by_the_environment(monkeypatch):
    monkeypatch.setenv("GOVHALL_DB_POOL_SIZE", "6")
    config = parse_database_url("postgres://govhall@db.example/govhall")
    assert config["CONN_MAX_AGE"] == 0  # Django refuses persistent connections beside a pool
    assert config["OPTIONS"]["pool"]["max_size"] == 6
    assert config["OPTIONS"]["pool"]["min_size"] <= 6


def test_the_pool_defaults_to_eight_and_can_be_turned_off(monkeypatch):
    monkeypatch.delenv("GOVHALL_DB_POOL_SIZE", raising=False)
    assert parse_database_url("postgres://govhall@db/govhall")["OPTIONS"]["pool"]["max_size"] == 8
    monkeypatch.setenv("GOVHALL_DB_POOL_SIZE", "0")
    assert "pool" not in parse_database_url("postgres://govhall@db/govhall").get("OPTIONS", {})


def test_postgresql_prepares_repeated_statements_unless_a_transaction_pooler_forbids_it(monkeypatch):
    monkeypatch.delenv("GOVHALL_DB_PREPARED", raising=False)
    monkeypatch.delenv("GOVHALL_DB_PREPARE_THRESHOLD", raising=False)
    options = parse_database_url("postgres://govhall@db/govhall")["OPTIONS"]
    assert options["server_side_binding"] is True
    assert options["prepare_threshold"] == 5
    monkeypatch.setenv("GOVHALL_DB_PREPARED", "0")  # behind PgBouncer in transaction mode
    options = parse_database_url("postgres://govhall@db/govhall")["OPTIONS"]
    assert "server_side_binding" not in options and "prepare_threshold" not in options
    assert options["pool"]["max_size"] == 8


@pytest.mark.postgres
@pytest.mark.django_db
def test_a_case_read_run_again_on_postgresql_is_prepared_and_no_longer_planned():
    """Issue 15, round 7: a case action's select_related reads cost PostgreSQL several ms of planning
    each; prepared on the connection after a few runs, they are planned no more."""
    from django.db import connection

    from govhall.cases.models import Case

    query = Case.objects.select_related("centre__division", "matter_version", "current_step__post")
    for pk in range(1, 16):  # psycopg prepares at the 6th run; PostgreSQL plans the first 5 runs of that
        list(query.filter(pk=pk))
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement, generic_plans FROM pg_prepared_statements WHERE NOT from_sql")
        [(sql, generic)] = [row for row in cursor.fetchall() if '"orgs_division"' in row[0]]
    assert 'FROM "cases_case"' in sql
    assert generic >= 1  # run on the generic plan: not planned again


def test_sqlite_has_no_pool():
    assert "pool" not in parse_database_url("sqlite:////tmp/x.sqlite3")["OPTIONS"]


@pytest.mark.django_db
def test_html_pages_are_sent_gzip_compressed_to_browsers_that_accept_it(client):
    response = client.get("/portal/", HTTP_ACCEPT_ENCODING="gzip, deflate")
    assert response.status_code == 200
    assert response["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in response["Vary"]
    assert "<html" in gzip.decompress(response.content).decode()


@pytest.mark.django_db
def test_html_is_plain_for_clients_that_do_not_accept_gzip(client):
    response = client.get("/portal/")
    assert not response.has_header("Content-Encoding") and b"<html" in response.content


@pytest.mark.django_db
def test_json_is_not_compressed(client):
    response = client.get("/api/v1/queueing/ping", HTTP_ACCEPT_ENCODING="gzip")
    assert response.status_code == 200 and not response.has_header("Content-Encoding")
    assert response.json()
