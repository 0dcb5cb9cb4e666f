from __future__ import annotations

from django.urls import path

from uploads import views

app_name = "uploads"

urlpatterns = [
    path("public/<uuid:key>/", views.public, name="public"),
    path("<uuid:key>/", views.download, name="download"),
]
