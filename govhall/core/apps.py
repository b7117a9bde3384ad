from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "govhall.core"
    label = "core"
    verbose_name = "基础设施"

    def ready(self) -> None:
        from django.core import checks

        # imported here, not at the top: apps.py is loaded before the app registry is ready
        from govhall.core.middleware import install_request_id_log_records
        from govhall.core.publicurl import check_public_url

        install_request_id_log_records()
        checks.register(check_public_url, checks.Tags.security, deploy=False)
