from django.apps import AppConfig


class StaffingConfig(AppConfig):
    name = "govhall.staffing"
    label = "staffing"
    verbose_name = "人员管理"
