"""Catalogue API (/api/v1/catalog/): list, search and read matters, versions, materials and guides;
the bureau creates, changes and publishes matters; centre staff issue notification sheets (STD-2)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any, Literal

from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from ninja import Field, Router, Schema, Status

from govhall.core.api_params import Id, Mapped, SmallInt, paged
from govhall.core.errors import Conflict, NotFound, field_error
from govhall.orgs.policy import access_centre, sees_everything

from . import documents, selectors, services
from .models import Material, Matter, MatterVersion, NotificationSheet

router = Router(tags=["事项清单"])


# --- schemas ---------------------------------------------------------------------------------------


class MaterialOut(Schema):
    id: int = Field(..., description="材料ID（在本版本内唯一；告知单引用材料时使用）")
    order: int = Field(..., description="序号")
    name: str = Field(..., description="材料名称")
    issuer: str = Field(..., description="出具机构，如“申请人自备”“公安机关”")
    material_form: str = Field(..., description="材料形式：paper 纸质、electronic 电子、both 纸质或电子")
    originals: int = Field(..., description="原件份数")
    copies: int = Field(..., description="复印件份数")
    required: bool = Field(..., description="是否必备")
    rongque: bool = Field(..., description="可容缺：受理时可暂缺，限期补齐（MODE-3）")
    commitment: bool = Field(..., description="可告知承诺：申请人可书面承诺代替该材料（MODE-2）")
    commitment_text: str = Field(..., description="告知承诺书内容（可告知承诺时必有）")
    fill_notes: str = Field(..., description="填报须知")
    blank_form_url: str | None = Field(None, description="空白表格下载地址（无则为空）")
    sample_url: str | None = Field(None, description="示例样表下载地址（无则为空）")


class MatterSummary(Schema):
    code: str = Field(..., description="实施编码（≤24位，全市唯一）")
    basic_code: str = Field(..., description="基本编码（≤10位）")
    name: str = Field(..., description="事项名称")
    status: str = Field(..., description="事项状态：active 在用、suspended 暂停、cancelled 取消、draft 草稿")
    version: int = Field(..., description="现行版本号")
    matter_type: str = Field(..., description="事项类型代码（GB/T 39046 附录A：01 行政许可 … 20 公共服务）")
    category: str = Field(
        ...,
        description="清单类别（SCOPE-2）：镇 social_management/public_service/production/"
        "living/other_affairs；村 v_relief/v_family_planning/v_employment/"
        "v_mediation/v_agency",
    )
    category_label: str = Field(..., description="清单类别名称")
    department: str = Field(..., description="主管部门代码（如 MZ 民政）")
    department_name: str = Field(..., description="主管部门名称")
    levels: list[int] = Field(..., description="行使层级代码：4 县级、5 镇级、6 村级")
    case_type: int = Field(..., description="办件类型：1 即办件、2 承诺件、9 其他")
    promised_limit: int = Field(..., description="承诺办结时限（数值；即办件为0）")
    promised_limit_unit: str = Field(
        ..., description="承诺时限单位：workday 工作日、natural_day 自然日、hour 小时"
    )
    window_class: str = Field(
        ..., description="受理窗口类别：minsheng/jianshe/shizheng/qita/quanke/professional"
    )


class MatterOut(MatterSummary):
    version_state: str = Field(..., description="该版本状态：draft 草稿、published 现行、superseded 历史")
    change_kind: str = Field(
        ...,
        description="变更类型：create 新增、change 变更、split 拆分、merge 合并、"
        "suspend 暂停、resume 恢复、cancel 取消",
    )
    change_reason: str = Field(..., description="变更原因")
    published_at: datetime | None = Field(None, description="发布时间")
    legal_basis: str = Field(..., description="设定依据")
    max_town_class: int | None = Field(
        None, description="进驻镇类别上限：空=所有镇，1=仅一类镇，2=一类、二类镇"
    )
    implementing_body: str = Field(..., description="实施主体")
    implementing_body_credit_code: str = Field(..., description="实施主体统一社会信用代码")
    handling_org: str = Field(..., description="承办机构")
    delivery_mode: str = Field(..., description="进驻方式：delegated 依法下放、extended 延伸服务")
    window_department: str | None = Field(None, description="专业窗口部门代码（受理窗口为专业窗口时）")
    legal_limit: int | None = Field(None, description="法定办结时限（空=无法定时限）")
    legal_limit_unit: str = Field(..., description="法定时限单位：workday/natural_day/hour")
    legal_limit_note: str = Field(..., description="法定时限说明")
    promised_limit_note: str = Field(..., description="承诺时限说明")
    acceptance_conditions: str = Field(..., description="受理条件")
    process: str = Field(..., description="办理流程（文字）")
    approval_steps: list[str] = Field(
        ..., description="审批环节名称，按顺序；每个环节由主管部门的后台岗位办理"
    )
    special_procedures: list[str] = Field(
        ...,
        description="特别程序代码：extension 延长审批、hearing 听证、"
        "publicity 公示、verification 核实、site_survey 现场勘查、"
        "testing 检验检测、expert_review 专家评审、other 其他",
    )
    result_name: str = Field(..., description="结果名称")
    charges: bool = Field(..., description="是否收费")
    fee_basis: str = Field(..., description="收费依据")
    fee_amount: Decimal | None = Field(None, description="收费金额（元，两位小数；空=按标准/不收费）")
    fee_note: str = Field(..., description="收费说明")
    service_objects: list[int] = Field(
        ...,
        description="服务对象代码：1 自然人、2 企业法人、3 事业法人、4 社会组织法人、5 行政机关、6 其他组织",
    )
    handling_forms: list[int] = Field(
        ..., description="办理形式代码：1 窗口办理、2 电脑端网上办理、3 移动端网上申请、4 快递申请、9 其他"
    )
    visits: int = Field(..., description="到办事现场次数")
    in_person_reason: str = Field(..., description="须本人到场原因（非空表示不能全程网办）")
    supports_appointment: bool = Field(..., description="支持预约办理")
    supports_online: bool = Field(..., description="支持网上办理")
    supports_online_payment: bool = Field(..., description="支持网上支付")
    supports_express: bool = Field(..., description="支持物流快递")
    online_url: str = Field(..., description="网上办理地址")
    location: str = Field(..., description="办理地点（空=各服务中心地址）")
    office_hours: str = Field(..., description="办理时间（空=各服务中心办公时间）")
    consult_phone: str = Field(..., description="咨询电话")
    supervision_phone: str = Field(..., description="监督电话")
    faq: str = Field(..., description="常见问题")
    check_method: str = Field(
        ...,
        description="告知承诺核查方式：written 书面核查、online 网络核验、site 实地调查、"
        "publicity 公示核查、exempt 免予核查；空=无告知承诺材料",
    )
    check_days: int | None = Field(None, description="告知承诺核查时限（工作日）")
    rongque_supply_days: int | None = Field(None, description="容缺补齐期限（工作日）")
    guide_url: str = Field(..., description="在线办事指南地址（公开）")
    materials: list[MaterialOut] = Field(..., description="申请材料，按序号")


class VersionSummary(Schema):
    number: int = Field(..., description="版本号")
    state: str = Field(..., description="draft 草稿、published 现行、superseded 历史")
    change_kind: str = Field(..., description="变更类型")
    change_reason: str = Field(..., description="变更原因")
    created_by: str | None = Field(None, description="编辑人（姓名和工号）")
    published_by: str | None = Field(None, description="发布人（姓名和工号）")
    published_at: datetime | None = Field(None, description="发布时间")
    superseded_at: datetime | None = Field(None, description="被新版本替代的时间")


class GuideOut(MatterOut):
    pdf_url: str = Field(..., description="办事指南 PDF 下载地址（公开）")
    docx_url: str = Field(..., description="办事指南 Word 下载地址（公开）")


class CentreMatterOut(MatterSummary):
    service_mode: str = Field(..., description="本中心服务方式：handle 受理办理、forward 帮办代办（转办）")


class MaterialIn(Schema):
    id: int | None = Field(None, description="沿用现有版本中该ID材料的空白表格与示例样表")
    name: str = Field(..., description="材料名称", max_length=200)
    issuer: str = Field("", description="出具机构", max_length=100)
    material_form: Literal["paper", "electronic", "both"] = Field("paper", description="材料形式")
    originals: int = Field(0, ge=0, le=99, description="原件份数")
    copies: int = Field(0, ge=0, le=99, description="复印件份数")
    required: bool = Field(True, description="是否必备")
    rongque: bool = Field(False, description="可容缺")
    commitment: bool = Field(False, description="可告知承诺（须同时填写告知承诺书）")
    commitment_text: str = Field("", description="告知承诺书内容")
    fill_notes: str = Field("", description="填报须知")


class VersionIn(Schema):
    """Content of a matter version. On a draft update, omitted fields keep their current value."""

    name: str | None = Field(None, description="事项名称", max_length=200)
    matter_type: str | None = Field(None, description="事项类型代码（01…10、20）")
    legal_basis: str | None = Field(None, description="设定依据")
    levels: list[int] | None = Field(None, description="行使层级代码（4、5、6）")
    max_town_class: int | None = Field(None, description="进驻镇类别上限（1或2；空=所有镇）")
    department: str | None = Field(None, description="主管部门代码")
    implementing_body: str | None = Field(None, description="实施主体")
    implementing_body_credit_code: str | None = Field(None, description="实施主体统一社会信用代码")
    handling_org: str | None = Field(None, description="承办机构")
    category: str | None = Field(None, description="清单类别代码")
    delivery_mode: str | None = Field(None, description="进驻方式：delegated、extended")
    window_class: str | None = Field(None, description="受理窗口类别")
    window_department: str | None = Field(None, description="专业窗口部门代码")
    legal_limit: int | None = Field(None, ge=0, description="法定办结时限")
    legal_limit_unit: str | None = Field(None, description="法定时限单位")
    legal_limit_note: str | None = Field(None, description="法定时限说明")
    promised_limit: int | None = Field(None, ge=0, description="承诺办结时限（不得超过法定时限）")
    promised_limit_unit: str | None = Field(None, description="承诺时限单位")
    promised_limit_note: str | None = Field(None, description="承诺时限说明")
    case_type: int | None = Field(None, description="办件类型：1 即办件、2 承诺件、9 其他")
    acceptance_conditions: str | None = Field(None, description="受理条件")
    process: str | None = Field(None, description="办理流程")
    approval_steps: list[str] | None = Field(None, description="审批环节名称")
    special_procedures: list[str] | None = Field(None, description="特别程序代码")
    result_name: str | None = Field(None, description="结果名称")
    charges: bool | None = Field(None, description="是否收费")
    fee_basis: str | None = Field(None, description="收费依据（收费时必填）")
    fee_amount: Decimal | None = Field(None, ge=0, description="收费金额（元）")
    fee_note: str | None = Field(None, description="收费说明")
    service_objects: list[int] | None = Field(None, description="服务对象代码")
    handling_forms: list[int] | None = Field(None, description="办理形式代码")
    visits: int | None = Field(None, ge=0, description="到办事现场次数")
    in_person_reason: str | None = Field(
        None, max_length=100, description="须本人到场原因（如：采集指纹、现场照相）"
    )
    supports_appointment: bool | None = Field(None, description="支持预约")
    supports_online: bool | None = Field(None, description="支持网办")
    supports_online_payment: bool | None = Field(None, description="支持网上支付")
    supports_express: bool | None = Field(None, description="支持快递")
    online_url: str | None = Field(None, description="网上办理地址")
    location: str | None = Field(None, description="办理地点")
    office_hours: str | None = Field(None, description="办理时间")
    consult_phone: str | None = Field(None, description="咨询电话")
    supervision_phone: str | None = Field(None, description="监督电话")
    faq: str | None = Field(None, description="常见问题")
    check_method: str | None = Field(None, description="告知承诺核查方式")
    check_days: int | None = Field(None, ge=0, description="核查时限（工作日）")
    rongque_supply_days: int | None = Field(None, ge=0, description="容缺补齐期限（工作日）")
    materials: list[MaterialIn] | None = Field(None, description="申请材料（给出时整体替换）")


class MatterCreateIn(VersionIn):
    code: str = Field(..., description="实施编码（≤24位字母或数字，全市唯一）")
    basic_code: str = Field(..., description="基本编码（≤10位字母或数字）")


class DraftIn(VersionIn):
    change_kind: Literal["change", "split", "merge"] = Field("change", description="变更类型")
    change_reason: str = Field("", max_length=300, description="变更原因（发布时必填）")
    basic_code: str | None = Field(None, description="基本编码（修改时填写）")


class ReasonIn(Schema):
    reason: str = Field("", max_length=300, description="原因（发布变更、暂停、恢复、取消时必填）")


class SheetItemIn(Schema):
    material_id: Id | None = Field(None, description="事项材料ID（与 name 二选一）")
    name: str | None = Field(None, description="材料名称（清单外材料时填写）")
    problem: Literal["missing", "wrong"] = Field(..., description="问题：missing 缺少、wrong 有误")
    reason: str = Field(..., description="原因及补正要求")


class SheetIn(Schema):
    matter_code: str = Field(..., description="实施编码（使用现行版本）")
    centre_id: Id | None = Field(None, description="出具告知单的服务中心（默认为本人所属中心）")
    applicant_name: str = Field("", max_length=100, description="申请人名称")
    note: str = Field("", description="其他告知事项")
    supply_days: int | None = Field(None, ge=1, le=60, description="补正期限（工作日，默认15）")
    items: list[SheetItemIn] = Field(..., description="一次性列明的全部缺少或有误的材料")


class SheetItemOut(Schema):
    order: int = Field(..., description="序号")
    name: str = Field(..., description="材料名称")
    problem: str = Field(..., description="missing 缺少、wrong 有误")
    reason: str = Field(..., description="原因及补正要求")


class SheetOut(Schema):
    serial: str = Field(..., description="告知单编号")
    centre: str = Field(..., description="服务中心名称")
    clerk_staff_no: str = Field(..., description="经办人工号")
    matter_code: str = Field(..., description="实施编码")
    matter_version: int = Field(..., description="事项版本号")
    created_at: datetime = Field(..., description="告知时间")
    supply_days: int = Field(..., description="补正期限（工作日）")
    supply_deadline: date = Field(..., description="补正截止日期（按节假日日历计算）")
    supply_deadline_provisional: bool = Field(..., description="截止日期是否暂定（所跨年度节假日未公布）")
    items: list[SheetItemOut] = Field(..., description="告知事项")
    pdf_url: str = Field(..., description="PDF 下载地址")
    docx_url: str = Field(..., description="Word 下载地址")


# --- converters ------------------------------------------------------------------------------------


def _material(m: Material, code: str) -> dict[str, Any]:
    out = {
        f: getattr(m, f)
        for f in (
            "id",
            "order",
            "name",
            "issuer",
            "material_form",
            "originals",
            "copies",
            "required",
            "rongque",
            "commitment",
            "commitment_text",
            "fill_notes",
        )
    }
    out["blank_form_url"] = (
        reverse("catalog:material_file", args=[code, m.pk, "blank_form"]) if m.blank_form else None
    )
    out["sample_url"] = reverse("catalog:material_file", args=[code, m.pk, "sample"]) if m.sample else None
    return out


def _summary(v: MatterVersion) -> dict[str, Any]:
    return {
        "code": v.matter.code,
        "basic_code": v.matter.basic_code,
        "name": v.name,
        "status": v.matter.status,
        "version": v.number,
        "matter_type": v.matter_type,
        "category": v.category,
        "category_label": v.get_category_display(),
        "department": v.department.code,
        "department_name": v.department.name,
        "levels": v.level_codes,
        "case_type": v.case_type,
        "promised_limit": v.promised_limit,
        "promised_limit_unit": v.promised_limit_unit,
        "window_class": v.window_class,
    }


def _full(v: MatterVersion) -> dict[str, Any]:
    out = _summary(v)
    for f in services.VERSION_FIELDS:
        if f not in out:
            out[f] = getattr(v, f)
    out.update(
        version_state=v.state,
        change_kind=v.change_kind,
        change_reason=v.change_reason,
        published_at=v.published_at,
        levels=v.level_codes,
        service_objects=v.service_object_codes,
        handling_forms=v.handling_form_codes,
        department=v.department.code,
        window_department=v.window_department.code if v.window_department else None,
        guide_url=documents.guide_url(v.matter),
        materials=[_material(m, v.matter.code) for m in v.materials.all()],
    )
    return out


def _version_in(payload: VersionIn) -> tuple[dict[str, Any], list[dict[str, Any]] | None]:
    raw = payload.dict(exclude_unset=True)
    materials = raw.pop("materials", None)
    for key in ("code", "basic_code", "change_kind", "change_reason"):
        raw.pop(key, None)
    for key in ("levels", "service_objects", "handling_forms"):
        if key in raw and raw[key] is not None:
            raw[key] = ",".join(str(c) for c in raw[key])
    return raw, materials


def _editable_matter(request: HttpRequest, code: str) -> Matter:
    services.require_catalog_editor(request.user)
    return selectors.access_matter(request.user, code)


# --- reads -------------------------------------------------------------------------------------


@router.get("/matters", response=list[MatterSummary], summary="查询事项（名称、编码、拼音首字母）")
@paged
def list_matters(
    request: HttpRequest,
    q: str = "",
    category: str | None = None,
    department: str | None = None,
    level: SmallInt | None = None,
    centre: Id | None = None,
    include_inactive: bool = False,
) -> Any:
    """Current versions, best match first. `q` matches words of the name, 实施编码/基本编码 and pinyin
    (full or initials: `dbsq` → 最低生活保障申请)."""
    if centre is not None:
        access_centre(request.user, centre)
    rows = selectors.matter_search(
        q,
        category=category,
        department=department,
        level=level,
        centre=centre,
        limit=None,
        include_inactive=include_inactive,
    )
    return Mapped(rows, _summary)


@router.get("/matters/{code}", response=MatterOut, summary="事项详情（现行版本及申请材料）")
def get_matter(request: HttpRequest, code: str) -> dict[str, Any]:
    matter = selectors.access_matter(request.user, code)
    version = matter.current_version or (
        services.matter_draft(matter) if sees_everything(request.user) else None
    )
    if version is None:
        raise NotFound()
    return _full(version)


@router.get("/matters/{code}/versions", response=list[VersionSummary], summary="事项版本历史")
@paged
def list_versions(request: HttpRequest, code: str) -> Any:
    matter = selectors.access_matter(request.user, code)
    rows = selectors.version_history(matter, request.user)
    return Mapped(
        rows,
        lambda v: {
            "number": v.number,
            "state": v.state,
            "change_kind": v.change_kind,
            "change_reason": v.change_reason,
            "created_by": str(v.created_by) if v.created_by else None,
            "published_by": str(v.published_by) if v.published_by else None,
            "published_at": v.published_at,
            "superseded_at": v.superseded_at,
        },
    )


@router.get("/matters/{code}/versions/{number}", response=MatterOut, summary="某一版本的完整内容")
def get_version(request: HttpRequest, code: str, number: int) -> dict[str, Any]:
    matter = selectors.access_matter(request.user, code)
    return _full(selectors.access_version(request.user, matter, number))


@router.get("/matters/{code}/materials", response=list[MaterialOut], summary="事项现行版本的申请材料")
@paged
def list_materials(request: HttpRequest, code: str) -> Any:
    matter = selectors.access_matter(request.user, code)
    if matter.current_version is None:
        raise NotFound()
    return [_material(m, code) for m in matter.current_version.materials.all()]


@router.get("/guides/{code}", response=GuideOut, auth=None, summary="办事指南（公开，无需登录）")
def get_guide(request: HttpRequest, code: str) -> dict[str, Any]:
    matter = selectors.public_matter(code)
    assert matter.current_version is not None
    out = _full(matter.current_version)
    out["pdf_url"] = reverse("catalog:guide_file", args=[code, "pdf"])
    out["docx_url"] = reverse("catalog:guide_file", args=[code, "docx"])
    return out


@router.get("/centres/{centre_id}/matters", response=list[CentreMatterOut], summary="服务中心进驻的事项")
@paged
def centre_matters(request: HttpRequest, centre_id: Id) -> Any:
    centre = access_centre(request.user, centre_id)
    return Mapped(
        selectors.matters_for_centre(centre),
        lambda v: {**_summary(v), "service_mode": getattr(v, "service_mode", "handle")},
    )


# --- writes (bureau admins) ------------------------------------------------------------------------


@router.post("/matters", response={201: MatterOut}, summary="新增事项（保存为草稿）")
def create_matter(request: HttpRequest, payload: MatterCreateIn) -> Status[dict[str, Any]]:
    data, materials = _version_in(payload)
    matter = services.matter_create(
        actor=request.user,
        code=payload.code,
        basic_code=payload.basic_code,
        data=data,
        materials=materials or [],
    )
    draft = services.matter_draft(matter)
    assert draft is not None
    return Status(201, _full(draft))


@router.put("/matters/{code}/draft", response=MatterOut, summary="保存事项草稿（未给出的字段保持不变）")
def save_draft(request: HttpRequest, code: str, payload: DraftIn) -> dict[str, Any]:
    matter = _editable_matter(request, code)
    data, materials = _version_in(payload)
    draft = services.matter_draft_save(
        actor=request.user,
        matter=matter,
        data=data,
        materials=materials,
        change_kind=payload.change_kind,
        change_reason=payload.change_reason,
        basic_code=payload.basic_code,
    )
    return _full(draft)


@router.post(
    "/matters/{code}/{action}",
    response=MatterOut,
    summary="发布草稿（publish）、暂停（suspend）、恢复（resume）或取消（cancel）事项",
)
def matter_action(
    request: HttpRequest,
    code: str,
    action: Literal["publish", "suspend", "resume", "cancel"],
    payload: ReasonIn,
) -> dict[str, Any]:
    matter = _editable_matter(request, code)
    func = {
        "publish": services.matter_publish,
        "suspend": services.matter_suspend,
        "resume": services.matter_resume,
        "cancel": services.matter_cancel,
    }[action]
    return _full(func(actor=request.user, matter=matter, reason=payload.reason))


# --- notification sheets (STD-2) --------------------------------------------------------------------


def _sheet(sheet: NotificationSheet) -> dict[str, Any]:
    due = sheet.supply_deadline()
    return {
        "serial": sheet.serial,
        "centre": sheet.centre.name,
        "clerk_staff_no": sheet.clerk_staff_no,
        "matter_code": sheet.matter_version.matter.code,
        "matter_version": sheet.matter_version.number,
        "created_at": sheet.created_at,
        "supply_days": sheet.supply_days,
        "supply_deadline": due.at.date(),
        "supply_deadline_provisional": due.provisional,
        "items": [
            {"order": i.order, "name": i.name, "problem": i.problem, "reason": i.reason}
            for i in sheet.items.all()
        ],
        "pdf_url": reverse("api:catalog_sheet_file", kwargs={"serial": sheet.serial, "fmt": "pdf"}),
        "docx_url": reverse("api:catalog_sheet_file", kwargs={"serial": sheet.serial, "fmt": "docx"}),
    }


@router.post("/notification-sheets", response={201: SheetOut}, summary="出具一次性告知单（STD-2）")
def create_sheet(request: HttpRequest, payload: SheetIn) -> Status[dict[str, Any]]:
    matter = selectors.access_matter(request.user, payload.matter_code)
    if matter.current_version is None or not matter.is_serviceable:
        raise Conflict(f"事项“{matter.name}”当前不受理，不能出具告知单。")
    centre_id = payload.centre_id or getattr(request.user, "centre_id", None)
    if centre_id is None:
        raise field_error("centre_id", "请指定出具告知单的服务中心（centre_id）。")
    centre = access_centre(request.user, centre_id)
    items = [
        (i.material_id if i.material_id is not None else (i.name or ""), i.problem, i.reason)
        for i in payload.items
    ]
    sheet = services.notification_sheet_create(
        matter_version=matter.current_version,
        centre=centre,
        clerk=request.user,
        items=items,
        applicant_name=payload.applicant_name,
        note=payload.note,
        supply_days=payload.supply_days,
    )
    return Status(201, _sheet(sheet))


@router.get("/notification-sheets/{serial}", response=SheetOut, summary="一次性告知单")
def get_sheet(request: HttpRequest, serial: str) -> dict[str, Any]:
    return _sheet(selectors.access_notification_sheet(request.user, serial))


@router.get(
    "/notification-sheets/{serial}/{fmt}",
    url_name="catalog_sheet_file",
    summary="一次性告知单文件（fmt: pdf 或 docx）",
)
def sheet_file(request: HttpRequest, serial: str, fmt: Literal["pdf", "docx"]) -> HttpResponse:
    sheet = selectors.access_notification_sheet(request.user, serial)
    if fmt == "pdf":
        return HttpResponse(documents.notification_sheet_pdf(sheet), content_type="application/pdf")
    return HttpResponse(
        documents.notification_sheet_docx(sheet),
        content_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    )
