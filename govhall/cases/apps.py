from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "govhall.cases"
    label = "cases"
    verbose_name = "办件"

    def ready(self) -> None:
        # imported here, not at the top: apps.py is loaded before the app registry is ready
        from govhall.cases.export import case_datasets
        from govhall.cases.indicators import register
        from govhall.cases.models import RULES_MEMO, Case, CaseRules
        from govhall.cases.services import track_deadlines
        from govhall.exchange.payloads import register_case_source

        register()
        RULES_MEMO.clear_on_change(CaseRules)
        track_deadlines()
        register_case_source(datasets=case_datasets, model=Case)  # NET-2: exchange sits below cases
