"""Serving stored files: only through these views, never from MEDIA_URL."""

from __future__ import annotations

import unicodedata
import uuid
from pathlib import PurePosixPath
from urllib.parse import quote

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpRequest
from django.views.decorators.http import require_GET

from tenants.scoping import operator_scope
from uploads.access import can_download, operator_permission_for
from uploads.models import StoredFile

SAFE_TYPES_INLINE = ("image/jpeg", "image/png", "image/gif", "image/bmp")


def _ascii(text: str) -> str:
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "".join(ch if ch.isalnum() or ch in "._-" else "_" for ch in text)


def content_disposition(disposition: str, name: str) -> str:
    """RFC 6266: an ASCII fallback ``filename`` (letters, digits, ``._-``
    only) plus the exact UTF-8 ``filename*`` (RFC 5987, percent-encoded), so
    the value is one line of printable ASCII whatever the name holds."""
    extension = _ascii(PurePosixPath(name).suffix).strip("._")
    ascii_name = _ascii(name).strip("._")
    if not ascii_name or ascii_name == extension:
        ascii_name = f"download.{extension}" if extension else "download"
    # A lone surrogate cannot be UTF-8: it becomes "?" (stored names never hold one).
    exact = quote(name.encode("utf-8", "replace"), safe="")
    return f"{disposition}; filename=\"{ascii_name}\"; filename*=UTF-8''{exact}"


def _respond(stored: StoredFile, *, disposition: str, cache_control: str) -> FileResponse:
    try:
        handle = default_storage.open(stored.name, "rb")
    except FileNotFoundError:
        raise Http404 from None
    # The stored type comes from our own kind table and is never HTML.
    response = FileResponse(handle, content_type=stored.content_type)
    response["Content-Length"] = str(stored.size)
    response["Content-Disposition"] = content_disposition(disposition, stored.original_name)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = cache_control
    return response


@require_GET
@login_required
def download(request: HttpRequest, key: uuid.UUID) -> FileResponse:
    """A tenant user: only their tenant's files (another tenant's is 404, as a
    missing one), where the purpose's rule allows. An operator (staff, no
    tenant): only purposes whose registration names an operator permission,
    and only holding it (else 403, issue 21). No rule means 404."""
    tenant = getattr(request, "tenant", None)
    if tenant is not None:
        stored = StoredFile.objects.filter(tenant=tenant, key=key).first()
        if stored is None or not can_download(request.user, stored):
            raise Http404
    elif request.user.is_staff:
        with operator_scope():
            stored = StoredFile.objects.filter(key=key).first()
        permission = operator_permission_for(stored) if stored is not None else None
        if permission is None:
            raise Http404
        if not request.user.has_perm(permission):
            raise PermissionDenied
    else:
        raise Http404
    return _respond(stored, disposition="attachment", cache_control="private, max-age=0")


@require_GET
def public(request: HttpRequest, key: uuid.UUID) -> FileResponse:
    """Files of a public policy (the login-page logo): no login, cacheable."""
    with operator_scope():
        stored = StoredFile.objects.filter(key=key, public=True, attached=True).first()
    if stored is None or stored.content_type not in SAFE_TYPES_INLINE:
        raise Http404
    return _respond(stored, disposition="inline", cache_control="public, max-age=86400")
