"""CSV download and ユーザ一括追加／変更 (USER-5, USER-6)."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse, JsonResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from accounts.models import UserImport
from accounts.permissions import TenantRequest, tenant_role_required
from audit.services import record
from users import csv as user_csv
from users import selectors
from users.forms import CsvUploadForm
from users.services import user_imports
from users.services.errors import UserAdminError
from users.views.users import get_selected, list_url
from web import submission
from web.csv import csv_download


def _stream(request: TenantRequest, *, user_ids: list[int] | None, name: str) -> StreamingHttpResponse:
    rows = selectors.iter_users_for_export(tenant=request.tenant, user_ids=user_ids)
    return csv_download(user_csv.export_headers(), user_csv.export_values(rows), name=name)


@tenant_role_required("admin")
def export_all(request: TenantRequest) -> StreamingHttpResponse:
    """全ユーザ情報 CSV."""
    record(action="accounts.user.exported", actor=request.user, tenant=request.tenant, data={"scope": "all"})
    return _stream(request, user_ids=None, name="users")


@tenant_role_required("admin")
def export_selected(request: TenantRequest) -> HttpResponse:
    """選択ユーザ情報 CSV: the selection kept in the session across pages."""
    selected = get_selected(request)
    if not selected:
        messages.error(request, _("ユーザを選択してください。"))
        return redirect(list_url(request))
    record(
        action="accounts.user.exported", actor=request.user, tenant=request.tenant,
        data={"scope": "selected", "count": len(selected)},
    )
    return _stream(request, user_ids=selected, name="users_selected")


@tenant_role_required("admin")
def import_template(request: TenantRequest) -> HttpResponse:
    response = HttpResponse(user_csv.template_bytes(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="users_template.csv"'
    return response


@tenant_role_required("admin")
def import_upload(request: TenantRequest) -> HttpResponse:
    """ユーザ一括追加／変更: upload → dry run (検証) → 反映."""
    form = CsvUploadForm(request.POST, request.FILES) if request.method == "POST" else CsvUploadForm()
    if request.method == "POST" and form.is_valid():
        f = form.cleaned_data["file"]
        upload = user_imports.start_import(
            tenant=request.tenant, actor=request.user, filename=f.name, content=f.read()
        )
        return redirect("users:import_detail", pk=upload.pk)
    recent = request.tenant.user_imports.defer("content").select_related("created_by").order_by("-created_at")[:5]
    return render(
        request,
        "users/import.html",
        {
            "form": form,
            "columns": IMPORT_COLUMN_HELP,
            "recent": recent,
            "back_url": list_url(request),
            "sync_max": user_imports.IMPORT_SYNC_MAX_ROWS,
        },
    )


IMPORT_COLUMN_HELP = [
    (gettext_lazy("ユーザID"), "○", gettext_lazy("メールアドレス、半角 5〜127 文字。既存のユーザ ID なら変更、新しいユーザ ID なら追加")),
    (gettext_lazy("姓"), "○", gettext_lazy("全角 10 文字以内、または半角英字 30 文字以内（混在不可）")),
    (gettext_lazy("名"), "○", gettext_lazy("全角 10 文字以内、または半角英字 30 文字以内（混在不可）")),
    (gettext_lazy("姓カナ"), "", gettext_lazy("全角カタカナ 1〜20 文字")),
    (gettext_lazy("名カナ"), "", gettext_lazy("全角カタカナ 1〜20 文字")),
    (gettext_lazy("所属"), "", gettext_lazy("半角英数字、または全角文字 1〜50 文字")),
    (gettext_lazy("権限"), "○", gettext_lazy("「管理者」または「ユーザ」")),
    (gettext_lazy("サービス利用電話番号"), "", gettext_lazy("半角数字 1〜15 文字")),
    (gettext_lazy("通知先メールアドレス"), "○", gettext_lazy("メールアドレス、半角 5〜127 文字")),
    (gettext_lazy("代表組織"), "", gettext_lazy("組織のパス（例: 本社/営業部）。空欄なら組織は変更しません")),
]


def _upload(request: TenantRequest, pk: int) -> UserImport:
    return get_object_or_404(request.tenant.user_imports.defer("content"), pk=pk)


@tenant_role_required("admin")
def import_detail(request: TenantRequest, pk: int) -> HttpResponse:
    """The dry-run result, the 反映 confirmation, the progress or the result."""
    upload = _upload(request, pk)
    return render(
        request,
        "users/import_detail.html",
        {"upload": upload, "back_url": list_url(request), "shown_errors": upload.errors[:1000]},
    )


@tenant_role_required("admin")
def import_status(request: TenantRequest, pk: int) -> JsonResponse:
    """Polled by users.js on the progress page."""
    upload = _upload(request, pk)
    processed = upload.processed_rows
    if upload.status == UserImport.Status.APPLYING:
        from django.core.cache import cache

        processed = max(processed, int(cache.get(user_imports.progress_key(upload.pk)) or 0))
    return JsonResponse(
        {
            "status": upload.status,
            "running": upload.is_running,
            "processed": processed,
            "total": upload.total_rows,
            "percent": int(processed * 100 / upload.total_rows) if upload.total_rows else 0,
            "url": reverse("users:import_detail", args=[upload.pk]),
        }
    )


@tenant_role_required("admin")
@require_POST
def import_apply(request: TenantRequest, pk: int) -> HttpResponse:
    """反映, from the dry run's page (its 確認): once per token (issue 19)."""
    step = submission.stage(request)
    if step == submission.DONE and (replayed := submission.replay(request)):
        return replayed
    upload = _upload(request, pk)
    if step == submission.INPUT:  # 戻る
        return redirect("users:import")
    try:
        response = submission.complete(request, lambda: _apply(request, upload))
    except UserAdminError as exc:
        messages.error(request, str(exc))
        return redirect("users:import_detail", pk=upload.pk)
    if response is None:
        messages.error(request, submission.STALE_MESSAGE)
        return redirect("users:import_detail", pk=upload.pk)
    return response


def _apply(request: TenantRequest, upload: UserImport) -> str:
    upload = user_imports.request_apply(upload=upload, actor=request.user)
    if upload.status == UserImport.Status.DONE:
        messages.success(
            request,
            _("ユーザ一括追加／変更が完了しました（追加 %(add)d 件、変更 %(change)d 件）。")
            % {"add": upload.to_add, "change": upload.to_change},
        )
    return reverse("users:import_detail", args=[upload.pk])
