"""Settings for the benchmark's servers: govhall.settings without persistent database connections.

Under ASGI each request's synchronous code runs in a thread of its own and Django keeps a database connection
per request context; with CONN_MAX_AGE > 0 those stay open until garbage-collected and a loaded server runs
PostgreSQL out of connection slots. Django's documentation: disable persistent connections under ASGI.
"""

from govhall.settings import *  # noqa: F403
from govhall.settings import DATABASES

DATABASES["default"]["CONN_MAX_AGE"] = 0
