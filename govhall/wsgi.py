"""The WSGI application: ordinary requests under gunicorn's threaded workers (`govhall serve --server
gunicorn`), the faster shape for sync views (docs/performance.md). Event streams (`…/events`) stay on the
ASGI server (govhall.asgi) behind the proxy's route (docs/operations.md)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "govhall.settings")
application = get_wsgi_application()
