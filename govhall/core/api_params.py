"""The API's shared parameter types: every app's api.py takes ids, pages, years and months through these, so a
value the database cannot hold is a 422 at the edge instead of a 500 deep inside (a 20-digit id overflows
SQLite's and PostgreSQL's 64-bit integers; a negative offset is a "Negative indexing" error in Django).

- ``Id``: a database key, 1..2^63-1 (``Id | None`` where it is optional);
- ``paged``: every API list is ``@paged`` (``@paginate(Paged)``) under its ``@router.get(..., response=list[X])`` and answers
  ``{"count": N, "items": [...]}``; ``offset`` 0..MAX_OFFSET and ``limit`` 1..MAX_LIMIT (DEFAULT_LIMIT rows);
  a list whose rows need turning into API objects returns ``Mapped(rows, fn)``, so only the page is turned;
- ``Page``: the same bounds for a filter schema that inherits it (``filters.of(qs)`` is the slice);
- ``Year`` 2000..2100, ``Month`` 1..12, ``SmallInt`` and ``Count`` for small whole numbers;
- ``DateTime``: a moment in 2000..2100, in the server's time zone (PostgreSQL refuses offsets past ±15:59);
- ``reject_nul_bytes``: the API-wide guard against NUL characters, which PostgreSQL text cannot hold.
"""

from __future__ import annotations

import datetime as dt
import functools
import typing
from collections.abc import Callable
from typing import Annotated, Any

from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Schema
from ninja.pagination import LimitOffsetPagination, paginate
from pydantic import AfterValidator

from govhall.core.errors import ServiceError

MAX_ID = 2**63 - 1  # a signed 64-bit integer: SQLite's INTEGER, PostgreSQL's bigint
MAX_OFFSET = 100_000
MAX_LIMIT = 100
DEFAULT_LIMIT = 50

Id = Annotated[int, Field(ge=1, le=MAX_ID, description="记录ID")]
Year = Annotated[int, Field(ge=2000, le=2100, description="年份（2000–2100）")]
Month = Annotated[int, Field(ge=1, le=12, description="月份（1–12）")]
Count = Annotated[int, Field(ge=0, le=1_000_000)]
SmallInt = Annotated[int, Field(ge=-32768, le=32767)]


class Page(Schema):
    offset: int = Field(0, ge=0, le=MAX_OFFSET, description="跳过的条数")
    limit: int = Field(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT, description=f"每页条数（1–{MAX_LIMIT}）")

    def of(self, rows: Any) -> Any:
        """The page of a queryset or a list."""
        return rows[self.offset : self.offset + self.limit]


class Paged(LimitOffsetPagination):
    """ninja's limit/offset pagination within the API's bounds: ``{"count": N, "items": [...]}``."""

    class Input(Schema):
        offset: int = Field(0, ge=0, le=MAX_OFFSET, description="跳过的条数")
        limit: int = Field(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT, description=f"每页条数（1–{MAX_LIMIT}）")

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(max_limit=MAX_LIMIT, **kwargs)


def paged(view: Callable[..., Any]) -> Callable[..., Any]:
    """``@paginate(Paged)`` for a view of a module with postponed annotations: ninja reads the parameters
    through the pagination wrapper, whose module cannot resolve names such as ``Id``, so they are resolved
    here first."""
    view.__annotations__ = typing.get_type_hints(view, include_extras=True)
    return paginate(Paged)(view)


class Mapped:
    """Rows (a queryset or a list) whose page is turned into API objects by ``fn`` when ``Paged`` cuts it."""

    def __init__(self, rows: Any, fn: Callable[[Any], Any]) -> None:
        self.rows, self.fn = rows, fn

    def all(self) -> Mapped:  # ninja counts with ``rows.all().count()``
        return self

    def count(self) -> int:
        return len(self.rows) if isinstance(self.rows, list) else int(self.rows.count())

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, key: slice) -> list[Any]:
        return [self.fn(row) for row in self.rows[key]]


__all__ = [
    "DEFAULT_LIMIT",
    "MAX_LIMIT",
    "MAX_OFFSET",
    "Count",
    "DateTime",
    "Id",
    "Mapped",
    "Month",
    "Page",
    "Paged",
    "SmallInt",
    "Year",
    "paged",
    "reject_nul_bytes",
]


def _local_moment(value: dt.datetime) -> dt.datetime:
    if timezone.is_naive(value):
        value = timezone.make_aware(value)
    if not 2000 <= value.year <= 2100:
        raise ValueError("时间应在2000年至2100年之间")
    return timezone.localtime(value)


DateTime = Annotated[dt.datetime, AfterValidator(_local_moment)]


def _has_nul(request: HttpRequest, kwargs: dict[str, Any]) -> bool:
    if any("\x00" in key or any("\x00" in v for v in values) for key, values in request.GET.lists()):
        return True
    if any(isinstance(v, str) and "\x00" in v for v in kwargs.values()):
        return True
    if request.content_type == "application/json":
        return b"\x00" in request.body or b"\\u0000" in request.body
    if request.method == "POST" and request.content_type in (
        "multipart/form-data",
        "application/x-www-form-urlencoded",
    ):
        return any("\x00" in key or any("\x00" in v for v in values) for key, values in request.POST.lists())
    return False


def reject_nul_bytes(view: Callable[..., Any]) -> Callable[..., Any]:
    """An API-wide decorator (``api.add_decorator``): text with a NUL character is a 400, not a database
    error (uploaded files are not text and are not looked at)."""

    @functools.wraps(view)
    def guarded(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        if _has_nul(request, kwargs):
            raise ServiceError("提交的内容含有不允许的控制字符（NUL），请删除后重试。", code="invalid")
        return view(request, *args, **kwargs)

    return guarded
