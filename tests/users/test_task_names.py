"""Issue 19: the user directory left ``accounts`` for ``users``; its Celery
tasks and the security purge moved module, but keep the names they were
registered under, so messages queued before a deploy and the beat schedule
still find them."""

from __future__ import annotations

from portal.celery import app


def test_issue19_moved_tasks_keep_their_registered_names():
    app.loader.import_default_modules()
    for old_name, module in (
        ("accounts.tasks.validate_user_import", "users.tasks"),
        ("accounts.tasks.apply_user_import", "users.tasks"),
        ("accounts.tasks_auth.purge_stale_security_rows", "accounts.tasks"),
    ):
        assert old_name in app.tasks, old_name
        assert app.tasks[old_name].__module__ == module


def test_issue19_delay_sends_the_old_name():
    """What ``.delay`` sends is the registered name, not the new module path."""
    from users.tasks import apply_user_import, validate_user_import

    assert validate_user_import.name == "accounts.tasks.validate_user_import"
    assert apply_user_import.name == "accounts.tasks.apply_user_import"
