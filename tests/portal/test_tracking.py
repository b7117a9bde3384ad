"""NET-1: tracking without an account by case number + query password (from the notices, or the QR code's
link), rate-limited against guessing; the kiosk's look-up by number + password or by ID number (masked)."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from govhall.cases import services as cases
from govhall.cases.models import Case

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("spring_clock")]

ID_ZHANG = "110101199003071233"


@pytest.fixture
def case(world: Any) -> Case:
    m = world.dibao.current_version.materials.all()
    return cases.case_receive(
        actor=world.front_desk, matter_id=world.dibao.pk, window_id=world.windows["minsheng"].pk,
        applicant={"kind": "person", "name": "张三", "id_type": "id_card", "id_number": ID_ZHANG,
                   "phone": "13800138000"},
        materials=[{"material_id": x.pk, "status": "received"} for x in m])


def test_tracking_by_number_and_password_shows_the_public_timeline(client: Client, case: Case, world: Any) -> None:
    cases.case_accept(case=case, actor=world.front_desk)
    response = client.post("/portal/track/", {"number": case.number, "password": case.query_password.lower()})
    html = response.content.decode()
    assert response.status_code == 200
    assert case.number in html and "最低生活保障申请" in html and "张*" in html and "张三" not in html
    assert "收件" in html and "受理" in html and "办理中" in html


def test_the_notice_qr_link_fills_in_the_number(client: Client, case: Case) -> None:
    html = client.get("/portal/track/", {"no": case.number}).content.decode()
    assert f'value="{case.number}"' in html


def test_a_wrong_password_and_a_guessed_number_look_the_same(client: Client, case: Case) -> None:
    wrong = client.post("/portal/track/", {"number": case.number, "password": "WRONG1"}).content.decode()
    guessed = client.post("/portal/track/", {"number": case.number[:-1] + "9", "password": "WRONG1"}).content.decode()
    assert "办件编号或查询密码不正确" in wrong and "办件编号或查询密码不正确" in guessed
    assert "最低生活保障申请" not in wrong and "最低生活保障申请" not in guessed


def test_guessing_from_one_address_is_stopped_across_numbers(client: Client, case: Case, settings: Any) -> None:
    """A per-address limit stops guessing many numbers; the right password is then refused too (429)."""
    settings.PORTAL_TRACK_FAILURES_PER_IP = 3
    for n in range(3):
        client.post("/portal/track/", {"number": f"GUESS{n}", "password": "AAAAAA"})
    response = client.post("/portal/track/", {"number": case.number, "password": case.query_password})
    assert response.status_code == 429 and "查询失败次数过多" in response.content.decode()
    other_address = Client(REMOTE_ADDR="10.9.9.9")
    assert other_address.post("/portal/track/", {"number": case.number,
                                                 "password": case.query_password}).status_code == 200


def test_guessing_one_number_is_stopped_by_the_case_service(client: Client, case: Case, settings: Any) -> None:
    settings.PORTAL_TRACK_FAILURES_PER_IP = 1000
    for n in range(10):
        Client(REMOTE_ADDR=f"10.0.0.{n + 1}").post("/portal/track/", {"number": case.number, "password": "AAAAAA"})
    response = client.post("/portal/track/", {"number": case.number, "password": case.query_password})
    assert response.status_code == 429


def test_tracking_shows_an_online_correction_upload(signed_in_applicant: Any) -> None:
    _client, case = signed_in_applicant
    html = Client().post("/portal/track/", {"number": case.number, "password": case.query_password}).content.decode()
    assert "网上提交补正材料" in html


@pytest.fixture
def signed_in_applicant(client: Client, world: Any, make_citizen: Any) -> Any:
    """A citizen's online case with a 补正 uploaded (through the pages)."""
    import re

    from tests.portal.conftest import citizen_client
    from tests.portal.test_online_application import apply, photo, upload

    citizen_client(client, make_citizen(mobile="13962800011"))
    apply(client, world)
    case = Case.objects.get()
    wrong = case.materials.get(name="居民户口簿")
    cases.case_request_correction(case=case, actor=world.front_desk, items=[
        {"id": wrong.pk, "problem": "wrong", "reason": "照片不清晰"}])
    html = client.get(f"/portal/my/cases/{case.number}/").content.decode()
    token = re.findall(r'name="token" value="([^"]+)"', html)[0]
    client.post(f"/portal/my/cases/{case.number}/supplement/", {
        "token": token, f"material_{wrong.pk}": upload("a.jpg", photo(800, 600), "image/jpeg")})
    return client, case


# --- kiosk look-up ---------------------------------------------------------------------------------------------


def test_kiosk_looks_up_a_case_by_number_and_password(client: Client, case: Case, world: Any) -> None:
    html = client.post(f"/portal/kiosk/{world.town.pk}/track/", {
        "mode": "number", "number": case.number, "password": case.query_password}).content.decode()
    assert case.number in html and "收件" in html and "返回首页" in html


def test_kiosk_looks_up_cases_by_id_number_showing_them_masked(client: Client, case: Case, world: Any) -> None:
    html = client.post(f"/portal/kiosk/{world.town.pk}/track/", {"mode": "id", "id_number": ID_ZHANG}).content.decode()
    assert "最低生活保障申请" in html and "张*" in html and "张三" not in html
    assert case.number not in html  # the number (half the key to the details) is not shown without a password


def test_kiosk_id_look_up_is_rate_limited(client: Client, case: Case, world: Any, settings: Any) -> None:
    settings.PORTAL_TRACK_FAILURES_PER_IP = 2
    url = f"/portal/kiosk/{world.town.pk}/track/"
    for _ in range(2):
        client.post(url, {"mode": "id", "id_number": ID_ZHANG})
    response = client.post(url, {"mode": "id", "id_number": ID_ZHANG})
    assert response.status_code == 429 and "查询次数过多" in response.content.decode()


def test_kiosk_id_look_up_with_a_bad_number_is_a_clear_error(client: Client, world: Any) -> None:
    response = client.post(f"/portal/kiosk/{world.town.pk}/track/", {"mode": "id", "id_number": "123"})
    assert response.status_code == 400 and "身份证" in response.content.decode()
