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
        _count_task_failures()
        checks.register(check_public_url, checks.Tags.security, deploy=False)


def _count_task_failures() -> None:
    """A failed background task adds to govhall_task_failures_total (govhall/core/metrics.py)."""
    from huey.contrib.djhuey import HUEY
    from huey.signals import SIGNAL_ERROR

    from govhall.core.metrics import task_failed

    if not getattr(HUEY, "_govhall_counts_failures", False):
        HUEY.signal(SIGNAL_ERROR)(task_failed)
        HUEY._govhall_counts_failures = True
