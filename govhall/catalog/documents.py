"""The catalogue's printed documents (SCOPE-4, STD-2): the service guide (办事指南) and the one-time
notification sheet (一次性告知单), as PDF and .docx, each with a QR code to the online guide."""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from govhall.core.calendar import tentative
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
from govhall.orgs.models import Centre

from .models import Matter, MatterVersion, NotificationSheet


def guide_path(matter: Matter) -> str:
    """The citizen-facing guide on the portal (the catalogue keeps its own page for staff links)."""
    return reverse("portal:guide", args=[matter.code])


def guide_url(matter: Matter) -> str:
    """The public online guide (settings.PUBLIC_URL + path); printed as a QR code on every document."""
    return settings.PUBLIC_URL + guide_path(matter)


def _date(moment: object) -> str:
    local = timezone.localtime(moment) if moment else timezone.localtime()  # type: ignore[arg-type]
    return f"{local.year}年{local.month}月{local.day}日"


def _material_rows(version: MatterVersion) -> list[list[str]]:
    rows = []
    for i, m in enumerate(version.materials.all(), start=1):
        flags = ["必备" if m.required else "非必备"]
        if m.rongque:
            flags.append("可容缺")
        if m.commitment:
            flags.append("可告知承诺")
        rows.append(
            [str(i), m.name, m.issuer or "—", m.copies_display(), "、".join(flags), m.fill_notes or ""]
        )
    return rows


def guide_blocks(version: MatterVersion, *, centre: Centre | None = None) -> list[Block]:
    matter = version.matter
    location = version.location or (
        centre.address if centre and centre.address else "各镇为民服务中心、村便民服务中心"
    )
    hours = version.office_hours or (centre.opening_hours if centre else "周一至周五（法定节假日除外）")
    consult = version.consult_phone or (centre.phone if centre else "") or "—"
    supervise = version.supervision_phone or (centre.supervision_phone if centre else "") or "0513-12345"
    subtitle = centre.name if centre else "启东市镇村两级政务服务"
    blocks: list[Block] = [
        Title(f"{version.name}办事指南", subtitle=subtitle),
        FieldTable(
            [
                ("事项名称", version.name),
                ("实施编码", matter.code),
                ("基本编码", matter.basic_code),
                ("事项类型", version.get_matter_type_display()),
                ("行使层级", version.levels_display()),
                ("实施主体", version.implementing_body),
                ("主管部门", version.department.name),
                ("承办机构", version.handling_org or version.implementing_body),
                ("服务对象", version.service_objects_display()),
                ("办件类型", version.get_case_type_display()),
                (
                    "法定办结时限",
                    version.legal_limit_display()
                    + (f"（{version.legal_limit_note}）" if version.legal_limit_note else ""),
                ),
                (
                    "承诺办结时限",
                    version.promised_limit_display()
                    + (f"（{version.promised_limit_note}）" if version.promised_limit_note else ""),
                ),
                (
                    "到办事现场次数",
                    f"{version.visits}次"
                    + (
                        f"（须本人到场：{version.in_person_reason}，不能全程网办）"
                        if version.in_person_reason
                        else ""
                    ),
                ),
                ("办理形式", version.handling_forms_display()),
                (
                    "是否收费",
                    version.fee_display() + (f"；收费依据：{version.fee_basis}" if version.charges else ""),
                ),
                ("结果名称", version.result_name or "—"),
                ("特别程序", version.special_procedures_display()),
                ("办理地点", location),
                ("办理时间", hours),
                ("咨询电话", consult),
                ("监督电话", supervise),
            ]
        ),
        Heading("一、设定依据"),
        Paragraph(version.legal_basis),
        Heading("二、受理条件"),
        Paragraph(version.acceptance_conditions or "—"),
        Heading("三、申请材料"),
        Table(
            ["序号", "材料名称", "出具机构", "份数", "要求", "填报须知"],
            _material_rows(version),
            widths=[0.6, 3.2, 1.6, 1.4, 1.4, 2.4],
        ),
        Heading("四、办理流程"),
        Paragraph(version.process or "→".join(version.approval_steps)),
    ]
    commitments = [m for m in version.materials.all() if m.commitment]
    if commitments:
        blocks.append(Heading("五、告知承诺"))
        blocks.append(
            Paragraph(
                "以下材料可由申请人书面承诺代替（自愿选择；虚假承诺将终止办理或撤销决定，并记入信用记录）。"
                f"核查方式：{version.get_check_method_display() or '—'}"
                + (f"，{version.check_days}个工作日内核查。" if version.check_days else "。")
            )
        )
        for m in commitments:
            blocks.append(Paragraph(f"【{m.name}】{m.commitment_text}"))
    rongque = [m.name for m in version.materials.all() if m.rongque]
    if rongque:
        blocks.append(Heading("容缺受理"))
        blocks.append(
            Paragraph(
                f"“{'、'.join(rongque)}”可容缺受理：申请人签署容缺受理承诺书，"
                f"于{version.rongque_supply_days or '—'}个工作日内补齐，补齐前不出具办理结果。"
            )
        )
    if version.faq:
        blocks += [Heading("常见问题"), Paragraph(version.faq)]
    blocks.append(QRCode(guide_url(matter), "扫码查看在线办事指南"))
    published = _date(version.published_at) if version.published_at else "未发布"
    blocks.append(Paragraph(f"第{version.number}版，{published}发布。", align="right"))
    return blocks


def guide_pdf(matter_version: MatterVersion, *, centre: Centre | None = None) -> bytes:
    """办事指南 PDF (SCOPE-4) with the embedded CJK font and a QR code to the online guide."""
    return render_pdf(
        guide_blocks(matter_version, centre=centre),
        title=f"{matter_version.name}办事指南",
        footer=f"{matter_version.name} 办事指南",
    )


def guide_docx(matter_version: MatterVersion, *, centre: Centre | None = None) -> bytes:
    """办事指南 .docx (SCOPE-4), editable in WPS/Word."""
    return render_docx(
        guide_blocks(matter_version, centre=centre),
        title=f"{matter_version.name}办事指南",
        footer=f"{matter_version.name} 办事指南",
    )


def _online_supply_text(sheet: NotificationSheet) -> str:
    """STD-2 and NET-1: the materials can be supplied online, not only at the window."""
    portal = settings.PUBLIC_URL + reverse("portal:my_cases")
    if sheet.case_no:
        return (
            f"材料可在网上补交：登录启东市政务服务网（{portal}），在“我的办件”中凭办件编号和查询密码"
            "找到本办件后上传补正材料，无需再跑窗口；也可将材料送至本中心窗口。"
        )
    return (
        f"材料可在网上提交：登录启东市政务服务网（{settings.PUBLIC_URL}），在该事项的办事指南页在线申报并上传材料；"
        "也可将材料送至本中心窗口。"
    )


def notification_sheet_blocks(sheet: NotificationSheet) -> list[Block]:
    version = sheet.matter_version
    items = list(sheet.items.all())
    blocks: list[Block] = [
        Title("一次性告知单", subtitle=sheet.centre.name),
        Paragraph(f"编号：{sheet.serial}", align="right"),
        Paragraph(f"{sheet.applicant_name or '申请人'}：", bold=True),
        Paragraph(
            f"您申请办理的“{version.name}”（事项编码 {version.matter.code}），经审查，申请材料存在以下问题。"
            "根据《中华人民共和国行政许可法》第三十二条及一次性告知制度，现一次性告知如下，"
            "请按要求补齐或更正后再次提交："
        ),
        Table(
            ["序号", "材料名称", "问题", "原因及补正要求"],
            [[str(i.order), i.name, i.get_problem_display(), i.reason] for i in items],
            widths=[0.6, 3, 0.8, 4.6],
        ),
    ]
    if sheet.case_no:
        blocks.append(Paragraph(f"办件编号：{sheet.case_no}"))
    if sheet.created_at is None:  # the blank sheet published with a guide: not issued, so no date yet
        blocks.append(
            Paragraph(
                f"补正期限：告知之日起{sheet.supply_days}个工作日内（法定节假日不计）补齐或更正上述材料。",
                bold=True,
            )
        )
    else:
        due = sheet.supply_deadline()
        blocks.append(
            Paragraph(
                f"补正期限：请于{tentative(_date(due.at), due.waits_for_year)}前"
                f"（告知之日起{sheet.supply_days}个工作日内，法定节假日不计）补齐或更正上述材料。",
                bold=True,
            )
        )
        if due.provisional:
            blocks.append(Paragraph(f"※ {due.note}。"))
    blocks.append(Paragraph(_online_supply_text(sheet)))
    if sheet.note:
        blocks += [Heading("其他告知事项"), Paragraph(sheet.note)]
    blocks.append(
        Paragraph(
            "本告知单一次性列明全部问题；材料补齐后，窗口不得再以其他材料问题为由不予受理。"
            f"如有疑问请咨询：{sheet.centre.phone or version.consult_phone or '本中心窗口'}；"
            f"监督电话：{sheet.centre.supervision_phone or version.supervision_phone or sheet.centre.complaint_phone}。"
        )
    )
    blocks.append(QRCode(guide_url(version.matter), "扫码查看该事项的办事指南"))
    blocks.append(
        Signature(
            [
                f"经办人：{sheet.clerk_name}（工号 {sheet.clerk_staff_no}）",
                f"{sheet.centre.seal}（盖章）",
                _date(sheet.created_at),
            ]
        )
    )
    blocks.append(Paragraph("申请人签收：____________　　日期：____________"))
    return blocks


def notification_sheet_pdf(sheet: NotificationSheet) -> bytes:
    """一次性告知单 PDF (STD-2)."""
    return render_pdf(
        notification_sheet_blocks(sheet),
        title=f"一次性告知单 {sheet.serial}",
        footer=f"一次性告知单 {sheet.serial}",
    )


def notification_sheet_docx(sheet: NotificationSheet) -> bytes:
    """一次性告知单 .docx (STD-2)."""
    return render_docx(
        notification_sheet_blocks(sheet),
        title=f"一次性告知单 {sheet.serial}",
        footer=f"一次性告知单 {sheet.serial}",
    )
