from __future__ import annotations

from django.urls import include, path

from inquiries import views

app_name = "inquiries"

inquiry_urls = [
    path("", views.detail, name="detail"),
    path("message/", views.send_message, name="send_message"),
    path("resolve/", views.resolve, name="resolve"),
]

urlpatterns = [
    path("", views.index, name="index"),
    path("faq/suggest/", views.faq_suggest, name="faq_suggest"),
    path("general/", views.general, name="general"),
    path("general/done/", views.general_done, name="general_done"),
    path("trouble/", views.trouble_select, name="trouble_select"),
    path("trouble/<slug:code>/", views.trouble_form, name="trouble_form"),
    path("history/", views.history, name="history"),
    path("history/<slug:code>/", views.history_list, name="history_list"),
    path("<int:pk>/", include(inquiry_urls)),
]
