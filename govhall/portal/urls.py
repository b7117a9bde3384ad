from django.urls import path

from govhall.portal import kiosk, views

URL_PREFIX = "portal/"
app_name = "portal"

urlpatterns = [
    path("", views.home, name="home"),
    path("display/", views.display_prefs, name="prefs"),
    path("matters/", views.matter_list, name="matters"),
    path("guide/<str:code>/", views.guide, name="guide"),
    path("guide/<str:code>/notice-sheet.pdf", views.guide_notice_sheet, name="guide_notice_sheet"),
    path("themes/", views.theme_list, name="themes"),
    path("themes/<slug:slug>/", views.theme_detail, name="theme"),
    path("centres/", views.centre_list, name="centres"),
    path("centres/<int:centre_id>/", views.centre_detail, name="centre"),
    path("disclosure/", views.disclosure, name="disclosure"),
    path("disclosure/centres/<int:centre_id>/", views.centre_disclosure, name="centre_disclosure"),
    path("disclosure/policies/<int:policy_id>/", views.policy_detail, name="policy"),
    path("account/register/", views.register, name="register"),
    path("account/login/", views.login, name="login"),
    path("account/logout/", views.logout, name="logout"),
    path("account/reset/", views.password_reset, name="password_reset"),
    path("account/verify/", views.verify, name="verify"),
    path("account/", views.account, name="account"),
    path("account/notice/dismiss/", views.account_notice_dismiss, name="account_notice_dismiss"),
    # Kiosk mode (one centre's self-service terminal).
    path("kiosk/<int:centre_id>/", kiosk.kiosk_home, name="kiosk"),
    path("kiosk/<int:centre_id>/ticket/", kiosk.kiosk_ticket, name="kiosk_ticket"),
    path("kiosk/<int:centre_id>/ticket/<str:token>/", kiosk.kiosk_ticket_done, name="kiosk_ticket_done"),
    path("kiosk/<int:centre_id>/track/", kiosk.kiosk_track, name="kiosk_track"),
    path("kiosk/<int:centre_id>/guides/", kiosk.kiosk_guides, name="kiosk_guides"),
    path("kiosk/<int:centre_id>/guides/<str:code>/", kiosk.kiosk_guide, name="kiosk_guide"),
    # Online application, 我的办件, tracking.
    path("apply/<str:code>/", views.apply, name="apply"),
    path("guide/<str:code>/book/", views.guide_book, name="guide_book"),
    path("my/appointments/", views.my_appointments, name="my_appointments"),
    path("my/appointments/<str:code>/cancel/", views.my_appointment_cancel, name="my_appointment_cancel"),
    path("my/cases/", views.my_cases, name="my_cases"),
    path("my/cases/link/", views.my_case_link, name="my_case_link"),
    path("my/cases/<str:number>/", views.my_case, name="my_case"),
    path("my/cases/<str:number>/supplement/", views.my_case_supplement, name="my_case_supplement"),
    path(
        "my/cases/<str:number>/notices/<int:notice_id>.<str:fmt>", views.my_case_notice, name="my_case_notice"
    ),
    path("track/", views.track, name="track"),
]
