"""Issue 16, 我的办件 (NET-1, STD-2): a material covered by the applicant's signed 告知承诺 reads 已承诺, not 缺少;
after a 补正 upload the page shows what the citizen did (已补交 with the time) instead of the same 有误/缺少;
the 补正 SMS tells an online applicant the materials can be supplied online."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client

from govhall.cases import services as cases
from govhall.cases.correction_texts import correction_sms, return_correction_sms
from govhall.cases.models import Case, Channel
from tests.portal.conftest import last_sms
from tests.portal.test_online_application import (  # noqa: F401 (the fixtures, shared)
    apply,
    citizen,
    photo,
    signed_in,
    upload,
)

pytestmark = pytest.mark.django_db


def material_line(html: str, name: str) -> str:
    section = html[html.index('id="c-mat"') :]
    return re.search(rf"<li>{re.escape(name)}.*?</li>", section, re.S).group(0)


def test_a_signed_commitment_reads_promised_not_missing(signed_in: Client, world: Any) -> None:  # noqa: F811
    """STD-2: before the clerk accepts, the material the citizen promised online shows 已承诺."""
    apply(signed_in, world)
    case = Case.objects.get()
    html = signed_in.get(f"/portal/my/cases/{case.number}/").content.decode()
    line = material_line(html, "家庭收入和财产状况声明")
    assert "已承诺" in line and "缺少" not in line
    assert "已收取" in material_line(html, "居民户口簿")


def test_after_a_correction_upload_the_page_shows_what_the_citizen_did(
    signed_in: Client,  # noqa: F811
    world: Any,
    citizen: Any,  # noqa: F811
) -> None:
    """NET-1: the 补正 item reads 已补交 with the upload time; the SMS says 可在网上补交 for an online case."""
    apply(signed_in, world)
    case = Case.objects.get()
    assert case.channel == Channel.ONLINE
    wrong = case.materials.get(name="居民户口簿")
    cases.case_request_correction(
        case=case,
        actor=world.front_desk,
        items=[{"id": wrong.pk, "problem": "wrong", "reason": "户口簿照片不清晰"}],
    )
    html = signed_in.get(f"/portal/my/cases/{case.number}/").content.decode()
    assert "有误" in material_line(html, "居民户口簿")
    token = re.findall(r'name="token" value="([^"]+)"', html)[0]
    data = {"token": token, f"material_{wrong.pk}": upload("户口簿-重拍.jpg", photo(1200, 900), "image/jpeg")}
    assert signed_in.post(f"/portal/my/cases/{case.number}/supplement/", data).status_code == 302
    html = signed_in.get(f"/portal/my/cases/{case.number}/").content.decode()
    line = material_line(html, "居民户口簿")
    assert "已补交" in line and "有误" not in line and re.search(r"\d{4}-\d\d-\d\d \d\d:\d\d", line)
    assert "已补交" in html[html.index('id="c-sup"') : html.index('id="c-mat"')]
    case.refresh_from_db()
    assert "可在网上补交" in correction_sms(case) and "再来办理" not in correction_sms(case)
    assert "可在网上补交" in return_correction_sms(case)
    assert "材料需补正" in last_sms(citizen.mobile)


def test_a_window_applicant_is_still_asked_to_come_back(world: Any) -> None:
    """STD-2: the window wording stays for a case received at a window."""
    case = Case(matter_name="最低生活保障申请", number="W1", channel=Channel.WINDOW)
    assert "补齐后再来办理" in correction_sms(case) and "网上" not in correction_sms(case)
    assert "网上" not in return_correction_sms(case)
