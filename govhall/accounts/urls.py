from django.urls import path

from govhall.accounts import views

URL_PREFIX = ""
app_name = "accounts"

urlpatterns = [
    path("", views.home, name="home"),
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", views.logout_view, name="logout"),
    path("me/tokens/", views.tokens, name="tokens"),
]
