"""記事追加 → 確認 → 完了 (BBS-1) and 記事削除 (BBS-3)."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from accounts.permissions import TenantRequest, tenant_role_required
from bulletin import selectors
from bulletin.forms import ArticleForm
from bulletin.services import articles
from bulletin.services.attachments import stage_uploads, staged_files
from bulletin.services.errors import BulletinError
from bulletin.services.fanout import preview_mail


@tenant_role_required("admin")
def article_add(request: TenantRequest) -> HttpResponse:
    """The 確認 page carries the input in hidden fields, so no article is
    stored before 完了; 戻る returns to the input with everything kept.
    Attachments are checked by the upload module as soon as they are chosen
    and kept as staged files (a browser cannot re-post a file input), so an
    input error or 戻る never asks for them again."""
    posted = request.method == "POST"
    form = ArticleForm(request.POST if posted else None, request.FILES if posted else None, tenant=request.tenant)
    valid = form.is_valid() if posted else False
    keys = form.kept_keys() if posted else []
    if posted and form.cleaned_data.get("attachments"):
        keys += [f.key for f in stage_uploads(tenant=request.tenant, user=request.user, uploads=form.cleaned_data["attachments"])]
    files = staged_files(tenant=request.tenant, keys=keys)
    if valid and "back" not in request.POST:
        data = form.cleaned_data
        if request.POST.get("step") == "confirm":
            try:
                article = articles.create_article(
                    tenant=request.tenant,
                    actor=request.user,
                    category=data["category"],
                    title=data["title"],
                    body=data["body"],
                    notify=form.wants_mail,
                    attachment_keys=keys,
                )
            except BulletinError as exc:
                form.add_error(None, exc.message)
            else:
                return redirect("bulletin:article_done", pk=article.pk)
        else:
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
    return render(request, "bulletin/article_add.html", {"form": form, "files": files})


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
