"""A bulk send renders a subject made of plain variables once per distinct
value (issue 22), and every mail still gets its own subject."""

from __future__ import annotations

import pytest

from mail.services import Mail, MailTemplate, base_context, send_mails
from tenants.scoping import operator_scope

pytestmark = pytest.mark.django_db


def test_subjects_are_memoised_per_value_and_stay_right():
    parts = MailTemplate.load("bulletin_article")
    assert parts.subject_names == ("portal_name", "title")
    memo: dict = {}
    common = base_context()
    first = parts.render({**common, "title": "お知らせA"}, subjects=memo)[0]
    assert parts.render({**common, "title": "お知らせA"}, subjects=memo)[0] == first
    second = parts.render({**common, "title": "お知らせB"}, subjects=memo)[0]
    assert "お知らせA" in first and "お知らせB" in second and len(memo) == 2


def test_a_subject_with_tags_or_filters_is_not_memoised(settings, tmp_path):
    assert MailTemplate.load("notice").subject_names is None


def test_send_mails_gives_each_mail_its_subject(tenant_a):
    from mail.models import OutboxMessage

    titles = ["件名1", "件名2", "件名1"]
    send_mails(
        template="bulletin_article",
        mails=[Mail(to=f"u{i}@example.com", context={"title": t, "body": "本文"}) for i, t in enumerate(titles)],
        tenant=tenant_a,
    )
    with operator_scope():
        subjects = list(OutboxMessage.objects.order_by("pk").values_list("subject", flat=True))
    assert [next(t for t in ("件名1", "件名2") if t in s) for s in subjects] == titles
