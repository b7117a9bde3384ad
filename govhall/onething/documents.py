"""The printed guide and blank 一次性告知单 of a 一件事 (SCOPE-4, STD-2): one list of materials for all its
members, rendered by the one document renderer (core.documents)."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from govhall.core.documents import (
    Block,
    FieldTable,
    Heading,
    Paragraph,
    QRCode,
    Signature,
    Table,
    Title,
    render_docx,
    render_pdf,
)

from .selectors import Guide, ThingCaseView

# Codes other apps print on the 一件事 办结通知书 beside the tracking code (the 一事一评 QR code of reviews):
# each returns a block for the parent's view, or None. Registered from their AppConfig.ready(), since those
# apps sit above onething (docs/architecture.md), as cases.documents.register_notice_code does for cases.
ResultCode = Callable[[ThingCaseView], Block | None]
_result_codes: list[ResultCode] = []


def register_result_code(code: ResultCode) -> None:
    if code not in _result_codes:
        _result_codes.append(code)


def guide_url(code: str) -> str:
    return settings.PUBLIC_URL + reverse("onething:guide", args=[code])


def limit_text(days: int) -> str:
    return "即办" if days == 0 else f"{days}个工作日"


def _answers_line(guide: Guide) -> str:
    if not guide.answers:
        return "按申请人情形确定（见“情形问题”）"
    return "；".join(f"{q.text}：{'是' if guide.answers.get(q.code) else '否'}" for q in guide.questions)


def _member_rows(guide: Guide) -> list[list[str]]:
    rows = []
    for gm in guide.members:
        mv = gm.member.matter_version
        if gm.included:
            when = f"第{gm.stage}步" + (
                "（并联）" if sum(1 for o in guide.included if o.stage == gm.stage) > 1 else ""
            )
        else:
            when = "按您的回答无需办理"
        rows.append([str(gm.member.order), mv.name, mv.department.name, mv.promised_limit_display(), when])
    return rows


def _material_rows(guide: Guide) -> list[list[str]]:
    rows = []
    for i, m in enumerate(guide.materials.asked, start=1):
        flags = ["必备" if m.required else "非必备"]
        if m.rongque:
            flags.append("可容缺")
        if m.commitment:
            flags.append("可告知承诺")
        count = "、".join(
            x
            for x in (
                f"原件{m.originals}份" if m.originals else "",
                f"复印件{m.copies}份" if m.copies else "",
            )
            if x
        )
        rows.append(
            [str(i), m.name, m.issuer or "申请人自备", count or "—", "、".join(flags), "、".join(m.members)]
        )
    return rows


def _materials_table(guide: Guide) -> Table:
    return Table(
        ["序号", "材料名称", "出具机构", "份数", "要求", "用于事项"],
        _material_rows(guide),
        widths=[0.6, 3, 1.6, 1.6, 1.4, 2.4],
    )


def _head(guide: Guide, title: str) -> list[Block]:
    version = guide.version
    return [
        Title(title, subtitle="启东市镇村两级政务服务 · 一件事一次办"),
        FieldTable(
            [
                ("一件事名称", guide.thing.name),
                ("编码", guide.thing.code),
                ("对应事件", guide.thing.life_event),
                (
                    "包含事项",
                    f"{len(guide.included)}项："
                    + "；".join(gm.member.matter_version.name for gm in guide.included),
                ),
                ("涉及部门", "、".join(guide.departments)),
                (
                    "承诺办结时限",
                    limit_text(version.promised_limit)
                    + f"（各事项承诺时限之和{limit_text(guide.sum_days)}）",
                ),
                ("办理方式", "一次告知、一表申请、一套材料、一窗受理、统一出件"),
                ("申请人情形", _answers_line(guide)),
            ]
        ),
    ]


def guide_blocks(guide: Guide) -> list[Block]:
    blocks = _head(guide, f"{guide.thing.name}办事指南")
    if guide.version.summary:
        blocks.append(Paragraph(guide.version.summary))
    if guide.questions:
        blocks.append(Heading("一、情形问题"))
        blocks.append(
            Paragraph(
                "申请前请先回答以下问题，系统据此确定需要办理的事项和材料："
                + "；".join(f"{i}. {q.text}" for i, q in enumerate(guide.questions, start=1))
            )
        )
    blocks += [
        Heading("二、包含事项与办理顺序"),
        Table(
            ["序号", "事项名称", "办理部门", "承诺时限", "办理顺序"],
            _member_rows(guide),
            widths=[0.6, 3.4, 2, 1.4, 2],
        ),
        Heading("三、申请材料（一套材料，同一材料只需提交一次）"),
        _materials_table(guide),
    ]
    if guide.materials.produced:
        blocks.append(
            Paragraph(
                "以下材料由本一件事中的其他事项办结后产生，部门之间内部流转，申请人无需提交："
                + "；".join(
                    f"{p.name}（由“{p.produced_by}”产生，用于“{'、'.join(p.needed_by)}”）"
                    for p in guide.materials.produced
                )
            )
        )
    blocks.append(Heading("四、受理条件"))
    for gm in guide.included:
        mv = gm.member.matter_version
        blocks.append(Paragraph(f"【{mv.name}】{mv.acceptance_conditions or '符合该事项法定条件即可申请。'}"))
    blocks.append(Heading("五、办理地点"))
    blocks.append(
        Paragraph(
            "各镇为民服务中心综合受理窗口一窗受理，也可网上申请；村（社区）便民服务中心可代办帮办。结果统一出件，可窗口领取或邮寄。"
        )
    )
    blocks.append(QRCode(guide_url(guide.thing.code), "扫码查看在线办事指南"))
    blocks.append(Paragraph(f"第{guide.version.number}版。", align="right"))
    return blocks


def notice_blocks(guide: Guide) -> list[Block]:
    """The blank 一次性告知单 of the whole thing: everything to bring, said once."""
    blocks = _head(guide, f"{guide.thing.name}一次性告知单")
    blocks += [
        Paragraph("申请人：____________　　联系电话：____________"),
        Paragraph(
            "您咨询办理的事项需要提交以下材料（同一材料只需提交一次），请一次备齐；可在网上提交，也可到窗口提交："
        ),
        _materials_table(guide),
    ]
    if guide.materials.produced:
        blocks.append(
            Paragraph(
                "无需提交：" + "；".join(f"{p.name}（部门间内部流转）" for p in guide.materials.produced)
            )
        )
    blocks.append(
        Paragraph("本告知单一次性告知全部材料，窗口不再以此外的材料为由不予受理。监督电话：0513-12345。")
    )
    blocks.append(QRCode(guide_url(guide.thing.code), "扫码查看在线办事指南"))
    return blocks


def guide_file(guide: Guide, kind: str) -> bytes:
    title = f"{guide.thing.name}办事指南"
    render = render_pdf if kind == "pdf" else render_docx
    return render(guide_blocks(guide), title=title, footer=title)


def notice_file(guide: Guide, kind: str) -> bytes:
    title = f"{guide.thing.name}一次性告知单"
    render = render_pdf if kind == "pdf" else render_docx
    return render(notice_blocks(guide), title=title, footer=title)


# --- 办结通知书 of an application (统一出件) ---------------------------------------------------------------


def _when(moment: object) -> str:
    return f"{timezone.localtime(moment):%Y年%m月%d日}" if moment else "—"  # type: ignore[arg-type]


def result_blocks(view: ThingCaseView) -> list[Block]:
    """One 办结通知书 for the whole thing: each member's result (准予, or lawfully refused with its reason)."""
    parent = view.parent
    rows = []
    for i, m in enumerate(view.members, start=1):
        case = m.case
        rows.append(
            [
                str(i),
                m.row.name,
                m.department,
                m.result or m.state,
                case.certificate_no if case is not None and case.certificate_no else "—",
                _when(case.finished_at) if case is not None else "—",
            ]
        )
    finished = view.finished
    blocks: list[Block] = [
        Title(f"{parent.thing.name}办结通知书", subtitle=f"一件事办件编号：{parent.number}"),
        FieldTable(
            [
                ("申请人", parent.applicant_name),
                ("一件事", f"{parent.thing.name}（第{parent.version.number}版）"),
                ("受理中心", parent.handling_centre.name),
                ("收件时间", _when(parent.received_at)),
                ("受理时间", _when(parent.accepted_at)),
                ("办结时间", _when(parent.finished_at) if finished else "尚未全部办结"),
                (
                    "承诺时限",
                    f"{limit_text(parent.promised_limit)}（各事项承诺时限之和{limit_text(parent.members_limit_sum)}）",
                ),
            ]
        ),
        Heading("各事项办理结果"),
        Table(
            ["序号", "事项", "办理部门", "结果", "证照编号", "办结日期"],
            rows,
            widths=[0.5, 2.6, 1.6, 3, 1.6, 1.4],
        ),
        Paragraph(
            "以上事项已全部办结，结果统一出件：请持本通知书和申请人身份证件到窗口一次领取，或按您选择的方式邮寄送达。"
            if finished
            else "尚有事项正在办理，全部办结后统一出件。"
        ),
        Paragraph("对不予许可或不予受理的事项，如有异议，可依法申请行政复议或提起行政诉讼。"),
        QRCode(settings.PUBLIC_URL + reverse("portal:track") + f"?no={parent.number}", "扫码查询办理进度"),
        *[block for code in _result_codes if (block := code(view)) is not None],
        Signature([parent.handling_centre.name, _when(parent.finished_at or timezone.now())]),
    ]
    return blocks


def result_file(view: ThingCaseView, kind: str) -> bytes:
    title = f"{view.parent.thing.name}办结通知书"
    render = render_pdf if kind == "pdf" else render_docx
    return render(result_blocks(view), title=title, footer=f"{title} · {view.parent.number}")
