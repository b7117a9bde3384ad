from django.urls import path

from govhall.catalog import views

URL_PREFIX = "catalog/"
app_name = "catalog"

urlpatterns = [
    path("", views.matter_list, name="list"),
    path("new/", views.matter_new, name="matter_new"),
    path("m/<str:code>/", views.matter_detail, name="matter"),
    path("m/<str:code>/draft/", views.matter_draft_view, name="matter_draft"),
    path("m/<str:code>/edit/", views.matter_edit, name="matter_edit"),
    path("m/<str:code>/history/", views.matter_history, name="history"),
    path("m/<str:code>/v/<int:number>/", views.version_detail, name="version"),
    path("m/<str:code>/sheet/", views.sheet_new, name="sheet_new"),
    path("m/<str:code>/keywords/", views.matter_keywords, name="matter_keywords"),
    path("m/<str:code>/<str:action>/", views.matter_action, name="matter_action"),
    # Public (no login): the online guide, its PDF/DOCX and the materials' blank forms and samples.
    path("guide/<str:code>/", views.guide, name="guide"),
    path("guide/<str:code>/<str:fmt>/", views.guide_file, name="guide_file"),
    path(
        "guide/<str:code>/materials/<int:material_id>/<str:kind>/", views.material_file, name="material_file"
    ),
    path("centres/", views.centre_list, name="centres"),
    path("centres/<int:pk>/", views.centre_detail, name="centre"),
    path("coverage/", views.coverage, name="coverage"),
    path("coverage/fill/", views.coverage_fill, name="coverage_fill"),
    path("export.xlsx", views.export_xlsx, name="export"),
    path("import/", views.import_xlsx, name="import"),
    path("sheets/", views.sheet_list, name="sheets"),
    path("sheets/<str:serial>/", views.sheet_detail, name="sheet"),
    path("sheets/<str:serial>/<str:fmt>/", views.sheet_file, name="sheet_file"),
]
