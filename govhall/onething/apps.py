from django.apps import AppConfig


class OneThingConfig(AppConfig):
    """一件事一次办: matters a life event needs, composed by the bureau into one guide, one form, one window."""

    name = "govhall.onething"
    label = "onething"
    verbose_name = "一件事一次办"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from govhall.cases.services import case_closed

        from .handling import on_case_closed

        case_closed.connect(on_case_closed)  # a member waiting for another starts when it closes
