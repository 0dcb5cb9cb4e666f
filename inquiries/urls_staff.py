from __future__ import annotations

from django.urls import path

from inquiries import views_staff

app_name = "inquiries_staff"

urlpatterns = [
    path("", views_staff.inquiry_list, name="list"),
    path("<int:pk>/", views_staff.inquiry_detail, name="detail"),
    path("general/", views_staff.general_list, name="general_list"),
    path("general/<int:pk>/", views_staff.general_detail, name="general_detail"),
]
