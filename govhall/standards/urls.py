from django.urls import path

from govhall.standards import views

app_name = "standards"

urlpatterns = [
    path("", views.index, name="index"),
    path("overview/", views.overview, name="overview"),
    path("rulesets/", views.rule_set_list, name="rule_sets"),
    path("rulesets/<int:pk>/", views.rule_set_detail, name="rule_set"),
    path("centres/<int:pk>/", views.centre_detail, name="centre"),
    path("centres/<int:pk>/assess/", views.centre_assess, name="centre_assess"),
    path("centres/<int:centre_pk>/surveys/new/", views.survey_new, name="survey_new"),
    path("surveys/<int:pk>/", views.survey_detail, name="survey"),
    path("photos/<int:pk>/", views.survey_photo, name="survey_photo"),
    path("assessments/<int:pk>/", views.assessment_detail, name="assessment"),
    path("assessments/<int:pk>/scorecard.<str:fmt>", views.assessment_export, name="assessment_export"),
    path("items/<int:pk>/", views.item_detail, name="item"),
    path("evidence/<int:pk>/", views.evidence_photo, name="evidence_photo"),
]
