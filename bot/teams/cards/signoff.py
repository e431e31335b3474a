"""Sign-off (phase 3) as Adaptive Cards: the request with its decision buttons, the
notices to the trekker, the announcement, and the forms (start; a reason or a question)."""

from __future__ import annotations

from datetime import date

from bot.formatting import format_date
from bot.i18n import Translator
from bot.interactions.codec import as_data
from bot.interactions.signoff import NoteView
from bot.limits import NOTE_LIMIT, TITLE_LIMIT
from bot.teams.cards.common import (
    button,
    card,
    choice_input,
    date_input,
    heading,
    link,
    message,
    note,
    separator,
    text,
    text_input,
    with_errors,
)
from bot.teams.ids import Verb
from bot.teams.text import mark



class SignInput:
    TITLE = "sign_title"
    LINK = "sign_link"
    ORGANISATIONS = "sign_organisations"
    DEADLINE = "sign_deadline"
    NOTE = "sign_note"


FIELDS = {"title": SignInput.TITLE, "link": SignInput.LINK, "organisations": SignInput.ORGANISATIONS, "deadline": SignInput.DEADLINE}


def _deadline(vm: dict, tr: Translator) -> str:
    return format_date(date.fromisoformat(vm["deadline"]), tr.lang)


def _safe_link(url: str) -> str | None:
    return url if url.startswith("https://") and not any(c.isspace() for c in url) else None


def _request(vm: dict, tr: Translator, intro: str, card_name: str) -> dict:
    body = heading(tr("signoff.header", title=vm["title"])) + text(intro)
    body += text(tr("signoff.document", link=vm["link"], title=vm["title"]))
    body += text(tr("signoff.deadline", deadline=_deadline(vm, tr)))
    decision = vm["decision"]
    body += separator(text(tr(f"signoff.decision.{decision}", organisation=vm["organisation"], who=vm.get("decided_by") or "", reason=vm.get("reason") or "")))
    if decision != "pending":
        body += note(tr("signoff.change_hint", deadline=_deadline(vm, tr)))
    buttons = decision_buttons(tr, vm, card_name)
    url = _safe_link(vm.get("link") or "")
    if url:
        buttons.append(link(mark(vm["title"]), url))
    return message(tr("signoff.notification", title=vm["title"]), body, buttons)


def decision_buttons(tr: Translator, vm: dict, card_name: str = "signoff_request") -> list:
    """The request's decision buttons (also on the overview card)."""
    data = {"request_id": vm["request_id"], "card": card_name}
    decision = vm["decision"]
    return [
        button(tr("signoff.button.agree", organisation=vm["organisation"]), Verb.SIGN_AGREE, data, "positive" if decision != "agreed" else None),
        button(tr("signoff.button.decline"), Verb.SIGN_DECLINE, data, "destructive" if decision == "pending" else None),
        button(tr("signoff.button.question"), Verb.SIGN_QUESTION, data),
    ]


def signoff_request(vm: dict, tr: Translator) -> dict:
    return _request(vm, tr, tr("signoff.intro", name=vm["name"], trajectory=vm["trajectory"], organisation=vm["organisation"]), "signoff_request")


def signoff_reminder(vm: dict, tr: Translator) -> dict:
    intro = tr("signoff.reminder_intro", name=vm["name"], organisation=vm["organisation"], deadline=_deadline(vm, tr))
    return _request(vm, tr, intro, "signoff_reminder")


def signoff_declined(vm: dict, tr: Translator) -> dict:
    line = tr("signoff.declined_notice", organisation=vm["organisation"], title=vm["title"], who=vm.get("decided_by") or "", reason=vm.get("reason") or "")
    return message(line, text(line))


def signoff_question(vm: dict, tr: Translator) -> dict:
    line = tr("signoff.question_notice", asker=vm["asker"], organisation=vm["organisation"], title=vm["title"], question=vm["question"])
    return message(line, text(line))


def signoff_complete(vm: dict, tr: Translator) -> dict:
    body = heading(tr("signoff.complete_header"))
    body += text(tr("signoff.complete_body", link=vm["link"], title=vm["title"], organisations=", ".join(vm["organisations"])))
    url = _safe_link(vm.get("link") or "")
    return message(tr("signoff.complete_header"), body, [link(mark(vm["title"]), url)] if url else None)


BUILDERS = {
    "signoff_request": signoff_request,
    "signoff_reminder": signoff_reminder,
    "signoff_declined": signoff_declined,
    "signoff_question": signoff_question,
    "signoff_complete": signoff_complete,
}


# -- forms ------------------------------------------------------------------------


def start_form(vm: dict, tr: Translator, errors: dict[str, str] | None = None) -> dict:
    """``ondertekenen``: title and link of the document, organisations, deadline.
    ``vm``: ``bot.interactions.signoff.start_form`` (``form`` is the StartForm it carries)."""
    values = vm.get("values") or {}
    organisations = [(o["name"], str(o["id"])) for o in vm["organisations"][:100]]
    everyone = ",".join(v for _, v in organisations)
    body = heading(tr("signoff.modal.start_title"))
    body += [
        text_input(SignInput.TITLE, tr("signoff.modal.doc_title"), required=True, multiline=False, max_length=TITLE_LIMIT,
                   value=values.get(SignInput.TITLE), error_message=tr("signoff.errors.title")),
        text_input(SignInput.LINK, tr("signoff.modal.link"), required=True, multiline=False, max_length=2000,
                   value=values.get(SignInput.LINK), error_message=tr("signoff.errors.link")),
        choice_input(SignInput.ORGANISATIONS, tr("signoff.modal.organisations"), organisations, multi=True,
                     value=values.get(SignInput.ORGANISATIONS, everyone) or None, error_message=tr("signoff.errors.organisations")),
        date_input(SignInput.DEADLINE, tr("signoff.modal.deadline"), required=True, value=values.get(SignInput.DEADLINE),
                   error_message=tr("signoff.errors.deadline")),
    ]
    body = with_errors(body, errors or {})
    submit = button(tr("signoff.modal.start_submit"), Verb.SIGN_START_SUBMIT, as_data(vm["form"]), "positive")
    return card(body, [submit])


def note_form(view: NoteView, tr: Translator, errors: dict[str, str] | None = None, values: dict | None = None) -> dict:
    """A reason for "Niet akkoord", or a question for the trekker."""
    form = view.form
    body = heading(tr(f"signoff.modal.{form.kind}_title")) + text(tr("signoff.header", title=view.title))
    body.append(text_input(SignInput.NOTE, tr(f"signoff.modal.{form.kind}_label"), required=True, max_length=NOTE_LIMIT,
                           value=(values or {}).get(SignInput.NOTE), error_message=tr("signoff.errors.note")))
    body = with_errors(body, errors or {})
    back = {"request_id": form.request_id, "card": form.card}
    return card(body, [button(tr("signoff.modal.submit"), Verb.SIGN_NOTE_SUBMIT, as_data(form), "positive"),
                       button(tr("signoff.modal.close"), Verb.SIGN_BACK, back)])
