"""Sign-off: the request with its decision buttons, notices to the trekker, the
announcement when all agreed, and the two modals."""

from __future__ import annotations

from datetime import date

from bot.formatting import format_date
from bot.i18n import Raw, Translator
from bot.interactions.codec import encode
from bot.interactions.signoff import NoteView
from bot.limits import NOTE_LIMIT, TITLE_LIMIT
from bot.slack.blocks.common import Blocks, button, context, header, message, section
from bot.slack.ids import Action, Block, View
from bot.slack.text import MODAL_TITLE, OPTION_TEXT, escape, plain


def _deadline(vm: dict, tr: Translator) -> str:
    return format_date(date.fromisoformat(vm["deadline"]), tr.lang)


def _document(vm: dict, tr: Translator) -> str:
    # The link sits inside <...|...>: escape it as text and strip the separator.
    return tr("signoff.document", link=Raw(escape(vm["link"]).replace("|", "%7C")), title=vm["title"])


def _request(vm: dict, tr: Translator, intro: str) -> dict:
    blocks: Blocks = [header(tr("signoff.header", title=vm["title"])), section(intro), section(_document(vm, tr))]
    blocks.append(section(tr("signoff.deadline", deadline=_deadline(vm, tr))))
    decision = vm["decision"]
    blocks.append(section(tr(f"signoff.decision.{decision}", organisation=vm["organisation"], who=vm.get("decided_by") or "", reason=vm.get("reason") or "")))
    if decision != "pending":
        blocks.append(context(tr("signoff.change_hint", deadline=_deadline(vm, tr))))
    blocks.append(decision_actions(tr, vm, Block.SIGN))
    return message(tr("signoff.notification", title=vm["title"]), blocks)


def decision_actions(tr: Translator, vm: dict, block_id: str) -> dict:
    """The request's decision buttons (also on App Home and ``mijn``)."""
    value, decision = str(vm["request_id"]), vm["decision"]
    return {
        "type": "actions",
        "block_id": block_id,
        "elements": [
            button(tr("signoff.button.agree", organisation=vm["organisation"]), Action.SIGN_AGREE, value, "primary" if decision != "agreed" else None),
            button(tr("signoff.button.decline"), Action.SIGN_DECLINE, value, "danger" if decision == "pending" else None),
            button(tr("signoff.button.question"), Action.SIGN_QUESTION, value),
        ],
    }


def signoff_request(vm: dict, tr: Translator) -> dict:
    return _request(vm, tr, tr("signoff.intro", name=vm["name"], trajectory=vm["trajectory"], organisation=vm["organisation"]))


def signoff_reminder(vm: dict, tr: Translator) -> dict:
    return _request(vm, tr, tr("signoff.reminder_intro", name=vm["name"], organisation=vm["organisation"], deadline=_deadline(vm, tr)))


def signoff_declined(vm: dict, tr: Translator) -> dict:
    text = tr("signoff.declined_notice", organisation=vm["organisation"], title=vm["title"], who=vm.get("decided_by") or "", reason=vm.get("reason") or "")
    return message(text, [section(text)])


def signoff_question(vm: dict, tr: Translator) -> dict:
    text = tr("signoff.question_notice", asker=vm["asker"], organisation=vm["organisation"], title=vm["title"], question=vm["question"])
    return message(text, [section(text)])


def signoff_complete(vm: dict, tr: Translator) -> dict:
    body = tr(
        "signoff.complete_body",
        link=Raw(escape(vm["link"]).replace("|", "%7C")),
        title=vm["title"],
        organisations=", ".join(vm["organisations"]),
    )
    return message(tr("signoff.complete_header"), [header(tr("signoff.complete_header")), section(body)])


BUILDERS = {
    "signoff_request": signoff_request,
    "signoff_reminder": signoff_reminder,
    "signoff_declined": signoff_declined,
    "signoff_question": signoff_question,
    "signoff_complete": signoff_complete,
}


def start_modal(vm: dict, tr: Translator) -> dict:
    """``vm``: ``bot.interactions.signoff.start_form`` (``form`` is the StartForm it carries)."""
    options = [{"text": plain(o["name"], OPTION_TEXT), "value": str(o["id"])} for o in vm["organisations"][:100]]
    blocks: Blocks = [
        _input(Block.SIGN_TITLE, tr("signoff.modal.doc_title"), {"type": "plain_text_input", "action_id": Action.SIGN_TITLE, "max_length": TITLE_LIMIT}),
        _input(Block.SIGN_LINK, tr("signoff.modal.link"), {"type": "url_text_input", "action_id": Action.SIGN_LINK}),
        _input(Block.SIGN_ORGS, tr("signoff.modal.organisations"), {"type": "multi_static_select", "action_id": Action.SIGN_ORGS, "options": options, **({"initial_options": options} if options else {})}),
        _input(Block.SIGN_DEADLINE, tr("signoff.modal.deadline"), {"type": "datepicker", "action_id": Action.SIGN_DEADLINE}),
    ]
    return {
        "type": "modal",
        "callback_id": View.SIGN_START,
        "private_metadata": encode(vm["form"]),
        "title": plain(tr("signoff.modal.start_title"), MODAL_TITLE),
        "submit": plain(tr("signoff.modal.start_submit"), MODAL_TITLE),
        "close": plain(tr("signoff.modal.close"), MODAL_TITLE),
        "blocks": blocks,
    }


def note_modal(view: NoteView, tr: Translator) -> dict:
    kind = view.form.kind
    label = tr(f"signoff.modal.{kind}_label")
    return {
        "type": "modal",
        "callback_id": View.SIGN_NOTE,
        "private_metadata": encode(view.form),
        "title": plain(tr(f"signoff.modal.{kind}_title"), MODAL_TITLE),
        "submit": plain(tr("signoff.modal.submit"), MODAL_TITLE),
        "close": plain(tr("signoff.modal.close"), MODAL_TITLE),
        "blocks": [
            section(tr("signoff.header", title=view.title)),
            _input(Block.NOTE, label, {"type": "plain_text_input", "action_id": Action.NOTE, "multiline": True, "max_length": NOTE_LIMIT}),
        ],
    }


def _input(block_id: str, label: str, element: dict) -> dict:
    return {"type": "input", "block_id": block_id, "label": plain(label, 2000), "element": element}
