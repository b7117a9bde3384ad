"""综合窗口出件 (MODE-1) and 代办 (STD-5)."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from govhall.accounts.models import Role, User
from govhall.cases.applicants import id_digest, normalize_id
from govhall.cases.models import (
    Case,
    CaseStatus,
    DeliveryMethod,
)
from govhall.cases.notify import notify_applicant
from govhall.cases.rules import require_action
from govhall.cases.services._shared import (
    _audit,
    _event,
    _lock,
    _publish,
    _state,
)
from govhall.core.errors import field_error
from govhall.core.ids import mask_name


@transaction.atomic
def case_deliver(
    *,
    case: Case,
    actor: User,
    method: str,
    collector_name: str = "",
    collector_id_type: str = "id_card",
    collector_id_number: str = "",
    mail_address: str = "",
    courier: str = "",
    tracking_no: str = "",
) -> Case:
    """Hand the result out at a window (the collector's ID must be the applicant's or the agent's) or mail
    it (tracking number). A withheld 容缺 result cannot go out (MODE-3)."""
    case = _lock(case)
    require_action(case, actor, "deliver")
    now = timezone.now()
    before = _state(case)
    if method == DeliveryMethod.WINDOW:
        detail = _hand_over(case, collector_name, collector_id_type, collector_id_number)
    elif method == DeliveryMethod.MAIL:
        detail = _mail(case, mail_address, courier, tracking_no)
    else:
        raise field_error("method", "送达方式只能是窗口领取或邮寄送达。")
    case.status, case.delivery_method, case.delivered_at, case.delivered_by = (
        CaseStatus.DELIVERED,
        method,
        now,
        actor,
    )
    case.delivery_centre_id = actor.centre_id
    case.save()
    _event(case, "deliver", "送达", actor, detail, at=now)
    if method == DeliveryMethod.MAIL:
        notify_applicant(case, f"您的办件{case.number}办理结果已邮寄（{case.courier} {case.tracking_no}）。")
    _publish(case, "delivered")
    _audit(
        case, "deliver", actor, before, {**_state(case), "method": method, "tracking_no": case.tracking_no}
    )
    return case


def _hand_over(case: Case, name: str, id_type: str, id_number: str) -> str:
    """窗口领取: the collector shows the applicant's or the agent's ID. The timeline detail."""
    name = (name or "").strip()
    if not name:
        raise field_error("collector_name", "请填写领取人姓名。")
    number = normalize_id(id_type, id_number, field="collector_id_number")
    digest = id_digest(id_type, number)
    if digest not in {case.applicant_id_digest, case.agent_id_digest}:
        raise field_error("collector_id_number", "领取人证件与申请人或代理人的证件不一致，不能领取。")
    case.collector_name, case.collector_id_digest = name[:40], digest
    # The timeline detail is public (the applicant's tracking, the kiosk): the collector's name masked there;
    # staff read it whole on the case (collector_name).
    return f"窗口领取，领取人：{mask_name(name)}（已核验证件）"


def _mail(case: Case, mail_address: str, courier: str, tracking_no: str) -> str:
    """邮寄送达 with a tracking number. The timeline detail."""
    tracking_no = (tracking_no or "").strip()
    if not tracking_no:
        raise field_error("tracking_no", "邮寄送达须填写快递单号。")
    address = (mail_address or case.applicant_address or "").strip()
    if not address:
        raise field_error("mail_address", "请填写邮寄地址。")
    case.mail_address, case.courier, case.tracking_no = (
        address[:200],
        (courier or "EMS").strip()[:40],
        tracking_no[:40],
    )
    return f"邮寄送达：{case.courier} {tracking_no}"


@transaction.atomic
def case_assign_agency(*, case: Case, actor: User, agent_id: Any, authorisation: str) -> Case:
    """Assign a 代办员 who acts for the applicant through every step; the authorisation is recorded."""
    case = _lock(case)
    require_action(case, actor, "agency")
    try:
        agent = User.objects.get(pk=int(agent_id), is_active=True)
    except (User.DoesNotExist, TypeError, ValueError):
        raise field_error("agent_id", "代办员不存在。") from None
    if not agent.has_role(Role.AGENT, Role.VILLAGE_CLERK) or agent.centre_id not in (
        case.centre_id,
        case.handling_centre_id,
    ):
        raise field_error("agent_id", "代办员须是收件或受理中心的代办员（或村便民服务员）。")
    authorisation = (authorisation or "").strip()
    if not authorisation:
        raise field_error("authorisation", "请登记申请人的委托授权（委托书编号或授权说明）。")
    now = timezone.now()
    before = {"agency_agent": case.agency_agent_id}
    case.agency_agent, case.agency_authorised_at, case.agency_authorisation = agent, now, authorisation[:300]
    case.save()
    _event(case, "agency", "代办", actor, f"申请人委托代办员{agent}全程代办。授权：{authorisation}", at=now)
    _audit(case, "agency", actor, before, {"agency_agent": agent.pk, "authorisation": authorisation})
    return case
