from django.apps import AppConfig


class ReviewsConfig(AppConfig):
    name = "govhall.reviews"
    label = "reviews"
    verbose_name = "好差评"

    def ready(self) -> None:
        from govhall.reviews.indicators import register_review_indicators
        from govhall.reviews.services import track_deadlines

        register_review_indicators()
        track_deadlines()
