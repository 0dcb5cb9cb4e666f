"""よくあるご質問 (INQ-9): seeded with the manual's FAQ chapter, searchable by
a Japanese substring of a question or an answer, suggested beside the forms."""

from __future__ import annotations

from http import HTTPStatus

import pytest
from django.db import connection
from django.urls import reverse

from inquiries import selectors
from inquiries.models import FaqCategory, FaqEntry

# Every question of the manual's FAQ chapter (a distinctive part of each).
MANUAL_QUESTIONS = [
    "『アカウントが利用できません。』エラーが表示され、ログインできない。",
    "ユーザ追加しても、メールが届かない。",
    "ユーザ削除できない。",
    "代表管理者が変更できない。",
    "パスワード再設定画面で『ご指定のアカウント情報が取得できません。』エラー",
    "操作中にログイン画面に戻ってしまった。",
    "の ID 数変更申込ボタンが表示されない。",
    "『データが取得できませんでした。』エラーが表示され操作できない。",
    "『問題が発生しました。しばらくしてからご利用ください。』エラー",
    "『アクセストークンが不正です。』エラーが表示され操作できない。",
    "『一部の機能を取得できませんでした。』エラーが表示され操作できない。",
]


def test_inq9_the_seed_holds_every_question_of_the_manual(db):
    questions = list(FaqEntry.objects.values_list("question", flat=True))
    assert len(questions) == len(MANUAL_QUESTIONS)
    for part in MANUAL_QUESTIONS:
        assert sum(part in q for q in questions) == 1, part
    assert FaqCategory.objects.count() == 4
    assert all(FaqEntry.objects.values_list("answer", flat=True))


def test_inq9_search_finds_a_japanese_substring_of_a_question(db):
    hits = list(selectors.faq_entries("代表管理者"))
    assert {"代表管理者が変更できない。", "ユーザ削除できない。"} <= {h.question for h in hits}


def test_inq9_search_finds_a_japanese_substring_of_an_answer(db):
    hits = list(selectors.faq_entries("迷惑メールフォルダ"))
    assert [h.question for h in hits] == ["ユーザ追加しても、メールが届かない。"]
    # A part of a word, with no spaces around it: no word splitting needed.
    assert [h.question for h in selectors.faq_entries("無操作")] == ["操作中にログイン画面に戻ってしまった。"]


def test_inq9_search_ignores_case_and_needs_every_word(db):
    assert selectors.faq_entries("google workspace").count() == 1
    assert selectors.faq_entries("セッション 一部の機能").count() == 1
    assert selectors.faq_entries("存在しない言葉").count() == 0


def test_inq9_unpublished_entries_are_not_shown(db):
    FaqEntry.objects.filter(question="ユーザ削除できない。").update(is_published=False)
    assert "ユーザ削除できない。" not in {e.question for e in selectors.faq_entries("")}


@pytest.mark.postgres
def test_inq9_the_search_has_a_trigram_index_on_the_normalised_text(db):
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname = 'inquiries_faq_text_search_trgm'")
        row = cursor.fetchone()
    assert row and "gin_trgm_ops" in row[0] and "text_search" in row[0]


# --- what people type (issue 23): normalised, every word, particles tolerated --


def _questions(query: str) -> list[str]:
    return [e.question for e in selectors.faq_entries(query)]


@pytest.mark.parametrize("query", ["ID数", "ＩＤ数", "id 数", "ＩＤ　数変更"])
def test_inq9_width_case_and_spaces_do_not_matter(db, query):
    """「の ID 数変更申込ボタンが表示されない。」 is written with spaces."""
    assert any("ID 数変更申込ボタン" in q for q in _questions(query)), query


def test_inq9_half_width_kana_finds_full_width(db):
    questions = _questions("ﾊﾟｽﾜｰﾄﾞ再設定")
    assert any("パスワード再設定画面" in q for q in questions)


def test_inq9_a_missing_particle_still_finds_the_entry(db):
    """代表管理者変更 → 「代表管理者が変更できない。」 (the が is the difference)."""
    assert _questions("代表管理者変更")[0] == "代表管理者が変更できない。"
    assert _questions("ユーザ削除")[0] == "ユーザ削除できない。"


def test_inq9_every_word_must_match_even_fuzzily(db):
    assert _questions("代表管理者変更 存在しない言葉") == []
    assert _questions("アクセストークン 不正") == ["『アクセストークンが不正です。』エラーが表示され操作できない。"]


def test_inq9_entries_matching_in_the_question_come_first(db):
    """「代表管理者」 is in a question and in another entry's answer: the
    question's entry is listed first within its category."""
    assert _questions("代表管理者")[0] == "代表管理者が変更できない。"
    for category in selectors.faq_categories("代表管理者"):
        hits = [e.title_hit for e in category.matching_entries]
        assert hits == sorted(hits, reverse=True)


def test_inq9_the_page_finds_what_people_type(bob_client):
    response = bob_client.get(reverse("inquiries:index"), {"q": "ＩＤ数"})
    assert response.status_code == HTTPStatus.OK
    assert "ID 数変更申込ボタン" in response.text
    assert "ユーザ削除できない。" not in response.text


def test_inq9_an_edited_entry_is_searchable_at_once(db):
    entry = FaqEntry.objects.get(question="ユーザ削除できない。")
    entry.question = "ユーザを消せない。"
    entry.save(update_fields=["question"])
    assert _questions("ﾕｰｻﾞを消せない") == ["ユーザを消せない。"]


# --- the お問い合わせ menu page --------------------------------------------------------


def test_inq9_the_menu_opens_on_the_faq_with_the_forms_one_click_away(bob_client, contracts_trouble_a):
    response = bob_client.get(reverse("inquiries:index"))
    assert response.status_code == HTTPStatus.OK
    body = response.text
    assert "よくあるご質問" in body
    assert "ユーザ削除できない。" in body
    for name in ("inquiries:general", "inquiries:trouble_select", "inquiries:history"):
        assert reverse(name) in body


def test_inq9_index_search(alice_client):
    response = alice_client.get(reverse("inquiries:index"), {"q": "アクセストークン"})
    assert "『アクセストークンが不正です。』" in response.text
    assert "ユーザ削除できない。" not in response.text
    assert "一致するご質問: 1 件" in response.text


def test_inq9_index_without_trouble_services_hides_the_trouble_links(alice_client):
    body = alice_client.get(reverse("inquiries:index")).text
    assert reverse("inquiries:general") in body
    assert "ご契約サービスの障害・トラブルに関するお問い合わせ" not in body


def test_inq9_index_requires_login(client, db):
    response = client.get(reverse("inquiries:index"))
    assert response.status_code == HTTPStatus.FOUND
    assert response.url.startswith(reverse("accounts:login"))


def test_inq9_index_is_not_for_operators(staff_client):
    assert staff_client.get(reverse("inquiries:index")).status_code == HTTPStatus.NOT_FOUND


def test_inq9_index_rejects_post(alice_client):
    assert alice_client.post(reverse("inquiries:index")).status_code == HTTPStatus.METHOD_NOT_ALLOWED


def test_inq9_index_query_count_is_constant(alice_client, django_assert_max_num_queries):
    url = reverse("inquiries:index")
    alice_client.get(url)
    counts = []
    for extra in (0, 40):
        category = FaqCategory.objects.create(name=f"追加{extra}", display_order=99)
        FaqEntry.objects.bulk_create(
            FaqEntry(category=category, question=f"質問{i}", answer=f"回答{i}") for i in range(extra)
        )
        with django_assert_max_num_queries(50) as ctx:
            assert alice_client.get(url).status_code == HTTPStatus.OK
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1]


# --- suggestions beside the form ---------------------------------------------------


def test_inq9_suggestions_for_a_typed_subject(bob_client):
    response = bob_client.get(reverse("inquiries:faq_suggest"), {"q": "ログイン"})
    assert response.status_code == HTTPStatus.OK
    assert "<li>" in response.text
    assert "操作中にログイン画面に戻ってしまった。" in response.text


def test_inq9_no_suggestions_for_one_letter_or_no_match(bob_client):
    assert "<li>" not in bob_client.get(reverse("inquiries:faq_suggest"), {"q": "ロ"}).text
    assert bob_client.get(reverse("inquiries:faq_suggest"), {"q": "該当なしの言葉"}).text.strip() == ""


def test_inq9_suggestions_require_login(client, db):
    assert client.get(reverse("inquiries:faq_suggest"), {"q": "ログイン"}).status_code == HTTPStatus.FOUND


def test_inq9_suggestions_reject_post(bob_client):
    assert bob_client.post(reverse("inquiries:faq_suggest")).status_code == HTTPStatus.METHOD_NOT_ALLOWED


def test_inq9_suggestions_rank_a_sentence_by_shared_pieces(db):
    """A subject is a sentence: no FAQ entry contains it, but the ones sharing
    its words come first."""
    questions = [e.question for e in selectors.faq_suggestions("ユーザを削除したい")]
    assert questions[0] == "ユーザ削除できない。"
    assert selectors.faq_suggestions("あいうえお") == []


def test_inq9_suggestions_query_count_is_constant(bob_client, django_assert_max_num_queries):
    url = reverse("inquiries:faq_suggest")
    bob_client.get(url, {"q": "ログイン"})
    counts = []
    for extra in (0, 30):
        category = FaqCategory.objects.create(name=f"追加{extra}")
        FaqEntry.objects.bulk_create(
            FaqEntry(category=category, question=f"ログイン{i}", answer="回答") for i in range(extra)
        )
        with django_assert_max_num_queries(20) as ctx:
            bob_client.get(url, {"q": "ログイン"})
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1]
