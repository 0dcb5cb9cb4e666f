"""UploadField / MultipleUploadField and the _file_input partial (issue 10)."""

from __future__ import annotations

import pytest
from django import forms
from django.template.loader import render_to_string
from django.utils.datastructures import MultiValueDict

from tests.uploads.samples import PDF, image_bytes, upload
from uploads.fields import MultipleUploadField, UploadField
from uploads.policies import MB, Kind, UploadPolicy
from uploads.validation import CheckedUpload

ICON = UploadPolicy(purpose="tests.icon", kinds=frozenset({Kind.PNG, Kind.JPEG, Kind.GIF}), max_bytes=MB)
ATTACHMENT = UploadPolicy(purpose="tests.attachment", kinds=frozenset({Kind.PDF, Kind.TXT}), max_bytes=3 * MB)


class IconForm(forms.Form):
    icon = UploadField(policy=ICON, label="アイコン")


class ArticleForm(forms.Form):
    attachments = MultipleUploadField(policy=ATTACHMENT, max_files=2, required=False, label="添付ファイル")


def test_upload_field_returns_a_checked_upload():
    form = IconForm(files={"icon": upload("a.png", image_bytes("PNG"))})
    assert form.is_valid(), form.errors
    assert isinstance(form.cleaned_data["icon"], CheckedUpload)
    assert form.cleaned_data["icon"].kind is Kind.PNG


def test_upload_field_shows_the_rule_in_japanese():
    form = IconForm(files={"icon": upload("a.txt", b"hello")})
    assert not form.is_valid()
    assert form.errors["icon"] == ["ファイルの形式が許可されていません（許可: JPEG, PNG, GIF）"]


def test_upload_field_required():
    form = IconForm(files={})
    assert not form.is_valid()
    assert "icon" in form.errors


def test_multiple_field_accepts_several_and_none():
    files = MultiValueDict({"attachments": [upload("a.pdf", PDF), upload("b.txt", b"memo")]})
    form = ArticleForm(files=files)
    assert form.is_valid(), form.errors
    assert [c.kind for c in form.cleaned_data["attachments"]] == [Kind.PDF, Kind.TXT]
    empty = ArticleForm(files={})
    assert empty.is_valid()
    assert empty.cleaned_data["attachments"] == []


def test_multiple_field_names_each_bad_file():
    files = MultiValueDict({"attachments": [upload("ok.pdf", PDF), upload("bad.pdf", b"<html>")]})
    form = ArticleForm(files=files)
    assert not form.is_valid()
    assert form.errors["attachments"] == ["bad.pdf: ファイルの内容が拡張子（.pdf）と一致しません"]


def test_multiple_field_max_files():
    files = MultiValueDict({"attachments": [upload(f"{i}.pdf", PDF) for i in range(3)]})
    form = ArticleForm(files=files)
    assert not form.is_valid()
    assert form.errors["attachments"] == ["添付できるファイルは 2 個までです"]


@pytest.mark.parametrize(("form", "multiple"), [(IconForm(), False), (ArticleForm(), True)])
def test_partial_states_the_limits_and_keeps_the_plain_picker(form, multiple):
    name = next(iter(form.fields))
    html = render_to_string("uploads/_file_input.html", {"field": form[name]})
    assert 'type="file"' in html
    assert ("multiple" in html) is multiple
    assert "data-upload" in html and 'accept=".' in html
    assert "アップロードできるファイル: " in html
    assert form.fields[name].policy.describe() in html


@pytest.mark.parametrize("form", [IconForm(), ArticleForm()])
def test_partial_renders_the_description_the_input_points_at(form):
    """The input's aria-describedby names an element of the partial (the
    stated limits), not one that is missing."""
    import re

    name = next(iter(form.fields))
    html = render_to_string("uploads/_file_input.html", {"field": form[name]})
    described = re.search(r'aria-describedby="([^"]+)"', html)
    assert described, html
    for ref in described.group(1).split():
        assert f'id="{ref}"' in html
