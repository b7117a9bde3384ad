from django.apps import AppConfig


class ExchangeConfig(AppConfig):
    name = "govhall.exchange"
    label = "exchange"
    verbose_name = "数据交换与通知"

    def ready(self) -> None:
        # imported here, not at the top: apps.py is loaded before the app registry is ready
        from govhall.catalog.services import matter_published
        from govhall.exchange.sync import on_matter_published

        matter_published.connect(on_matter_published)  # NET-2: every published version goes to the province
