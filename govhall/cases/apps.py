from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "govhall.cases"
    label = "cases"
    verbose_name = "办件"

    def ready(self) -> None:
        from govhall.cases.indicators import register
        from govhall.cases.services import track_deadlines

        register()
        track_deadlines()
