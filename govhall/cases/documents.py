"""The case's dated written notices (受理通知书, 不予受理通知书, 一次性告知单, 容缺受理通知书, 办结通知书) as PDF
and .docx. Each carries the accepting centre's name and seal line (ORG-4), the case number, a QR code to
the public tracking page and the short query password. The 一次性告知单 is the catalogue's sheet
(`govhall.catalog.documents`) with the case block added."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from govhall.cases.models import CaseNotice, NoticeKind
from govhall.catalog.documents import notification_sheet_blocks
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

# Codes other apps print on a notice's case block (the 好差评 QR code): each returns a block for a notice, or
# None. Registered from their AppConfig.ready(), since those apps sit above cases (docs/architecture.md).
NoticeCode = Callable[[CaseNotice], Block | None]
_notice_codes: list[NoticeCode] = []


def register_notice_code(code: NoticeCode) -> None:
    if code not in _notice_codes:
        _notice_codes.append(code)


def tracking_url(number: str) -> str:
    return f"{settings.PUBLIC_URL}{reverse('portal:track')}?no={number}"  # the public tracking page


def _date(notice: CaseNotice) -> str:
    local = timezone.localtime(notice.issued_at)
    return f"{local.year}年{local.month}月{local.day}日"


def _case_block(notice: CaseNotice) -> list[Block]:
    case = notice.case
    return [
        FieldTable(
            [
                ("办件编号", case.number),
                ("查询密码", case.query_password),
                ("查询方式", "扫描二维码或登录政务服务网，凭办件编号和查询密码查询办理进度"),
            ]
        ),
        QRCode(tracking_url(case.number), "扫码查询办件进度（需输入查询密码）"),
        *[block for code in _notice_codes if (block := code(notice)) is not None],
    ]


def _signature(notice: CaseNotice) -> Signature:
    p = notice.payload
    return Signature(
        [f"经办人：{p.get('issuer', '')}", f"{p.get('seal') or p.get('centre')}（盖章）", _date(notice)]
    )


def _materials_table(rows: list[dict]) -> Table:
    return Table(
        ["序号", "材料名称", "收取情况", "原件", "复印件"],
        [
            [str(i), r["name"], r["status"], str(r["originals"]), str(r["copies"])]
            for i, r in enumerate(rows, start=1)
        ],
        widths=[0.6, 4, 1.6, 0.8, 0.8],
    )


def notice_blocks(notice: CaseNotice) -> list[Block]:
    p = notice.payload
    kind = NoticeKind(notice.kind)
    head: list[Block] = [
        Title(kind.label, subtitle=p.get("centre", "")),
        Paragraph(f"文号：{notice.document_no}", align="right"),
        Paragraph(f"{p.get('applicant', '申请人')}：", bold=True),
    ]
    body: list[Block]
    if kind == NoticeKind.ACCEPT:
        body = [
            Paragraph(
                f"你（单位）于{p.get('received_at')}提出的“{p.get('matter')}”（事项编码 {p.get('matter_code')}）申请，"
                "经审查，申请材料齐全、符合法定形式（或已按规定容缺、告知承诺），根据《中华人民共和国行政许可法》"
                f"第三十二条的规定，本中心决定予以受理。受理时间：{p.get('accepted_at')}。"
            ),
            FieldTable([("承诺办结时限", p.get("limit", "")), ("承诺办结时间", p.get("due_at", ""))]),
            Heading("已收取的申请材料"),
            _materials_table(p.get("materials", [])),
        ]
        if p.get("commitment"):
            body.append(
                Paragraph(
                    f"以下证明材料以申请人签署的告知承诺书代替：{'、'.join(p['commitment'])}；"
                    f"核查方式：{p.get('check_method', '')}。承诺不实的，将终止办理或撤销决定，并记入信用记录。"
                )
            )
    elif kind == NoticeKind.REJECT:
        body = [
            Paragraph(
                f"你（单位）于{p.get('received_at')}提出的“{p.get('matter')}”申请，经审查，决定不予受理。"
            ),
            FieldTable([("不予受理理由", p.get("reason", ""))]),
            Paragraph(
                "如不服本决定，可以自收到本通知书之日起六十日内依法申请行政复议，"
                "或者在六个月内依法提起行政诉讼。"
            ),
        ]
    elif kind == NoticeKind.RONGQUE:
        body = [
            Paragraph(
                f"你（单位）申请的“{p.get('matter')}”，主要申请材料齐全、符合法定形式，经你（单位）签署容缺受理承诺书，"
                f"本中心于{p.get('accepted_at')}予以容缺受理。下列材料请于{p.get('deadline')}前一次性补齐："
            ),
            Table(
                ["序号", "材料名称", "形式", "原件", "复印件"],
                [
                    [
                        str(i),
                        m["name"],
                        m.get("form", ""),
                        str(m.get("originals", 0)),
                        str(m.get("copies", 0)),
                    ]
                    for i, m in enumerate(p.get("missing", []), start=1)
                ],
                widths=[0.6, 4, 1.4, 0.8, 0.8],
            ),
            Paragraph(
                f"补齐期限不晚于承诺办结时间（{p.get('due_at')}）。容缺材料补齐前，审批照常进行，但办理结果暂不发放；"
                f"逾期未补齐的，办件挂起（暂停办理）；挂起后{p.get('return_days')}个工作日内仍未补齐的，作退件处理。"
            ),
        ]
    elif kind == NoticeKind.RESULT:
        rows = [("办结结果", p.get("result", "")), ("办结时间", p.get("finished_at", ""))]
        if p.get("certificate_name"):
            rows.append(("证照名称", p["certificate_name"]))
        if p.get("certificate_no"):
            rows.append(("证照编号", p["certificate_no"]))
        if p.get("valid"):
            rows.append(("有效期", p["valid"]))
        if p.get("referred_to"):
            rows.append(("转报单位", p["referred_to"]))
        if p.get("reason"):
            rows.append(("说明", p["reason"]))
        body = [Paragraph(f"你（单位）申请的“{p.get('matter')}”已办结，结果如下："), FieldTable(rows)]
        if p.get("withheld"):
            body.append(Paragraph("本件为容缺受理，容缺材料补齐前办理结果暂扣，补齐后方可领取。", bold=True))
    else:  # COMMITMENT and anything else: a plain record of the payload
        body = [
            FieldTable(
                [
                    (str(k), str(v))
                    for k, v in p.items()
                    if isinstance(v, str | int) and k != "due_provisional_note"
                ]
            )
        ]
    if p.get("due_provisional_note"):
        # STD-3: a date counted into a year whose holidays are not yet published says so on paper.
        body.append(Paragraph(f"※ 标注「暂定」的期限：{p['due_provisional_note']}。", bold=True))
    return [
        *head,
        *body,
        *_case_block(notice),
        _signature(notice),
        Paragraph("申请人签收：____________　　日期：____________"),
    ]


def _correction_blocks(notice: CaseNotice) -> list[Block]:
    assert notice.sheet is not None  # a 补正 notice is issued with its sheet (services.decide)
    sheet_blocks = notification_sheet_blocks(notice.sheet)
    # The sheet's own closing (signature, receipt line) stays last; the case block goes before it.
    cut = next((i for i, b in enumerate(sheet_blocks) if isinstance(b, Signature)), len(sheet_blocks))
    return [*sheet_blocks[:cut], *_case_block(notice), *sheet_blocks[cut:]]


def blocks_for(notice: CaseNotice) -> list[Block]:
    if notice.kind == NoticeKind.CORRECTION and notice.sheet_id:
        return _correction_blocks(notice)
    return notice_blocks(notice)


def notice_pdf(notice: CaseNotice) -> bytes:
    title = f"{notice.get_kind_display()} {notice.document_no}"
    return render_pdf(blocks_for(notice), title=title, footer=title)


def notice_docx(notice: CaseNotice) -> bytes:
    title = f"{notice.get_kind_display()} {notice.document_no}"
    return render_docx(blocks_for(notice), title=title, footer=title)
