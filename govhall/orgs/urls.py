from django.urls import path

from govhall.orgs import views

app_name = "orgs"

urlpatterns = [
    path("centres/", views.centre_list, name="centre_list"),
    path("centres/<int:centre_id>/", views.centre_detail, name="centre_detail"),
    path("contacts/", views.contacts, name="contacts"),
]
