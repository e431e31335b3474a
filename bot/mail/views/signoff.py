"""Sign-off: the request with its decision links, its reminder, the trekker's notices."""

from __future__ import annotations

from datetime import date

from bot.formatting import format_date
from bot.i18n import Translator
from bot.mail.views import Button, MailView


def _deadline(vm: dict, tr: Translator) -> str:
    return format_date(date.fromisoformat(vm["deadline"]), tr.lang)


def _request(vm: dict, tr: Translator, intro: str) -> MailView:
    paragraphs = [intro, tr("signoff.document", link=vm["link"], title=vm["title"]), tr("signoff.deadline", deadline=_deadline(vm, tr))]
    decision = vm["decision"]
    paragraphs.append(tr(f"signoff.decision.{decision}", organisation=vm["organisation"], who=vm.get("decided_by") or "", reason=vm.get("reason") or ""))
    notes = [tr("signoff.change_hint", deadline=_deadline(vm, tr))] if decision != "pending" else []
    anchor = vm["deadline"] + "T23:59:00+00:00"
    buttons = [
        Button(tr("signoff.button.agree", organisation=vm["organisation"]), "signoff", vm["request_id"], "agree", anchor),
        Button(tr("signoff.button.decline"), "signoff", vm["request_id"], "decline", anchor),
        Button(tr("signoff.button.question"), "signoff", vm["request_id"], "question", anchor),
    ]
    return MailView(tr("signoff.notification", title=vm["title"]), tr("signoff.header", title=vm["title"]), paragraphs, buttons, notes)


def signoff_request(vm: dict, tr: Translator) -> MailView:
    return _request(vm, tr, tr("signoff.intro", name=vm["name"], trajectory=vm["trajectory"], organisation=vm["organisation"]))


def signoff_reminder(vm: dict, tr: Translator) -> MailView:
    return _request(vm, tr, tr("signoff.reminder_intro", name=vm["name"], organisation=vm["organisation"], deadline=_deadline(vm, tr)))


def signoff_declined(vm: dict, tr: Translator) -> MailView:
    text = tr("signoff.declined_notice", organisation=vm["organisation"], title=vm["title"], who=vm.get("decided_by") or "", reason=vm.get("reason") or "")
    return MailView(text, tr("signoff.header", title=vm["title"]), [text])


def signoff_question(vm: dict, tr: Translator) -> MailView:
    text = tr("signoff.question_notice", asker=vm["asker"], organisation=vm["organisation"], title=vm["title"], question=vm["question"])
    return MailView(text, tr("signoff.header", title=vm["title"]), [text])


BUILDERS = {
    "signoff_request": signoff_request,
    "signoff_reminder": signoff_reminder,
    "signoff_declined": signoff_declined,
    "signoff_question": signoff_question,
}
