"""好差评 fixtures: the persona hall (吕四港镇 with two villages) with the case-flow departments, posts and
matters (tests/cases/conftest.py `make_flow`), a fixed clock on a working Tuesday, and helpers that serve a
ticket at a window and finish a case through the real queue and case services."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine

from govhall.queueing import services as queue
from govhall.queueing.models import QueueSettings
from govhall.reviews import services
from govhall.reviews.models import Rating
from tests.cases.conftest import applicant, make_flow, receive
from tests.factories import WindowFactory

TZ = ZoneInfo("Asia/Shanghai")
MORNING = dt.datetime(2026, 3, 10, 9, 0, tzinfo=TZ)  # a Tuesday, a working day
PHONE = "13900139000"


def local(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=TZ)


@dataclass
class Scene:
    flow: Any

    def __getattr__(self, name: str) -> Any:
        return getattr(self.flow, name)

    @property
    def window(self) -> Any:
        return self.flow.windows["minsheng"]

    def serve(
        self,
        *,
        window: Any = None,
        clerk: Any = None,
        phone: str = "",
        finish: bool = True,
        served: bool = True,
    ) -> Any:
        """Issue a 民生 ticket, open the window, call, start and (by default) finish it."""
        window = window or self.window
        clerk = clerk or self.front_desk
        ticket = queue.ticket_issue(centre=window.centre, group=window.window_class, phone=phone).ticket
        from govhall.queueing.models import WindowState, WindowStatus

        state = WindowState.objects.filter(window=window).first()
        if state is None or state.status != WindowStatus.OPEN:
            queue.window_open(window=window, by=clerk)
        called = queue.ticket_call_next(window=window, by=clerk)
        assert called is not None and called.pk == ticket.pk
        queue.ticket_start(window=window, ticket_id=ticket.pk, by=clerk)
        if finish:
            return queue.ticket_finish(
                window=window, ticket_id=ticket.pk, by=clerk, served=served, note="" if served else "材料不齐"
            )
        ticket.refresh_from_db()
        return ticket

    def finished_case(self, *, ticket: Any = None, actor: Any = None, **applicant_overrides: Any) -> Any:
        """A 即办件 received, accepted and finished at the 民生 window by the front desk (or `actor`)."""
        from govhall.cases.models import ResultKind
        from govhall.cases.services import case_accept, case_finish

        actor = actor or self.front_desk
        case = receive(
            self.flow,
            actor=actor,
            matter=self.immediate,
            ticket_id=ticket.pk if ticket else None,
            applicant=applicant(**applicant_overrides),
        )
        case = case_accept(case=case, actor=actor)
        return case_finish(case=case, actor=actor, result=ResultKind.APPROVED, certificate_no="CJR-0001")

    def open_case(self, **applicant_overrides: Any) -> Any:
        """A 承诺件 accepted and still being processed (not finished)."""
        from govhall.cases.services import case_accept

        case = receive(self.flow, applicant=applicant(**applicant_overrides))
        return case_accept(case=case, actor=self.front_desk)

    def rate_case(self, case: Any, level: int = 1, **kwargs: Any) -> Rating:
        kwargs.setdefault("channel", "qr")
        return services.rating_submit_case(case_id=case.pk, level=level, **kwargs)

    def rate_visit(self, ticket: Any, level: int = 1, **kwargs: Any) -> Rating:
        kwargs.setdefault("channel", "qr")
        return services.rating_submit_visit(ticket_id=ticket.pk, level=level, **kwargs)


@pytest.fixture(autouse=True)
def _fast_passwords(settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def clock() -> Any:
    with time_machine.travel(MORNING, tick=False) as traveller:
        yield traveller


@pytest.fixture
def scene(hall: Any, clock: Any) -> Scene:
    flow = make_flow(hall)
    for centre in (hall.town, hall.village, hall.other_village):
        QueueSettings.objects.create(
            centre=centre, opening_time=dt.time(0, 0), closing_time=dt.time(23, 59, 59)
        )
    return Scene(flow=flow)


def handle(scene: Any, rating: Any, outcome: str, *, ledger_done: bool = False) -> None:
    d = scene.director
    order = rating.work_order
    services.work_order_verify(order=order, actor=d, finding="true", note="已核实")
    services.work_order_decide(
        order=order,
        actor=d,
        outcome=outcome,
        measures="措施或说明",
        ledger_due=dt.date(2026, 4, 30) if outcome == "ledger" else None,
    )
    if ledger_done:
        services.work_order_ledger_complete(order=order, actor=d, note="已完成")
    if order.real_name:
        services.work_order_reply(order=order, actor=d, text="已处理，感谢监督")
        services.work_order_visit(order=order, actor=d, satisfaction="satisfied")
    services.work_order_close(order=order, actor=d)


@pytest.fixture
def march(scene: Any, clock: Any) -> Any:
    """March 2026 in 吕四港镇 (and one rating in February):
    王晓燕 (front desk, window 1): visits 1, 2, 5 (real name → 整改) and a case rated 2 → 4 ratings, 1 差评;
    张海峰 (back office, window 2): visits 3, 4 (real → 解释说明), 4 (anonymous → 整改), 5 (real → 台账, done);
    冯村干 (village window): 1. Pauses: window 1 once 15 min; window 2 twice, 30 + 10 min."""
    rater = services.Rater(phone="13900139000")
    clock.move_to(local(2026, 2, 24, 10, 0))
    scene.rate_visit(scene.serve(), level=5)  # February: not in March's figures
    clock.move_to(local(2026, 3, 10, 9, 0))
    fd, bo = scene.front_desk, scene.back_office
    w1, w2 = scene.windows["minsheng"], scene.windows["jianshe"]
    scene.rate_visit(scene.serve(), level=1)
    scene.rate_visit(scene.serve(), level=2)
    handle(scene, scene.rate_visit(scene.serve(), level=5, rater=rater), "rectify")
    scene.rate_case(scene.finished_case(), level=2)
    scene.rate_visit(scene.serve(window=w2, clerk=bo), level=3)
    handle(scene, scene.rate_visit(scene.serve(window=w2, clerk=bo), level=4, rater=rater), "explain")
    handle(scene, scene.rate_visit(scene.serve(window=w2, clerk=bo), level=4), "rectify")
    handle(
        scene,
        scene.rate_visit(scene.serve(window=w2, clerk=bo), level=5, rater=rater),
        "ledger",
        ledger_done=True,
    )
    vw = WindowFactory(centre=scene.village, number=1, window_class="quanke")
    scene.rate_visit(scene.serve(window=vw, clerk=scene.village_clerk), level=1)
    for hour, (window, clerk, minutes) in enumerate(((w1, fd, 15), (w2, bo, 30), (w2, bo, 10)), start=14):
        start = local(2026, 3, 10, hour, 0)
        clock.move_to(start)
        queue.window_pause(window=window, reason="break", by=clerk)
        clock.move_to(start + dt.timedelta(minutes=minutes))
        queue.window_resume(window=window, by=clerk)
    return vw
