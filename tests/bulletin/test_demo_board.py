"""seed_demo fills the demo tenant's board (BBS-1 … BBS-4 to click through)."""

from __future__ import annotations

import io

from django.core.management import call_command

from bulletin.models import Article, Attachment, Category
from tenants.scoping import operator_scope


def test_seed_demo_board_is_idempotent(db, media):
    call_command("seed_demo", stdout=io.StringIO())
    call_command("seed_demo", stdout=io.StringIO())
    with operator_scope():
        assert list(Category.objects.values_list("name", flat=True)) == ["お知らせ", "社内行事", "総務・人事"]
        news = list(Article.objects.filter(category__is_default=True).values_list("title", flat=True))
        assert news == ["ポータルの使い方", "年末年始休業のお知らせ"]  # newest first
        assert Article.objects.count() == 5
        assert not Article.objects.filter(notify=True).exists()
        files = list(Attachment.objects.values_list("article__title", "file__original_name", "file__attached"))
    assert files == [("健康診断の日程", "健康診断日程表.pdf", True)]
