"""The database is unreachable for a moment (PostgreSQL restarting, a fail-over, a pool exhausted, SQLite's
lock held too long): the request gets a clean 503 in Chinese with ``Retry-After``, never a 500 with a
traceback (issue 20, "PostgreSQL restarts under load"). The next request takes a fresh connection: a
broken one is dropped from the pool when its request ends, so the service recovers by itself.

Used by the 500 handler of the pages (govhall/errorpages.py) and the API's exception handler (govhall/api.py).
The traceback still goes to the log, at ERROR, with the request id."""

from __future__ import annotations

from django.db import InterfaceError, OperationalError

OUTAGE_CODE = "unavailable"
OUTAGE_HEADING = "系统暂时无法访问"
# Not "nothing was saved": the connection may drop after the action committed, while the answer was being
# put together (measured: bench/faults.py postgres). The clerk looks before repeating it.
OUTAGE_MESSAGE = (
    "系统暂时无法连接数据库，请稍后重试（通常几秒钟内即可恢复）。重试前请先刷新，查看刚才的操作是否已经完成。"
)
RETRY_AFTER_SECONDS = 5


def is_database_outage(exc: BaseException | None) -> bool:
    """Is this error the database being unreachable (rather than a bug)? Django wraps every driver's
    connection errors (refused, reset, "terminating connection due to administrator command", a pool
    timeout) in OperationalError or InterfaceError."""
    return isinstance(exc, OperationalError | InterfaceError)
