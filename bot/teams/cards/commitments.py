"""Commitment messages with status buttons, the status form (note / snooze) and the
"new commitment" form, as Adaptive Cards."""

from __future__ import annotations

from bot import lines
from bot.i18n import Translator
from bot.teams.cards.common import (
    Element,
    button,
    card,
    choice_input,
    date_input,
    heading,
    message,
    note,
    text,
    text_input,
    with_errors,
)
from bot.interactions.codec import as_data
from bot.interactions.commitments import AddForm, StatusForm
from bot.limits import DESCRIPTION_LIMIT, NOTE_LIMIT
from bot.teams.ids import ORIGIN_MESSAGE, Input, Verb

CLOSED = ("done", "not_applicable")


def commitment_buttons(tr: Translator, vm: dict, origin: str = ORIGIN_MESSAGE, card_name: str = "commitment_reminder") -> list[Element]:
    def data(to: str) -> dict:
        return {"commitment_id": vm["commitment_id"], "to": to, "origin": origin, "card": card_name}

    if vm["status"] in CLOSED:
        return [button(tr("commitment.button.reopen"), Verb.COMMIT, data("open"))]
    return [
        button(tr("commitment.button.done"), Verb.COMMIT, data("done"), "positive"),
        button(tr("commitment.button.busy"), Verb.COMMIT, data("busy")),
        button(tr("commitment.button.blocked"), Verb.COMMIT, data("blocked"), "destructive"),
        button(tr("commitment.button.snooze"), Verb.COMMIT, data("snoozed")),
        button(tr("commitment.button.not_applicable"), Verb.COMMIT, data("not_applicable")),
    ]


def commitment_body(tr: Translator, vm: dict, intro: str) -> list[Element]:
    body = text(intro) + text(tr("commitment.description", description=vm["description"]), weight="Bolder")
    body += text(lines.commitment_facts(tr, vm), spacing="Medium")
    if vm["status"] == "done":
        body += text(tr("commitment.closed_done"))
    elif vm["status"] == "not_applicable":
        body += text(tr("commitment.closed_na"))
    elif vm.get("overdue_days"):
        body += note(tr("commitment.reminder_overdue", days=vm["overdue_days"]))
    return body


def _notification(tr: Translator, vm: dict) -> str:
    return tr("commitment.notification", organisation=vm["organisation"], description=vm["description"])


def commitment_reminder(vm: dict, tr: Translator) -> dict:
    intro = tr("commitment.reminder_intro", owner=vm["owner"], organisation=vm["organisation"], trajectory=vm["trajectory"])
    return message(_notification(tr, vm), commitment_body(tr, vm, intro), commitment_buttons(tr, vm))


def commitment_new(vm: dict, tr: Translator) -> dict:
    body = commitment_body(tr, vm, tr("commitment.new_intro", trajectory=vm["trajectory"]))
    return message(_notification(tr, vm), body, commitment_buttons(tr, vm, card_name="commitment_new"))


def commitment_blocked(vm: dict, tr: Translator) -> dict:
    headline = tr("commitment.blocked_notice", actor=vm["actor"], organisation=vm["organisation"])
    body = text(headline) + text(tr("commitment.description", description=vm["description"]), weight="Bolder")
    if vm.get("last_note"):
        body += text(tr("commitment.blocked_reason", note=vm["last_note"]))
    body += text(lines.commitment_facts(tr, vm), spacing="Medium")
    return message(headline, body)


def commitment_unreachable(vm: dict, tr: Translator) -> dict:
    headline = tr("commitment.unreachable_notice", owner=vm["owner"], email=vm["email"], organisation=vm["organisation"])
    return message(headline, text(headline) + text(tr("commitment.description", description=vm["description"]), weight="Bolder"))


def commitment_escalation(vm: dict, tr: Translator, limit: int = 40) -> dict:
    body = heading(tr("commitment.escalation_header")) + text(tr("commitment.escalation_intro", trajectory=vm["trajectory"]))
    groups, left_out = lines.escalation_groups(tr, vm, limit)
    for group in groups:
        body += text(group, spacing="Medium")
    if left_out:
        body += note(tr("commitment.escalation_more", count=left_out))
    return message(tr("commitment.escalation_header"), body)


BUILDERS = {
    "commitment_reminder": commitment_reminder,
    "commitment_new": commitment_new,
    "commitment_blocked": commitment_blocked,
    "commitment_unreachable": commitment_unreachable,
    "commitment_escalation": commitment_escalation,
}


# -- forms ------------------------------------------------------------------------


TITLES = {"busy": "title_busy", "blocked": "title_blocked", "snoozed": "title_snooze", "not_applicable": "title_not_applicable"}


def status_form(form: StatusForm, tr: Translator, errors: dict[str, str] | None = None, values: dict | None = None) -> dict:
    """Busy / blocked / not applicable (a note) or snooze (a week or a date)."""
    kind = form.to
    body = heading(tr(f"commitment.modal.{TITLES[kind]}")) + text(tr("commitment.modal.intro", description=form.description))
    values = values or {}
    if kind == "snoozed":
        body.append(
            choice_input(
                Input.SNOOZE_CHOICE,
                tr("commitment.modal.snooze_choice"),
                [(tr("commitment.modal.snooze_week"), "week"), (tr("commitment.modal.snooze_date"), "date")],
                value=values.get(Input.SNOOZE_CHOICE) or "week",
                expanded=True,
                error_message=tr("commitment.errors.snooze_choice"),
            )
        )
        body.append(date_input(Input.SNOOZE_DATE, tr("commitment.modal.snooze_date_label"), value=values.get(Input.SNOOZE_DATE)))
    else:
        required = kind != "busy"
        body.append(
            text_input(
                Input.NOTE,
                tr(f"commitment.modal.note_{kind}"),
                required=required,
                max_length=NOTE_LIMIT,
                value=values.get(Input.NOTE),
                error_message=tr("commitment.errors.note_required") if required else None,
            )
        )
    body = with_errors(body, errors or {})
    data = as_data(form)
    back = {"commitment_id": form.commitment_id, "origin": form.origin, "card": form.card}
    return card(body, [button(tr("commitment.modal.submit"), Verb.COMMIT_SUBMIT, data, "positive"), button(tr("commitment.modal.close"), Verb.BACK, back)])


def add_form(vm: dict, tr: Translator, errors: dict[str, str] | None = None) -> dict:
    """Organisation, owner, description, due date, phase (the "new commitment" form)."""
    values = vm.get("values") or {}
    organisations = [(o["name"], str(o["id"])) for o in vm["organisations"][:100]]
    owners = [
        (f'{p["name"]} ({o["name"]})', str(p["id"])) for o in vm["organisations"][:100] for p in o["people"][:100]
    ][:200]
    phase = values.get(Input.ADD_PHASE) or str(vm.get("current_phase") or 1)
    body = heading(tr("commitment.add_modal.title"))
    body += [
        choice_input(Input.ADD_ORG, tr("commitment.add_modal.organisation"), organisations, value=values.get(Input.ADD_ORG),
                     error_message=tr("commitment.errors.organisation")),
        choice_input(Input.ADD_OWNER, tr("commitment.add_modal.owner"), owners, value=values.get(Input.ADD_OWNER),
                     error_message=tr("commitment.errors.owner")),
        text_input(Input.ADD_DESC, tr("commitment.add_modal.description"), required=True, max_length=DESCRIPTION_LIMIT,
                   value=values.get(Input.ADD_DESC), error_message=tr("commitment.errors.description_empty")),
        date_input(Input.ADD_DUE, tr("commitment.add_modal.due"), required=True, value=values.get(Input.ADD_DUE),
                   error_message=tr("commitment.errors.due_missing")),
        choice_input(Input.ADD_PHASE, tr("commitment.add_modal.phase"),
                     [(tr("commitment.add_modal.phase_option", number=n), str(n)) for n in (1, 2, 3)], value=phase,
                     error_message=tr("commitment.errors.phase")),
    ]
    body = with_errors(body, errors or {})
    submit = button(tr("commitment.add_modal.submit"), Verb.COMMIT_ADD_SUBMIT, as_data(AddForm(vm["trajectory_id"])), "positive")
    return card(body, [submit])


def done_card(title: str, text_: str) -> dict:
    """A form after a successful submit: what happened, no more buttons."""
    return card(heading(title) + text(text_))
