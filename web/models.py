from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class CompletedSubmission(models.Model):
    """One row per 完了 that went through: the 確認 page's one-time token.

    The primary key is the token's nonce, so of two requests carrying the
    same token (the browser's Back and 完了 again, a second tab, two workers)
    exactly one can insert it; the row is written in the same transaction as
    the change it guards, so a change that fails leaves the token unused.
    ``result_url`` is where the first 完了 led, shown to the second one.

    Not tenant data (no tenant column): it holds a random nonce, the user and
    a path, and is only ever read by the user who posted the token."""

    nonce = models.CharField(max_length=64, primary_key=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    result_url = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("完了済みの操作")
        verbose_name_plural = _("完了済みの操作")

    def __str__(self) -> str:
        return self.nonce
