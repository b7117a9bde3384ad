from django.urls import path

from govhall.queueing import views

URL_PREFIX = "queueing/"
app_name = "queueing"

urlpatterns = [
    # staff
    path("", views.home, name="home"),
    path("c/<int:centre_id>/desk/", views.desk, name="desk"),
    path("c/<int:centre_id>/desk/queue/", views.desk_queue, name="desk_queue"),
    path("c/<int:centre_id>/desk/check-in/", views.desk_check_in, name="desk_check_in"),
    path(
        "c/<int:centre_id>/desk/tickets/<int:ticket_id>/<slug:action>/",
        views.desk_ticket_action,
        name="desk_ticket_action",
    ),
    path("c/<int:centre_id>/windows/", views.windows, name="windows"),
    path("c/<int:centre_id>/figures/", views.figures, name="figures"),
    path("c/<int:centre_id>/slots/", views.slots, name="slots"),
    path("w/<int:window_id>/", views.workbench, name="workbench"),
    path("w/<int:window_id>/<slug:action>/", views.workbench_action, name="workbench_action"),
    # public, one centre each
    path("kiosk/<int:centre_id>/", views.kiosk, name="kiosk"),
    path("phone/<int:centre_id>/", views.phone, name="phone"),
    path("book/<int:centre_id>/", views.book, name="book"),
    path("screen/<int:centre_id>/", views.screen, name="screen"),
    path("screen/<int:centre_id>/events/", views.screen_events, name="screen_events"),
    path("screen/<int:centre_id>/window/<int:number>/", views.window_screen, name="window_screen"),
    path("t/<str:token>/", views.follow, name="follow"),
    path("t/<str:token>/print/", views.ticket_print, name="ticket_print"),
    path("t/<str:token>/cancel/", views.follow_cancel, name="follow_cancel"),
]
