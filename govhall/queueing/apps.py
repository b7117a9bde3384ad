from django.apps import AppConfig


class QueueingConfig(AppConfig):
    name = "govhall.queueing"
    label = "queueing"
    verbose_name = "排队叫号"

    def ready(self) -> None:
        from govhall.orgs.models import Centre, Department, Window
        from govhall.queueing import services
        from govhall.queueing.models import QueueSettings

        # Per-process memories of what every issue and call reads (core.memo): emptied on any change.
        services.SETTINGS_MEMO.clear_on_change(QueueSettings, Centre)
        services.WINDOWS_MEMO.clear_on_change(Window, Centre, Department)
