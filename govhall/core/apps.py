from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "govhall.core"
    label = "core"
    verbose_name = "基础设施"

    def ready(self) -> None:
        # imported here, not at the top: apps.py is loaded before the app registry is ready
        from govhall.core.middleware import install_request_id_log_records

        install_request_id_log_records()
