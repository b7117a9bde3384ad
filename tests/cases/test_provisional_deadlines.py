"""STD-3 at the year boundary: a deadline that reaches a year whose holidays are not yet published is
provisional (暂定), shown as such, and recomputed exactly when the bureau imports that year — audited,
on the case timeline, and with an SMS to the applicant whose date moved."""

from __future__ import annotations

import pytest
import time_machine
from django.utils.timezone import localtime

from govhall.cases.models import Case, CaseStatus
from govhall.cases.services import case_accept
from govhall.catalog.models import MatterVersion
from govhall.core import calendar
from govhall.core.audit import AuditEntry
from govhall.core.holiday_notice import parse_notice
from govhall.core.models import ProvisionalDate
from govhall.core.services import calendar_year_import
from govhall.exchange.models import Notification
from tests.cases.conftest import local, material, receive

pytestmark = pytest.mark.django_db

NOTICE_2027 = """# 国务院办公厅关于2027年部分节假日安排的通知（测试用）
year,2027
source,国办发明电〔2026〕99号
2027-01-01,放假,元旦
2027-02-06~2027-02-12,放假,春节
2027-02-14,上班,春节
"""


def _import_2027():
    with time_machine.travel(local(2026, 12, 20, 9, 0), tick=False):
        return calendar_year_import(notice=parse_notice(NOTICE_2027))


def _accept_15_day_case(flow, **kwargs):
    MatterVersion.objects.filter(matter=flow.matter).update(promised_limit=15)
    with time_machine.travel(local(2026, 12, 15, 10, 0), tick=False):
        return case_accept(case=receive(flow, **kwargs), actor=flow.front_desk)


def test_a_case_accepted_in_december_gets_a_provisional_due_date_counted_monday_to_friday(flow):
    """STD-3: 15 working days from 2026-12-15: Dec 16–31 give 12, then Jan 1, 4, 5 → 2027-01-05 (暂定)."""
    case = _accept_15_day_case(flow)
    case.refresh_from_db()
    assert case.status == CaseStatus.PROCESSING
    assert localtime(case.due_at).isoformat().startswith("2027-01-05T23:59:59")
    assert case.due_waits_for == 2027
    row = ProvisionalDate.objects.get(model="cases.Case", object_id=str(case.pk), field="due_at")
    assert (row.anchor.isoformat(), row.days, row.waits_for_year) == ("2026-12-31", 3, 2027)
    notice = case.notices.get(kind="accept")
    assert "暂定" in notice.payload["due_at"]
    assert notice.payload["due_provisional_note"] == "2027年节假日安排公布后将重新核定，以重新核定的期限为准"


def test_importing_2027_recomputes_the_provisional_due_date_with_audit_timeline_and_sms(flow):
    """STD-3: with 2027-01-01 off, the case's due date becomes 2027-01-06, in one transaction."""
    case = _accept_15_day_case(flow)
    sms_before = Notification.objects.filter(related_id=str(case.pk)).count()
    _import_2027()
    case.refresh_from_db()
    assert localtime(case.due_at).isoformat().startswith("2027-01-06T23:59:59")
    assert case.due_waits_for is None
    assert not ProvisionalDate.objects.filter(
        object_id=str(case.pk), model="cases.Case", field="due_at"
    ).exists()
    audit = AuditEntry.objects.get(
        action="calendar.deadline_recompute",
        object_id=str(case.pk),
        object_type="cases.case",
        before__has_key="due_at",
    )
    assert audit.before["due_at"].startswith("2027-01-05") and audit.after["due_at"].startswith("2027-01-06")
    event = case.events.get(action="deadline_recompute")
    assert "2027年01月05日" in event.detail and "2027年01月06日" in event.detail
    sms = Notification.objects.filter(related_id=str(case.pk)).order_by("pk")
    assert sms.count() == sms_before + 1 and "2027年01月06日" in sms.last().text


def test_a_closed_case_keeps_its_date_when_the_year_is_imported(flow):
    """STD-3: deadlines of cases already closed are not changed."""
    case = _accept_15_day_case(flow)
    Case.objects.filter(pk=case.pk).update(status=CaseStatus.FINISHED, result="approved")
    _import_2027()
    case.refresh_from_db()
    assert localtime(case.due_at).isoformat().startswith("2027-01-05")
    assert not case.events.filter(action="deadline_recompute").exists()


def test_a_deadline_past_the_next_unknown_year_stays_provisional_for_that_year():
    """STD-3: a count reaching 2028 after 2027 is imported still waits, now for 2028."""
    with time_machine.travel(local(2026, 12, 20, 9, 0), tick=False):
        calendar_year_import(notice=parse_notice(NOTICE_2027))
    due = calendar.deadline(local(2027, 12, 20, 10, 0), 15)
    assert due.waits_for_year == 2028 and due.provisional
    assert due.note == "2028年节假日安排公布后将重新核定，以重新核定的期限为准"


def test_a_known_span_is_exact_and_carries_no_note():
    """STD-3: 10 working days across the 2026 National Day holiday are exact."""
    due = calendar.deadline(local(2026, 9, 28, 10, 0), 10)
    assert not due.provisional and due.note == "" and due.at.date().isoformat() == "2026-10-16"


def test_a_rongque_supply_deadline_in_the_unknown_year_is_provisional_and_recomputed(flow):
    """STD-3, MODE-3: accepted 2026-12-28 with the 户口簿 missing under 容缺 (5 working days): Dec 29–31
    and Jan 1, 4 → 2027-01-04 (暂定); with 1 January off it becomes 2027-01-05, and the applicant is told."""
    with time_machine.travel(local(2026, 12, 28, 10, 0), tick=False):
        case = receive(flow, missing=("居民户口簿",))
        case = case_accept(
            case=case,
            actor=flow.front_desk,
            rongque_material_ids=[material(case, "居民户口簿").pk],
            rongque_signed=True,
        )
    case.refresh_from_db()
    assert (
        localtime(case.rongque_deadline).date().isoformat() == "2027-01-04" and case.rongque_waits_for == 2027
    )
    notice = case.notices.get(kind="rongque")
    assert "暂定" in notice.payload["deadline"] and "重新核定" in notice.payload["due_provisional_note"]
    _import_2027()
    case.refresh_from_db()
    assert (
        localtime(case.rongque_deadline).date().isoformat() == "2027-01-05" and case.rongque_waits_for is None
    )
    assert case.events.filter(action="deadline_recompute", detail__contains="容缺补齐期限").exists()
    assert any(
        "容缺补齐期限已按节假日安排重新核定为2027年01月05日" in n.text
        for n in Notification.objects.filter(related_id=str(case.pk))
    )


NOTE_2027 = "2027年节假日安排公布后将重新核定，以重新核定的期限为准"


def test_a_provisional_due_date_is_marked_on_the_case_page_the_inbox_the_api_and_the_tracking_page(
    client, flow
):
    """STD-3: wherever the 暂定 date appears, it says 暂定 and when it will be fixed; a firm date says nothing."""
    from tests.conftest import login

    case = _accept_15_day_case(flow)
    with time_machine.travel(local(2026, 12, 16, 9, 0), tick=False):
        login(client, flow.front_desk)
        page = client.get(f"/cases/{case.pk}/").content.decode()
        assert "2027-01-05" in page and "暂定" in page and NOTE_2027 in page
        inbox = client.get("/cases/list/").content.decode()
        assert case.number in inbox and "暂定" in inbox
        detail = client.get(f"/api/v1/cases/{case.pk}").json()
        assert (detail["due_at_provisional"], detail["waits_for_year"]) == (True, 2027)
        assert detail["due_provisional_note"] == NOTE_2027
        listed = client.get("/api/v1/cases/", {"limit": 100}).json()["items"]
        items = listed["items"] if isinstance(listed, dict) else listed
        row = next(i for i in items if i["number"] == case.number)
        assert (row["due_at_provisional"], row["waits_for_year"]) == (True, 2027)
        client.logout()
        tracked = client.get(
            "/api/v1/cases/track", {"no": case.number, "password": case.query_password}
        ).json()
        assert tracked["due_at_provisional"] is True and tracked["waits_for_year"] == 2027
        public = client.post(
            "/cases/track/", {"mode": "number", "number": case.number, "password": case.query_password}
        ).content.decode()
        assert "暂定" in public and NOTE_2027 in public

    _import_2027()
    with time_machine.travel(local(2026, 12, 21, 9, 0), tick=False):
        login(client, flow.front_desk)
        page = client.get(f"/cases/{case.pk}/").content.decode()
        # The timeline keeps its history (accepted with a 暂定 date); the deadline itself is firm now.
        assert "2027-01-06" in page and "provisional" not in page
        detail = client.get(f"/api/v1/cases/{case.pk}").json()
        assert (detail["due_at_provisional"], detail["waits_for_year"]) == (False, None)


def test_the_acceptance_notice_pdf_and_docx_carry_the_provisional_line(flow):
    """STD-3: the printed 受理通知书 marks the date 暂定 and prints the note under it."""
    import io

    from docx import Document
    from pypdf import PdfReader

    from govhall.cases.documents import notice_docx, notice_pdf

    case = _accept_15_day_case(flow)
    notice = case.notices.get(kind="accept")
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(notice_pdf(notice))).pages)
    assert "暂定" in text and NOTE_2027 in text.replace("\n", "")
    document = Document(io.BytesIO(notice_docx(notice)))
    words = "\n".join(p.text for p in document.paragraphs) + "".join(
        c.text for t in document.tables for r in t.rows for c in r.cells
    )
    assert "暂定" in words and NOTE_2027 in words


def test_from_october_staff_home_and_supervision_warn_that_next_year_is_unknown(client, flow):
    """STD-3: 「2027年节假日安排尚未录入；当前有N件办件期限为暂定」, linking to the import and to the cases."""
    from tests.conftest import login

    case = _accept_15_day_case(flow)
    banner = "2027年节假日安排尚未录入；当前有1件办件期限为暂定"
    with time_machine.travel(local(2026, 12, 16, 9, 0), tick=False):
        login(client, flow.front_desk)
        home = client.get("/").content.decode()
        assert banner in home and "/admin/core/calendaryear/" in home and "?status=provisional" in home
        supervision = client.get("/cases/supervision/").content.decode()
        assert banner in supervision
        listed = client.get("/cases/list/", {"status": "provisional"}).content.decode()
        assert case.number in listed
    with time_machine.travel(local(2026, 9, 30, 9, 0), tick=False):
        assert "节假日安排尚未录入" not in client.get("/").content.decode()
    _import_2027()
    with time_machine.travel(local(2026, 12, 21, 9, 0), tick=False):
        assert "节假日安排尚未录入" not in client.get("/").content.decode()
        assert case.number not in client.get("/cases/list/", {"status": "provisional"}).content.decode()


def test_several_deadlines_set_at_once_keep_the_provisional_ones_and_drop_the_exact_ones(
    flow, django_assert_num_queries
):
    """Issue 15: `provisional.apply_many` writes one statement for all the exact dates of an object."""
    from govhall.core import provisional

    case = _accept_15_day_case(flow)
    key = {"model": "cases.Case", "object_id": str(case.pk)}
    assert ProvisionalDate.objects.filter(**key, field="due_at").exists()
    with time_machine.travel(local(2026, 12, 15, 10, 0), tick=False):
        exact = calendar.deadline(local(2026, 12, 15, 10, 0), 5)
        far = calendar.deadline(local(2026, 12, 15, 10, 0), 15)
    assert not exact.provisional and far.provisional
    with django_assert_num_queries(1):
        changed = provisional.apply_many(case, {"due_at": exact, "warn_at": exact})
    assert changed == ["due_at", "due_waits_for", "warn_at"]
    assert not ProvisionalDate.objects.filter(**key).exists()
    assert (case.due_at, case.due_waits_for) == (exact.at, None)
    provisional.apply_many(case, {"warn_at": far, "due_at": exact})
    assert list(ProvisionalDate.objects.filter(**key).values_list("field", "days")) == [("warn_at", 3)]
    assert case.warn_at == far.at
