from django.urls import path

from . import views

app_name = "onething"
URL_PREFIX = "one-thing/"

urlpatterns = [
    path("", views.thing_list, name="list"),
    path("manage/", views.manage_list, name="manage_list"),
    path("cases/", views.case_list, name="cases"),
    path("figures/", views.figures_page, name="figures"),
    path("cases/<str:number>/", views.case_page, name="case"),
    path("cases/<str:number>/act/<slug:action>/", views.case_act, name="case_act"),
    path("cases/<str:number>/result.<str:fmt>", views.case_file, name="case_file"),
    path("manage/new/", views.manage_edit, name="manage_new"),
    path("manage/<str:code>/edit/", views.manage_edit, name="manage_edit"),
    path("manage/<str:code>/<str:action>/", views.manage_action, name="manage_action"),
    path("<str:code>/", views.guide, name="guide"),
    path("<str:code>/receive/", views.receive, name="receive"),
    path("<str:code>/<str:doc>.<str:fmt>", views.guide_file, name="file"),
]
