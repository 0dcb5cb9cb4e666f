"""Issue 21, finding 3: staff permissions mean something. Every operator URL
outside Django admin's own model pages (the staff console, its downloads
under /files/, the image-removal actions) checks a Django permission: a staff
user without it gets 403 (or, for an admin action, the action is not run);
a superuser passes; the groups created by migration grant them. The issue's
example: a staff user holding only ``inquiries.change_faqentry`` used to read
and answer every tenant's inquiry and download its attachments."""

from __future__ import annotations

from http import HTTPStatus

import pytest
from django.contrib.auth.models import Group, Permission
from django.test import Client
from django.urls import reverse

from accounts.models import User
from customization.models import Branding, LinkItem
from customization.policies import LINK_ICON, SITE_LOGO
from inquiries.attachments import INQUIRY_ATTACHMENT
from inquiries.models import GeneralInquiry, Inquiry, InquiryAttachment, InquiryMessage
from tenants.scoping import operator_scope
from tests.factories import login_verified
from tests.uploads.conftest import media  # noqa: F401  (autouse: a temporary MEDIA_ROOT)
from tests.uploads.samples import image_bytes, upload
from uploads.services import store_file
from uploads.validation import check_upload

VIEW = "inquiries.view_inquiry"
ANSWER = "inquiries.answer_inquiry"
DOWNLOAD_ATTACHMENT = "inquiries.download_inquiryattachment"
DOWNLOAD_IMAGE = "customization.download_tenant_image"
REMOVE_IMAGE = "customization.remove_tenant_image"
VIEW_BRANDING = "customization.view_branding"
VIEW_LINKS = "customization.view_linkitem"

# What each holder has: single permissions (the issue's example first), the
# migration's groups, and nothing at all.
HOLDINGS: dict[str, set[str] | str] = {
    "nothing": set(),
    "change_faqentry": {"inquiries.change_faqentry"},
    "view_inquiry": {VIEW},
    "answer_inquiry": {ANSWER},
    "view+answer": {VIEW, ANSWER},
    "download_attachment": {DOWNLOAD_ATTACHMENT},
    "download_image": {DOWNLOAD_IMAGE},
    "remove_image": {REMOVE_IMAGE},
    "view_branding+links": {VIEW_BRANDING, VIEW_LINKS},
    "group 問い合わせ対応": "問い合わせ対応",
    "group 画像審査": "画像審査",
    "group よくあるご質問管理": "よくあるご質問管理",
}
GROUP_GRANTS = {
    "問い合わせ対応": {VIEW, ANSWER, DOWNLOAD_ATTACHMENT},
    "画像審査": {DOWNLOAD_IMAGE, REMOVE_IMAGE, VIEW_BRANDING, VIEW_LINKS},
    "よくあるご質問管理": {"inquiries.change_faqentry"},
}
# Each operator URL and what it needs.
NEEDS = {
    "staff list": {VIEW},
    "staff detail": {VIEW},
    "staff answer": {VIEW, ANSWER},
    "staff general list": {VIEW},  # issue 23: the same permission as the trouble inquiries
    "staff general detail": {VIEW},
    "attachment download": {DOWNLOAD_ATTACHMENT},
    "link icon download": {DOWNLOAD_IMAGE},
    "site logo download": {DOWNLOAD_IMAGE},
    "remove site logo": {VIEW_BRANDING, REMOVE_IMAGE},
    "remove link icon": {VIEW_LINKS, REMOVE_IMAGE},
}


@pytest.fixture
def world(bob, tenant_a, services):
    service = services["ether_economy"]
    inquiry = Inquiry.objects.create(
        tenant=tenant_a, service=service, subject="通信できない", answers=[], created_by=bob,
        contact_email=bob.email,
    )
    message = InquiryMessage.objects.create(tenant=tenant_a, inquiry=inquiry, body="添付します", author=bob)
    png = store_file(
        tenant=tenant_a, policy=INQUIRY_ATTACHMENT,
        upload=check_upload(upload("画面.png", image_bytes("PNG")), policy=INQUIRY_ATTACHMENT),
    )
    InquiryAttachment.objects.create(tenant=tenant_a, inquiry=inquiry, message=message, file=png)
    icon = store_file(tenant=tenant_a, policy=LINK_ICON,
                      upload=check_upload(upload("i.png", image_bytes("PNG")), policy=LINK_ICON))
    logo = store_file(tenant=tenant_a, policy=SITE_LOGO,
                      upload=check_upload(upload("l.png", image_bytes("PNG")), policy=SITE_LOGO))
    link = LinkItem.objects.create(tenant=tenant_a, title="x", url="https://x.example/", icon=icon)
    branding = Branding.objects.create(tenant=tenant_a, site_logo=logo)
    general = GeneralInquiry.objects.create(
        tenant=tenant_a, subject="請求書", body="送付先", contact_email=bob.email, created_by=bob
    )
    return {"general": general, "inquiry": inquiry, "attachment": png, "icon": icon, "logo": logo, "link": link, "branding": branding}


def _staff(holding: set[str] | str) -> Client:
    user = User.objects.create_user("staff@carrier.example.com", is_staff=True, status=User.Status.ACTIVE)
    if isinstance(holding, str):
        user.groups.add(Group.objects.get(name=holding))
    else:
        for name in holding:
            app_label, codename = name.split(".")
            user.user_permissions.add(Permission.objects.get(content_type__app_label=app_label, codename=codename))
    client = Client()
    login_verified(client, user)
    return client


def _try(client: Client, url_name: str, w: dict) -> bool:
    """Request the URL; True when the operator got through (and, for the
    actions, the action ran); 403 (or an action not run) is False."""
    files = reverse("uploads:download", args=[w["attachment"].key])
    match url_name:
        case "staff list":
            status = client.get(reverse("inquiries_staff:list")).status_code
        case "staff detail":
            status = client.get(reverse("inquiries_staff:detail", args=[w["inquiry"].pk])).status_code
        case "staff general list":
            status = client.get(reverse("inquiries_staff:general_list")).status_code
        case "staff general detail":
            status = client.get(reverse("inquiries_staff:general_detail", args=[w["general"].pk])).status_code
        case "staff answer":
            status = client.post(reverse("inquiries_staff:detail", args=[w["inquiry"].pk]), {"body": "回答"}).status_code
            with operator_scope():
                answered = InquiryMessage.objects.filter(inquiry=w["inquiry"], from_staff=True).exists()
            assert answered == (status == HTTPStatus.FOUND)
        case "attachment download":
            status = client.get(files).status_code
        case "link icon download":
            status = client.get(reverse("uploads:download", args=[w["icon"].key])).status_code
        case "site logo download":
            status = client.get(reverse("uploads:download", args=[w["logo"].key])).status_code
        case "remove site logo" | "remove link icon":
            model, action, obj = (
                ("branding", "remove_site_logo", w["branding"]) if url_name == "remove site logo"
                else ("linkitem", "remove_icon", w["link"])
            )
            response = client.post(
                reverse(f"admin:customization_{model}_changelist"),
                {"action": action, "_selected_action": [obj.pk], "post": "yes", "reason": "規定違反"},  # issue 23
            )
            with operator_scope():
                obj.refresh_from_db()
            removed = (obj.site_logo_id if model == "branding" else obj.icon_id) is None
            assert response.status_code in (HTTPStatus.FOUND, HTTPStatus.OK, HTTPStatus.FORBIDDEN)
            return removed
    assert status in (HTTPStatus.OK, HTTPStatus.FOUND, HTTPStatus.FORBIDDEN), (url_name, status)
    return status != HTTPStatus.FORBIDDEN


@pytest.mark.parametrize("url_name", list(NEEDS))
@pytest.mark.parametrize("holding", list(HOLDINGS))
def test_issue21_each_permission_on_each_operator_url(holding, url_name, world):
    held = HOLDINGS[holding]
    granted = GROUP_GRANTS[held] if isinstance(held, str) else held
    assert _try(_staff(held), url_name, world) == (NEEDS[url_name] <= granted)


@pytest.mark.parametrize("url_name", list(NEEDS))
def test_issue21_superusers_pass_everywhere(url_name, world, operator_client):
    assert _try(operator_client, url_name, world)


def test_issue21_the_answer_form_is_shown_only_to_who_may_answer(world):
    url = reverse("inquiries_staff:detail", args=[world["inquiry"].pk])
    assert "inq-message-form" not in _staff({VIEW}).get(url).text


def test_issue21_groups_are_created_by_migration(db):
    for name, permissions in GROUP_GRANTS.items():
        held = {
            f"{p.content_type.app_label}.{p.codename}"
            for p in Group.objects.get(name=name).permissions.select_related("content_type")
        }
        assert permissions <= held, name
