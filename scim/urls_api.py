"""/scim/v2/ (RFC 7644): the endpoint directories call with a bearer token."""

from django.urls import path, re_path

from scim import api

app_name = "scim"

urlpatterns = [
    path("ServiceProviderConfig", api.service_provider_config, name="service_provider_config"),
    path("ResourceTypes", api.resource_types, name="resource_types"),
    path("ResourceTypes/<str:name>", api.resource_types, name="resource_type"),
    path("Schemas", api.schemas_view, name="schemas"),
    re_path(r"^Schemas/(?P<urn>[^/]+)$", api.schemas_view, name="schema"),
    path("Users", api.users, name="users"),
    path("Users/.search", api.users_search, name="users_search"),
    # The root search (every resource type): the users, the one type a
    # directory searches; groups are listed at /Groups.
    path(".search", api.users_search, name="search"),
    path("Users/<str:pk>", api.user, name="user"),
    path("Groups", api.groups, name="groups"),
    path("Groups/<str:pk>", api.group, name="group"),
    re_path(r"^(?P<rest>.*)$", api.not_found, name="not_found"),
]
