"""A memo with its "Gelezen" link, its reminder, and the confirmation to the trekker."""

from __future__ import annotations

from datetime import datetime

from bot.formatting import format_datetime, format_period
from bot.i18n import Translator
from bot.mail.views import Button, MailView


def _body(vm: dict, tr: Translator) -> list[str]:
    paragraphs = [tr("memo.from", author=vm["author"], trajectory=vm["trajectory"])]
    s = vm.get("session")
    if s and vm.get("report"):
        when = format_period(datetime.fromisoformat(s["starts"]), datetime.fromisoformat(s["ends"]), vm["timezone"], tr.lang)
        paragraphs.append(tr(f"memo.report.{vm['report']}", title=s["title"], when=when))
    paragraphs.append(tr("mail.user_text", text=vm["body"]))
    if vm.get("read_at"):
        paragraphs.append(tr("memo.read_at", when=format_datetime(datetime.fromisoformat(vm["read_at"]), vm["timezone"], tr.lang)))
    return paragraphs


def _read(vm: dict, tr: Translator) -> list[Button]:
    if vm.get("read_at") or not vm.get("recipient_id"):
        return []
    return [Button(tr("memo.button.read"), "memo", vm["recipient_id"])]


def memo(vm: dict, tr: Translator) -> MailView:
    return MailView(tr("memo.notification", author=vm["author"], title=vm["title"]), tr("mail.user_text", text=vm["title"]), _body(vm, tr), _read(vm, tr))


def memo_reminder(vm: dict, tr: Translator) -> MailView:
    paragraphs = [tr("memo.reminder", author=vm["author"], title=vm["title"]), *_body(vm, tr)]
    return MailView(tr("memo.reminder_notification", title=vm["title"]), tr("mail.user_text", text=vm["title"]), paragraphs, _read(vm, tr))


def memo_sent(vm: dict, tr: Translator) -> MailView:
    lines = [tr("memo.sent.body", title=vm["title"], count=vm["count"])]
    if vm.get("later"):
        lines.append(tr("memo.sent.later", when=format_datetime(datetime.fromisoformat(vm["send_at"]), vm["timezone"], tr.lang)))
    if vm.get("reminder_days"):
        lines.append(tr("memo.sent.reminder", days=vm["reminder_days"]))
    paragraphs = ["\n".join(lines)]
    if vm.get("unreachable"):
        paragraphs.append(tr("memo.unreachable", names=", ".join(vm["unreachable"][:50]), count=len(vm["unreachable"])))
    subject = tr("memo.sent.notification", title=vm["title"], count=vm["count"])
    return MailView(subject, subject, paragraphs)


BUILDERS = {"memo": memo, "memo_reminder": memo_reminder, "memo_sent": memo_sent}
