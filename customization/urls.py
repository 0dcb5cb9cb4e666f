from django.urls import path

from customization import views

app_name = "customization"

urlpatterns = [
    path("", views.index, name="index"),
    path("links/", views.links, name="links"),
    path("links/add/", views.link_add, name="link_add"),
    path("links/<int:pk>/delete/", views.link_delete, name="link_delete"),
    path("site-logo/", views.site_logo, name="site_logo"),
    path("site-logo/reset/", views.site_logo_reset, name="site_logo_reset"),
    path("login/", views.login_page, name="login_page"),
    path("login/alias-check/", views.alias_check, name="alias_check"),
]
