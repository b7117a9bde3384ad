from django.urls import path

from . import views

app_name = "onething"
URL_PREFIX = "one-thing/"

urlpatterns = [
    path("", views.thing_list, name="list"),
    path("manage/", views.manage_list, name="manage_list"),
    path("manage/new/", views.manage_edit, name="manage_new"),
    path("manage/<str:code>/edit/", views.manage_edit, name="manage_edit"),
    path("manage/<str:code>/<str:action>/", views.manage_action, name="manage_action"),
    path("<str:code>/", views.guide, name="guide"),
    path("<str:code>/<str:doc>.<str:fmt>", views.guide_file, name="file"),
]
