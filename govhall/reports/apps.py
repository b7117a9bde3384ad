from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "govhall.reports"
    label = "reports"
    verbose_name = "统计报表"

    def ready(self) -> None:
        from govhall.reports.builders import register_builtin_indicators

        register_builtin_indicators()
