from django.urls import path

from govhall.reviews import views

app_name = "reviews"

urlpatterns = [
    # public
    path("rate/", views.rate_lookup, name="rate_lookup"),
    path("rate/c/<str:token>/", views.rate_case, name="rate_case"),
    path("rate/y/<str:token>/", views.rate_thing, name="rate_thing"),
    path("rate/t/<str:token>/", views.rate_ticket, name="rate_ticket"),
    path("pad/<str:token>/", views.pad, name="pad"),
    path("pad/<str:token>/state", views.pad_state, name="pad_state"),
    path("pad/<str:token>/events", views.pad_events, name="pad_events"),
    path("pad/<str:token>/rate", views.pad_rate, name="pad_rate"),
    path("pad/<str:token>/photo", views.pad_photo, name="pad_photo"),
    path("public/<int:centre_id>/", views.public_summary, name="public_summary"),
    # staff
    path("", views.index, name="index"),
    path("r/<int:rating_id>/", views.rating_detail, name="rating"),
    path("r/<int:rating_id>/reveal", views.rating_reveal, name="rating_reveal"),
    path("r/<int:rating_id>/appeal", views.rating_appeal, name="rating_appeal"),
    path("orders/", views.orders, name="orders"),
    path("orders/<int:order_id>/", views.order_detail, name="order"),
    path("appeals/", views.appeals, name="appeals"),
    path("flags/", views.flags, name="flags"),
    path("figures/", views.figures, name="figures"),
    path("rankings/", views.rankings, name="rankings"),
    path("pads/", views.pads, name="pads"),
    path("settings/", views.settings_page, name="settings"),
]
