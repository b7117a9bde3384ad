"""The GovStack Registration Building Block API (v0.1.1) at /api/govstack/registration/: its own NinjaAPI,
its own OpenAPI document (openapi.json), the house's token or session authentication.

services = published matters; eForms = each matter's application form (JSON Schema); applications = cases;
documents = uploaded materials; tasks = back-office steps; /data/statistics/1.0 = decisions per matter.
Each operation checks access through the cases/catalog selectors (cases.policy) and acts through the case
services, like the pages and /api/v1. Bodies may be JSON, form-urlencoded or multipart; errors are JSON
({code, message, fields, traceId, localizedMessage}); ids are strings, as the spec types them."""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import json
import logging
import re
from typing import Any

from django.http import HttpRequest, HttpResponse, QueryDict
from django.http.multipartparser import MultiPartParserError
from ninja import Field, NinjaAPI, Query, Router, Schema
from ninja.errors import AuthenticationError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.renderers import JSONRenderer
from ninja.security import django_auth
from pydantic import ValidationError

from govhall.accounts.http import StaffRequest
from govhall.accounts.tokens import TokenAuth
from govhall.core.api_params import MAX_LIMIT, MAX_OFFSET, reject_nul_bytes
from govhall.core.errors import SERVER_ERROR_MESSAGE, ServiceError
from govhall.core.middleware import current_request_id
from govhall.govstack import present, selectors, services
from govhall.govstack.models import IdKind

logger = logging.getLogger("govhall.api")

IM_HEADER = "Information-Mediator-Client"
_IM_FORMAT = re.compile(r"^[A-Za-z0-9._~-]+/[A-Za-z0-9._~-]+/[A-Za-z0-9._~-]+/[A-Za-z0-9._~-]+$")
JSON_UTF8 = "application/json; charset=utf-8"


class _Renderer(JSONRenderer):
    json_dumps_params = {"ensure_ascii": False}


api = NinjaAPI(
    renderer=_Renderer(),
    title="GovStack Registration Building Block API (govhall)",
    version="0.1.1",
    description="GovStack 登记构件接口：服务=已发布事项，电子表单=事项申请表（JSON Schema），申请=办件，"
    "任务=后台办理环节。使用工作人员访问令牌（Authorization: Bearer gh_…）。",
    auth=[TokenAuth(), django_auth],
    urls_namespace="govstack",
    docs_url="/docs",
)
api.add_decorator(reject_nul_bytes)


def _error(
    request: HttpRequest, status: int, code: str, message: str, fields: dict | None = None
) -> HttpResponse:
    trace = getattr(request, "request_id", None) or current_request_id.get() or ""
    body = {
        "code": code,
        "message": message,
        "localizedMessage": message,
        "fields": fields or {},
        "traceId": str(trace),
    }
    return api.create_response(request, body, status=status)


@api.exception_handler(ServiceError)
def _service_error(request: HttpRequest, exc: ServiceError) -> HttpResponse:
    return _error(request, exc.status, exc.code, exc.message, exc.fields)


def _fields(errors: list[Any]) -> dict[str, str]:
    fields: dict[str, str] = {}
    for err in errors:
        loc = [
            str(p)
            for p in err.get("loc", [])
            if p not in ("body", "query", "path", "form", "payload", "header")
        ]
        fields[".".join(loc) or "_"] = f"输入有误：{err.get('msg', '')}"
    return fields


@api.exception_handler(NinjaValidationError)
def _validation_error(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
    return _error(
        request, 422, "validation_error", "提交的数据不符合要求，请检查标注的字段。", _fields(exc.errors)
    )


@api.exception_handler(ValidationError)
def _body_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    return _error(
        request, 422, "validation_error", "提交的数据不符合要求，请检查标注的字段。", _fields(exc.errors())
    )


@api.exception_handler(MultiPartParserError)
def _bad_multipart(request: HttpRequest, exc: MultiPartParserError) -> HttpResponse:
    return _error(request, 400, "bad_body", "表单（multipart）格式不正确。")


@api.exception_handler(AuthenticationError)
def _auth_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return _error(request, 401, "unauthenticated", "请提供有效的访问令牌（Authorization: Bearer …）。")


@api.exception_handler(Exception)
def _server_error(request: HttpRequest, exc: Exception) -> HttpResponse:
    trace = getattr(request, "request_id", None) or current_request_id.get()
    logger.exception("GovStack API %s %s failed (request %s)", request.method, request.path, trace)
    return _error(request, 500, "server_error", SERVER_ERROR_MESSAGE)


# --- input -------------------------------------------------------------------------------------------


class FormDataIn(Schema):
    data: dict[str, Any] = Field(default_factory=dict)
    eFormId: str = Field("", max_length=100)


class ApplicationIn(Schema):
    applicantId: str = Field(min_length=1, max_length=100)
    applicationName: str = Field("", max_length=100)
    created: dt.datetime | None = None
    formData: FormDataIn = Field(default_factory=lambda: FormDataIn(data={}, eFormId=""))
    documentUrls: list[str] = Field(default_factory=list, max_length=50)


class CompleteIn(Schema):
    data: dict[str, Any] = Field(default_factory=dict)


def _im_header(request: HttpRequest) -> str:
    """The X-Road style caller id, INSTANCE/CLASS/MEMBER/SUBSYSTEM: required, refused when malformed."""
    value = (request.headers.get(IM_HEADER) or "").strip()
    if not _IM_FORMAT.fullmatch(value):
        raise ServiceError(
            f"请求头 {IM_HEADER} 缺失或格式不正确，应为 INSTANCE/CLASS/MEMBER/SUBSYSTEM。",
            code="bad_header",
            fields={IM_HEADER: "格式应为 INSTANCE/CLASS/MEMBER/SUBSYSTEM"},
        )
    return value


def _form(request: HttpRequest) -> QueryDict:
    if request.method == "POST":
        return request.POST
    if request.content_type == "multipart/form-data":
        try:
            return request.parse_file_upload(request.META, request)[0]  # type: ignore[attr-defined]
        except MultiPartParserError:
            raise ServiceError("表单格式不正确。", code="bad_body") from None
    return QueryDict(request.body, encoding="utf-8")


def _body(request: HttpRequest) -> dict[str, Any]:
    """A JSON object, or a form (urlencoded or multipart) whose ``formData`` / ``data`` may be JSON text."""
    if request.content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
        form = _form(request)
        body: dict[str, Any] = {k: form.get(k) for k in form if k not in ("documentUrls", "formData", "data")}
        if "documentUrls" in form:
            body["documentUrls"] = form.getlist("documentUrls")
        for key in ("formData", "data"):
            if key in form:
                body[key] = _json_text(form.get(key) or "", key)
        return body
    raw = request.body.decode("utf-8", errors="replace").strip()
    if not raw:
        return {}
    parsed = _json_text(raw, "body")
    if not isinstance(parsed, dict):
        raise ServiceError("请求体应为 JSON 对象。", code="bad_body")
    return parsed


def _json_text(text: str, name: str) -> Any:
    try:
        return json.loads(text)
    except ValueError:
        raise ServiceError(
            f"{name} 不是有效的 JSON。", code="bad_body", fields={name: "JSON 格式不正确"}
        ) from None


def _submission(request: HttpRequest) -> services.Submission:
    data = ApplicationIn.model_validate(_body(request))
    return services.Submission(
        applicant_id=data.applicantId,
        application_name=data.applicationName,
        data=data.formData.data,
        document_urls=tuple(data.documentUrls),
    )


def _body_doc(schema: dict[str, Any]) -> dict[str, Any]:
    return {
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {"schema": schema},
                "application/x-www-form-urlencoded": {"schema": schema},
                "multipart/form-data": {"schema": schema},
            },
        }
    }


_APPLICATION_DOC = {
    "type": "object",
    "required": ["applicantId"],
    "properties": {
        "applicantId": {"type": "string"},
        "applicationName": {"type": "string"},
        "created": {"type": "string", "format": "date-time"},
        "formData": {"type": "object"},
        "documentUrls": {"type": "array", "items": {"type": "string"}},
    },
}
_IM_PARAM = {
    "in": "header",
    "name": IM_HEADER,
    "required": True,
    "schema": {"type": "string", "example": "eGovStack/GOV/90000009/digitalregistries"},
    "description": "INSTANCE/CLASS/MEMBER/SUBSYSTEM",
}


def _with_im(extra: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"parameters": [_IM_PARAM], **(extra or {})}


class Paging(Schema):
    firstResult: int = Field(0, ge=0, le=MAX_OFFSET)
    maxResult: int = Field(50, ge=1, le=MAX_LIMIT)
    sortBy: str = Field("", max_length=40)
    sortOrder: str = Field("asc", pattern="^(asc|desc|ASC|DESC)$")

    def cut(self, rows: Any) -> list[Any]:
        return list(rows[self.firstResult : self.firstResult + self.maxResult])


router = Router(tags=["GovStack Registration BB"])


# --- services and eForms -------------------------------------------------------------------------------


@router.get("/services", summary="服务列表（已发布事项）")
def list_services(request: StaffRequest, name: str = Query("", max_length=200)) -> list[dict[str, Any]]:
    return present.services(list(selectors.published_matters(name.strip())[:500]))


@router.get("/services/{serviceId}", summary="服务详情（事项与办事指南）")
def get_service(request: StaffRequest, serviceId: str) -> dict[str, Any]:
    matter = selectors.service(serviceId)
    return present.services([matter])[0]


@router.get("/services/{serviceId}/eForms", summary="服务的电子表单")
def service_eforms(request: StaffRequest, serviceId: str) -> list[dict[str, Any]]:
    matter = selectors.service(serviceId)
    eform_id = selectors.external_ids(IdKind.EFORM, [matter.pk])[matter.pk]
    return [present.eform_item(matter, eform_id)]


@router.get("/eForms/{eFormId}", summary="电子表单（JSON Schema）")
def get_eform(request: StaffRequest, eFormId: str) -> dict[str, Any]:
    matter = selectors.eform(eFormId)
    return present.eform(matter, selectors.external_ids(IdKind.EFORM, [matter.pk])[matter.pk])


# --- applications ------------------------------------------------------------------------------------


def _application(case: Any) -> dict[str, Any]:
    return present.application(
        case,
        selectors.external_ids(IdKind.APPLICATION, [case.pk])[case.pk],
        selectors.external_ids(IdKind.SERVICE, [case.matter_id])[case.matter_id],
        selectors.applicant_ids([case])[case.pk],
    )


@router.post(
    "/services/{serviceId}/applications",
    summary="提交申请（网上收件）",
    openapi_extra=_with_im(_body_doc(_APPLICATION_DOC)),
)
def submit_application(request: StaffRequest, serviceId: str) -> dict[str, Any]:
    _im_header(request)
    matter = selectors.service(serviceId)
    case = services.submit_application(actor=request.user, matter=matter, sub=_submission(request))
    return _application(case)


@router.get("/applications", summary="可见的申请（办件）", openapi_extra=_with_im())
def list_applications(
    request: StaffRequest,
    paging: Query[Paging],
    serviceId: str = Query("", max_length=100),
    applicantId: str = Query("", max_length=100),
) -> list[dict[str, Any]]:
    _im_header(request)
    rows = selectors.applications(
        request.user,
        service_id=serviceId,
        applicant_id=applicantId,
        sort_by=paging.sortBy,
        sort_order=paging.sortOrder,
    )
    cases = paging.cut(rows)
    return present.applications(cases, selectors.applicant_ids(cases))


@router.get("/applications/{fileId}", summary="申请（办件）详情", openapi_extra=_with_im())
def get_application(request: StaffRequest, fileId: str) -> dict[str, Any]:
    _im_header(request)
    return _application(selectors.application(request.user, fileId))


@router.put(
    "/applications/{fileId}",
    summary="更新申请（核对材料、补充文档）",
    openapi_extra=_with_im(_body_doc(_APPLICATION_DOC)),
)
def update_application(request: StaffRequest, fileId: str) -> dict[str, Any]:
    _im_header(request)
    case = selectors.application(request.user, fileId)
    case = services.update_application(actor=request.user, case=case, sub=_submission(request))
    return _application(selectors.application(request.user, fileId))


# --- documents ---------------------------------------------------------------------------------------

_UPLOAD_DOC = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {"type": "object", "properties": {"file": {"type": "string", "format": "binary"}}}
            },
            "application/x-www-form-urlencoded": {
                "schema": {"type": "object", "properties": {"file": {"type": "string", "format": "byte"}}}
            },
        },
    }
}


def _upload(request: HttpRequest) -> tuple[bytes, str]:
    """The first file: a multipart file part, or base64 text in a ``file`` field (``file`` or ``file[0]``)."""
    for key in request.FILES:
        part = request.FILES.get(key)
        if part is not None:
            return part.read(), part.name or ""
    form = (
        request.POST
        if request.content_type in ("application/x-www-form-urlencoded", "multipart/form-data")
        else {}
    )
    for key in form:
        if key == "file" or key.startswith("file["):
            try:
                return base64.b64decode(str(form.get(key) or ""), validate=False), ""
            except (binascii.Error, ValueError):
                break
    raise ServiceError(
        "请上传文件（multipart 文件或 base64 编码的 file 字段）。",
        code="bad_request",
        fields={"file": "缺少文件"},
    )


@router.post("/documents", summary="上传材料文档", openapi_extra=_UPLOAD_DOC)
def upload_document(
    request: StaffRequest, additionalMetadata: str = Query("", max_length=300)
) -> dict[str, Any]:
    data, name = _upload(request)
    doc = services.upload_document(actor=request.user, data=data, name=name, note=additionalMetadata)
    return {
        "code": 200,
        "type": doc.kind,
        "message": f"已上传：{doc.original_name}（{doc.size} 字节）",
        "url": f"{services.DOCUMENT_URL}{doc.key}",
    }


# --- tasks -------------------------------------------------------------------------------------------


@router.get("/tasks", summary="办理环节（任务）")
def list_tasks(
    request: StaffRequest,
    paging: Query[Paging],
    mainTaskId: str = Query("", max_length=100),
    fileId: str = Query("", max_length=100),
    assigneeId: str = Query("", max_length=100),
) -> list[dict[str, Any]]:
    steps = paging.cut(
        selectors.tasks(
            request.user,
            file_id=fileId,
            main_task_id=mainTaskId,
            assignee_id=assigneeId,
            sort_by=paging.sortBy,
            sort_order=paging.sortOrder,
        )
    )
    names = present.task_names(steps)
    return [present.task(s, names) for s in steps]


@router.get("/tasks/{taskId}", summary="任务详情")
def get_task(request: StaffRequest, taskId: str) -> dict[str, Any]:
    step = selectors.task(request.user, taskId)
    return present.task(step, present.task_names([step]), detail=True)


@router.api_operation(["POST", "PUT", "PATCH", "DELETE"], "/tasks/{taskId}", include_in_schema=False)
def task_other_methods(request: StaffRequest, taskId: str) -> HttpResponse:
    """An unknown task is a 404 whatever the method (a client's unencoded "#" cuts /complete off the path)."""
    selectors.task(request.user, taskId)
    return _error(request, 405, "method_not_allowed", "该任务只能查看（GET）或办理（POST …/complete）。")


@router.post(
    "/tasks/{taskId}/complete",
    summary="办理任务（通过 / 退回）",
    openapi_extra=_body_doc({"type": "object", "properties": {"data": {"type": "object"}}}),
)
def complete_task(request: StaffRequest, taskId: str) -> dict[str, Any]:
    step = selectors.task(request.user, taskId)
    data = CompleteIn.model_validate(_body(request)).data
    case = services.complete_task(actor=request.user, step=step, data=data)
    names = present.task_names([step])
    return {
        "taskId": names["task"][step.pk],
        "fileId": names["application"][case.pk],
        "serviceId": names["service"][case.matter_id],
        "status": present.case_status(case),
        "variables": {"decision": {"data": {k: {"value": v} for k, v in data.items()}}},
    }


# --- statistics --------------------------------------------------------------------------------------


class StatsQuery(Schema):
    startDate: dt.date | None = None
    endDate: dt.date | None = None
    registrationName: str = Field("", max_length=200)
    operator: str = Field("", max_length=40)
    role: str = Field("", max_length=20)
    timeframe: str = Field("", pattern="^(day|week|month|year)?$")


@router.get(
    "/data/statistics/1.0", summary="办件统计（按事项、期间、经办人、角色）", openapi_extra=_with_im()
)
def statistics(request: StaffRequest, q: Query[StatsQuery]) -> HttpResponse:
    _im_header(request)
    matter = None
    if q.registrationName:
        matter = selectors.matter_named(q.registrationName)
        if matter is None:
            raise ServiceError("未找到该登记事项。", code="not_found", status=404)
    if q.startDate and q.endDate and q.startDate > q.endDate:
        raise ServiceError("开始日期不能晚于结束日期。", code="invalid", fields={"startDate": "晚于结束日期"})
    rows = selectors.statistics(
        request.user, start=q.startDate, end=q.endDate, matter=matter, operator=q.operator, role=q.role
    )
    references: dict[str, Any] = {
        "startDate": q.startDate.isoformat() if q.startDate else None,
        "endDate": q.endDate.isoformat() if q.endDate else None,
        "operator": q.operator or None,
        "role": q.role or None,
        "timeframeDay": q.timeframe == "day",
        "timeframeWeek": q.timeframe == "week",
        "timeframeMonth": q.timeframe == "month",
        "timeframeYear": q.timeframe == "year",
    }
    body = [
        {
            "processed": r.processed,
            "approved": r.approved,
            "sentBack": r.sent_back,
            "rejected": r.rejected,
            "references": {
                k: v for k, v in {**references, "registrationName": r.matter}.items() if v is not None
            },
        }
        for r in rows
    ]
    return HttpResponse(json.dumps(body, ensure_ascii=False), content_type=JSON_UTF8)


api.add_router("/", router)

_fallback = Router(tags=["-"])


@_fallback.api_operation(
    ["GET", "POST", "PUT", "PATCH", "DELETE"], "/{path:rest}", include_in_schema=False, auth=None
)
def _unknown_path(request: HttpRequest, rest: str) -> HttpResponse:
    return _error(request, 404, "not_found", "接口地址不存在。")


api.add_router("/", _fallback)
