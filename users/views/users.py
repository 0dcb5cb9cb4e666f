"""ユーザ一覧, selection across pages, 一括処理 and ユーザ追加 (USER-1 … USER-8)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from accounts.models import User
from accounts.permissions import TenantRequest, tenant_role_required
from users import list_rows, selectors
from users.forms import BulkUsersForm, PasswordMethod, UserAddForm, UserForm, UserSearchForm
from users.services import user_accounts, user_deletion, user_security
from users.services.user_deletion import DeletionResult
from web import submission
from web.pagination import Paginator as TwoEndedPaginator

PAGE_SIZE = 100
SESSION_SELECTED = "users:selected"
SESSION_QUERY = "users:list_query"
SESSION_RESULT = "users:bulk_result"

COLUMNS: list[tuple[str, Any]] = [
    ("email", gettext_lazy("ユーザ ID")),
    ("name", gettext_lazy("姓名")),
    ("affiliation", gettext_lazy("所属")),
    ("status", gettext_lazy("ステータス")),
    ("login_condition", gettext_lazy("ログイン条件")),
]


def get_selected(request: TenantRequest) -> list[int]:
    return list(request.session.get(SESSION_SELECTED, []))


def set_selected(request: TenantRequest, ids: list[int]) -> None:
    request.session[SESSION_SELECTED] = sorted(set(ids))


def list_url(request: TenantRequest) -> str:
    """The list as the admin last saw it (search, sort, page)."""
    query = request.session.get(SESSION_QUERY, "")
    return reverse("users:list") + (f"?{query}" if query else "")


def _query(params: dict[str, Any], **changes: Any) -> str:
    merged = {**params, **changes}
    return urlencode({k: v for k, v in merged.items() if v not in (None, "")})


@tenant_role_required("admin")
def user_list(request: TenantRequest) -> HttpResponse:
    tenant = request.tenant
    detail_mode = bool(request.GET.get("detail"))
    form = UserSearchForm(request.GET or None, tenant=tenant, detail=detail_mode)
    filters = form.filters() if request.GET else {}
    sort_key, desc = selectors.parse_sort(request.GET.get("sort"))
    sort = f"-{sort_key}" if desc else sort_key
    qs = selectors.with_list_columns(
        selectors.user_search(tenant=tenant, filters=filters, sort=sort).only(*selectors.LIST_FIELDS)
    )
    # The whole tenant: the trigger-kept counter instead of COUNT(*) (issue 22).
    total = None if filters else selectors.user_total(tenant=tenant)
    paginator = TwoEndedPaginator(qs, PAGE_SIZE, count=total)
    page = paginator.get_page(request.GET.get("page"))
    users = list(page.object_list)

    params = {k: v for k, v in request.GET.items() if k in form.fields or k == "sort"}
    params["sort"] = sort
    query = _query(params, page=page.number)
    if request.session.get(SESSION_QUERY) != query:  # unchanged: no session write (issue 22)
        request.session[SESSION_QUERY] = query
    columns = []
    for key, label in COLUMNS:
        active = key == sort_key
        next_sort = f"-{key}" if active and not desc else key
        columns.append(
            {
                "key": key,
                "label": label,
                "url": "?" + _query(params, sort=next_sort, page=None),
                "aria_sort": ("descending" if desc else "ascending") if active else "none",
                "active": active,
            }
        )
    nav = {
        "first": _query(params, page=1),
        "previous": _query(params, page=page.previous_page_number()) if page.has_previous() else None,
        "next": _query(params, page=page.next_page_number()) if page.has_next() else None,
        "last": _query(params, page=paginator.num_pages),
    }
    selected = set(get_selected(request))
    return render(
        request,
        "users/list.html",
        {
            "form": form,
            "detail_mode": detail_mode,
            "users": users,
            "rows": list_rows.render_rows(users, selected=selected),
            "page": page,
            "paginator": paginator,
            "columns": columns,
            "nav": nav,
            "selected": selected,
            "selected_count": len(selected),
            "page_ids": ",".join(str(u.pk) for u in users),
            "current_query": query,
        },
    )


@tenant_role_required("admin")
@require_POST
def list_action(request: TenantRequest) -> HttpResponse:
    """The list's one form: remembers the checkboxes of the shown page in the
    session (so a selection survives paging), then does what was asked.

    users.js posts here on every checkbox change (``action=save``) and gets
    JSON back; without JS the paging buttons submit the form."""
    try:
        page_ids = {int(x) for x in request.POST.get("page_ids", "").split(",") if x}
        checked = {int(x) for x in request.POST.getlist("selected")}
    except ValueError:
        page_ids, checked = set(), set()
    selected = set(get_selected(request))
    if request.POST.get("select_scope") == "clear":
        selected = set()
    else:
        # Only ids the tenant owns can be remembered.
        owned = set(request.tenant.users.filter(pk__in=page_ids | checked).values_list("pk", flat=True))
        selected = (selected - page_ids) | (checked & owned)
    set_selected(request, list(selected))
    action = request.POST.get("action", "")
    if action == "save":
        return JsonResponse({"selected": len(selected)})
    if action == "delete":
        return redirect("users:bulk_delete")
    if action == "password_reset":
        return redirect("users:bulk_password_reset")
    if action == "download_selected":
        if not selected:
            messages.error(request, _("ユーザを選択してください。"))
            return redirect(list_url(request))
        return redirect("users:export_selected")
    goto = request.POST.get("goto", "")
    if goto.startswith("?"):
        return redirect(reverse("users:list") + goto)
    return redirect(list_url(request))


def _selected_users(request: TenantRequest) -> list:
    return list(request.tenant.users.filter(pk__in=get_selected(request)).order_by("email"))


@dataclass(frozen=True)
class _Bulk:
    """One 一括処理: its labels, who it skips and why, and the service."""

    kind: str
    title: Any
    lead: Any
    action_label: Any
    done_label: Any
    submit_class: str
    refusal: Callable[[User, User], str | None]
    run: Callable[..., DeletionResult]


_BULK = {
    "delete": _Bulk(
        kind="delete",
        title=gettext_lazy("選択ユーザを削除"),
        lead=gettext_lazy("次のユーザを削除します。削除すると元に戻せません。"),
        action_label=gettext_lazy("削除"),
        done_label=gettext_lazy("削除したユーザ"),
        submit_class="button--danger",
        refusal=lambda user, actor: user_deletion.deletion_refusal(user=user, actor=actor),
        run=user_deletion.delete_users,
    ),
    "password_reset": _Bulk(
        kind="password_reset",
        title=gettext_lazy("選択ユーザのパスワードリセット"),
        lead=gettext_lazy("次のユーザの通知先メールアドレスにパスワード再設定メールを送信します。"),
        action_label=gettext_lazy("パスワードリセット"),
        done_label=gettext_lazy("パスワード再設定メールを送信したユーザ"),
        submit_class="button--primary",
        refusal=lambda user, actor: None,
        run=user_security.reset_passwords,
    ),
}


def _bulk(request: TenantRequest, bulk: _Bulk) -> HttpResponse:
    """確認 lists the selected users (and who is skipped, USER-8) and carries
    their ids; 完了 acts on those ids, once per token, and redirects to the
    result page (so a reload or 戻る + 完了 never deletes or mails twice)."""
    step = submission.stage(request)
    if step == submission.INPUT and request.method == "POST":  # 戻る
        return redirect(list_url(request))
    if step == submission.DONE and (replayed := submission.replay(request)):
        return replayed
    if step == submission.DONE:
        form = BulkUsersForm(request.POST, tenant=request.tenant)
        if not form.is_valid():
            messages.error(request, _("ユーザを選択してください。"))
            return redirect(list_url(request))
        users = form.cleaned_data["users"]
        response = submission.complete(request, lambda: _bulk_run(request, bulk, users), form=form)
        if response is not None:
            return response
    else:
        users = _selected_users(request)
        form = BulkUsersForm(initial={"users": ",".join(str(u.pk) for u in users)}, tenant=request.tenant)
        if not users:
            messages.error(request, _("ユーザを選択してください。"))
            return redirect(list_url(request))
    rows = [(u, bulk.refusal(u, request.user)) for u in users]
    return render(
        request, "users/bulk_confirm.html",
        {"bulk": bulk, "form": form, "rows": rows, "any_ok": any(reason is None for _u, reason in rows),
         "back_url": list_url(request)},
    )


def _bulk_run(request: TenantRequest, bulk: _Bulk, users: list[User]) -> str:
    ids = [u.pk for u in users]
    result = bulk.run(tenant=request.tenant, actor=request.user, user_ids=ids)
    if bulk.kind == "delete":
        set_selected(request, [pk for pk in get_selected(request) if pk not in set(ids)])
    # The result page reads it from the session: a GET, so a reload repeats nothing.
    request.session[f"{SESSION_RESULT}:{bulk.kind}"] = {"done": result.deleted, "skipped": result.skipped}
    return reverse(f"users:bulk_{bulk.kind}_done")


def _bulk_done(request: TenantRequest, bulk: _Bulk) -> HttpResponse:
    result = request.session.get(f"{SESSION_RESULT}:{bulk.kind}")
    if result is None:
        return redirect(list_url(request))
    return render(
        request, "users/bulk_result.html",
        {"title": bulk.title, "done_label": bulk.done_label, "done": result["done"],
         "skipped": result["skipped"], "back_url": list_url(request)},
    )


@tenant_role_required("admin")
def bulk_delete(request: TenantRequest) -> HttpResponse:
    """選択ユーザを削除: a confirmation listing who will be skipped and why (USER-8)."""
    return _bulk(request, _BULK["delete"])


@tenant_role_required("admin")
def bulk_delete_done(request: TenantRequest) -> HttpResponse:
    return _bulk_done(request, _BULK["delete"])


@tenant_role_required("admin")
def bulk_password_reset(request: TenantRequest) -> HttpResponse:
    """選択ユーザのパスワードリセット: a reset mail to each (USER-6)."""
    return _bulk(request, _BULK["password_reset"])


@tenant_role_required("admin")
def bulk_password_reset_done(request: TenantRequest) -> HttpResponse:
    return _bulk_done(request, _BULK["password_reset"])


@tenant_role_required("admin")
def user_add(request: TenantRequest) -> HttpResponse:
    """ユーザ追加 → 確認 → 完了 (USER-1). The confirmation page carries the
    input in hidden fields, so nothing is stored before 完了."""
    step = submission.stage(request)
    if step == submission.DONE and (replayed := submission.replay(request)):
        return replayed
    form = UserAddForm(request.POST if request.method == "POST" else None, tenant=request.tenant, actor=request.user)
    if step == submission.INPUT or not form.is_valid():
        return render(request, "users/add.html", {"form": form})
    if step == submission.DONE:
        try:
            response = submission.complete(request, lambda: _create(request, form), form=form)
        except ValidationError as exc:
            add_service_errors(form, exc)
            return render(request, "users/add.html", {"form": form})
        if response is not None:
            return response
    return render(request, "users/add_confirm.html", {"form": form, "summary": summary(form)})


def _create(request: TenantRequest, form: UserAddForm) -> HttpResponse:
    data = form.cleaned_data
    user = user_accounts.create_user(
        tenant=request.tenant,
        actor=request.user,
        data=data,
        password=data["password"] if data["password_method"] == PasswordMethod.ADMIN else None,
        force_password_change=data["force_password_change"],
    )
    return redirect("users:add_done", pk=user.pk)


def add_service_errors(form: UserForm, exc: ValidationError) -> None:
    """A service's ValidationError (a race the form could not see) as form errors."""
    for field, errors in exc.message_dict.items():
        form.add_error(field if field in form.fields else None, errors)


def summary(form: UserForm) -> list[tuple[str, str]]:
    """What the confirmation page shows, field by field, as the admin typed it."""
    data = form.cleaned_data
    rows: list[tuple[str, str]] = [
        (_("姓名"), f"{data['last_name']} {data['first_name']}"),
        (_("姓名（カナ）"), f"{data['last_name_kana']} {data['first_name_kana']}".strip()),
    ]
    if "organizations" in form.fields:
        names = dict(form.fields["organizations"].choices)
        orgs = [names[pk].strip("\u3000") for pk in data.get("organizations") or []]
        primary = data.get("primary_organization")
        rows.append((_("組織"), "、".join(orgs)))
        rows.append((_("代表組織"), names[primary].strip("\u3000") if primary else ""))
    rows += [
        (_("所属"), data["affiliation"]),
        (_("権限"), dict(form.fields["role"].choices)[data["role"]]),
        (_("サービス利用電話番号"), data["phone_number"]),
        (_("ユーザ ID"), data["email"]),
        (_("通知先メールアドレス"), data["notification_email"]),
        (_("ログイン条件"), dict(form.fields["login_condition"].choices)[data["login_condition"]]),
    ]
    if "password_method" in data:
        method = dict(PasswordMethod.CHOICES)[data["password_method"]]
        if data["password_method"] == PasswordMethod.ADMIN:
            method += "（" + _("パスワード") + ": ********"
            if data["force_password_change"]:
                method += "、" + _("初回ログイン時にパスワードを強制的に変更させる")
            method += "）"
        rows.append((_("パスワード設定方法"), method))
    return rows


@tenant_role_required("admin")
def user_add_done(request: TenantRequest, pk: int) -> HttpResponse:
    user = get_object_or_404(request.tenant.users, pk=pk)
    return render(request, "users/add_done.html", {"added": user})
