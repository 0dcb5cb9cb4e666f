"""The board in English (REQUIREMENTS intro): every UI text of the bulletin
pages has an English entry; only data (names, titles) stays Japanese."""

from __future__ import annotations

from http import HTTPStatus

import pytest
from django.urls import reverse

from tests.bulletin.conftest import make_article
from tests.portal.test_i18n import EN, JAPANESE, strip_data, visible_text


@pytest.mark.parametrize(
    "url_name", ["bulletin:index", "bulletin:edit", "bulletin:article_add", "bulletin:category_add"]
)
def test_bbs_pages_in_english(alice_client, alice, news_a, events_a, url_name):
    article = make_article(events_a, "運動会", body="本文です。")
    response = alice_client.get(reverse(url_name), **EN)
    assert response.status_code == HTTPStatus.OK
    data = [alice.tenant.name, alice.full_name, alice.last_name, alice.first_name, "お知らせ", "社内行事", article.title]
    text = strip_data(visible_text(response.text), *data).replace("＋", "+")
    assert not JAPANESE.search(text), text


def test_bbs_article_confirm_in_english(alice_client, alice, news_a):
    response = alice_client.post(
        reverse("bulletin:article_add"),
        {"category": news_a.pk, "title": "題", "body": "本", "notify": "yes"},
        **EN,
    )
    assert "Sends to 1 user" in response.text
    # The mail preview is the mail itself, which is always Japanese.
    page = response.text.split('<pre class="mail-preview__body">')[0]
    subject = response.context["mail_subject"]
    data = [alice.tenant.name, alice.full_name, alice.last_name, alice.first_name, "お知らせ", "題", "本", subject]
    assert not JAPANESE.search(strip_data(visible_text(page), *data)), strip_data(visible_text(page), *data)
