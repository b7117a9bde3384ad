"""The API's shared parameter types: every app's api.py takes ids, pages, years and months through these, so a
value the database cannot hold is a 422 at the edge instead of a 500 deep inside (a 20-digit id overflows
SQLite's and PostgreSQL's 64-bit integers; a negative offset is a "Negative indexing" error in Django).

- ``Id``: a database key, 1..2^63-1 (``Id | None`` where it is optional);
- ``Page``: ``offset`` 0..MAX_OFFSET and ``limit`` 1..MAX_LIMIT, as ``page: Query[Page]`` (or a filter schema
  that inherits it); ``page.of(qs)`` is the slice;
- ``Year`` 2000..2100, ``Month`` 1..12, ``Level`` and ``Count`` for small whole numbers.
"""

from __future__ import annotations

from typing import Annotated, Any

from ninja import Field, Schema

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
        return rows[self.offset:self.offset + self.limit]
