"""Settings of the uvicorn servers bench/cases_lifecycle.py starts: govhall.settings without persistent
database connections (under ASGI each request's thread would otherwise keep one open, and several
processes run PostgreSQL out of connection slots — Django's advice for ASGI)."""

from govhall.settings import *  # noqa: F403
from govhall.settings import DATABASES

DATABASES["default"]["CONN_MAX_AGE"] = 0
