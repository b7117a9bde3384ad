"""一事一评 of a whole 一件事 (MODE-1, STD-6): the parent application itself is the rating's subject
(`Rating.thing_case`), rated once when every member is finished or lawfully refused; it flows like any
rating — a 差评 opens a work order, the provincial feed sends it (and a 差评 pushed down under the parent
number lands on it), the figures count it — and each member's case can still be rated on its own."""

from __future__ import annotations

from typing import Any

import pytest
from django.conf import settings
from django.db import IntegrityError, transaction

from govhall.cases.models import ResultKind
from govhall.cases.services import case_finish, case_step_pass
from govhall.core.documents import QRCode
from govhall.core.errors import Conflict, ServiceError
from govhall.onething import handling
from govhall.onething import selectors as onething_selectors
from govhall.onething.documents import result_blocks
from govhall.onething.models import ThingCase, ThingCaseStatus
from govhall.onething.services import CompositionInput, MemberInput, thing_create, thing_publish
from govhall.reviews import selectors, services
from govhall.reviews.links import thing_rating_path, thing_rating_url, thing_token
from govhall.reviews.models import Channel, OrderStatus, Rating, Stage, WorkOrder
from tests.cases.conftest import applicant
from tests.exchange.conftest import huey_immediate, signed_platform, signed_post  # noqa: F401
from tests.reviews.test_province_feed import APP_ID, SECRET, URL, deliver_all

pytestmark = pytest.mark.django_db

ALL = {"申请人居民身份证": "received", "居民户口簿": "received", "家庭收入情况证明": "received"}


@pytest.fixture
def thing(scene: Any) -> ThingCase:
    """低保 and 残疾人证补办 in parallel, received and accepted at the 民生 window as one thing (still open)."""
    composed = thing_create(
        actor=None,
        code="YJS-0201",
        data=CompositionInput(
            name="低保残疾人一件事",
            life_event="困难群众救助",
            promised_limit=10,
            members=[MemberInput(scene.matter.code), MemberInput(scene.immediate.code)],
        ),
    )
    thing_publish(actor=None, thing=composed)
    parent = handling.thing_case_receive(
        actor=scene.front_desk,
        code="YJS-0201",
        answers={},
        applicant=applicant(),
        materials=ALL,
        window_id=scene.window.pk,
    )
    return handling.thing_case_accept(parent=parent, actor=scene.front_desk)


def finish(scene: Any, parent: ThingCase) -> ThingCase:
    rows = {r.order: r.case for r in parent.members.select_related("case")}
    low = case_step_pass(case=rows[1], actor=scene.back_office)
    case_finish(case=low, actor=scene.approver, result=ResultKind.APPROVED, certificate_no="DB-1")
    case_finish(case=rows[2], actor=scene.front_desk, result=ResultKind.APPROVED)
    parent.refresh_from_db()
    assert parent.status == ThingCaseStatus.FINISHED
    return parent


def test_the_whole_thing_is_rated_once_on_its_own_link_and_a_bad_one_opens_a_work_order(
    scene: Any, thing: ThingCase, client: Any
) -> None:
    # MODE-1, STD-6: not the lead member's case — the parent is the subject.
    url = thing_rating_path(thing.pk)
    assert "办结后才能评价" in client.get(url).content.decode()
    with pytest.raises(Conflict) as exc:
        services.rating_submit_thing(thing_case_id=thing.pk, channel="online", level=1)
    assert exc.value.code == "case_not_finished" and "一件事办件" in exc.value.message
    assert not Rating.objects.exists()

    parent = finish(scene, thing)
    page = client.get(url).content.decode()
    assert parent.number in page and "低保残疾人一件事" in page and "服务效率" in page
    response = client.post(url, {"via": "online", "level": "5", "aspect_attitude": "5", "text": "跑了三趟"})
    assert response.status_code == 302
    rating = Rating.objects.get()
    assert rating.thing_case == parent and rating.case is None and rating.stage == Stage.RESULT
    assert rating.centre == scene.town and rating.clerk == scene.front_desk and rating.window == scene.window
    assert rating.matter is None and rating.subject_number == parent.number
    assert rating.rater_name == "张三" and rating.rater_phone == applicant()["phone"]  # from the first member
    order = WorkOrder.objects.get(rating=rating)
    assert order.status == OrderStatus.VERIFY and order.centre == scene.town
    assert "您已评价" in client.get(url).content.decode()

    # Once: the page, the service and the database all refuse a second rating of the thing.
    with pytest.raises(Conflict, match="不能重复评价"):
        services.rating_submit_thing(thing_case_id=parent.pk, channel="qr", level=2)
    again = client.post(url, {"via": "online", "level": "1"})
    assert again.status_code == 400 and "您已评价" in again.content.decode()
    assert Rating.objects.count() == 1


def test_members_can_still_be_rated_and_the_figures_count_the_thing_once(
    scene: Any, thing: ThingCase
) -> None:
    # STD-6: per-member ratings where the standard asks for them, besides the one rating of the whole.
    parent = finish(scene, thing)
    services.rating_submit_thing(thing_case_id=parent.pk, channel="online", level=1)
    member = parent.members.get(order=2).case
    services.rating_submit_case(case_id=member.pk, channel="online", level=4)
    assert Rating.objects.filter(stage=Stage.RESULT).count() == 2
    period = selectors.month_period(parent.finished_at.date().replace(day=1))
    row = selectors.totals(scene.director, period=period)
    assert row.total == 2 and row.bad == 1 and row.levels.get(1) == 1

    # By matter, the whole thing is a row of its own under its name, not 「（未关联）」.
    by_matter = {r.label: r for r in selectors.figures(scene.director, by="matter", period=period)}
    whole = by_matter["一件事：低保残疾人一件事"]
    assert whole.total == 1 and whole.levels[1] == 1 and whole.key == f"thing-{parent.thing_id}"
    assert by_matter[member.matter.name].total == 1 and by_matter[member.matter.name].bad == 1  # level 4
    assert "（未关联）" not in by_matter


def test_the_result_notice_carries_the_code_that_rates_the_whole_thing(
    scene: Any, thing: ThingCase, client: Any
) -> None:
    # MODE-1, STD-6: the applicant scans the 办结通知书 of the 一件事 and rates the whole thing (via=qr).
    parent = finish(scene, thing)
    blocks = result_blocks(onething_selectors.thing_case_view(parent))
    codes = {b.caption: b.url for b in blocks if isinstance(b, QRCode)}
    assert codes["扫码评价整件事（一事一评）"] == thing_rating_url(parent.pk, via="qr")
    assert "扫码查询办理进度" in codes  # the tracking code stays
    path = codes["扫码评价整件事（一事一评）"].removeprefix(settings.PUBLIC_URL)
    page = client.get(path).content.decode()
    assert parent.number in page and "低保残疾人一件事" in page
    client.post(path, {"via": "qr", "level": "5", "aspect_attitude": "5"})
    rating = Rating.objects.get(thing_case=parent)
    assert rating.channel == Channel.QR and rating.level == 5


def test_a_rating_has_exactly_one_result_subject(scene: Any, thing: ThingCase) -> None:
    # The check constraints hold whatever the code does: a result rating names a case or a 一件事办件.
    parent = finish(scene, thing)
    case = parent.members.get(order=2).case
    common = {
        "stage": Stage.RESULT,
        "channel": Channel.ONLINE,
        "level": 1,
        "centre": scene.town,
        "town_centre": scene.town,
        "created_at": parent.finished_at,
    }
    for subject in ({"case": case, "thing_case": parent}, {}):
        with pytest.raises(IntegrityError), transaction.atomic():
            Rating.objects.create(**common, **subject)
    with pytest.raises(IntegrityError), transaction.atomic():
        Rating.objects.create(**{**common, "stage": Stage.VISIT}, thing_case=parent)
    assert not Rating.objects.exists()


def test_bad_link_and_bad_level_are_clear_errors(scene: Any, thing: ThingCase, client: Any) -> None:
    parent = finish(scene, thing)
    assert client.get("/reviews/rate/y/nonsense/").status_code == 404
    assert client.get(f"/reviews/rate/c/{thing_token(parent.pk)}/").status_code == 404  # salts differ
    with pytest.raises(ServiceError, match="评价等级"):
        services.rating_submit_thing(thing_case_id=parent.pk, channel="online", level=9)
    with pytest.raises(ServiceError, match="渠道"):
        services.rating_submit_thing(thing_case_id=parent.pk, channel="pad", level=1)
    assert not Rating.objects.exists()


@pytest.fixture
def feed(settings: Any) -> Any:
    with signed_platform(settings, "REVIEWS_FEED", APP_ID, SECRET, "/hcp/v1/evaluations") as platform:
        yield platform


def test_the_province_gets_the_thing_rating_and_pushes_one_down_under_the_parent_number(
    scene: Any, thing: ThingCase, client: Any, feed: Any
) -> None:
    # STD-6, NET-2: the feed carries the parent number and the 一件事's code and name.
    parent = finish(scene, thing)
    services.rating_submit_thing(thing_case_id=parent.pk, channel="online", level=2)
    deliver_all()
    sent = [b["data"] for b in feed.delivered if b["dataset"] == "rating"]
    assert len(sent) == 1 and feed.signature_failures == 0
    assert sent[0]["caseNumber"] == parent.number and sent[0]["oneThingCode"] == "YJS-0201"
    assert sent[0]["matterName"] == "低保残疾人一件事" and sent[0]["mode"] == "一事一评"

    # A 差评 rated on the provincial app for another 一件事 application, pushed down by its parent number.
    other = finish(
        scene,
        handling.thing_case_accept(
            parent=handling.thing_case_receive(
                actor=scene.front_desk,
                code="YJS-0201",
                answers={},
                applicant=applicant(),
                materials=ALL,
                window_id=scene.window.pk,
            ),
            actor=scene.front_desk,
        ),
    )
    body = {
        "evaluationId": "JS-HCP-0901",
        "caseNumber": other.number,
        "level": 5,
        "ratedAt": "2026-03-10 08:30:00",
        "content": "一件事还是跑了两个窗口",
    }
    answer = signed_post(client, URL, body, APP_ID, SECRET)
    assert answer.status_code == 201, answer.content
    rating = Rating.objects.get(external_id="JS-HCP-0901")
    assert rating.thing_case == other and rating.case is None
    assert WorkOrder.objects.filter(rating=rating).exists()
    again = signed_post(client, URL, {**body, "evaluationId": "JS-HCP-0902"}, APP_ID, SECRET)
    assert again.status_code == 409 and Rating.objects.filter(thing_case=other).count() == 1


def test_a_bad_rating_of_the_whole_thing_reaches_12345_under_the_parent_number(
    scene: Any, thing: ThingCase
) -> None:
    """MODE-1, STD-6: with 差评转12345工单 on, the 12345 order made of a 差评 of a whole 一件事 names the
    number the applicant knows (the 一件事办件编号), not an empty case number."""
    from govhall.accounts.models import Role
    from govhall.hotline.models import HotlineOrder, HotlineStep
    from govhall.hotline.services import hotline_settings_save
    from tests.factories import UserFactory

    admin = UserFactory(unit_kind="bureau", centre=None, roles=[Role.BUREAU_ADMIN])
    hotline_settings_save(actor=admin, values={"convert_bad_reviews": True})
    parent = finish(scene, thing)
    rating = services.rating_submit_thing(thing_case_id=parent.pk, channel="online", level=5, text="跑了三趟")
    order = HotlineOrder.objects.get()
    assert order.review_order == WorkOrder.objects.get(rating=rating) and order.content == "跑了三趟"
    assert HotlineStep.objects.get(order=order, kind="create").data["caseNumber"] == parent.number
