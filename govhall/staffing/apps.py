from django.apps import AppConfig


class StaffingConfig(AppConfig):
    name = "govhall.staffing"
    label = "staffing"
    verbose_name = "人员管理"

    def ready(self) -> None:
        # imported here, not at the top: apps.py is loaded before the app registry is ready
        from govhall.staffing.indicators import register_builtin_indicators

        register_builtin_indicators()
