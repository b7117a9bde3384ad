"""NET-2: the bureau's sync page (/exchange/sync/) — counts per status, filters, the last error, masked
case data, resend, the "not configured" warning — and nobody outside the bureau gets in."""

from __future__ import annotations

import pytest
from django.urls import reverse

from govhall.accounts.models import Role
from govhall.core.models import AuditEntry
from govhall.exchange.models import SyncItem, SyncStatus
from govhall.exchange.sync import sync_enqueue
from tests.cases.conftest import ID_ZHANG
from tests.conftest import login
from tests.factories import UserFactory, bureau_user

pytestmark = pytest.mark.django_db

LIST = reverse("exchange:sync_list")


@pytest.fixture
def records(publish_matter, settings):
    """Three matters' records: one sent, one refused by the platform, one queued; one case record."""
    settings.PROVINCE_URL = ""
    sent, failed, queued = (publish_matter() for _ in range(3))
    rows = {
        "sent": sync_enqueue(kind="matter", obj=sent, dataset="matter", payload={"name": "已送达"}),
        "failed": sync_enqueue(kind="matter", obj=failed, dataset="matter", payload={"name": "被拒收"}),
        "queued": sync_enqueue(kind="matter", obj=queued, dataset="matter", payload={"name": "待发送"}),
        "case": sync_enqueue(
            kind="case",
            obj=queued,
            dataset="apply",
            payload={"办件编号": "QD-1", "申请人证件号码": ID_ZHANG, "申请人名称": "张三"},
        ),
    }
    SyncItem.objects.filter(pk=rows["sent"].pk).update(
        status=SyncStatus.SENT, receipt_id="JS-000009", attempts=1
    )
    SyncItem.objects.filter(pk=rows["failed"].pk).update(
        status=SyncStatus.FAILED, attempts=1, last_error="省平台拒收（HTTP 400）：事项编码不存在"
    )
    return rows


def test_bureau_sees_counts_per_status_the_last_error_and_the_warning(client, records):
    """NET-2: the page counts records per status and shows why one failed; unset URL is said loudly."""
    login(client, bureau_user(roles=[Role.INSPECTOR]))
    response = client.get(LIST)
    assert response.status_code == 200
    page = response.content.decode()
    assert "省平台接口未配置" in page and "GOVHALL_PROVINCE_URL" in page
    assert "省平台拒收（HTTP 400）：事项编码不存在" in page
    assert "JS-000009" in page
    for status, n in (("queued", 2), ("sent", 1), ("failed", 1), ("superseded", 0)):
        assert f'data-status="{status}"' in page
        chunk = page.split(f'data-status="{status}"')[1].split("</a>")[0]
        assert "<strong" in chunk and f">{n}</strong>" in chunk
    assert "重新发送" not in page  # an inspector looks, the bureau admin resends


def test_no_warning_once_the_platform_is_configured(client, records, province):
    """NET-2: with GOVHALL_PROVINCE_URL set the warning is gone."""
    login(client, bureau_user())
    assert "省平台接口未配置" not in client.get(LIST).content.decode()


def test_filters_by_status_kind_and_number(client, records):
    """NET-2: status, kind, dataset and number filters; the htmx request gets only the rows."""
    login(client, bureau_user())
    failed = client.get(LIST, {"status": "failed"}).content.decode()
    assert "事项编码不存在" in failed and "JS-000009" not in failed
    cases = client.get(LIST, {"kind": "case"}, headers={"HX-Request": "true"}).content.decode()
    assert "<html" not in cases and "共 1 条" in cases and "申请" in cases
    assert "共 1 条" in client.get(LIST, {"q": records["sent"].object_label}).content.decode()
    assert (
        "共 4 条" in client.get(LIST, {"status": "nonsense"}).content.decode()
    )  # unknown values are ignored


def test_bureau_admin_resends_a_failed_record_from_the_page(
    client, records, huey_immediate, province, django_capture_on_commit_callbacks
):
    """NET-2: the resend button queues it again; it goes out, and the resend is audited."""
    admin = bureau_user()
    login(client, admin)
    row = records["failed"]
    assert "重新发送" in client.get(LIST, {"status": "failed"}).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("exchange:sync_retry", args=[row.pk]), {"next": f"{LIST}?status=failed"}, follow=True
        )
    assert response.redirect_chain[-1][0] == f"{LIST}?status=failed"
    assert "已重新排队" in response.content.decode()
    row.refresh_from_db()
    assert (row.status, row.receipt_id) == (SyncStatus.SENT, "JS-000001")
    assert AuditEntry.objects.filter(
        action="exchange.sync.retry", actor=admin, object_id=str(row.pk)
    ).exists()


def test_resending_a_record_that_did_not_fail_says_why(client, records):
    """NET-2: a resend of a sent record is refused with its state; nothing changes."""
    login(client, bureau_user())
    response = client.post(reverse("exchange:sync_retry", args=[records["sent"].pk]), follow=True)
    assert "当前状态为“已发送”" in response.content.decode()
    assert SyncItem.objects.get(pk=records["sent"].pk).status == SyncStatus.SENT


def test_the_detail_page_shows_case_data_masked(client, records):
    """NET-2: the bureau sees what was queued, with identity numbers and names masked."""
    login(client, bureau_user(roles=[Role.INSPECTOR]))
    page = client.get(reverse("exchange:sync_detail", args=[records["case"].pk])).content.decode()
    assert "110101********1233" in page and "张*" in page
    assert ID_ZHANG not in page and "张三" not in page
    matter_page = client.get(reverse("exchange:sync_detail", args=[records["failed"].pk])).content.decode()
    assert "被拒收" in matter_page and "事项编码不存在" in matter_page


@pytest.mark.parametrize("role", [Role.DIRECTOR, Role.FRONT_DESK, Role.VILLAGE_CLERK])
def test_centre_staff_cannot_open_the_sync_pages(client, records, role, hall):
    """NET-2: a town director (or any centre staff) gets 403 on the list and 404 on a record."""
    staff = {
        Role.DIRECTOR: hall.director,
        Role.FRONT_DESK: hall.front_desk,
        Role.VILLAGE_CLERK: hall.village_clerk,
    }[role]
    login(client, staff)
    assert client.get(LIST).status_code == 403
    assert client.get(reverse("exchange:sync_detail", args=[records["case"].pk])).status_code == 404
    response = client.post(reverse("exchange:sync_retry", args=[records["failed"].pk]))
    assert response.status_code == 404
    assert SyncItem.objects.get(pk=records["failed"].pk).status == SyncStatus.FAILED


def test_bureau_staff_without_the_admin_role_cannot_resend(client, records):
    """NET-2: resending is for the bureau admin."""
    login(client, bureau_user(roles=[Role.INSPECTOR]))
    assert client.post(reverse("exchange:sync_retry", args=[records["failed"].pk])).status_code == 403
    assert SyncItem.objects.get(pk=records["failed"].pk).status == SyncStatus.FAILED


def test_anonymous_visitors_are_sent_to_log_in(client, records):
    assert client.get(LIST).status_code == 302


def test_bureau_nav_links_to_the_sync_page(client):
    """NET-2: the bureau finds the page in the staff navigation; a centre director does not."""
    login(client, bureau_user())
    assert LIST in client.get("/").content.decode()
    client.logout()
    login(client, UserFactory(roles=[Role.DIRECTOR]))
    assert LIST not in client.get("/").content.decode()


def test_the_read_only_admin_lists_records_for_the_bureau_only(client, records):
    """NET-2: the admin list exists for the bureau, read-only; others are refused."""
    url = reverse("admin:exchange_syncitem_changelist")
    login(client, bureau_user(is_staff=True))
    assert "事项编码不存在" in client.get(url).content.decode()
    detail = client.get(reverse("admin:exchange_syncitem_change", args=[records["case"].pk])).content.decode()
    assert ID_ZHANG not in detail
    assert client.get(reverse("admin:exchange_syncitem_add")).status_code == 403
    client.logout()
    login(client, UserFactory(roles=[Role.DIRECTOR], is_staff=True))
    assert client.get(url).status_code == 403
