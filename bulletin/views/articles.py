"""記事追加 → 確認 → 完了 (BBS-1) and 記事削除 (BBS-3)."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from accounts.permissions import TenantRequest, tenant_role_required
from bulletin import selectors
from bulletin.forms import ArticleForm
from bulletin.policies import BULLETIN_ATTACHMENT
from bulletin.services import articles
from bulletin.services.errors import BulletinError
from bulletin.services.fanout import preview_mail
from uploads import staging
from web import submission


@tenant_role_required("admin")
def article_add(request: TenantRequest) -> HttpResponse:
    """入力 → 確認 → 完了 (web.submission). The 確認 page carries the input
    in hidden fields, so no article is stored before 完了; 戻る returns to
    the input with everything kept. Attachments are checked by the upload
    module as soon as they are chosen and kept as staged files
    (uploads.staging), so an input error or 戻る never asks for them again."""
    step = submission.stage(request)
    if step == submission.DONE and (replayed := submission.replay(request)):
        return replayed
    posted = request.method == "POST"
    form = ArticleForm(
        request.POST if posted else None, request.FILES if posted else None, tenant=request.tenant, user=request.user
    )
    valid = form.is_valid() if posted else False
    files = form.kept_files()
    if posted and form.cleaned_data.get("attachments"):
        files += staging.stage(
            tenant=request.tenant, uploads=form.cleaned_data["attachments"], policy=BULLETIN_ATTACHMENT, user=request.user
        )
    if valid and step == submission.CONFIRM:
        return _confirm(request, form, files)
    if valid and step == submission.DONE:
        data = form.cleaned_data

        def change() -> HttpResponse:
            article = articles.create_article(
                tenant=request.tenant,
                actor=request.user,
                category=data["category"],
                title=data["title"],
                body=data["body"],
                notify=form.wants_mail,
                attachment_keys=[f.key for f in files],
            )
            return redirect("bulletin:article_done", pk=article.pk)

        try:
            response = submission.complete(request, change, form=form)
        except BulletinError as exc:
            form.add_error(None, exc.message)
        else:
            return response or _confirm(request, form, files)
    return render(request, "bulletin/article_add.html", {"form": form, "files": files})


def _confirm(request: TenantRequest, form: ArticleForm, files: list) -> HttpResponse:
    data = form.cleaned_data
    context = {"form": form, "notify": form.wants_mail, "files": files}
    if form.wants_mail:
        # The same query the fan-out walks, so the number is what goes out.
        context["recipient_count"] = selectors.notice_recipients(tenant=request.tenant).count()
        context["mail_subject"], context["mail_body"] = preview_mail(
            tenant_name=request.tenant.name,
            category_name=data["category"].name,
            title=data["title"],
            body=data["body"],
        )
    return render(request, "bulletin/article_confirm.html", context)


@tenant_role_required("admin")
def article_done(request: TenantRequest, pk: int) -> HttpResponse:
    article = get_object_or_404(request.tenant.bulletin_articles, pk=pk)
    return render(request, "bulletin/article_done.html", {"article": article})


@tenant_role_required("admin")
def article_delete(request: TenantRequest, pk: int) -> HttpResponse:
    """GET: the confirmation; POST: 削除."""
    article = get_object_or_404(request.tenant.bulletin_articles.select_related("category"), pk=pk)
    if request.method == "POST":
        articles.delete_article(article=article, actor=request.user)
        messages.success(request, _("記事「%(title)s」を削除しました。") % {"title": article.title})
        return redirect("bulletin:edit")
    return render(request, "bulletin/article_delete.html", {"article": article})
