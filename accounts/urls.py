from __future__ import annotations

from django.urls import path

from accounts.views import login

app_name = "accounts"

urlpatterns = [
    path("", login.login_id_step, name="login"),
    path("login/password/", login.login_password_step, name="login_password"),
    path("logout/", login.logout_view, name="logout"),
]
