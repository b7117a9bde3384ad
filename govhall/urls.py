from django.contrib import admin
from django.urls import include, path

from govhall.api import api
from govhall.core import views as core_views
from govhall.core.discovery import app_modules
from govhall.govstack.registration import api as govstack_api

# Chinese error pages, staff / portal / kiosk by path; /api/v1/ keeps its JSON errors (govhall/errorpages.py).
handler400 = "govhall.errorpages.bad_request"
handler403 = "govhall.errorpages.permission_denied"
handler404 = "govhall.errorpages.page_not_found"
handler500 = "govhall.errorpages.server_error"

admin.site.site_header = "启东市政务服务管理后台"
admin.site.site_title = "govhall 管理后台"
admin.site.index_title = "市行政审批局"

urlpatterns = [
    path("healthz", core_views.healthz, name="healthz"),
    path("readyz", core_views.readyz, name="readyz"),
    path("metrics", core_views.metrics_view, name="metrics"),
    path("api/v1/", api.urls),
    path("api/govstack/registration/", govstack_api.urls),
    path("admin/", admin.site.urls),
]

# Each domain app with a urls.py is mounted under its URL_PREFIX ("" for the staff home in accounts).
for module in app_modules("urls"):
    urlpatterns.append(
        path(getattr(module, "URL_PREFIX", module.__name__.split(".")[1] + "/"), include(module))
    )
