"""Errors that services raise; pages show their Chinese message, the API returns
``{"code": …, "message": …, "fields": {…}}`` with the status below.

The API's codes: ``invalid`` (400), ``unauthenticated`` (401), ``forbidden`` (403), ``not_found`` (404),
``conflict`` (409), ``too_large`` (413), ``storage_full`` (507: the upload disk is full), ``validation_error`` (422), ``throttled``/``rate_limited`` (429) and
``server_error`` (500, which also carries the ``request_id`` of the log line)."""

from __future__ import annotations


class ServiceError(Exception):
    status = 400
    code = "invalid"

    def __init__(
        self,
        message: str,
        *,
        code: str | None = None,
        fields: dict[str, str] | None = None,
        status: int | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.fields = fields or {}
        if code:
            self.code = code
        if status:
            self.status = status

    def as_dict(self) -> dict[str, object]:
        return {"code": self.code, "message": self.message, "fields": self.fields}


class NotFound(ServiceError):
    """Missing and forbidden look the same: the caller learns nothing about other units' data."""

    status = 404
    code = "not_found"

    def __init__(self, message: str = "未找到该记录，或您无权访问。", **kwargs: object) -> None:
        super().__init__(message, **kwargs)  # type: ignore[arg-type]


class Forbidden(ServiceError):
    status = 403
    code = "forbidden"

    def __init__(self, message: str = "您的角色无权执行此操作。", **kwargs: object) -> None:
        super().__init__(message, **kwargs)  # type: ignore[arg-type]


class Conflict(ServiceError):
    """An action in the wrong state, a duplicate."""

    status = 409
    code = "conflict"


class PayloadTooLarge(ServiceError):
    """An upload or request body over the size limit."""

    status = 413
    code = "too_large"


class StorageFull(ServiceError):
    """The disk holding uploaded files is full: nothing was saved (core/filecrypt.py)."""

    status = 507
    code = "storage_full"

    def __init__(
        self,
        message: str = "服务器存储空间已满，文件未能保存，请联系系统管理员清理磁盘后重试。",
        **kwargs: object,
    ) -> None:
        kwargs.setdefault("fields", {"file": message})
        super().__init__(message, **kwargs)  # type: ignore[arg-type]


SERVER_ERROR_CODE = "server_error"
SERVER_ERROR_MESSAGE = "系统繁忙，请稍后再试"


def field_error(field: str, message: str, *, code: str = "invalid") -> ServiceError:
    return ServiceError(message, code=code, fields={field: message})
