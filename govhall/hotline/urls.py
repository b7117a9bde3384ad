from django.urls import path

from govhall.hotline import views

app_name = "hotline"

urlpatterns = [
    path("", views.board, name="board"),
    path("settings/", views.settings_page, name="settings"),
    path("<int:order_id>/", views.order_page, name="order"),
]
