from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "govhall.portal"
    label = "portal"
    verbose_name = "公众门户"

    def ready(self) -> None:
        from govhall.portal import content_cache

        content_cache.connect_signals()
