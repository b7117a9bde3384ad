"""Settings for the live uvicorn servers of the concurrency test: govhall.settings without persistent
database connections.

Under ASGI each request's synchronous code runs in a thread of its own, and Django keeps database
connections per request context: with CONN_MAX_AGE > 0 every request leaves a connection open until it is
garbage-collected, and two busy servers run PostgreSQL out of connection slots ("too many clients"). Django's
documentation: disable persistent connections under ASGI.
"""

from govhall.settings import *  # noqa: F403
from govhall.settings import DATABASES

DATABASES["default"]["CONN_MAX_AGE"] = 0
