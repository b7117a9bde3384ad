from django.urls import path

from govhall.cases import views

app_name = "cases"

urlpatterns = [
    path("", views.workbench, name="workbench"),
    path("list/", views.case_list, name="list"),
    path("new/", views.wizard, name="new"),
    path("supervision/", views.supervision, name="supervision"),
    path("track/", views.track, name="track"),
    path("<int:case_id>/", views.detail, name="detail"),
    path("<int:case_id>/reveal/", views.reveal, name="reveal"),
    path("<int:case_id>/act/<slug:action>/", views.act, name="act"),
    path("<int:case_id>/upload/", views.upload, name="upload"),
    path("<int:case_id>/files/<int:file_id>/", views.download, name="file"),
    path("<int:case_id>/notices/<int:notice_id>.<slug:fmt>", views.notice, name="notice"),
]
