from django.urls import path, register_converter

from govhall.portal import kiosk, views


class CentreCodeConverter:
    """A centre's division code (区划代码, 12 digits) in the kiosk's URLs."""

    regex = "[0-9]{12}"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return str(value)


class CentreIdConverter(CentreCodeConverter):
    """A centre's database id, as the kiosk's URLs had before (redirected to the code)."""

    regex = "[0-9]{1,9}"

    def to_python(self, value: str) -> int:  # type: ignore[override]
        return int(value)


class OldKioskPageConverter(CentreCodeConverter):
    """The pages under a former id-based kiosk URL: ticket/, track/, guides/ and one level below them."""

    regex = "(?:ticket|track|guides)/(?:[^/]+/)?"


register_converter(CentreCodeConverter, "centre_code")
register_converter(OldKioskPageConverter, "old_kiosk_page")
register_converter(CentreIdConverter, "centre_id")

URL_PREFIX = "portal/"
app_name = "portal"

urlpatterns = [
    path("", views.home, name="home"),
    path("display/", views.display_prefs, name="prefs"),
    path("matters/", views.matter_list, name="matters"),
    path("guide/<str:code>/", views.guide, name="guide"),
    path("guide/<str:code>/waiting/", views.guide_waiting, name="guide_waiting"),
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
    # Kiosk mode: the hall's one self-service terminal, the centre named by its division code.
    path("kiosk/<centre_code:centre_code>/", kiosk.kiosk_home, name="kiosk"),
    path("kiosk/<centre_code:centre_code>/display/", kiosk.kiosk_display, name="kiosk_display"),
    path("kiosk/<centre_code:centre_code>/ticket/", kiosk.kiosk_ticket, name="kiosk_ticket"),
    path(
        "kiosk/<centre_code:centre_code>/ticket/<str:token>/",
        kiosk.kiosk_ticket_done,
        name="kiosk_ticket_done",
    ),
    path("kiosk/<centre_code:centre_code>/checkin/", kiosk.kiosk_checkin, name="kiosk_checkin"),
    path("kiosk/<centre_code:centre_code>/track/", kiosk.kiosk_track, name="kiosk_track"),
    path("kiosk/<centre_code:centre_code>/guides/", kiosk.kiosk_guides, name="kiosk_guides"),
    path("kiosk/<centre_code:centre_code>/guides/<str:code>/", kiosk.kiosk_guide, name="kiosk_guide"),
    # The kiosk's former URLs by database id.
    path("kiosk/<centre_id:centre_id>/", kiosk.kiosk_old_url, name="kiosk_old"),
    path("kiosk/<centre_id:centre_id>/<old_kiosk_page:rest>", kiosk.kiosk_old_url, name="kiosk_old_page"),
    # Online application, 我的办件, tracking.
    path("apply/<str:code>/", views.apply, name="apply"),
    path("one-thing/<str:code>/apply/", views.apply_thing, name="apply_thing"),
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
