from django.apps import AppConfig


class HotlineConfig(AppConfig):
    name = "govhall.hotline"
    label = "hotline"
    verbose_name = "12345热线工单"

    def ready(self) -> None:
        # imported here, not at the top: apps.py is loaded before the app registry is ready
        from govhall.hotline.services import on_bad_review_opened, track_deadlines
        from govhall.reviews.services import bad_review_opened

        bad_review_opened.connect(on_bad_review_opened)  # a 差评 becomes a 12345 work order where set so
        track_deadlines()  # 承办 deadlines may be provisional (暂定) at the year boundary
