"""一件事 on the portal and the hall kiosk (MODE-1, SCOPE-4, NET-1): the online form takes scans of the one
set of materials (one upload serves every member asking for it, the same checks and Chinese errors as a
case's upload) and the clerk sees them on each member's case; the kiosk's 办件查询 and the citizen's 我的办件
take the parent number and show the parent with its members; the finished thing is rated once as a whole.

Built on the sample 新生儿出生一件事 (YJS-0001): 出生登记 → 医保参保 (both 即办), 生育登记 when asked."""

from __future__ import annotations

import io
from typing import Any

import pytest
import time_machine
from django.test import Client

from govhall.cases.models import CaseFile, ResultKind
from govhall.cases.services import case_finish
from govhall.onething import handling, selectors
from govhall.onething.models import ThingCase, ThingCaseStatus
from tests.cases.conftest import local
from tests.conftest import login
from tests.onething.test_scans_and_follow_on import png
from tests.portal.conftest import citizen_client, make_citizen  # noqa: F401 (the fixture, shared)

pytestmark = pytest.mark.django_db

ANSWERS = {"medical_insurance": "1", "birth_registration": "0"}


@pytest.fixture(autouse=True)
def _fixed_clock() -> Any:
    with time_machine.travel(local(2026, 6, 9, 9, 0), tick=True) as traveller:
        yield traveller


def _asked(samples: Any) -> list[Any]:
    version = samples["YJS-0001"].current_version
    return selectors.guide(version, {"medical_insurance": True, "birth_registration": False}).materials.asked


def _upload(name: str, data: bytes) -> Any:
    f = io.BytesIO(data)
    f.name = name
    return f


def _apply(client: Client, hall: Any, files: dict[str, Any]) -> Any:
    return client.post(
        "/portal/one-thing/YJS-0001/apply/",
        {**ANSWERS, "address": "启东市吕四港镇鹤城路8号", "centre_id": hall.town.pk, **files},
        HTTP_USER_AGENT="Mozilla/5.0 (iPhone; Mobile)",
    )


def test_online_form_takes_one_scan_per_material_and_the_clerk_sees_it_on_each_member(
    samples: Any,
    catalogue: Any,
    make_citizen: Any,  # noqa: F811
) -> None:
    # NET-1, MODE-1: the form lists the one set with a file input each; a bad file is a Chinese error and
    # nothing is written; a good scan lands, encrypted, on every member's case that asks for it.
    hall = catalogue
    portal = Client()
    citizen_client(portal, make_citizen(real_name="陈小燕"))
    asked = _asked(samples)
    form = portal.get("/portal/one-thing/YJS-0001/apply/?" + "&".join(f"{k}={v}" for k, v in ANSWERS.items()))
    body = form.content.decode()
    assert form.status_code == 200 and 'enctype="multipart/form-data"' in body
    assert body.count('type="file"') == len(asked) and "每份材料只需上传一次" in body
    shared = max(asked, key=lambda m: len(m.members))  # the material asked by the most members

    zipped = _apply(portal, hall, {shared.upload_field: _upload("户口簿.zip", b"PK\x03\x04" + b"\0" * 200)})
    assert zipped.status_code == 400
    assert f"「{shared.name}」不接受压缩包" in zipped.content.decode()
    too_many = _apply(portal, hall, {shared.upload_field: [_upload(f"p{i}.png", png()) for i in range(6)]})
    assert too_many.status_code == 400 and "最多上传5个文件" in too_many.content.decode()
    assert not ThingCase.objects.exists() and not CaseFile.objects.exists()

    done = _apply(portal, hall, {shared.upload_field: _upload("扫描件.png", png())})
    assert done.status_code == 302, done.content.decode()[-2000:]
    parent = ThingCase.objects.get()
    started = [r for r in parent.members.select_related("case") if r.case is not None]
    assert [r.name for r in started] == ["出生登记"] and "出生登记" in shared.members
    birth = started[0].case
    stored = CaseFile.objects.get(case=birth)
    assert stored.original_name == "扫描件.jpg" and stored.material is not None  # photos are shrunk to JPG
    assert stored.material.status == "received" and stored.material.form == "electronic"
    assert parent.materials[shared.key] == "received"
    # The clerk opens the member's case: the scan is listed with its material.
    staff = Client()
    login(staff, hall.front_desk)
    page = staff.get(f"/cases/{birth.pk}/").content.decode()
    assert "扫描件.jpg" in page


def test_parent_number_at_the_kiosk_and_in_my_cases_then_one_rating_of_the_whole(
    samples: Any,
    catalogue: Any,
    make_citizen: Any,  # noqa: F811
) -> None:
    # MODE-1, NET-1: the kiosk (by number + password, or by ID) and 我的办件 (list, search, link by the
    # parent number) show the parent with its members; once all are finished, one rating of the whole thing
    # and a rating link per member.
    hall = catalogue
    citizen = make_citizen(real_name="陈小燕")
    portal = Client()
    citizen_client(portal, citizen)
    assert _apply(portal, hall, {}).status_code == 302
    parent = ThingCase.objects.get()

    kiosk = Client()
    url = f"/portal/kiosk/{hall.town.division.code}/track/"
    page = kiosk.post(url, {"mode": "number", "number": parent.number, "password": parent.query_password})
    body = page.content.decode()
    assert page.status_code == 200 and "新生儿出生一件事" in body and parent.number in body
    assert "出生登记" in body and "待前置事项办结" in body and "查询其他办件" not in body
    wrong = kiosk.post(url, {"mode": "number", "number": parent.number, "password": "ZZZZZZ"})
    assert "办件编号或查询密码不正确" in wrong.content.decode()  # as for a case's number (the kiosk's way)
    assert "出生登记" not in wrong.content.decode()
    by_id = kiosk.post(url, {"mode": "id", "id_number": citizen.id_number}).content.decode()
    assert f"一件事：新生儿出生一件事（{parent.number}）" in by_id

    mine = portal.get("/portal/my/cases/").content.decode()
    assert "一件事一次办" in mine and parent.number in mine and "出生登记" in mine
    found = portal.get("/portal/my/cases/", {"q": parent.number}).content.decode()
    assert parent.number in found and "城乡居民基本医疗保险参保登记" in found
    none = portal.get("/portal/my/cases/", {"q": "NO-SUCH"}).content.decode()
    assert "没有编号为「NO-SUCH」的办件" in none and parent.number not in none
    detail = portal.get(f"/portal/my/cases/{parent.number}/")
    assert detail.status_code == 200 and "一件事办件编号" in detail.content.decode()

    # Another account links the parent by its number and password (a wrong password is refused).
    other = Client()
    citizen_client(other, make_citizen(verified=False))
    bad = other.post(
        "/portal/my/cases/link/", {"action": "password", "pw-number": parent.number, "pw-password": "ZZZZZZ"}
    )
    assert bad.status_code == 400 and "办件编号或查询密码不正确" in bad.content.decode()
    assert parent.number not in other.get("/portal/my/cases/").content.decode()
    linked = other.post(
        "/portal/my/cases/link/",
        {"action": "password", "pw-number": parent.number, "pw-password": parent.query_password},
    )
    assert linked.status_code == 302 and linked["Location"].endswith(f"/portal/my/cases/{parent.number}/")
    assert "出生登记" in other.get("/portal/my/cases/").content.decode()

    # The clerk accepts and finishes both members (即办); the thing is rated once, each member on its own.
    asked = _asked(samples)
    parent = handling.thing_case_accept(
        parent=parent, actor=hall.front_desk, materials={m.key: "received" for m in asked}
    )
    birth = parent.members.get(order=1).case
    case_finish(case=birth, actor=hall.front_desk, result=ResultKind.APPROVED, certificate_no="HK-1")
    case_finish(case=parent.members.get(order=2).case, actor=hall.front_desk, result=ResultKind.APPROVED)
    parent.refresh_from_db()
    assert parent.status == ThingCaseStatus.FINISHED
    page = portal.get(f"/portal/my/cases/{parent.number}/").content.decode()
    assert "评价整件事" in page and "/reviews/rate/y/" in page and "评价「出生登记」" in page
    kiosk_page = kiosk.post(
        url, {"mode": "number", "number": parent.number, "password": parent.query_password}
    ).content.decode()
    assert "/reviews/rate/" not in kiosk_page and "扫描办结通知书上的二维码" in kiosk_page
