from __future__ import annotations

import pytest
from django.utils import translation

from uploads.access import register_download_rule, unregister_download_rule


@pytest.fixture(autouse=True)
def japanese():
    """Messages are asserted in Japanese even when an earlier test's English
    request left English active in this thread."""
    with translation.override("ja"):
        yield


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    return tmp_path / "media"


@pytest.fixture
def same_tenant_rule():
    """A test-only download rule: members of the file's tenant; operators
    never (no operator permission named; tests register one where needed)."""

    def rule(user, stored_file):
        return user.tenant_id == stored_file.tenant_id

    register_download_rule("tests.", rule)
    yield rule
    unregister_download_rule("tests.")
