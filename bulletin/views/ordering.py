"""表示順 (BBS-4). Drag and drop posts the whole new order (JSON answer);
the 上へ/下へ buttons are plain forms that work without JS."""

from __future__ import annotations

from http import HTTPStatus

from django.contrib import messages
from django.http import HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.permissions import tenant_role_required
from bulletin.services import ordering
from bulletin.services.errors import BulletinError
from portal.http import TenantRequest


def _ids(request: TenantRequest) -> list[int] | None:
    try:
        return [int(x) for x in request.POST.getlist("order")]
    except ValueError:
        return None


def _answer(request: TenantRequest, error: str | None) -> HttpResponse:
    if error:
        return JsonResponse({"ok": False, "error": error}, status=HTTPStatus.BAD_REQUEST)
    return JsonResponse({"ok": True, "message": _("表示順を保存しました。")})


BAD_ORDER = _("表示順を保存できませんでした。画面を再読み込みしてからやり直してください。")


@tenant_role_required("admin")
@require_POST
def category_order(request: TenantRequest) -> HttpResponse:
    ids = _ids(request)
    if ids is None:
        return _answer(request, str(BAD_ORDER))
    try:
        ordering.reorder_categories(tenant=request.tenant, actor=request.user, ids=ids)
    except BulletinError as exc:
        return _answer(request, exc.message)
    return _answer(request, None)


@tenant_role_required("admin")
@require_POST
def article_order(request: TenantRequest, pk: int) -> HttpResponse:
    category = get_object_or_404(request.tenant.bulletin_categories, pk=pk)
    ids = _ids(request)
    if ids is None:
        return _answer(request, str(BAD_ORDER))
    try:
        ordering.reorder_articles(category=category, actor=request.user, ids=ids)
    except BulletinError as exc:
        return _answer(request, exc.message)
    return _answer(request, None)


def _direction(request: TenantRequest) -> str | None:
    value = request.POST.get("direction")
    return value if value in ("up", "down") else None


def _back_to_edit(anchor: str) -> HttpResponse:
    return redirect(reverse("bulletin:edit") + f"#{anchor}")


@tenant_role_required("admin")
@require_POST
def category_move(request: TenantRequest, pk: int) -> HttpResponse:
    category = get_object_or_404(request.tenant.bulletin_categories, pk=pk)
    direction = _direction(request)
    try:
        if direction is None:
            raise BulletinError(str(BAD_ORDER))
        ordering.move_category(category=category, actor=request.user, direction=direction)  # type: ignore[arg-type]
    except BulletinError as exc:
        messages.error(request, exc.message)
    return _back_to_edit(f"category-{category.pk}")


@tenant_role_required("admin")
@require_POST
def article_move(request: TenantRequest, pk: int) -> HttpResponse:
    article = get_object_or_404(request.tenant.bulletin_articles.select_related("category"), pk=pk)
    direction = _direction(request)
    try:
        if direction is None:
            raise BulletinError(str(BAD_ORDER))
        ordering.move_article(article=article, actor=request.user, direction=direction)  # type: ignore[arg-type]
    except BulletinError as exc:
        messages.error(request, exc.message)
    return _back_to_edit(f"article-{article.pk}")
