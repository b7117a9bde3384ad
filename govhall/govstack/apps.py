from django.apps import AppConfig


class GovstackConfig(AppConfig):
    name = "govhall.govstack"
    label = "govstack"
    verbose_name = "GovStack 登记构件接口"
    default_auto_field = "django.db.models.BigAutoField"
