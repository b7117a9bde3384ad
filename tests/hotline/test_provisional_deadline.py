"""STD-3, GOV-1: a 12345 order's 承办 deadline that reaches a year whose holidays are not yet published is
provisional (暂定) like a case's: registered, shown as 暂定 on the director's board, the order page and in the
API, moved exactly by an approved extension, and recomputed when the bureau imports that year.

The clock is frozen on Monday 28 December 2026; chinesecalendar (and the bureau's empty table) know nothing of
2027, so 5 working days count Dec 29, 30, 31, then Jan 1 and Jan 4 Monday–Friday: 2027-01-04 (暂定). The
notice makes Jan 1 a holiday: exactly, the order is due 2027-01-05."""

from __future__ import annotations

import pytest
from django.utils.timezone import localtime

from govhall.core import calendar
from govhall.core.holiday_notice import parse_notice
from govhall.core.models import ProvisionalDate
from govhall.core.services import calendar_year_import
from govhall.hotline import services
from govhall.hotline.models import HotlineOrder
from tests.cases.test_provisional_deadlines import NOTICE_2027
from tests.conftest import login
from tests.reviews.conftest import local

pytestmark = pytest.mark.django_db

NOTE = "2027年节假日安排公布后将重新核定，以重新核定的期限为准"


@pytest.fixture
def year_end(clock):
    clock.move_to(local(2026, 12, 28, 10, 0))  # a Monday; 2027's holidays unknown
    yield clock
    calendar.clear_cache()


def _assigned(scene, number: str = "QD12345-20261228-0001") -> HotlineOrder:
    order, _ = services.order_receive(
        number=number,
        category="complaint",
        title="年底办社保窗口排队时间长",
        content="年底办社保，排队一个多小时",
        centre_code=scene.town.division.code,
    )
    return services.order_assign(order=order, actor=scene.director, handler=scene.front_desk)


def _due(order: HotlineOrder) -> str:
    order.refresh_from_db()
    return localtime(order.due_at).strftime("%Y-%m-%d %H:%M")


def test_a_deadline_into_an_unknown_year_is_provisional_and_shown_so(client, scene, year_end):
    """STD-3: registered as provisional, 暂定 on the board, the order page (with its note) and in the API."""
    assert not calendar.year_is_known(2027)  # the premise: no holiday data for 2027 here
    order = _assigned(scene)
    assert _due(order) == "2027-01-04 23:59" and order.due_waits_for == 2027
    row = ProvisionalDate.objects.get(model="hotline.HotlineOrder", object_id=str(order.pk), field="due_at")
    assert (row.anchor.isoformat(), row.days, row.waits_for_year) == ("2026-12-31", 2, 2027)

    login(client, scene.director)
    board = client.get("/hotline/").content.decode()
    line = board[board.index("QD12345-20261228-0001") :].split("</tr>")[0]
    assert "2027-01-04" in line and "暂定" in line
    page = client.get(f"/hotline/{order.pk}/").content.decode()
    assert "2027-01-04 23:59" in page and "暂定" in page and NOTE in page
    api = client.get(f"/api/v1/hotline/orders/{order.pk}").json()
    assert api["due_at_provisional"] is True and api["waits_for_year"] == 2027
    assert api["due_provisional_note"] == NOTE


def test_importing_the_year_recomputes_the_deadline_exactly(client, scene, year_end):
    """STD-3: the bureau imports 2027 (Jan 1 a holiday): the order is due 2027-01-05, no longer 暂定."""
    order = _assigned(scene)
    calendar_year_import(notice=parse_notice(NOTICE_2027))
    assert _due(order) == "2027-01-05 23:59" and order.due_waits_for is None
    assert not ProvisionalDate.objects.filter(model="hotline.HotlineOrder").exists()
    login(client, scene.director)
    board = client.get("/hotline/").content.decode()
    assert "2027-01-05" in board and "暂定" not in board[board.index("QD12345-20261228-0001") :]


def test_an_approved_extension_moves_a_provisional_deadline_from_its_exact_part(scene, year_end):
    """STD-3: +2 working days on a provisional deadline: 2027-01-06 (暂定), and 2027-01-07 once 2027 is known
    (counted again from 2026-12-31 with Jan 1 off), not the provisional date plus two."""
    order = _assigned(scene)
    services.order_extension_request(order=order, actor=scene.front_desk, days=2, reason="需协调社保部门核查")
    services.order_extension_decide(order=order, actor=scene.director, approve=True, note="同意")
    assert _due(order) == "2027-01-06 23:59" and order.due_waits_for == 2027
    calendar_year_import(notice=parse_notice(NOTICE_2027))
    assert _due(order) == "2027-01-07 23:59" and order.due_waits_for is None


def test_a_deadline_within_a_known_year_stays_exact(scene, clock):
    """STD-3: in March 2026 nothing is provisional and nothing is registered."""
    order = _assigned(scene, "QD12345-20260310-0009")
    assert _due(order) == "2026-03-17 23:59" and order.due_waits_for is None
    assert not ProvisionalDate.objects.exists()
