"""Issue 12, parts 4 and 5: inputs the schema fuzz found turning into 500s are clear 4xx answers now, and an
unexpected error is a JSON 500 whose request id is also on its log line and in the X-Request-ID header."""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine

from govhall.accounts.models import Role
from govhall.accounts.tokens import token_create
from govhall.staffing.models import Attendance
from tests.factories import UserFactory, bureau_user

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")
HUGE = "9" * 20  # past a signed 64-bit integer


def bearer(user: Any) -> dict[str, str]:
    _, token = token_create(user=user, name="测试")
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


def assert_refused(response: Any, field: str) -> None:
    assert response.status_code == 422, response.content
    body = response.json()
    assert body["code"] == "validation_error" and field in body["fields"]


# --- pagination and parameters -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/reviews/ratings",
        "/api/v1/reviews/work-orders",
        "/api/v1/reviews/appeals",
        "/api/v1/reviews/flags",
    ],
)
def test_a_negative_offset_is_a_422_in_every_reviews_list(client, path):
    response = client.get(path, {"offset": -1}, **bearer(bureau_user()))
    assert_refused(response, "offset")


@pytest.mark.parametrize("path", ["/api/v1/cases/", "/api/v1/staffing/attendance", "/api/v1/reviews/ratings"])
def test_a_twenty_digit_offset_is_a_422(client, path):
    assert_refused(client.get(path, {"offset": HUGE}, **bearer(bureau_user())), "offset")


@pytest.mark.parametrize(
    "path", ["/api/v1/cases/supervision", "/api/v1/reviews/ratings", "/api/v1/staffing/attendance"]
)
def test_a_twenty_digit_centre_id_is_a_422(client, path):
    assert_refused(client.get(path, {"centre_id": HUGE}, **bearer(bureau_user())), "centre_id")


def test_a_twenty_digit_path_id_is_a_422(client):
    assert_refused(client.get(f"/api/v1/reviews/ratings/{HUGE}", **bearer(bureau_user())), "rating_id")


def test_a_limit_over_the_maximum_is_a_422_and_within_it_is_fine(client):
    headers = bearer(bureau_user())
    assert_refused(client.get("/api/v1/reviews/ratings", {"limit": 101}, **headers), "limit")
    assert client.get("/api/v1/reviews/ratings", {"limit": 100, "offset": 0}, **headers).status_code == 200


@pytest.mark.parametrize("year", [0, 1999, 2101])
def test_assessment_results_for_a_year_out_of_range_is_a_422(client, year):
    response = client.get("/api/v1/staffing/assessment/results", {"year": year}, **bearer(bureau_user()))
    assert_refused(response, "year")


def test_assessment_results_for_month_13_is_a_422(client):
    response = client.get(
        "/api/v1/staffing/assessment/results", {"year": 2026, "month": 13}, **bearer(bureau_user())
    )
    assert_refused(response, "month")


# --- attendance -------------------------------------------------------------------------------------------


def test_signing_out_before_the_days_sign_in_is_a_409_and_changes_nothing(client, hall):
    """The demo seed signs people in at 08:30 whatever the time; signing out at 07:45 used to be a
    CHECK-constraint 500."""
    clerk = hall.front_desk
    Attendance.objects.create(
        staff=clerk,
        centre=hall.town,
        date=dt.date(2026, 6, 10),
        sign_in_at=dt.datetime(2026, 6, 10, 8, 30, tzinfo=SHANGHAI),
        sign_in_ip="10.0.0.1",
    )
    headers = bearer(clerk)
    with time_machine.travel(dt.datetime(2026, 6, 10, 7, 45, tzinfo=SHANGHAI), tick=False):
        response = client.post("/api/v1/staffing/attendance/sign-out", **headers)
    assert response.status_code == 409, response.content
    body = response.json()
    assert body["code"] == "conflict" and "签退时间早于签到时间" in body["message"]
    assert Attendance.objects.get(staff=clerk).sign_out_at is None
    with time_machine.travel(dt.datetime(2026, 6, 10, 17, 30, tzinfo=SHANGHAI), tick=False):
        assert client.post("/api/v1/staffing/attendance/sign-out", **headers).status_code == 200
    assert Attendance.objects.get(staff=clerk).sign_out_at is not None


# --- a JSON 500 with its request id ----------------------------------------------------------------------


@pytest.fixture
def ping_raises(monkeypatch: pytest.MonkeyPatch) -> None:
    """A test-only route: the public ping operation, made to raise."""
    from govhall.api import api

    def boom(request: Any) -> None:
        raise RuntimeError("boom (test)")

    operations = [
        op
        for bound in api._get_bound_routers()
        for view in bound.path_operations.values()
        for op in view.operations
        if op.view_func.__name__ == "ping"
    ]
    assert operations
    for op in operations:
        monkeypatch.setattr(op, "view_func", boom)


def test_an_unexpected_error_is_a_json_500_with_the_request_id_of_its_log_line(client, ping_raises, caplog):
    with caplog.at_level(logging.ERROR, logger="govhall.api"):
        response = client.get("/api/v1/queueing/ping")
    assert response.status_code == 500
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert body["code"] == "server_error" and body["message"] == "系统繁忙，请稍后再试"
    assert body["fields"] == {}
    request_id = body["request_id"]
    assert request_id and response["X-Request-ID"] == request_id
    [record] = [r for r in caplog.records if r.name == "govhall.api"]
    assert record.request_id == request_id
    assert record.exc_info and "boom (test)" in str(record.exc_info[1])


def test_a_sane_incoming_request_id_is_kept_on_the_500_and_its_log_line(client, ping_raises, caplog):
    with caplog.at_level(logging.ERROR, logger="govhall.api"):
        response = client.get("/api/v1/queueing/ping", HTTP_X_REQUEST_ID="nginx-7f3a9c01")
    assert response.json()["request_id"] == "nginx-7f3a9c01" == response["X-Request-ID"]
    assert [r.request_id for r in caplog.records if r.name == "govhall.api"] == ["nginx-7f3a9c01"]


@pytest.mark.parametrize(
    "incoming", ["short", "has spaces in it", "x" * 65, "id\r\nInjected: 1", "<script>x"]
)
def test_an_insane_incoming_request_id_is_replaced(client, incoming):
    response = client.get("/api/v1/queueing/ping", HTTP_X_REQUEST_ID=incoming)
    assert response.status_code == 200
    assert response["X-Request-ID"] != incoming
    assert len(response["X-Request-ID"]) == 32


def test_every_response_carries_a_request_id(client):
    first = client.get("/api/v1/queueing/ping")["X-Request-ID"]
    second = client.get("/login/")["X-Request-ID"]
    assert first and second and first != second


def test_log_records_outside_a_request_carry_a_dash(caplog):
    with caplog.at_level(logging.INFO, logger="govhall.test"):
        logging.getLogger("govhall.test").info("hello")
    assert caplog.records[-1].request_id == "-"


def test_the_console_format_shows_the_request_id():
    from django.conf import settings

    assert "%(request_id)s" in settings.LOGGING["formatters"]["plain"]["format"]


def test_wrong_role_still_a_json_403_not_a_500(client):
    response = client.get("/api/v1/exchange/notifications", **bearer(UserFactory(roles=[Role.FRONT_DESK])))
    assert response.status_code == 403 and response.json()["code"] == "forbidden"


# --- PostgreSQL: NUL characters and far time-zone offsets -------------------------------------------------


def test_a_nul_character_in_a_query_is_a_400_not_a_database_error(client):
    response = client.get("/api/v1/orgs/centres", {"q": "吕四\x00港"}, **bearer(bureau_user()))
    assert response.status_code == 400, response.content
    assert response.json()["code"] == "invalid" and "NUL" in response.json()["message"]


def test_a_nul_character_in_a_json_body_is_a_400(client):
    response = client.post(
        "/api/v1/reviews/public/lookup",
        {"number": "QD\x00", "password": "x"},
        content_type="application/json",
    )
    assert response.status_code == 400, response.content


def test_a_moment_with_an_offset_postgresql_refuses_is_taken_in_local_time(client, hall):
    headers = bearer(hall.director)
    response = client.get("/api/v1/staffing/roster", {"at": "2026-06-10T10:08:42-17:03"}, **headers)
    assert response.status_code == 200, response.content
    assert response.json()["at"].endswith("+08:00")


def test_a_moment_outside_2000_to_2100_is_a_422(client, hall):
    response = client.get("/api/v1/staffing/roster", {"at": "0155-12-26T10:08:42"}, **bearer(hall.director))
    assert_refused(response, "at")
