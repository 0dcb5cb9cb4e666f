"""よくあるご質問 as the manual's FAQ chapter has it (INQ-9): every question
and answer. Migration 0002 loads it into a fresh database; ``seed_demo`` calls
``ensure_faq`` again (idempotent), so a database emptied since (a flushed test
database) has it too. The manual has no categories: these four group its
questions by what the customer was doing.

One change to the manual's text: the sender address to allow in a mail
filter is this portal's sender (DEFAULT_FROM_EMAIL), not the carrier's."""

from __future__ import annotations

from typing import Any

from django.conf import settings

SUSPENDED = (
    "ユーザが削除されている場合は、再度ユーザ追加を行ってください。\n"
)
SESSION = "セッションが切れていますので、再度ログインから操作しなおしてください。"

FAQ = [
    ("ログイン・パスワード", [
        ("『アカウントが利用できません。』エラーが表示され、ログインできない。",
         "ユーザが削除されているかユーザのステータスが一時停止状態となっている可能性が考えられます。\n"
         + SUSPENDED
         + "ステータスが一時停止状態の場合は、管理者さまにてユーザのステータスを変更してください。"),
        ("パスワード再設定画面で『ご指定のアカウント情報が取得できません。』エラーが表示され再設定メールが送信できない。",
         "ユーザが削除されているか、ユーザのステータスが一時停止状態となっている可能性が考えられます。\n"
         + SUSPENDED
         + "ステータスが一時停止状態であれば、管理者さまにてユーザのステータスを変更してください。"),
        ("操作中にログイン画面に戻ってしまった。",
         "ログイン後 60 分間無操作状態が続くと、次の操作時に強制ログアウトしログイン画面を表示します。"
         "再度ログインして操作を続けてください。"),
    ]),
    ("ユーザ・代表管理者", [
        ("ユーザ追加しても、メールが届かない。",
         "迷惑メールフォルダに届いていないかご確認ください。\n"
         "迷惑メールフォルダにも届いていない場合は、{sender} からメールを受信できるよう、"
         "メールフィルターの設定を行ってからユーザ ID の初期設定を行ってください。"),
        ("ユーザ削除できない。",
         "ログイン中のユーザおよび代表管理者は削除できません。\n"
         "代表管理者を削除したい場合は、『4.2.代表管理者を変更する』の手順を参考に、"
         "別のユーザを代表管理者に変更してから削除してください。"),
        ("代表管理者が変更できない。",
         "本サイトで管理者権限を持つユーザが 2 人以上登録されていないと代表管理者の変更はできません。\n"
         "新しく代表管理者としたいユーザの権限を管理者権限に変更してください。"),
    ]),
    ("ID 数変更申込", [
        ("「Google Workspace（旧 G Suite）」「Microsoft 365 with KDDI(CSP 版)」「LINE WORKS with KDDI」"
         "「KDDI EMM powered by Omnissa Workspace ONE」の ID 数変更申込ボタンが表示されない。",
         "別途ご契約が必要となりますので、KDDI 法人営業担当者または法人お客さまセンターまでお問い合わせください。\n"
         "※Microsoft 365 with KDDI(LSP 版)ではご利用いただけません"),
    ]),
    ("エラーメッセージ", [
        ("『データが取得できませんでした。』エラーが表示され操作できない。",
         "ユーザが削除または一時停止されていないか確認してください。"),
        ("『問題が発生しました。しばらくしてからご利用ください。』エラーが表示され操作できない。",
         "サービス停止またはサービスメンテナンス中です。しばらくしてから再度アクセスしても同じエラーが"
         "表示される場合は、ブラウザのキャッシュ情報を削除してからアクセスしてください。"),
        ("『アクセストークンが不正です。』エラーが表示され操作できない。", SESSION),
        ("『一部の機能を取得できませんでした。』エラーが表示され操作できない。", SESSION),
    ]),
]


def ensure_faq(category_model: Any, entry_model: Any) -> None:
    """Create the missing categories and entries; operators' edits of existing
    ones are kept. Takes the models so a migration can pass its historical ones."""
    for c_order, (name, entries) in enumerate(FAQ, start=1):
        category, _ = category_model.objects.get_or_create(name=name, defaults={"display_order": c_order * 10})
        for e_order, (question, answer) in enumerate(entries, start=1):
            entry_model.objects.get_or_create(
                category=category,
                question=question,
                defaults={
                    "answer": answer.format(sender=settings.DEFAULT_FROM_EMAIL),
                    "display_order": e_order * 10,
                },
            )
