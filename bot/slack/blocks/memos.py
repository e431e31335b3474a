"""Memos: the message with its *Gelezen* button, the reminder, the form and preview
modals, the confirmation to the trekker and the read overview."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from bot.formatting import format_datetime, format_period
from bot.i18n import Translator
from bot.interactions.codec import encode
from bot.limits import MEMO_BODY_LIMIT, MEMO_TITLE_LIMIT
from bot.slack.blocks.common import Blocks, button, context, header, message, section
from bot.slack.ids import Action, Block, View
from bot.slack.text import MODAL_TITLE, OPTION_TEXT, chunks, plain, sanitize_mrkdwn

AUDIENCES = ("all", "roles", "organisations", "session")
MAX_BODY_SECTIONS = 8  # 3000 typed characters escape to at most 8 sections


def _when(vm: dict, lang: str) -> str:
    s = vm["session"]
    return format_period(datetime.fromisoformat(s["starts"]), datetime.fromisoformat(s["ends"]), vm["timezone"], lang)


def memo_blocks(vm: dict, tr: Translator, action_id: str = Action.MEMO_READ, block_id: str = Block.MEMO) -> Blocks:
    """The memo as a recipient sees it.  The body keeps the trekker's formatting but
    no mention or disguised link goes live (``sanitize_mrkdwn``)."""
    blocks: Blocks = [header(vm["title"]), context(tr("memo.from", author=vm["author"], trajectory=vm["trajectory"]))]
    if vm.get("session") and vm.get("report"):
        blocks.append(context(tr(f"memo.report.{vm['report']}", title=vm["session"]["title"], when=_when(vm, tr.lang))))
    for piece in chunks(sanitize_mrkdwn(vm["body"]))[:MAX_BODY_SECTIONS]:
        blocks.append(section(piece))
    blocks.append({"type": "divider"})
    if vm.get("read_at"):
        read = format_datetime(datetime.fromisoformat(vm["read_at"]), vm["timezone"], tr.lang)
        blocks.append(context(tr("memo.read_at", when=read)))
    else:
        blocks.append(read_actions(tr, vm, block_id, action_id))
    return blocks


def read_actions(tr: Translator, vm: dict, block_id: str, action_id: str = Action.MEMO_READ) -> dict:
    """The memo's "Gelezen" button (also on App Home and ``mijn``)."""
    value = str(vm.get("recipient_id") or 0)
    return {"type": "actions", "block_id": block_id, "elements": [button(tr("memo.button.read"), action_id, value, "primary")]}


def memo(vm: dict, tr: Translator) -> dict:
    return message(tr("memo.notification", author=vm["author"], title=vm["title"]), memo_blocks(vm, tr))


def memo_reminder(vm: dict, tr: Translator) -> dict:
    intro = section(tr("memo.reminder", author=vm["author"], title=vm["title"]))
    if vm.get("read_at"):
        return message(tr("memo.reminder_notification", title=vm["title"]), [intro, *memo_blocks(vm, tr, block_id=Block.MEMO_REMINDER)[-1:]])
    return message(tr("memo.reminder_notification", title=vm["title"]), [intro, *memo_blocks(vm, tr, block_id=Block.MEMO_REMINDER)])


def memo_sent(vm: dict, tr: Translator) -> dict:
    """The confirmation to the trekker, with a button to see who has read it."""
    lines = [tr("memo.sent.body", title=vm["title"], count=vm["count"])]
    if vm.get("later"):
        lines.append(tr("memo.sent.later", when=format_datetime(datetime.fromisoformat(vm["send_at"]), vm["timezone"], tr.lang)))
    if vm.get("reminder_days"):
        lines.append(tr("memo.sent.reminder", days=vm["reminder_days"]))
    blocks: Blocks = [section("\n".join(lines))]
    if vm.get("unreachable"):
        blocks.append(section(tr("memo.unreachable", names=", ".join(vm["unreachable"][:50]), count=len(vm["unreachable"]))))
    blocks.append(
        {
            "type": "actions",
            "block_id": Block.MEMO_SENT,
            "elements": [button(tr("memo.button.status"), Action.MEMO_STATUS, str(vm["memo_id"]))],
        }
    )
    return message(tr("memo.sent.notification", title=vm["title"], count=vm["count"]), blocks)


# -- the form ---------------------------------------------------------------------


def _option(text: str, value: str) -> dict:
    return {"text": plain(text, OPTION_TEXT), "value": value}


def _input(block_id: str, label: str, element: dict, optional: bool = False, hint: str | None = None) -> dict:
    block: dict[str, Any] = {"type": "input", "block_id": block_id, "label": plain(label, 2000), "element": element}
    if optional:
        block["optional"] = True
    if hint:
        block["hint"] = plain(hint, 2000)
    return block


def memo_form(vm: dict, tr: Translator) -> dict:
    """Title, text, audience, optional session link and reminder.  ``vm["draft"]`` prefills;
    ``vm["form"]`` (a ``MemoForm``) is what the modal carries back."""
    draft = vm.get("draft") or {}
    title_el: dict[str, Any] = {"type": "plain_text_input", "action_id": Action.MEMO_TITLE, "max_length": MEMO_TITLE_LIMIT}
    body_el: dict[str, Any] = {
        "type": "plain_text_input",
        "action_id": Action.MEMO_BODY,
        "multiline": True,
        "max_length": MEMO_BODY_LIMIT,
        "placeholder": plain(tr("memo.form.body_placeholder"), 150),
    }
    if draft.get("title"):
        title_el["initial_value"] = draft["title"]
    if draft.get("body"):
        body_el["initial_value"] = draft["body"]
    audiences = [_option(tr(f"memo.audience.{a}"), a) for a in AUDIENCES]
    audience_el: dict[str, Any] = {"type": "radio_buttons", "action_id": Action.MEMO_AUDIENCE, "options": audiences}
    chosen = draft.get("audience") or "all"
    audience_el["initial_option"] = next(o for o in audiences if o["value"] == chosen)
    roles = [_option(tr(f"memo.role.{r}"), r) for r in vm["roles"]][:10]
    roles_el: dict[str, Any] = {"type": "checkboxes", "action_id": Action.MEMO_ROLES, "options": roles}
    if draft.get("roles"):
        roles_el["initial_options"] = [o for o in roles if o["value"] in draft["roles"]]
    blocks: Blocks = [
        section(tr("memo.form.intro", trajectory=vm["trajectory"])),
        _input(Block.MEMO_TITLE, tr("memo.form.title"), title_el),
        _input(Block.MEMO_BODY, tr("memo.form.body"), body_el, hint=tr("memo.form.body_hint")),
        _input(Block.MEMO_AUDIENCE, tr("memo.form.audience"), audience_el),
        _input(Block.MEMO_ROLES, tr("memo.form.roles"), roles_el, optional=True, hint=tr("memo.form.roles_hint")),
    ]
    if vm["organisations"]:
        orgs = [_option(o["name"], o["key"]) for o in vm["organisations"]][:100]
        orgs_el: dict[str, Any] = {
            "type": "multi_static_select",
            "action_id": Action.MEMO_ORGS,
            "options": orgs,
            "placeholder": plain(tr("memo.form.organisations_placeholder"), 150),
        }
        if draft.get("organisations"):
            orgs_el["initial_options"] = [o for o in orgs if o["value"] in draft["organisations"]]
        blocks.append(_input(Block.MEMO_ORGS, tr("memo.form.organisations"), orgs_el, optional=True, hint=tr("memo.form.organisations_hint")))
    if vm["sessions"]:
        sessions = [_option(x["title"], x["key"]) for x in vm["sessions"]][:100]
        session_el: dict[str, Any] = {
            "type": "static_select",
            "action_id": Action.MEMO_SESSION,
            "options": sessions,
            "placeholder": plain(tr("memo.form.session_placeholder"), 150),
        }
        if draft.get("session"):
            session_el["initial_option"] = next((o for o in sessions if o["value"] == draft["session"]), None) or sessions[0]
        reports = [_option(tr(f"memo.form.report_{r}"), r) for r in ("none", "before", "after")]
        report_el: dict[str, Any] = {"type": "radio_buttons", "action_id": Action.MEMO_REPORT, "options": reports}
        report_el["initial_option"] = next(o for o in reports if o["value"] == (draft.get("report") or "none"))
        blocks.append(_input(Block.MEMO_SESSION, tr("memo.form.session"), session_el, optional=True, hint=tr("memo.form.session_hint")))
        blocks.append(_input(Block.MEMO_REPORT, tr("memo.form.report"), report_el, optional=True))
    reminders = [_option(tr("memo.form.no_reminder"), "0")] + [
        _option(tr("memo.form.reminder_after", days=d), str(d)) for d in vm["reminder_choices"]
    ]
    reminder_el: dict[str, Any] = {"type": "static_select", "action_id": Action.MEMO_REMINDER, "options": reminders}
    default = draft.get("reminder_days", vm.get("reminder_default")) if draft else vm.get("reminder_default")
    reminder_el["initial_option"] = next((o for o in reminders if o["value"] == str(default or 0)), reminders[0])
    blocks.append(_input(Block.MEMO_REMINDER_DAYS, tr("memo.form.reminder"), reminder_el, optional=True, hint=tr("memo.form.reminder_hint")))
    return {
        "type": "modal",
        "callback_id": View.MEMO_FORM,
        "private_metadata": encode(vm["form"]),
        "title": plain(tr("memo.form.modal_title"), MODAL_TITLE),
        "submit": plain(tr("memo.form.submit"), MODAL_TITLE),
        "close": plain(tr("memo.form.close"), MODAL_TITLE),
        "blocks": blocks,
    }


def memo_preview(vm: dict, tr: Translator) -> dict:
    """The memo exactly as it will arrive, who gets it, and a way back to the form;
    ``vm["form"]`` (a ``PreviewForm``) is what the modal carries back."""
    blocks: Blocks = [context(tr("memo.preview.intro")), {"type": "divider"}]
    blocks += memo_blocks(vm["message"], tr, action_id=Action.MEMO_PREVIEW_READ, block_id=Block.MEMO_PREVIEW)
    lines = [tr("memo.preview.recipients", count=vm["count"], organisations=vm["organisations"])]
    if vm.get("reminder_days"):
        lines.append(tr("memo.preview.reminder", days=vm["reminder_days"]))
    send_at = datetime.fromisoformat(vm["send_at"])
    if send_at > datetime.fromisoformat(vm["now"]):
        lines.append(tr("memo.preview.later", when=format_datetime(send_at, vm["message"]["timezone"], tr.lang)))
    blocks.append(section("\n".join(lines)))
    if vm.get("unreachable"):
        blocks.append(section(tr("memo.unreachable", names=", ".join(vm["unreachable"][:50]), count=len(vm["unreachable"]))))
    blocks.append(
        {
            "type": "actions",
            "block_id": Block.MEMO_PREVIEW + "_edit",
            "elements": [button(tr("memo.button.edit"), Action.MEMO_EDIT, str(vm["memo_id"]))],
        }
    )
    return {
        "type": "modal",
        "callback_id": View.MEMO_PREVIEW,
        "private_metadata": encode(vm["form"]),
        "title": plain(tr("memo.preview.modal_title"), MODAL_TITLE),
        "submit": plain(tr("memo.preview.submit"), MODAL_TITLE),
        "close": plain(tr("memo.form.close"), MODAL_TITLE),
        "blocks": blocks[:100],
    }


# -- who has read it --------------------------------------------------------------


def _names(tr: Translator, names: list[str], limit: int = 15) -> list[str]:
    shown = list(names[:limit])
    if len(names) > limit:
        shown.append(tr("memo.status.more", count=len(names) - limit))
    return shown


def memo_status(vm: dict, tr: Translator) -> dict:
    """Read counts per organisation with names (an ephemeral answer)."""
    if not vm["memos"]:
        text = tr("memo.status.none", trajectory=vm["trajectory"])
        return message(text, [section(text)])
    blocks: Blocks = [header(tr("memo.status.header"))]
    for item in vm["memos"]:
        sent = format_datetime(datetime.fromisoformat(item["sent"]), vm["timezone"], tr.lang)
        blocks.append(section(tr("memo.status.memo", title=item["title"], sent=sent, read=item["read"], total=item["total"])))
        lines = []
        for org in item["organisations"]:
            read, unread = org["read"], org["unread"]
            line = tr("memo.status.organisation", name=org["name"], read=len(read), total=len(read) + len(unread))
            if read:
                line += "\n" + tr("memo.status.readers", names=", ".join(_names(tr, read)))
            if unread:
                line += "\n" + tr("memo.status.unread", names=", ".join(_names(tr, unread)))
            lines.append(line)
        for piece in chunks("\n".join(lines))[:6]:
            blocks.append(section(piece))
        if item["undelivered"]:
            blocks.append(context(tr("memo.status.undelivered", names=", ".join(_names(tr, item["undelivered"])))))
        blocks.append({"type": "divider"})
    text = tr("memo.status.header")
    return message(text, blocks[:50])


BUILDERS = {"memo": memo, "memo_reminder": memo_reminder, "memo_sent": memo_sent}


def memo_notice(text: str, tr: Translator) -> dict:
    """The preview replaced by one line (the draft was sent already, or is not yours)."""
    return {
        "type": "modal",
        "callback_id": View.MEMO_PREVIEW + "_notice",
        "title": plain(tr("memo.preview.modal_title"), MODAL_TITLE),
        "close": plain(tr("memo.form.close"), MODAL_TITLE),
        "blocks": [section(text)],
    }
