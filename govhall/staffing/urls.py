from django.urls import path

from govhall.staffing import views

app_name = "staffing"

urlpatterns = [
    path("", views.index, name="index"),
    path("enquiries/", views.enquiry_list, name="enquiry_list"),
    path("enquiries/new/", views.enquiry_new, name="enquiry_new"),
    path("enquiries/<int:enquiry_id>/", views.enquiry_detail, name="enquiry_detail"),
    path("attendance/", views.attendance, name="attendance"),
    path("attendance/sign-in/", views.attendance_sign, {"direction": "in"}, name="sign_in"),
    path("attendance/sign-out/", views.attendance_sign, {"direction": "out"}, name="sign_out"),
    path("leaves/", views.leave_list, name="leave_list"),
    path("leaves/<int:leave_id>/<str:action>/", views.leave_action, name="leave_action"),
    path("roster/", views.roster, name="roster"),
    path("assessment/", views.assessment, name="assessment"),
    path("assessment/export.xlsx", views.assessment_export, name="assessment_export"),
    path("assessment/results/<int:result_id>/", views.assessment_result, name="assessment_result"),
    path("assessment/items/", views.assessment_items, name="assessment_items"),
    path("assessment/schemes/", views.assessment_schemes, name="assessment_schemes"),
]
