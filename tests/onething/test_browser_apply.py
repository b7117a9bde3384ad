"""新生儿出生一件事 end to end in Chromium (MODE-1, SCOPE-1, SCOPE-4, NET-1): a parent applies on the phone
(375×812) — the questions first, one applicant, one centre — and gets one number and password; a clerk at the
hall (1920×1080) verifies the one set of materials and accepts the whole thing, finishes the members (both
即办), and hands the results out once with one 办结通知书; the parent tracks it on the phone and sees each
member's result. Screenshots and the notice (PDF → PNG) are left under shots_dir("onething")."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from govhall.cases.models import ResultKind
from govhall.cases.services import case_finish
from govhall.onething.models import ThingCase, ThingCaseStatus
from tests.browser_layout import pdf_to_png, shots_dir
from tests.portal.conftest import make_citizen  # noqa: F401 (the fixture, shared)
from tests.portal.test_browser import axe_violations
from tests.portal.test_phone_layout import overflowing

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PHONE = {"viewport": {"width": 375, "height": 812}, "is_mobile": True, "has_touch": True}
HALL = {"viewport": {"width": 1920, "height": 1080}}


@pytest.fixture
def newborn(db: Any) -> Any:
    from govhall.catalog import seed as catalog_seed
    from govhall.onething import seed
    from govhall.orgs.models import Department
    from govhall.orgs.seed import DEPARTMENTS
    from tests.personas import make_hall

    for code, name, short in DEPARTMENTS:
        Department.objects.update_or_create(code=code, defaults={"name": name, "short_name": short})
    hall = make_hall()
    catalog_seed.load_builtin()
    seed.load_builtin()
    return hall


def _session(page_maker: Any, live_server: Any, client: Client, **device: Any) -> Any:
    page = page_maker(**device, bypass_csp=True)
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )
    return page


def test_newborn_applied_on_the_phone_accepted_finished_and_delivered_at_the_hall(
    live_server: Any,
    open_page: Any,
    make_citizen: Any,  # noqa: F811
    newborn: Any,
) -> None:
    shots = shots_dir("onething")
    citizen = make_citizen(mobile="13962801234", real_name="陈小燕")
    portal = Client()
    from tests.portal.conftest import citizen_client

    citizen_client(portal, citizen)
    phone = _session(open_page, live_server, portal, **PHONE)

    # The parent on the phone: guide → 网上申请 → the questions first, one applicant, one centre.
    phone.goto(f"{live_server.url}/one-thing/YJS-0001/")
    phone.get_by_role("link", name="网上申请").click()
    phone.get_by_role("group", name="是否为新生儿办理城乡居民医保参保").get_by_label("是").check()
    phone.get_by_role("group", name="是否需要补办生育登记").get_by_label("否").check()
    phone.get_by_label("联系地址（选填）").fill("启东市吕四港镇鹤城路8号")
    phone.get_by_label("服务中心", exact=True).select_option(label=newborn.town.name)
    assert overflowing(phone) == []
    phone.screenshot(path=str(shots / "apply-375.png"), full_page=True)
    phone.get_by_role("button", name="提交申请").click()
    phone.get_by_text("申请已提交，一件事办件编号").wait_for()
    parent = ThingCase.objects.get()
    assert parent.channel in ("online", "mobile") and parent.status == ThingCaseStatus.RECEIVED
    assert parent.members.exclude(case=None).count() == 1  # 医保参保 waits for 出生登记

    # The clerk at the hall: the supervision list, the parent, the one checklist, 受理全部事项.
    staff = Client()
    staff.force_login(newborn.front_desk, backend="django.contrib.auth.backends.ModelBackend")
    hall = _session(open_page, live_server, staff, **HALL)
    hall.goto(f"{live_server.url}/one-thing/cases/")
    hall.get_by_role("link", name=parent.number).click()
    for box in hall.locator("input[name=received]").all():
        box.check()
    hall.screenshot(path=str(shots / "accept-1920.png"), full_page=True)
    hall.get_by_role("button", name="受理全部事项").click()
    hall.get_by_text("已受理，各成员事项已分送各部门后台办理").wait_for()
    parent.refresh_from_db()
    assert parent.status == ThingCaseStatus.PROCESSING

    # Both members are 即办: the clerk who accepted finishes them; the second starts when the first is done.
    birth = parent.members.get(order=1).case
    case_finish(case=birth, actor=newborn.front_desk, result=ResultKind.APPROVED, certificate_no="HK-0001")
    insurance = parent.members.get(order=2).case
    assert insurance is not None and insurance.materials.get(name="居民户口簿").form == "shared"
    case_finish(case=insurance, actor=newborn.front_desk, result=ResultKind.APPROVED)
    parent.refresh_from_db()
    assert parent.status == ThingCaseStatus.FINISHED

    hall.reload()
    body = hall.locator("main").inner_text()
    assert "准予许可/出证（居民户口簿（新生儿页））" in body and "统一出件" in body
    hall.screenshot(path=str(shots / "finished-1920.png"), full_page=True)
    notice = staff.get(f"/one-thing/cases/{parent.number}/result.pdf")
    assert notice.status_code == 200
    (shots / "result.pdf").write_bytes(notice.content)
    pdf_to_png(shots / "result.pdf", shots / "result")
    hall.get_by_label("领取人", exact=True).fill("陈小燕")
    hall.get_by_label("领取人身份证号").fill(citizen.id_number)
    hall.get_by_role("button", name="统一出件").click()
    hall.get_by_text("已统一出件").wait_for()
    parent.refresh_from_db()
    assert parent.status == ThingCaseStatus.DELIVERED

    # The parent tracks it on the phone by number and password: each member's result, public steps only.
    phone.goto(f"{live_server.url}/portal/track/?no={parent.number}")
    phone.get_by_label("查询密码").fill(parent.query_password)
    phone.get_by_role("button", name="查询").click()
    phone.get_by_text("已送达").first.wait_for()
    text = phone.locator("main").inner_text()
    assert "出生登记" in text and "城乡居民基本医疗保险参保登记" in text and "王晓燕" not in text
    assert overflowing(phone) == []
    serious = [v for v in axe_violations(phone) if v["impact"] in ("serious", "critical")]
    assert serious == []
    phone.screenshot(path=str(shots / "track-375.png"), full_page=True)
