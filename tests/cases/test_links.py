"""Links to the other apps: the queue ticket a case came from, the 首问 enquiry it turned into (STD-1), and
the case indicators in the monthly staff assessment."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from govhall.cases.indicators import on_time_rate, volume
from govhall.cases.models import Case
from govhall.cases.services import case_accept, case_finish, case_step_pass
from govhall.core.calendar import month_instants
from govhall.core.errors import Conflict, ServiceError
from govhall.queueing.services import ticket_issue
from govhall.staffing.indicators import IndicatorContext, get_indicator
from govhall.staffing.models import EnquiryStatus
from govhall.staffing.services import enquiry_create
from tests.cases.conftest import local, receive
from tests.factories import TownCentreFactory, WindowFactory

pytestmark = pytest.mark.django_db


def test_case_keeps_the_ticket_it_came_from(flow):
    with time_machine.travel(local(2026, 3, 10, 9, 0), tick=False):
        ticket = ticket_issue(centre=flow.town, matter_id=flow.matter.pk).ticket
        case = receive(flow, ticket_id=ticket.pk)
    assert case.ticket == ticket and list(ticket.cases.all()) == [case]
    elsewhere = TownCentreFactory()
    WindowFactory(centre=elsewhere, number=1)
    with time_machine.travel(local(2026, 3, 10, 9, 0), tick=False):
        foreign = ticket_issue(centre=elsewhere, group="minsheng").ticket
        with pytest.raises(ServiceError) as exc:
            receive(flow, ticket_id=foreign.pk)
    assert "排队号" in exc.value.message


def test_an_enquiry_turns_into_a_case_once(flow):
    """STD-1: the 首问 record shows the case number it became; a second conversion writes nothing."""
    enquiry = enquiry_create(staff=flow.front_desk, question="低保怎么申请？", matter=flow.matter)
    case = receive(flow, enquiry_id=enquiry.pk)
    enquiry.refresh_from_db()
    assert case.enquiry == enquiry
    assert enquiry.status == EnquiryStatus.CONVERTED and enquiry.converted_case_number == case.number
    with pytest.raises(Conflict):
        receive(flow, enquiry_id=enquiry.pk)
    assert Case.objects.count() == 1


def test_case_indicators_are_registered_and_computed(flow):
    assert get_indicator("cases_on_time") and get_indicator("cases_volume")
    with time_machine.travel(local(2026, 3, 2, 9, 0), tick=False):
        early = case_accept(case=receive(flow), actor=flow.front_desk)
        late = case_accept(case=receive(flow), actor=flow.front_desk)
        early = case_step_pass(case=early, actor=flow.back_office)
    with time_machine.travel(local(2026, 3, 20, 9, 0), tick=False):  # after the 16 Mar deadline
        case_step_pass(case=late, actor=flow.back_office)
        case_finish(case=early, actor=flow.approver, result="approved")
    start, end = month_instants(dt.date(2026, 3, 1))
    ctx = IndicatorContext(
        month=dt.date(2026, 3, 1),
        start=start,
        end=end,
        today=dt.date(2026, 3, 31),
        staff=[flow.front_desk, flow.back_office, flow.approver, flow.guide],
    )
    rates = on_time_rate(ctx)
    assert str(rates[flow.back_office.pk].score) == "50.00" and "超期 1" in rates[flow.back_office.pk].value
    assert str(rates[flow.front_desk.pk].score) == "100.00"
    assert flow.guide.pk not in rates
    amounts = volume(ctx)
    assert str(amounts[flow.front_desk.pk].score) == "100.00"  # 2 received + 2 accepted
    assert amounts[flow.front_desk.pk].value == "收件 2 件，办理环节 2 个"
    assert str(amounts[flow.approver.pk].score) == "25.00"
