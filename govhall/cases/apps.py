from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "govhall.cases"
    label = "cases"
    verbose_name = "办件"

    def ready(self) -> None:
        from govhall.cases.indicators import register

        register()
