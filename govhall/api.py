"""The REST API at /api/v1/ (django-ninja). Each app's ``api.py`` exposes ``router``; it is mounted
at /api/v1/<app label>/. Errors always come back as {"code", "message", "fields"}; a 500 adds the
"request_id" its log line carries. The API never answers HTML."""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, HttpResponse
from ninja import Router
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.renderers import JSONRenderer
from ninja.security import django_auth

from govhall.accounts.tokens import TokenAuth
from govhall.core.api_errors import GovhallAPI
from govhall.core.api_params import reject_nul_bytes
from govhall.core.discovery import app_modules
from govhall.core.errors import SERVER_ERROR_CODE, SERVER_ERROR_MESSAGE, ServiceError
from govhall.core.middleware import current_request_id
from govhall.core.outage import OUTAGE_CODE, OUTAGE_MESSAGE, RETRY_AFTER_SECONDS, is_database_outage

logger = logging.getLogger("govhall.api")


class _Renderer(JSONRenderer):
    json_dumps_params = {"ensure_ascii": False}  # Chinese messages readable in logs and curl


api = GovhallAPI(
    renderer=_Renderer(),
    title="govhall API",
    version="1",
    description="启东市镇村两级政务服务平台接口。错误统一返回 {code, message, fields}。",
    auth=[TokenAuth(), django_auth],
    urls_namespace="api",
)


api.add_decorator(reject_nul_bytes)


def _error(
    request: HttpRequest, status: int, code: str, message: str, fields: dict | None = None
) -> HttpResponse:
    return api.create_response(
        request, {"code": code, "message": message, "fields": fields or {}}, status=status
    )


@api.exception_handler(ServiceError)
def _service_error(request: HttpRequest, exc: ServiceError) -> HttpResponse:
    return _error(request, exc.status, exc.code, exc.message, exc.fields)


@api.exception_handler(NinjaValidationError)
def _validation_error(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
    fields: dict[str, str] = {}
    for err in exc.errors:
        loc = [str(p) for p in err.get("loc", []) if p not in ("body", "query", "path", "form", "payload")]
        fields[".".join(loc) or "_"] = f"输入有误：{err.get('msg', '')}"
    return _error(request, 422, "validation_error", "提交的数据不符合要求，请检查标注的字段。", fields)


@api.exception_handler(DjangoValidationError)
def _django_validation_error(request: HttpRequest, exc: DjangoValidationError) -> HttpResponse:
    fields = (
        {k: "；".join(str(m) for m in v) for k, v in exc.message_dict.items()}
        if hasattr(exc, "error_dict")
        else {}
    )
    message = "；".join(exc.messages)
    return _error(request, 400, "invalid", message, fields)


@api.exception_handler(AuthenticationError)
def _auth_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return _error(request, 401, "unauthenticated", "请先登录或提供有效的访问令牌。")


@api.exception_handler(PermissionDenied)
def _forbidden(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    return _error(request, 403, "forbidden", "您的角色无权执行此操作。")


@api.exception_handler(Http404)
def _not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return _error(request, 404, "not_found", "未找到该记录，或您无权访问。")


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    return _error(request, exc.status_code, "error", str(exc))


@api.exception_handler(RequestDataTooBig)
def _too_large(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE // (1024 * 1024)
    return _error(request, 413, "too_large", f"提交的数据过大，不能超过 {limit} MB。")


@api.exception_handler(Exception)
def _server_error(request: HttpRequest, exc: Exception) -> HttpResponse:
    """Anything unexpected: logged with its traceback and request id; the caller gets JSON with that id.
    The database unreachable for a moment is a 503 ``unavailable`` with Retry-After (core/outage.py)."""
    request_id = getattr(request, "request_id", None) or current_request_id.get()
    if is_database_outage(exc):
        logger.error(
            "API %s %s: database unavailable (request %s)",
            request.method,
            request.path,
            request_id,
            exc_info=exc,
        )
        response = api.create_response(
            request,
            {"code": OUTAGE_CODE, "message": OUTAGE_MESSAGE, "fields": {}, "request_id": request_id},
            status=503,
        )
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response
    logger.exception("API %s %s failed (request %s)", request.method, request.path, request_id)
    body: dict[str, Any] = {
        "code": SERVER_ERROR_CODE,
        "message": SERVER_ERROR_MESSAGE,
        "fields": {},
        "request_id": request_id,
    }
    return api.create_response(request, body, status=500)


for module in app_modules("api"):
    api.add_router(f"/{module.__name__.split('.')[1]}/", module.router)

# Last, so it only catches what no router matched: an unknown API path is a JSON 404 like any other.
_fallback = Router(auth=None, tags=["-"])


@_fallback.api_operation(["GET", "POST", "PUT", "PATCH", "DELETE"], "/{path:rest}", include_in_schema=False)
def _unknown_path(request: HttpRequest, rest: str) -> HttpResponse:
    return _error(request, 404, "not_found", "接口地址不存在。")


api.add_router("/", _fallback)
