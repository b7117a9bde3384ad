"""GOV-1, NET-2: the 12345 lifecycle is one table (`services.ORDER`); every action is refused from a state the
table does not allow, with the one Chinese wrong-state answer, and nothing is written (no step, nothing for the
12345 platform). Who may is asked before the state: a stranger gets 403 whatever the order's state."""

from __future__ import annotations

import pytest

from govhall.core.errors import Conflict, Forbidden
from govhall.exchange.models import SyncItem
from govhall.hotline import services
from govhall.hotline.models import HotlineOrder, HotlineStep, Status

pytestmark = pytest.mark.django_db

PARAMS = {
    "dispatch": {},
    "assign": {},
    "reply": {"text": "已处理"},
    "extend": {"days": 1, "reason": "需协调"},
    "return": {"reason": "不属本中心职责"},
    "visit": {"result": "satisfied", "note": ""},
}


def _closed(scene) -> HotlineOrder:
    order, _ = services.order_receive(
        number="QD12345-20260310-0042",
        category="consult",
        title="咨询",
        content="咨询办理条件",
        centre_code=scene.town.division.code,
    )
    order = services.order_assign(order=order, actor=scene.director, handler=scene.front_desk)
    order = services.order_reply(order=order, actor=scene.front_desk, text="已电话答复")
    return services.order_visit(order=order, actor=scene.director, result="satisfied", note="")


@pytest.mark.parametrize("code", sorted(PARAMS))
def test_every_action_is_refused_on_a_closed_order_and_writes_nothing(scene, code):
    order = _closed(scene)
    assert order.status == Status.CLOSED
    steps, outbox = HotlineStep.objects.count(), SyncItem.objects.count()
    actor = scene.people["bureau_admin"] if code == "dispatch" else scene.director
    params = dict(PARAMS[code])
    if code in ("dispatch",):
        params["centre"] = scene.town
    if code == "assign":
        params["handler"] = scene.front_desk
    if code in ("reply", "extend"):
        actor = scene.front_desk
    with pytest.raises(Conflict) as refused:
        services.ORDER.apply(code, order, actor=actor, now=order.closed_at, **params)
    assert refused.value.code == "wrong_state"
    doing = services.ORDER.actions[code].doing
    assert str(refused.value) == f"工单QD12345-20260310-0042当前为“已办结”，不能{doing}。"
    assert (HotlineStep.objects.count(), SyncItem.objects.count()) == (steps, outbox)


def test_who_may_is_answered_before_the_state(scene):
    order = _closed(scene)
    with pytest.raises(Forbidden):
        services.order_reply(order=order, actor=scene.people["guide"], text="答复")
