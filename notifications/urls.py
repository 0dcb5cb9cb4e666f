from __future__ import annotations

from django.urls import path

from notifications import views

app_name = "notifications"

urlpatterns = [
    path("areas/", views.areas, name="areas"),
    path("areas/<int:service_id>/", views.area_edit, name="area_edit"),
    path("areas/<int:service_id>/done/", views.area_done, name="area_done"),
    path("information/", views.information, name="information"),
    path("information/<int:pk>/", views.information_detail, name="information_detail"),
    path("manuals/", views.manuals, name="manuals"),
    path("manuals/<int:pk>/file/", views.manual_file, name="manual_file"),
]
