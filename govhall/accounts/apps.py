from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "govhall.accounts"
    label = "accounts"
    verbose_name = "人员与权限"
