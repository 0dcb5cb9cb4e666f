"""User management (manual ch. 5, 6, 8.1): ユーザ一覧, ユーザ追加, detail tabs, CSV, organizations;
and 契約情報 (manual ch. 4).

Every view here is admin-only (manual §5.1, HOME-5). Two namespaces, as the
URL names were before the user directory left ``accounts``: ``urlpatterns``
is ``users:`` (included by ``include("users.urls")``) and
``contract_urlpatterns`` is ``contract:`` (portal/urls.py includes it as
``(contract_urlpatterns, "contract")``)."""

from __future__ import annotations

from django.urls import include, path

from users.views import contract, organizations, users, users_csv, users_detail

app_name = "users"

user_urls = [
    path("", users_detail.user_detail, name="detail"),
    path("edit/", users_detail.user_edit, name="edit"),
    path("status/", users_detail.user_status, name="status"),
    path("unlock/", users_detail.user_unlock, name="unlock"),
    path("password-reset/", users_detail.user_password_reset, name="password_reset"),
    path("setup-mail/", users_detail.user_setup_mail, name="setup_mail"),
    path("delete/", users_detail.user_delete, name="delete"),
    path("services/", users_detail.user_services_tab, name="services"),
    path("services/<int:contract_pk>/", users_detail.user_service_register, name="service_register"),
    path("services/<int:contract_pk>/remove/", users_detail.user_service_remove, name="service_remove"),
    path("receive/", users_detail.user_receive, name="receive"),
    path("receive/<slug:kind>/", users_detail.user_receive_edit, name="receive_edit"),
]

urlpatterns = [
    path("", users.user_list, name="list"),
    path("action/", users.list_action, name="list_action"),
    path("add/", users.user_add, name="add"),
    path("add/<int:pk>/done/", users.user_add_done, name="add_done"),
    path("bulk/delete/", users.bulk_delete, name="bulk_delete"),
    path("bulk/delete/done/", users.bulk_delete_done, name="bulk_delete_done"),
    path("bulk/password-reset/", users.bulk_password_reset, name="bulk_password_reset"),
    path("bulk/password-reset/done/", users.bulk_password_reset_done, name="bulk_password_reset_done"),
    path("download/all/", users_csv.export_all, name="export_all"),
    path("download/selected/", users_csv.export_selected, name="export_selected"),
    path("import/", users_csv.import_upload, name="import"),
    path("import/template/", users_csv.import_template, name="import_template"),
    path("import/<int:pk>/", users_csv.import_detail, name="import_detail"),
    path("import/<int:pk>/status/", users_csv.import_status, name="import_status"),
    path("import/<int:pk>/apply/", users_csv.import_apply, name="import_apply"),
    path("organizations/", organizations.organization_list, name="organizations"),
    path("organizations/<int:pk>/edit/", organizations.organization_edit, name="organization_edit"),
    path("organizations/<int:pk>/delete/", organizations.organization_delete, name="organization_delete"),
    path("<int:pk>/", include(user_urls)),
]

contract_urlpatterns = [
    path("", contract.contract, name="detail"),
    path("representative/", contract.representative_change, name="representative_change"),
]
