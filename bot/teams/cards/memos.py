"""Memos as Adaptive Cards: the memo with *Gelezen*, the reminder, the confirmation to
the trekker, the form, the preview and the read overview."""

from __future__ import annotations

import re
from datetime import datetime

from bot.formatting import format_datetime, format_period
from bot.i18n import Raw, Translator
from bot.interactions.codec import as_data
from bot.limits import MEMO_BODY_LIMIT, MEMO_TITLE_LIMIT
from bot.teams.cards.common import (
    Element,
    button,
    card,
    choice_input,
    heading,
    message,
    note,
    separator,
    text,
    text_input,
    with_errors,
)
from bot.teams.ids import Verb
from bot.teams.text import cut, escape, mark

AUDIENCES = ("all", "roles", "organisations", "session")
ROLES = ("trekker", "ambassadeur", "deelnemer", "expert", "bestuurder")


class MemoInput:
    TITLE = "memo_title"
    BODY = "memo_body"
    AUDIENCE = "memo_audience"
    ROLES = "memo_roles"
    ORGANISATIONS = "memo_organisations"
    SESSION = "memo_session"
    REPORT = "memo_report"
    REMINDER = "memo_reminder"


FIELD_INPUTS = {
    "title": MemoInput.TITLE,
    "body": MemoInput.BODY,
    "audience": MemoInput.AUDIENCE,
    "roles": MemoInput.ROLES,
    "organisations": MemoInput.ORGANISATIONS,
    "session": MemoInput.SESSION,
    "report": MemoInput.REPORT,
    "reminder": MemoInput.REMINDER,
}

_BOLD = re.compile(r"\\\*([^*\n]+?)\\\*")
_ITALIC = re.compile(r"(?<![\w\\])\\_([^_\n]+?)\\_(?!\w)")
_BULLET = re.compile(r"^(\s*)\\([-+])(?=\s)", re.MULTILINE)
_NUMBERED = re.compile(r"^(\s*)(\d+)\\([.)])(?=\s)", re.MULTILINE)


def sanitize(body: str) -> str:
    """A trekker's text, safe as Teams markdown while keeping the formatting the form
    promises: ``*vet*``, ``_schuin_`` and lists work; links, mentions, headings and
    images show literally (everything else is escaped)."""
    escaped = escape(body)
    escaped = _BULLET.sub(r"\1\2", escaped)
    escaped = _NUMBERED.sub(r"\1\2\3", escaped)
    escaped = _BOLD.sub(r"**\1**", escaped)
    return _ITALIC.sub(r"_\1_", escaped)


def _when(vm: dict, lang: str) -> str:
    s = vm["session"]
    return format_period(datetime.fromisoformat(s["starts"]), datetime.fromisoformat(s["ends"]), vm["timezone"], lang)


def memo_body(vm: dict, tr: Translator) -> list[Element]:
    body = heading(mark(vm["title"])) + note(tr("memo.from", author=vm["author"], trajectory=vm["trajectory"]))
    if vm.get("session") and vm.get("report"):
        body += note(tr(f"memo.report.{vm['report']}", title=vm["session"]["title"], when=_when(vm, tr.lang)))
    # Already safe markdown: give it to the text helper as template text (no marks inside).
    for index, line in enumerate(sanitize(cut(vm["body"], MEMO_BODY_LIMIT)).split("\n")):
        block = {"type": "TextBlock", "text": line or " ", "wrap": True}
        if index == 0:
            block["spacing"] = "Medium"
        else:
            block["spacing"] = "None"
        body.append(block)
    return body


def read_part(vm: dict, tr: Translator, card_name: str, preview: bool = False) -> tuple[list[Element], list[Element]]:
    """The "Gelezen" state: a line once read, else the button (none in a preview)."""
    if vm.get("read_at"):
        read = format_datetime(datetime.fromisoformat(vm["read_at"]), vm["timezone"], tr.lang)
        return separator(text(tr("memo.read_at", when=read))), []
    if preview:
        return separator(note(tr("memo.preview_read"))), []
    data = {"recipient_id": vm.get("recipient_id") or 0, "card": card_name}
    return [], [button(tr("memo.button.read"), Verb.MEMO_READ, data, "positive")]


def memo(vm: dict, tr: Translator) -> dict:
    extra, buttons = read_part(vm, tr, "memo")
    return message(tr("memo.notification", author=vm["author"], title=vm["title"]), memo_body(vm, tr) + extra, buttons)


def memo_reminder(vm: dict, tr: Translator) -> dict:
    intro = text(tr("memo.reminder", author=vm["author"], title=vm["title"]))
    extra, buttons = read_part(vm, tr, "memo_reminder")
    body = intro + extra if vm.get("read_at") else intro + separator(memo_body(vm, tr)) + extra
    return message(tr("memo.reminder_notification", title=vm["title"]), body, buttons)


def memo_sent(vm: dict, tr: Translator) -> dict:
    lines = [tr("memo.sent.body", title=vm["title"], count=vm["count"])]
    if vm.get("later"):
        lines.append(tr("memo.sent.later", when=format_datetime(datetime.fromisoformat(vm["send_at"]), vm["timezone"], tr.lang)))
    if vm.get("reminder_days"):
        lines.append(tr("memo.sent.reminder", days=vm["reminder_days"]))
    body = text("\n".join(lines))
    if vm.get("unreachable"):
        body += text(tr("memo.unreachable", names=", ".join(vm["unreachable"][:50]), count=len(vm["unreachable"])))
    buttons = [button(tr("memo.button.status"), Verb.MEMO_STATUS, {"memo_id": vm["memo_id"]})]
    return message(tr("memo.sent.notification", title=vm["title"], count=vm["count"]), body, buttons)


BUILDERS = {"memo": memo, "memo_reminder": memo_reminder, "memo_sent": memo_sent}


# -- the form and the preview ------------------------------------------------------


def _errors_by_input(body: list[Element], problems: dict[str, str]) -> dict[str, str]:
    """Field name -> text, as input id -> text; a field without an input in this card
    (no organisations, no sessions) is told at the audience."""
    present = {element.get("id") for element in body}
    out: dict[str, str] = {}
    for name, message_ in problems.items():
        input_id = FIELD_INPUTS.get(name, MemoInput.AUDIENCE)
        input_id = input_id if input_id in present else MemoInput.AUDIENCE
        out[input_id] = f"{out[input_id]} {message_}" if input_id in out else message_
    return out


def memo_form(vm: dict, tr: Translator, problems: dict[str, str] | None = None) -> dict:
    """Title, text, audience, optional session link and reminder; ``vm["draft"]`` prefills;
    ``vm["form"]`` (a ``MemoForm``) goes back with the inputs; ``problems`` (field name ->
    text) are shown under their inputs."""
    draft = vm.get("draft") or {}
    body: list[Element] = heading(tr("memo.form.modal_title")) + text(tr("memo.form.intro", trajectory=vm["trajectory"]))
    body.append(text_input(MemoInput.TITLE, tr("memo.form.title"), required=True, multiline=False, max_length=MEMO_TITLE_LIMIT,
                           value=draft.get("title"), error_message=tr("memo.errors.required")))
    body.append(text_input(MemoInput.BODY, tr("memo.form.body"), required=True, max_length=MEMO_BODY_LIMIT, value=draft.get("body"),
                           placeholder=tr("memo.form.body_placeholder"), error_message=tr("memo.errors.required")))
    body += note(tr("memo.form.body_hint"))
    body.append(choice_input(MemoInput.AUDIENCE, tr("memo.form.audience"), [(tr(f"memo.audience.{a}"), a) for a in AUDIENCES],
                             value=draft.get("audience") or "all", expanded=True, error_message=tr("memo.errors.pick_audience")))
    roles = [(tr(f"memo.role.{r}"), r) for r in vm.get("roles") or ROLES][:10]
    body.append(choice_input(MemoInput.ROLES, tr("memo.form.roles"), roles, required=False, multi=True,
                             value=",".join(draft.get("roles") or []) or None))
    body += note(tr("memo.form.roles_hint"))
    if vm.get("organisations"):
        orgs = [(o["name"], o["key"]) for o in vm["organisations"]][:100]
        body.append(choice_input(MemoInput.ORGANISATIONS, tr("memo.form.organisations"), orgs, required=False, multi=True,
                                 value=",".join(draft.get("organisations") or []) or None,
                                 placeholder=tr("memo.form.organisations_placeholder")))
        body += note(tr("memo.form.organisations_hint"))
    if vm.get("sessions"):
        sessions = [(x["title"], x["key"]) for x in vm["sessions"]][:100]
        body.append(choice_input(MemoInput.SESSION, tr("memo.form.session"), sessions, required=False,
                                 value=draft.get("session"), placeholder=tr("memo.form.session_placeholder")))
        body += note(tr("memo.form.session_hint"))
        reports = [(tr(f"memo.form.report_{r}"), r) for r in ("none", "before", "after")]
        body.append(choice_input(MemoInput.REPORT, tr("memo.form.report"), reports, required=False,
                                 value=draft.get("report") or "none", expanded=True))
    reminders = [(tr("memo.form.no_reminder"), "0")] + [(tr("memo.form.reminder_after", days=d), str(d)) for d in vm.get("reminder_choices") or ()]
    default = draft.get("reminder_days", vm.get("reminder_default")) if draft else vm.get("reminder_default")
    body.append(choice_input(MemoInput.REMINDER, tr("memo.form.reminder"), reminders, required=False, value=str(default or 0)))
    body += note(tr("memo.form.reminder_hint"))
    body = with_errors(body, _errors_by_input(body, problems or {}))
    return card(body, [button(tr("memo.form.submit"), Verb.MEMO_PREVIEW, as_data(vm["form"]), "positive")])


def memo_preview(vm: dict, tr: Translator) -> dict:
    """The memo as it will arrive, who gets it, and "Versturen" / "Aanpassen"."""
    body = note(tr("memo.preview.intro"))
    extra, _ = read_part(vm["message"], tr, "memo", preview=True)
    body += separator(memo_body(vm["message"], tr)) + extra
    lines = [tr("memo.preview.recipients", count=vm["count"], organisations=vm["organisations"])]
    if vm.get("reminder_days"):
        lines.append(tr("memo.preview.reminder", days=vm["reminder_days"]))
    send_at = datetime.fromisoformat(vm["send_at"])
    if send_at > datetime.fromisoformat(vm["now"]):
        lines.append(tr("memo.preview.later", when=format_datetime(send_at, vm["message"]["timezone"], tr.lang)))
    body += separator(text("\n".join(lines)))
    if vm.get("unreachable"):
        body += text(tr("memo.unreachable", names=", ".join(vm["unreachable"][:50]), count=len(vm["unreachable"])))
    data = as_data(vm["form"])
    return card(body, [button(tr("memo.preview.submit"), Verb.MEMO_SEND, data, "positive"), button(tr("memo.button.edit"), Verb.MEMO_EDIT, data)])


# -- who has read it --------------------------------------------------------------


def _names(tr: Translator, names: list[str], limit: int = 15) -> str:
    shown = ", ".join(mark(n) for n in names[:limit])
    if len(names) > limit:
        shown += ", " + tr("memo.status.more", count=len(names) - limit)
    return shown


def memo_status(vm: dict, tr: Translator) -> dict:
    """Read counts per organisation with names."""
    if not vm["memos"]:
        return card(text(tr("memo.status.none", trajectory=vm["trajectory"])))
    body = heading(tr("memo.status.header"))
    for item in vm["memos"][:5]:
        sent = format_datetime(datetime.fromisoformat(item["sent"]), vm["timezone"], tr.lang)
        lines = [tr("memo.status.memo", title=item["title"], sent=sent, read=item["read"], total=item["total"])]
        for org in item["organisations"][:30]:
            read, unread = org["read"], org["unread"]
            lines.append(tr("memo.status.organisation", name=org["name"], read=len(read), total=len(read) + len(unread)))
            if read:
                lines.append(tr("memo.status.readers", names=Raw(_names(tr, read))))
            if unread:
                lines.append(tr("memo.status.unread", names=Raw(_names(tr, unread))))
        body += separator(text("\n".join(lines)))
        if item["undelivered"]:
            body += note(tr("memo.status.undelivered", names=Raw(_names(tr, item["undelivered"]))))
    return card(body)
