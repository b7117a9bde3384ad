from django.urls import path

from . import views

app_name = "onething"
URL_PREFIX = "one-thing/"

urlpatterns = [
    path("", views.thing_list, name="list"),
    path("<str:code>/", views.guide, name="guide"),
    path("<str:code>/<str:doc>.<str:fmt>", views.guide_file, name="file"),
]
