from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "govhall.reports"
    label = "reports"
    verbose_name = "统计报表"

    def ready(self) -> None:
        # imported here, not at the top: apps.py is loaded before the app registry is ready
        from govhall.reports.builders import register_builtin_indicators

        register_builtin_indicators()
