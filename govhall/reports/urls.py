from django.urls import path

from govhall.reports import views

app_name = "reports"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("figures/", views.dashboard_figures, name="figures"),
    path("town/", views.dashboard_town, name="town"),
    path("export.xlsx", views.dashboard_export, name="export"),
    path("monthly/", views.monthly, name="monthly"),
    path("events/", views.dashboard_events, name="events"),
    path("cases/", views.figure_cases, name="cases"),
    path("trends/", views.trends, name="trends"),
    path("department/", views.department, name="department"),
]
