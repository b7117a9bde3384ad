from django.apps import AppConfig


class StandardsConfig(AppConfig):
    name = "govhall.standards"
    label = "standards"
    verbose_name = "标准化大厅考核"

    def ready(self) -> None:
        # imported here, not at the top: apps.py is loaded before the app registry is ready
        from govhall.standards.services import track_deadlines

        track_deadlines()
