from django.apps import AppConfig


class ReviewsConfig(AppConfig):
    name = "govhall.reviews"
    label = "reviews"
    verbose_name = "好差评"

    def ready(self) -> None:
        # imported here, not at the top: apps.py is loaded before the app registry is ready
        from govhall.cases.documents import register_notice_code
        from govhall.onething.documents import register_result_code
        from govhall.reviews.indicators import register_review_indicators
        from govhall.reviews.notices import rating_code, thing_rating_code
        from govhall.reviews.services import track_deadlines

        register_review_indicators()
        track_deadlines()
        register_notice_code(rating_code)  # the 好差评 QR code on the case notices (cases sit below reviews)
        register_result_code(thing_rating_code)  # the 一事一评 QR code on the 一件事 办结通知书
