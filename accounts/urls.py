from __future__ import annotations

from django.urls import path

from accounts.views import login, password, registration, session

app_name = "accounts"

urlpatterns = [
    # Login (AUTH-5, AUTH-6)
    path("", login.login_id_step, name="login"),
    path("login/password/", login.login_password_step, name="login_password"),
    path("logout/", login.logout_view, name="logout"),
    # Initial registration (AUTH-2, AUTH-3)
    path("setup/password/", registration.setup_password, name="setup_password"),
    path("setup/email/", registration.setup_email, name="setup_email"),
    path("setup/confirm/", registration.setup_confirm, name="setup_confirm"),
    path("setup/done/", registration.setup_done, name="setup_done"),
    path("setup/invalid/", registration.setup_invalid, name="setup_invalid"),
    path("setup/<str:token>/", registration.setup_link, name="setup"),
    # Password reset by mail (AUTH-9)
    path("password/reset/", password.password_reset_request, name="password_reset"),
    path("password/reset/sent/", password.password_reset_sent, name="password_reset_sent"),
    path("password/reset/new/", password.password_reset_set, name="password_reset_set"),
    path("password/reset/done/", password.password_reset_done, name="password_reset_done"),
    path("password/reset/<str:token>/", password.password_reset_link, name="password_reset_link"),
    # Login user menu (AUTH-10, AUTH-11)
    path("account/password/", password.password_change, name="password_change"),
    path(
        "account/notification-email/",
        password.notification_email_change,
        name="notification_email_change",
    ),
    path(
        "account/notification-email/done/",
        password.notification_email_done,
        name="notification_email_done",
    ),
    path(
        "account/notification-email/<str:token>/",
        password.notification_email_confirm,
        name="notification_email_confirm",
    ),
    # Sessions (AUTH-7)
    path("session/keepalive/", session.session_keepalive, name="session_keepalive"),
]
