"""The 一次性告知单 of a case (STD-2, STD-3, NET-1): one number everywhere, a 补正 deadline counted in
working days on the calendar, and the word that materials can be supplied online."""

from __future__ import annotations

import io
import re

import pytest
import time_machine
from docx import Document

from govhall.cases.documents import notice_docx, notice_pdf
from govhall.cases.models import NoticeKind
from govhall.cases.services import case_request_correction
from govhall.catalog.documents import notification_sheet_pdf
from govhall.core.documents import docx_text, pdf_text
from tests.cases.conftest import local, material, receive
from tests.conftest import login

pytestmark = pytest.mark.django_db

SERIAL = re.compile(r"GZ[-0-9A-Za-z]+")


def _correct(flow):
    with time_machine.travel(local(2026, 3, 10, 9, 0), tick=False):
        case = receive(flow, missing=("居民户口簿",))
        case = case_request_correction(
            case=case,
            actor=flow.front_desk,
            items=[
                {"id": material(case, "居民户口簿").pk, "problem": "missing", "reason": "请提供户口簿原件"}
            ],
        )
    return case, case.notices.get(kind=NoticeKind.CORRECTION)


def _docx_footer(data: bytes) -> str:
    doc = Document(io.BytesIO(data))
    return "".join(p.text for s in doc.sections for p in s.footer.paragraphs)


def test_std2_the_case_sheet_carries_one_serial_on_paper_and_in_the_portal(flow, client):
    """STD-2: top 「编号」, footer, title, staff page, API and the citizen's 我的办件 all show the one GZ number."""
    case, notice = _correct(flow)
    serial = notice.sheet.serial
    pdf = pdf_text(notice_pdf(notice))
    assert set(SERIAL.findall(pdf)) == {serial}
    assert pdf.count(serial) >= 2  # 「编号：…」 at the top and the footer
    docx = notice_docx(notice)
    assert set(SERIAL.findall(docx_text(docx) + _docx_footer(docx))) == {serial}
    assert serial in _docx_footer(docx) and "一次性告知单" in _docx_footer(docx)
    assert notice.document_no == serial and str(notice) == f"一次性告知单 {serial}"
    login(client, flow.front_desk)
    page = client.get(f"/cases/{case.pk}/").content.decode()
    assert serial in page and notice.serial not in page
    body = client.get(f"/api/v1/cases/{case.pk}").json()
    assert [n["serial"] for n in body["notices"] if n["kind"] == "correction"] == [serial]


def test_std2_std3_sheet_gives_a_working_day_deadline_and_says_supply_online(flow):
    """STD-3: 15 working days after Tue 10 March 2026 is Tue 31 March (weekends not counted); NET-1: online."""
    _case, notice = _correct(flow)
    for text in (pdf_text(notice_pdf(notice)), docx_text(notice_docx(notice))):
        assert "补正期限：请于2026年3月31日前" in text
        assert "15个工作日内" in text
        assert "网上补交" in text and "我的办件" in text
        assert "一次性告知单" in text and "告知书" not in text.replace("告知承诺书", "")


def test_std3_deadline_skips_the_qingming_holiday(flow):
    """STD-3: issued Thu 2 April 2026, 3 working days: Fri 3, then 清明 (Sat 4 – Mon 6 April) skipped, Tue 7, Wed 8."""
    from govhall.catalog import services

    version, hall = flow.matter.current_version, flow.hall
    with time_machine.travel(local(2026, 4, 2, 10, 0), tick=False):
        sheet = services.notification_sheet_create(
            matter_version=version,
            centre=hall.town,
            clerk=hall.front_desk,
            items=[(version.materials.first(), "missing", "请补交")],
            supply_days=3,
        )
    assert sheet.supply_deadline().at.date().isoformat() == "2026-04-08"
    text = pdf_text(notification_sheet_pdf(sheet))
    assert "请于2026年4月8日前" in text and "3个工作日内" in text
    assert "网上提交" in text


def test_std2_supply_days_out_of_range_is_refused_in_chinese(flow):
    from govhall.catalog import services
    from govhall.catalog.models import NotificationSheet
    from govhall.core.errors import ServiceError

    version, hall = flow.matter.current_version, flow.hall
    for bad in (0, 61, "三天"):
        with pytest.raises(ServiceError) as exc:
            services.notification_sheet_create(
                matter_version=version,
                centre=hall.town,
                clerk=hall.front_desk,
                items=[(version.materials.first(), "missing", "请补交")],
                supply_days=bad,
            )
        assert "补正期限" in exc.value.fields["supply_days"]
    assert NotificationSheet.objects.count() == 0
