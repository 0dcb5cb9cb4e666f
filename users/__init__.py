"""The user directory (manual ch. 4, 5, 6, 8.1): the user list and detail, CSV
download and bulk import, bulk actions, organizations and 契約情報. The models
stay in ``accounts.models`` (identity owns the User record); this app reads and
changes them through its own services and selectors."""
