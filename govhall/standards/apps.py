from django.apps import AppConfig


class StandardsConfig(AppConfig):
    name = "govhall.standards"
    label = "standards"
    verbose_name = "标准化大厅考核"

    def ready(self) -> None:
        from govhall.standards.services import track_deadlines

        track_deadlines()
