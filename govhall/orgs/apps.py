from django.apps import AppConfig


class OrgsConfig(AppConfig):
    name = "govhall.orgs"
    label = "orgs"
    verbose_name = "组织机构"

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from govhall.accounts.tokens import forget_checked_tokens
        from govhall.orgs.models import Centre

        # A remembered API token carries its user's centre: forget it when a centre changes.
        for signal in (post_save, post_delete):
            signal.connect(forget_checked_tokens, sender=Centre, dispatch_uid="forget-tokens-centre")
