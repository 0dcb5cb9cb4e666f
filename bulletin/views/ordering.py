"""表示順 (BBS-4). Drag and drop posts the whole new order (JSON answer);
the 上へ/下へ buttons are plain forms that work without JS."""

from __future__ import annotations

from collections.abc import Callable
from http import HTTPStatus

from django.contrib import messages
from django.http import HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from accounts.permissions import TenantRequest, tenant_role_required
from bulletin.services import ordering
from bulletin.services.errors import BulletinError

BAD_ORDER = gettext_lazy("表示順を保存できませんでした。画面を再読み込みしてからやり直してください。")


def _save_order(request: TenantRequest, save: Callable[[list[int]], None]) -> HttpResponse:
    """Run ``save`` with the posted ids; answer the page's script in JSON."""
    try:
        ids = [int(x) for x in request.POST.getlist("order")]
        save(ids)
    except ValueError:
        return JsonResponse({"ok": False, "error": str(BAD_ORDER)}, status=HTTPStatus.BAD_REQUEST)
    except BulletinError as exc:
        return JsonResponse({"ok": False, "error": exc.message}, status=HTTPStatus.BAD_REQUEST)
    return JsonResponse({"ok": True, "message": _("表示順を保存しました。")})


@tenant_role_required("admin")
@require_POST
def category_order(request: TenantRequest) -> HttpResponse:
    return _save_order(
        request, lambda ids: ordering.reorder_categories(tenant=request.tenant, actor=request.user, ids=ids)
    )


@tenant_role_required("admin")
@require_POST
def article_order(request: TenantRequest, pk: int) -> HttpResponse:
    category = get_object_or_404(request.tenant.bulletin_categories, pk=pk)
    return _save_order(
        request, lambda ids: ordering.reorder_articles(category=category, actor=request.user, ids=ids)
    )


def _move(request: TenantRequest, move: Callable[[ordering.Direction], None], anchor: str) -> HttpResponse:
    """One step up or down, then back to the row on the 編集 page."""
    direction = request.POST.get("direction")
    try:
        if direction not in ("up", "down"):
            raise BulletinError(str(BAD_ORDER))
        move(direction)  # type: ignore[arg-type]
    except BulletinError as exc:
        messages.error(request, exc.message)
    return redirect(reverse("bulletin:edit") + f"#{anchor}")


@tenant_role_required("admin")
@require_POST
def category_move(request: TenantRequest, pk: int) -> HttpResponse:
    category = get_object_or_404(request.tenant.bulletin_categories, pk=pk)
    return _move(
        request,
        lambda direction: ordering.move_category(category=category, actor=request.user, direction=direction),
        f"category-{category.pk}",
    )


@tenant_role_required("admin")
@require_POST
def article_move(request: TenantRequest, pk: int) -> HttpResponse:
    article = get_object_or_404(request.tenant.bulletin_articles.select_related("category"), pk=pk)
    return _move(
        request,
        lambda direction: ordering.move_article(article=article, actor=request.user, direction=direction),
        f"article-{article.pk}",
    )
