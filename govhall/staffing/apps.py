from django.apps import AppConfig


class StaffingConfig(AppConfig):
    name = "govhall.staffing"
    label = "staffing"
    verbose_name = "人员管理"

    def ready(self) -> None:
        # imported here, not at the top: apps.py is loaded before the app registry is ready
        from govhall.staffing.indicators import register_builtin_indicators
        from govhall.staffing.models import AttendanceSettings
        from govhall.staffing.services import SIGN_IN_DEADLINES_MEMO

        register_builtin_indicators()
        SIGN_IN_DEADLINES_MEMO.clear_on_change(AttendanceSettings)
