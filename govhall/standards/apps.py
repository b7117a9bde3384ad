from django.apps import AppConfig


class StandardsConfig(AppConfig):
    name = "govhall.standards"
    label = "standards"
    verbose_name = "标准化大厅考核"
