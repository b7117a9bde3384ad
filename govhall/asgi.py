import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "govhall.settings")
django_application = get_asgi_application()

from govhall.core.bodylimit import BodyLimitASGI  # noqa: E402  (needs the settings configured above)
from govhall.portal.edge import GuideEdge  # noqa: E402

# Request bodies over the cap are refused before Django reads them (uvicorn has no body limit). The anonymous
# guide page is answered in front of both, from what Django produced for it (docs/performance.md).
application = GuideEdge(BodyLimitASGI(django_application))
