"""社内向け掲示板 (BBS-1, BBS-5): the board, an article, the 編集 page."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render

from accounts.permissions import TenantRequest, tenant_role_required
from bulletin import selectors


@tenant_role_required()
def index(request: TenantRequest) -> HttpResponse:
    """Everyone of the tenant reads the board; admins also get its actions."""
    return render(
        request,
        "bulletin/index.html",
        {"board": selectors.board(tenant=request.tenant), "is_admin": request.user.is_tenant_admin},
    )


@tenant_role_required()
def article_detail(request: TenantRequest, pk: int) -> HttpResponse:
    article = get_object_or_404(request.tenant.bulletin_articles.select_related("category"), pk=pk)
    return render(
        request,
        "bulletin/article.html",
        {
            "article": article,
            "files": selectors.article_files(article=article),
            "is_admin": request.user.is_tenant_admin,
        },
    )


@tenant_role_required("admin")
def edit(request: TenantRequest) -> HttpResponse:
    """編集 (BBS-3, BBS-4): delete and reorder."""
    return render(request, "bulletin/edit.html", {"board": selectors.board(tenant=request.tenant)})
