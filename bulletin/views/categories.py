"""カテゴリ追加 → 確認 → 完了 (BBS-2) and カテゴリ削除 (BBS-3)."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from accounts.permissions import TenantRequest, tenant_role_required
from bulletin.forms import CategoryFormSet
from bulletin.services import categories
from bulletin.services.errors import BulletinError
from web import submission


@tenant_role_required("admin")
def category_add(request: TenantRequest) -> HttpResponse:
    """入力 → 確認 → 完了 (web.submission). ＋ adds a row: with JS in the
    page, without JS by this view (the ＋ button submits the form with
    ``add_row``)."""
    tenant = request.tenant
    step = submission.stage(request)
    if request.method != "POST":
        return render(request, "bulletin/category_add.html", {"formset": CategoryFormSet(tenant=tenant)})
    if step == submission.DONE and (replayed := submission.replay(request)):
        return replayed
    formset = CategoryFormSet(request.POST, tenant=tenant)
    if "add_row" in request.POST or step == submission.INPUT:
        typed = [v for k, v in request.POST.items() if k.startswith("form-") and k.endswith("-name")]
        rows = [{"name": n} for n in typed] + ([{}] if "add_row" in request.POST else [])
        return render(
            request, "bulletin/category_add.html", {"formset": CategoryFormSet(initial=rows or [{}], tenant=tenant)}
        )
    if formset.is_valid():
        names = formset.names()
        if step == submission.CONFIRM:
            return render(request, "bulletin/category_confirm.html", {"formset": formset, "names": names})

        def change() -> str:
            created = categories.add_categories(tenant=tenant, actor=request.user, names=names)
            return reverse("bulletin:category_done") + "?ids=" + ",".join(str(c.pk) for c in created)

        try:
            response = submission.complete(request, change)
        except BulletinError as exc:
            messages.error(request, exc.message)
        else:
            if response is not None:
                return response
            context = {"formset": formset, "names": names, "errors": [submission.STALE_MESSAGE]}
            return render(request, "bulletin/category_confirm.html", context)
    return render(request, "bulletin/category_add.html", {"formset": formset})


@tenant_role_required("admin")
def category_done(request: TenantRequest) -> HttpResponse:
    try:
        ids = [int(x) for x in request.GET.get("ids", "").split(",") if x]
    except ValueError:
        raise Http404 from None
    added = list(request.tenant.bulletin_categories.filter(pk__in=ids))
    if not added:
        raise Http404
    return render(request, "bulletin/category_done.html", {"added": added})


@tenant_role_required("admin")
def category_delete(request: TenantRequest, pk: int) -> HttpResponse:
    """GET: the warning with the number of articles that go with it; POST: 削除."""
    category = get_object_or_404(request.tenant.bulletin_categories, pk=pk)
    if request.method == "POST":
        try:
            count = categories.delete_category(category=category, actor=request.user)
        except BulletinError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(
                request,
                _("カテゴリ「%(name)s」と記事 %(count)d 件を削除しました。") % {"name": category.name, "count": count},
            )
        return redirect("bulletin:edit")
    if category.is_default:
        messages.error(request, _("お知らせカテゴリは削除できません。"))
        return redirect("bulletin:edit")
    count = category.articles.count()
    return render(request, "bulletin/category_delete.html", {"category": category, "count": count})
