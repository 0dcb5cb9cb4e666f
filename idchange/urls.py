from __future__ import annotations

from django.urls import include, path

from idchange import views

app_name = "idchange"

application_urls = [
    path("", views.detail, name="detail"),
    path("done/", views.done, name="done"),
    path("withdraw/", views.withdraw, name="withdraw"),
]

urlpatterns = [
    path("", views.contract_list, name="list"),
    path("contracts/<int:pk>/apply/", views.apply, name="apply"),
    path("applications/<int:pk>/", include(application_urls)),
]
