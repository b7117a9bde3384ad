"""Demo cases at 吕四港镇 (after the orgs, catalog and staffing demo data): one waiting for acceptance, one
forwarded by 幸福一村, one in 审批, one under 容缺, one finished and waiting to be collected. Made through the
services, so each has its notices, timeline and audit entries. Idempotent: skipped when the town already
has cases."""

from __future__ import annotations

from govhall.accounts.models import User
from govhall.cases.models import Case
from govhall.cases.services import case_accept, case_finish, case_receive, case_step_pass
from govhall.catalog.models import CentreMatter
from govhall.core.errors import ServiceError
from govhall.core.ids import id_card_check_digit
from govhall.orgs.models import Centre, Window


def load_demo() -> str:
    lvsi = Centre.objects.filter(is_active=True, division__name="吕四港镇").first()
    users = {
        u.username: u
        for u in User.objects.filter(username__in=["lvsi_front", "lvsi_back", "lvsi_back2", "xingfu_clerk"])
    }
    if lvsi is None or len(users) < 4:
        return "办件演示数据：缺少吕四港镇演示人员，跳过"
    if Case.objects.filter(handling_centre=lvsi).exists():
        return "办件演示数据：已存在，跳过"
    link = (
        CentreMatter.objects.filter(
            centre=lvsi,
            is_active=True,
            matter__status="active",
            matter__current_version__department__code="MZ",
            matter__current_version__case_type=2,
        )
        .select_related("matter__current_version")
        .order_by("matter__code")
        .first()
    )
    window = (
        Window.objects.filter(centre=lvsi, window_class="minsheng", is_active=True).order_by("number").first()
    )
    if link is None or window is None:
        return "办件演示数据：吕四港镇没有民政承诺件或民生窗口，跳过"
    version = link.matter.current_version
    if version is None:
        return "办件演示数据：民政承诺件没有现行版本，跳过"
    front, back, back2 = users["lvsi_front"], users["lvsi_back"], users["lvsi_back2"]
    everything = [{"material_id": m.pk, "status": "received"} for m in version.materials.all()]
    people = [
        ("张三", "110101199003071233"),
        ("李四", "320681198805120029"),
        ("王五", "320681197001010014"),
        ("赵六", "320681199212120014"),
        ("孙七", "32068119850615001X"),
    ]

    def receive(name: str, number: str, *, actor: User = front, materials: list | None = None) -> Case:
        number = number[:17] + id_card_check_digit(number[:17])
        return case_receive(
            actor=actor,
            matter_id=link.matter_id,
            window_id=window.pk if actor == front else None,
            applicant={
                "kind": "person",
                "name": name,
                "id_type": "id_card",
                "id_number": number,
                "phone": "13800138000",
                "address": "启东市吕四港镇",
            },
            materials=everything if materials is None else materials,
        )

    made = []
    try:
        made.append(receive(*people[0]))
        village = users["xingfu_clerk"]
        if (
            village.centre_id is not None
            and CentreMatter.objects.filter(
                centre_id=village.centre_id, matter_id=link.matter_id, is_active=True
            ).exists()
        ):
            made.append(receive(*people[1], actor=village, materials=[]))
        in_review = case_accept(case=receive(*people[2]), actor=front)
        if len(version.approval_steps) > 2:
            in_review = case_step_pass(case=in_review, actor=in_review.current_assignee or back)
        made.append(in_review)
        rongque = [m for m in version.materials.all() if m.rongque]
        if rongque and version.rongque_supply_days:
            case = receive(
                *people[3],
                materials=[
                    {"material_id": m.pk, "status": "missing" if m in rongque else "received"}
                    for m in version.materials.all()
                ],
            )
            made.append(
                case_accept(
                    case=case,
                    actor=front,
                    rongque_material_ids=[c.pk for c in case.materials.filter(material__in=rongque)],
                    rongque_signed=True,
                )
            )
        done = case_accept(case=receive(*people[4]), actor=front)
        while done.current_step is not None and done.current_step.name != version.approval_steps[-1]:
            done = case_step_pass(case=done, actor=done.current_assignee or back2)
        made.append(
            case_finish(
                case=done,
                actor=done.current_assignee or back2,
                result="approved",
                certificate_no="启民保〔2026〕001号",
            )
        )
    except ServiceError as exc:
        return f"办件演示数据：未能全部生成（{exc.message}），已生成{len(made)}件"
    return f"办件演示数据：吕四港镇{len(made)}件（" + "、".join(c.get_status_display() for c in made) + "）"
