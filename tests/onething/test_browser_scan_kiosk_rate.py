"""新生儿出生一件事 with a scan, the kiosk and one rating, in Chromium (MODE-1, SCOPE-4, STD-3, NET-1): a parent
applies on the phone (375×812) and uploads the scan of one material once; the clerk at the hall (1920×1080)
sees it on the member's case; after both members are finished the parent tracks the thing at the hall kiosk
(1080×1920) by its parent number and rates the whole thing once on the phone. Screenshots are left under
shots_dir("onething")."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from govhall.cases.models import CaseFile, ResultKind
from govhall.cases.services import case_finish
from govhall.onething import handling, selectors
from govhall.onething.models import ThingCase, ThingCaseStatus
from govhall.reviews.models import Rating
from tests.browser_layout import shots_dir
from tests.onething.test_browser_apply import HALL, PHONE, _session, newborn  # noqa: F401 (the fixture)
from tests.onething.test_scans_and_follow_on import png
from tests.portal.conftest import citizen_client, make_citizen  # noqa: F401 (the fixture, shared)
from tests.portal.test_phone_layout import overflowing

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
KIOSK = {"viewport": {"width": 1080, "height": 1920}}


def test_scan_on_the_phone_parent_number_at_the_kiosk_and_one_rating_of_the_whole(
    live_server: Any,
    open_page: Any,
    make_citizen: Any,  # noqa: F811
    newborn: Any,  # noqa: F811
    tmp_path: Any,
) -> None:
    shots = shots_dir("onething")
    citizen = make_citizen(mobile="13962805678", real_name="陈小燕")
    portal = Client()
    citizen_client(portal, citizen)
    phone = _session(open_page, live_server, portal, **PHONE)

    # The phone: answers, address, centre, and one scan for the material the most members ask for.
    version = ThingCase._meta.get_field("thing").related_model.objects.get(code="YJS-0001").current_version
    asked = selectors.guide(version, {"medical_insurance": True, "birth_registration": False}).materials.asked
    shared = max(asked, key=lambda m: len(m.members))
    scan = tmp_path / "出生医学证明.png"
    scan.write_bytes(png())
    phone.goto(f"{live_server.url}/portal/one-thing/YJS-0001/apply/?medical_insurance=1&birth_registration=0")
    phone.get_by_label("联系地址（选填）").fill("启东市吕四港镇鹤城路8号")
    phone.get_by_label("服务中心", exact=True).select_option(label=newborn.town.name)
    phone.locator(f"input[name={shared.upload_field}]").set_input_files(str(scan))
    assert overflowing(phone) == []
    phone.screenshot(path=str(shots / "apply-scan-375.png"), full_page=True)
    phone.get_by_role("button", name="提交申请").click()
    phone.get_by_text("申请已提交，一件事办件编号").wait_for()
    parent = ThingCase.objects.get()
    birth = parent.members.get(order=1).case
    assert CaseFile.objects.filter(case=birth).count() == 1

    # The hall: the clerk sees the scan on the member's case, accepts the thing and finishes both members.
    staff = Client()
    staff.force_login(newborn.front_desk, backend="django.contrib.auth.backends.ModelBackend")
    hall = _session(open_page, live_server, staff, **HALL)
    hall.goto(f"{live_server.url}/cases/{birth.pk}/")
    hall.get_by_text("出生医学证明.jpg").first.wait_for()
    hall.screenshot(path=str(shots / "member-case-scan-1920.png"), full_page=True)
    parent = handling.thing_case_accept(
        parent=parent, actor=newborn.front_desk, materials={m.key: "received" for m in asked}
    )
    case_finish(case=birth, actor=newborn.front_desk, result=ResultKind.APPROVED, certificate_no="HK-0002")
    case_finish(case=parent.members.get(order=2).case, actor=newborn.front_desk, result=ResultKind.APPROVED)
    parent.refresh_from_db()
    assert parent.status == ThingCaseStatus.FINISHED

    # The kiosk: the parent number and password show the parent with each member.
    kiosk = open_page(**KIOSK)
    kiosk.goto(f"{live_server.url}/portal/kiosk/{newborn.town.division.code}/track/")
    kiosk.get_by_label("办件编号（一件事办件编号亦可）").fill(parent.number)
    kiosk.get_by_label("查询密码").fill(parent.query_password)
    kiosk.get_by_role("button", name="查询").first.click()
    kiosk.get_by_role("heading", name="新生儿出生一件事").wait_for()
    text = kiosk.locator("main").inner_text()
    assert (
        "出生登记" in text and "城乡居民基本医疗保险参保登记" in text and "扫描办结通知书上的二维码" in text
    )
    assert overflowing(kiosk) == []
    kiosk.screenshot(path=str(shots / "kiosk-thing-1080.png"), full_page=True)

    # The phone: 我的办件 → the thing → 评价整件事, once.
    phone.goto(f"{live_server.url}/portal/my/cases/")
    assert parent.number in phone.locator("main").inner_text()
    assert overflowing(phone) == []
    phone.screenshot(path=str(shots / "my-cases-375.png"), full_page=True)
    phone.get_by_role("link", name="新生儿出生一件事").click()
    phone.get_by_role("link", name="评价「出生登记」").wait_for()
    assert overflowing(phone) == []
    phone.screenshot(path=str(shots / "my-thing-375.png"), full_page=True)
    phone.get_by_role("link", name="评价整件事").click()
    phone.get_by_role("group", name="总体评价").get_by_text("非常满意", exact=True).click()
    phone.get_by_role("button", name="提交评价").click()
    phone.get_by_text("您已评价").wait_for()
    assert overflowing(phone) == []
    phone.screenshot(path=str(shots / "rate-thing-375.png"), full_page=True)
    rating = Rating.objects.get()
    assert rating.thing_case == parent and rating.case is None and rating.level == 1
