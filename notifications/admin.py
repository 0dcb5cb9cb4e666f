from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import UploadedFile
from django.db.models import Count, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _

from notifications import selectors
from notifications.forms import NoticeAdminForm
from notifications.models import Notice, NoticeKind, Publication, ServiceManual
from notifications.services import notices as notice_services
from uploads.policies import MB, Kind, UploadPolicy
from uploads.validation import check_upload


class PublicationInline(admin.TabularInline):
    """The notice's 公開 / 訂正 / 復旧 so far (read-only: publishing is the
    公開 page's job)."""

    model = Publication
    extra = 0
    can_delete = False
    fields = ["sequence", "revision", "title", "published_at", "published_by", "tenant_count"]
    readonly_fields = fields
    show_change_link = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Notice)
class NoticeAdmin(admin.ModelAdmin):
    """Operators write maintenance/outage notices and news here (NOTIF-3);
    公開 is a separate page that shows the reach and the mail first."""

    form = NoticeAdminForm
    list_display = ["title", "kind", "service", "area", "published", "created_at"]
    list_filter = ["kind", "service"]
    search_fields = ["title", "body"]
    list_select_related = ["service"]
    filter_horizontal = ["target_services"]
    inlines = [PublicationInline]
    fieldsets = [
        (None, {"fields": ["kind", "title", "body", "starts_at", "ends_at"]}),
        (_("メンテナンス情報・障害情報"), {"fields": ["service", "nationwide", "affected"]}),
        (_("お知らせ"), {"fields": ["target_services"]}),
    ]
    change_form_template = "admin/notifications/notice/change_form.html"

    class Media:
        css = {"all": ["css/admin_notices.css"]}

    def get_queryset(self, request: HttpRequest) -> QuerySet[Notice]:
        return super().get_queryset(request).annotate(published_count=Count("publications"))

    @admin.display(description=_("影響エリア"))
    def area(self, obj: Notice) -> str:
        return "" if obj.kind == NoticeKind.NEWS else obj.area_label

    @admin.display(description=_("公開回数"), ordering="published_count")
    def published(self, obj: Notice) -> int:
        return obj.published_count

    def get_urls(self) -> list:
        publish = self.admin_site.admin_view(self.publish_view)
        return [path("<int:pk>/publish/", publish, name="notifications_notice_publish"), *super().get_urls()]

    def publish_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        """公開 / 訂正 / 復旧: GET shows, for each possible next step, how many
        tenants and users it reaches and the mail as it will read; POST
        publishes (with the version seen, so a double submit mails nothing)."""
        notice = get_object_or_404(Notice, pk=pk)
        if not self.has_change_permission(request, notice):
            raise PermissionDenied
        revisions = notice_services.next_revisions(notice)
        if request.method == "POST":
            revision = request.POST.get("revision", "")
            sequence = request.POST.get("sequence", "")
            if revision not in revisions or not sequence.isdigit():
                self.message_user(request, _("この操作は現在できません。"), messages.ERROR)
                return redirect(reverse("admin:notifications_notice_publish", args=[notice.pk]))
            try:
                publication = notice_services.publish(
                    notice=notice, revision=revision, actor=request.user, sequence=int(sequence)
                )
            except notice_services.PublicationError as exc:
                self.message_user(request, str(exc), messages.ERROR)
            else:
                self.message_user(
                    request,
                    _("%(label)sしました（対象テナント %(count)d 社）。")
                    % {"label": publication.get_revision_display(), "count": publication.tenant_count},
                )
            return redirect(reverse("admin:notifications_notice_change", args=[notice.pk]))
        audience = selectors.Audience.of(notice)
        reach = selectors.reach(audience)
        previews = []
        for revision in revisions:
            subject, body = notice_services.preview_mail(notice=notice, revision=revision)
            previews.append(
                {"revision": revision, "label": Publication.Revision(revision).label, "subject": subject, "body": body}
            )
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "original": notice,
            "title": _("公開の確認"),
            "reach": reach,
            "previews": previews,
            "sequence": notice.publications.count() + 1,
        }
        return TemplateResponse(request, "admin/notifications/notice/publish.html", context)


@admin.register(Publication)
class PublicationAdmin(admin.ModelAdmin):
    """The publication history (read-only): what was mailed, when, to how many tenants."""

    list_display = ["published_at", "title", "kind", "revision", "tenant_count", "published_by"]
    list_filter = ["kind", "revision"]
    list_select_related = ["published_by"]
    readonly_fields = [f.name for f in Publication._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


MANUAL_FILE = UploadPolicy(purpose="notifications.manual", kinds=frozenset({Kind.PDF}), max_bytes=50 * MB)


class ServiceManualForm(forms.ModelForm):
    class Meta:
        model = ServiceManual
        fields = ["service", "title", "url", "file", "display_order"]

    def clean_file(self) -> Any:
        """Manuals are PDFs, checked by content through the shared upload
        module's ``check_upload``. They are the carrier's files, not a
        tenant's, so they are stored by this FileField in Django's storage
        rather than as tenant-owned ``uploads.StoredFile`` rows."""
        upload = self.cleaned_data.get("file")
        if isinstance(upload, UploadedFile):  # a new upload, not the stored file
            check_upload(upload, policy=MANUAL_FILE)
            upload.seek(0)
        return upload

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if not data.get("url") and not data.get("file"):
            raise forms.ValidationError(_("URL か PDF ファイルのどちらかを指定してください。"))
        return data




@admin.register(ServiceManual)
class ServiceManualAdmin(admin.ModelAdmin):
    form = ServiceManualForm
    list_display = ["title", "service", "url", "file", "display_order"]
    list_filter = ["service"]
    list_select_related = ["service"]
