"""BBS-1, BBS-3, BBS-5: attachments through the shared upload module.

The bulletin's policy (bulletin/policies.py): office documents, images and
PDF, 5 MB a file, 5 files an article. Files are checked by content when
chosen, staged until 完了, downloaded by any member of the tenant, and their
stored bytes go with the article or the category."""

from __future__ import annotations

from http import HTTPStatus

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from bulletin.models import Article, Attachment
from bulletin.policies import BULLETIN_ATTACHMENT
from tenants.scoping import operator_scope
from tests.bulletin.conftest import article_count, audit
from tests.uploads.samples import PDF, image_bytes, ole_bytes, ooxml_bytes, pdf_bytes
from tests.web import flow
from uploads.models import StoredFile
from uploads.policies import MB

URL = reverse("bulletin:article_add")


def data(category, **changes):
    return {"category": category.pk, "title": "資料のお知らせ", "body": "添付をご覧ください。", "notify": "no", **changes}


def files(**named: bytes) -> list[SimpleUploadedFile]:
    return [SimpleUploadedFile(name, content) for name, content in named.items()]


def stored() -> list[StoredFile]:
    with operator_scope():
        return list(StoredFile.objects.order_by("pk"))


def pdf_of_size(size: int) -> bytes:
    # A well-formed PDF (pypdf parses it, issue 21) padded with a comment.
    return pdf_bytes(pad_to=size)


def add_with_files(client, category, uploads, **changes):
    """確認 with the files, then 完了 with the staged keys the page carries."""
    confirm, done = flow.confirm_then_complete(client, URL, {**data(category, **changes), "attachments": uploads})
    assert confirm.status_code == HTTPStatus.OK
    return confirm, done


def test_bbs1_the_page_states_the_limits(alice_client, news_a):
    body = alice_client.get(URL).content.decode()
    assert "添付ファイル" in body
    assert "PDF, DOC, DOCX, XLS, XLSX, PPT, PPTX, JPEG, PNG, GIF, BMP（各 5 MB まで）" in body
    assert "（5 個まで）" in body
    assert 'enctype="multipart/form-data"' in body


@pytest.mark.parametrize(
    "name,content",
    [
        ("議事録.docx", ooxml_bytes("docx")),
        ("予算.xlsx", ooxml_bytes("xlsx")),
        ("説明.pptx", ooxml_bytes("pptx")),
        ("旧形式.doc", ole_bytes("WordDocument")),
        ("旧形式.XLS", ole_bytes("Workbook")),
        ("旧形式.ppt", ole_bytes("PowerPoint Document")),
        ("案内.pdf", PDF),
        ("写真.JPG", image_bytes("JPEG")),
        ("図.png", image_bytes("PNG")),
        ("anim.gif", image_bytes("GIF")),
        ("scan.bmp", image_bytes("BMP")),
    ],
)
def test_bbs1_allowed_kinds_are_accepted_by_content(alice_client, news_a, name, content):
    confirm = alice_client.post(URL, {**data(news_a), "attachments": files(**{name: content})})
    assert confirm.status_code == HTTPStatus.OK
    assert "記事追加確認" in confirm.content.decode() and name in confirm.content.decode()
    assert [f.original_name for f in stored()] == [name]
    assert not stored()[0].attached


@pytest.mark.parametrize(
    "name,content,message",
    [
        ("メモ.txt", "テキスト".encode(), "ファイルの形式が許可されていません"),
        ("ロゴ.svg", b'<svg xmlns="http://www.w3.org/2000/svg"/>', "ファイルの形式が許可されていません"),
        ("偽物.xlsx", ooxml_bytes("docx"), "ファイルの内容が拡張子（.xlsx）と一致しません"),
        ("ただのzip.docx", ooxml_bytes("docx", content_types=False), "ファイルの内容が拡張子（.docx）と一致しません"),
        ("page.pdf", b"<html><script>alert(1)</script></html>", "ファイルの内容が拡張子（.pdf）と一致しません"),
        ("poly.pdf", PDF[:9] + b"<html><script>alert(1)</script>" + PDF[9:], "HTML やスクリプトを含むファイルはアップロードできません"),
        ("macro.xls", ole_bytes("Workbook", extra_storage="_VBA_PROJECT_CUR"), "マクロを含むファイルはアップロードできません"),
    ],
)
def test_bbs1_refused_kinds_keep_the_input_and_store_nothing(alice_client, news_a, name, content, message):
    response = alice_client.post(URL, {**data(news_a), "attachments": files(**{name: content})})
    body = response.content.decode()
    assert "記事追加確認" not in body
    assert message in body and name in body
    assert 'value="資料のお知らせ"' in body
    assert stored() == [] and article_count(news_a.tenant) == 0


def test_bbs1_size_limit_exactly_vs_one_byte_more(alice_client, news_a):
    assert BULLETIN_ATTACHMENT.max_bytes == 5 * MB
    exact = alice_client.post(URL, {**data(news_a), "attachments": files(**{"ちょうど.pdf": pdf_of_size(5 * MB)})})
    assert "記事追加確認" in exact.content.decode()
    over = alice_client.post(URL, {**data(news_a), "attachments": files(**{"超過.pdf": pdf_of_size(5 * MB + 1)})})
    assert "ファイルサイズが上限（5 MB）を超えています" in over.content.decode()
    assert [f.original_name for f in stored()] == ["ちょうど.pdf"]


def test_bbs1_at_most_five_files(alice_client, news_a):
    six = files(**{f"資料{i}.pdf": PDF for i in range(6)})
    body = alice_client.post(URL, {**data(news_a), "attachments": six}).content.decode()
    assert "添付できるファイルは 5 個までです" in body
    assert stored() == []


def test_bbs1_complete_attaches_the_staged_files_in_order(alice_client, alice, news_a):
    confirm, done = add_with_files(alice_client, news_a, files(**{"b.pdf": PDF, "a.png": image_bytes("PNG")}))
    assert done.status_code == HTTPStatus.FOUND
    with operator_scope():
        article = Article.objects.get()
        names = list(Attachment.objects.filter(article=article).values_list("file__original_name", flat=True))
    assert names == ["b.pdf", "a.png"]
    assert all(f.attached for f in stored())
    assert audit("bulletin.article.created")[0].data["attachments"] == 2


def test_bbs1_input_error_keeps_the_checked_files(alice_client, news_a):
    response = alice_client.post(URL, {**data(news_a, title=""), "attachments": files(**{"残る.pdf": PDF})})
    body = response.content.decode()
    assert "タイトルを入力してください。" in body
    key = str(stored()[0].key)
    assert f'name="attachment_keys" value="{key}" checked' in body and "残る.pdf" in body
    # Fixing the title needs no second upload.
    confirm = alice_client.post(URL, {**data(news_a), "attachment_keys": [key]})
    assert "残る.pdf" in confirm.content.decode() and "記事追加確認" in confirm.content.decode()


def test_bbs1_back_from_confirm_keeps_the_files_and_unchecking_drops_one(alice_client, news_a):
    confirm = alice_client.post(URL, {**data(news_a), "attachments": files(**{"一.pdf": PDF, "二.pdf": PDF})})
    keys = [str(f.key) for f in confirm.context["files"]]
    back = flow.back(alice_client, URL, confirm)
    assert "一.pdf" in back.content.decode() and "二.pdf" in back.content.decode()
    assert all(f'name="attachment_keys" value="{k}" checked' in back.content.decode() for k in keys)
    flow.confirm_then_complete(alice_client, URL, {**data(news_a), "attachment_keys": keys[:1]})
    with operator_scope():
        assert list(Attachment.objects.values_list("file__original_name", flat=True)) == ["一.pdf"]


def test_bbs1_crafted_keys_are_refused(alice_client, charlie_client, news_a, news_b):
    theirs = charlie_client.post(reverse("bulletin:article_add"), {**data(news_b), "attachments": files(**{"b.pdf": PDF})})
    foreign = str(theirs.context["files"][0].key)
    response = alice_client.post(URL, {**data(news_a), "attachment_keys": [foreign]})
    assert "添付ファイルの有効期限が切れました" in response.content.decode()
    _confirm, _done = add_with_files(alice_client, news_a, files(**{"a.pdf": PDF}))
    used = str(stored()[-1].key)
    again = alice_client.post(URL, {**data(news_a, title="二つ目"), "attachment_keys": [used]})
    assert "添付ファイルの有効期限が切れました" in again.content.decode()
    garbage = alice_client.post(URL, {**data(news_a), "attachment_keys": ["not-a-key"]})
    assert "添付ファイルの指定が正しくありません" in garbage.content.decode()
    with operator_scope():
        assert Article.objects.filter(tenant=news_a.tenant).count() == 1
        assert Attachment.objects.count() == 1


def test_bbs5_members_download_others_get_404(alice_client, bob_client, charlie_client, client, news_a):
    add_with_files(alice_client, news_a, files(**{"年間予定.pdf": PDF}))
    with operator_scope():
        article = Article.objects.get()
    page = bob_client.get(reverse("bulletin:article", args=[article.pk])).content.decode()
    url = reverse("uploads:download", args=[stored()[0].key])
    assert url in page and "年間予定.pdf" in page
    response = bob_client.get(url)
    assert response.status_code == HTTPStatus.OK
    assert b"".join(response.streaming_content) == PDF
    assert "filename*=UTF-8''%E5%B9%B4%E9%96%93%E4%BA%88%E5%AE%9A.pdf" in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert charlie_client.get(url).status_code == HTTPStatus.NOT_FOUND
    assert client.get(url).status_code == HTTPStatus.FOUND


def test_bbs5_a_staged_file_is_only_for_its_uploader(alice_client, bob_client, news_a):
    alice_client.post(URL, {**data(news_a), "attachments": files(**{"下書き.pdf": PDF})})
    url = reverse("uploads:download", args=[stored()[0].key])
    assert alice_client.get(url).status_code == HTTPStatus.OK
    assert bob_client.get(url).status_code == HTTPStatus.NOT_FOUND


def test_bbs5_operators_cannot_download_board_files(alice_client, operator_client, news_a):
    add_with_files(alice_client, news_a, files(**{"a.pdf": PDF}))
    assert operator_client.get(reverse("uploads:download", args=[stored()[0].key])).status_code == HTTPStatus.NOT_FOUND


def test_bbs3_deleting_the_article_deletes_the_stored_files(
    alice_client, news_a, django_capture_on_commit_callbacks
):
    add_with_files(alice_client, news_a, files(**{"a.pdf": PDF, "b.png": image_bytes("PNG")}))
    names = [f.name for f in stored()]
    assert all(default_storage.exists(n) for n in names)
    with operator_scope():
        article = Article.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        alice_client.post(reverse("bulletin:article_delete", args=[article.pk]))
    assert stored() == []
    assert not any(default_storage.exists(n) for n in names)
    with operator_scope():
        assert not Attachment.objects.exists()


def test_bbs3_deleting_the_category_deletes_every_stored_file(
    alice_client, events_a, django_capture_on_commit_callbacks
):
    add_with_files(alice_client, events_a, files(**{"a.pdf": PDF}))
    add_with_files(alice_client, events_a, files(**{"b.pdf": PDF}), title="二つ目")
    names = [f.name for f in stored()]
    with django_capture_on_commit_callbacks(execute=True):
        alice_client.post(reverse("bulletin:category_delete", args=[events_a.pk]))
    assert stored() == [] and not any(default_storage.exists(n) for n in names)


def test_bbs5_article_page_query_count_is_constant(alice_client, bob_client, news_a, django_assert_max_num_queries):
    counts = []
    bob_client.get(reverse("home"))  # issue 22: the login's first request stamps the session
    for n, title in ((1, "一件"), (5, "五件")):
        add_with_files(alice_client, news_a, files(**{f"{title}{i}.pdf": PDF for i in range(n)}), title=title)
        with operator_scope():
            article = Article.objects.get(title=title)
        with django_assert_max_num_queries(12) as ctx:
            assert bob_client.get(reverse("bulletin:article", args=[article.pk])).status_code == HTTPStatus.OK
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1]
