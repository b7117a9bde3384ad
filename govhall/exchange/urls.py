from django.urls import path

from govhall.exchange import views

app_name = "exchange"

urlpatterns = [
    path("sync/", views.sync_list, name="sync_list"),
    path("sync/<int:pk>/", views.sync_detail, name="sync_detail"),
    path("sync/<int:pk>/retry/", views.sync_retry, name="sync_retry"),
]
