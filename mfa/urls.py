from __future__ import annotations

from django.urls import path

from mfa import views, views_passkeys, views_policy, views_reset

app_name = "mfa"

urlpatterns = [
    path("verify/", views.verify, name="verify"),
    path("enrol/", views.enrol, name="enrol"),
    path("", views.settings_page, name="settings"),
    path("app/", views.totp_enrol, name="totp_enrol"),
    path("app/remove/", views.totp_remove, name="totp_remove"),
    path("policy/", views_policy.policy, name="policy"),
    path("policy/done/", views_policy.policy_done, name="policy_done"),
    path("reset/<int:pk>/", views_reset.reset, name="reset"),
    path("passkeys/options/", views_passkeys.add_options, name="passkey_add_options"),
    path("passkeys/add/", views_passkeys.add, name="passkey_add"),
    path("passkeys/<int:pk>/remove/", views_passkeys.remove, name="passkey_remove"),
    path("passkeys/login/options/", views_passkeys.login_options, name="passkey_login_options"),
    path("passkeys/login/", views_passkeys.login_with_passkey, name="passkey_login"),
    path("recovery-codes/", views.recovery_codes, name="recovery_codes"),
]
