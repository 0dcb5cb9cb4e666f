"""The demo tenant's board (called by seed_demo): a few categories and
articles, through the services. Idempotent: a board that already has
articles is left alone, so re-running the seed never undoes a demo user's
changes."""

from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile

from bulletin.models import Article, Category
from bulletin.policies import BULLETIN_ATTACHMENT
from bulletin.services.articles import create_article
from bulletin.services.categories import add_categories, ensure_default_category
from tenants.models import Tenant
from tenants.scoping import tenant_scope
from uploads import staging
from uploads.validation import check_upload

# A one-page PDF (the schedule of the demo's 健康診断 article), well-formed
# down to its xref table: uploads parses PDFs with pypdf (issue 21).
DEMO_PDF = (
    b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n"
    b"1 0 obj\n<< /Type /Catalog /Pages 2 0 R  >>\nendobj\n"
    b"2 0 obj\n<< /Type /Pages /Kids [3 0 R] /Count 1 >>\nendobj\n"
    b"3 0 obj\n<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842]  >>\nendobj\n"
    b"xref\n0 4\n0000000000 65535 f \n0000000015 00000 n \n0000000065 00000 n \n0000000122 00000 n \n"
    b"trailer\n<< /Size 4 /Root 1 0 R >>\nstartxref\n194\n%%EOF\n"
)
DEMO_CATEGORIES = ["社内行事", "総務・人事"]
# (category, title, body, attachment file name); listed oldest first, so お知らせ
# shows the last one on top.
DEMO_ARTICLES = [
    ("お知らせ", "年末年始休業のお知らせ", "12/29〜1/3 は休業です。\n緊急の連絡は総務部までお願いします。", ""),
    ("お知らせ", "ポータルの使い方", "社内向け掲示板には会社からのお知らせを掲載します。\n詳しくはマニュアルをご覧ください: https://www.example.com/manual/", ""),
    ("社内行事", "秋の運動会", "10 月 12 日（土）に運動会を開催します。\n参加希望者は所属長に申し出てください。", ""),
    ("社内行事", "忘年会のご案内", "12 月 20 日（金）18 時から本社 10 階で開催します。", ""),
    ("総務・人事", "健康診断の日程", "今年の健康診断は 6 月に実施します。添付の日程表を確認してください。", "健康診断日程表.pdf"),
]


def ensure_demo_board(tenant: Tenant, *, author: object) -> None:
    with tenant_scope(tenant):
        ensure_default_category(tenant=tenant)
        if Article.objects.filter(tenant=tenant).exists():
            return
        existing = set(Category.objects.filter(tenant=tenant).values_list("name", flat=True))
        missing = [name for name in DEMO_CATEGORIES if name not in existing]
        if missing:
            add_categories(tenant=tenant, actor=author, names=missing)
        by_name = {c.name: c for c in Category.objects.filter(tenant=tenant)}
        for category, title, body, attachment in DEMO_ARTICLES:
            keys = []
            if attachment:
                upload = check_upload(SimpleUploadedFile(attachment, DEMO_PDF), policy=BULLETIN_ATTACHMENT)
                staged = staging.stage(tenant=tenant, uploads=[upload], policy=BULLETIN_ATTACHMENT, user=author)
                keys = [f.key for f in staged]
            create_article(
                tenant=tenant, actor=author, category=by_name[category], title=title, body=body, notify=False,
                attachment_keys=keys,
            )
