"""サービス → SCIM プロビジョニング: the token pages (issue 25)."""

from django.urls import path

from scim import views

app_name = "scim_tokens"

urlpatterns = [
    path("", views.token_list, name="list"),
    path("add/", views.token_add, name="add"),
    path("created/", views.token_created, name="created"),
    path("<int:pk>/revoke/", views.token_revoke, name="revoke"),
]
