from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "govhall.accounts"
    label = "accounts"
    verbose_name = "人员与权限"

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from govhall.accounts.models import ROLES_MEMO, ApiToken, User, UserRole
        from govhall.accounts.tokens import forget_checked_tokens

        # A token check remembered for a few seconds must not outlive a change it depends on (the centre:
        # OrgsConfig.ready).
        for model in (ApiToken, User, UserRole):
            for signal in (post_save, post_delete):
                signal.connect(
                    forget_checked_tokens, sender=model, dispatch_uid=f"forget-tokens-{model.__name__}"
                )
        ROLES_MEMO.clear_on_change(User, UserRole)
