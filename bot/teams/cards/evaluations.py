"""Evaluations as Adaptive Cards: the prompt and its reminder, the form (rating,
choice, multi, text; required inputs), and the results."""

from __future__ import annotations

from typing import Any

from bot.i18n import Translator
from bot.interactions.codec import as_data
from bot.interactions.evaluations import FormView, PromptForm
from bot.limits import ANSWER_LIMIT
from bot.lines import closes, result_lines, when
from bot.teams.cards.common import (
    Element,
    button,
    card,
    choice_input,
    error,
    heading,
    message,
    note,
    separator,
    text,
    text_input,
)
from bot.teams.ids import Verb
from bot.teams.text import mark


def input_id(key: str) -> str:
    return f"eval_q_{key}"


def _prompt(vm: dict, tr: Translator, intro: str, card_name: str) -> tuple[list[Element], list[Element]]:
    data = as_data(PromptForm(vm["prompt_id"], card_name))
    if vm["state"] == "closed":
        return text(tr("evaluation.prompt.closed", title=vm["title"])), []
    if vm["state"] == "done":
        body = text(tr("evaluation.prompt.thanks", title=vm["title"]))
        if vm.get("editable"):
            return body + note(tr("evaluation.prompt.change_until", closes=closes(vm, tr.lang))), [
                button(tr("evaluation.button.change"), Verb.EVAL_OPEN, data)
            ]
        return body + note(tr("evaluation.prompt.thanks_anonymous")), []
    extra = tr("evaluation.prompt.anonymous") if vm.get("anonymous") else tr("evaluation.prompt.named")
    body = text(intro) + note(extra) + note(tr("evaluation.prompt.until", closes=closes(vm, tr.lang)))
    return body, [open_button(tr, vm, card_name)]


def open_button(tr: Translator, vm: dict, card_name: str = "evaluation_prompt") -> Element:
    """The prompt's "Invullen" button (also on the overview card)."""
    return button(tr("evaluation.button.open"), Verb.EVAL_OPEN, as_data(PromptForm(vm["prompt_id"], card_name)), "positive")


def evaluation_prompt(vm: dict, tr: Translator) -> dict:
    intro = tr("evaluation.prompt.body", title=vm["title"], when=when(vm, tr.lang), count=vm.get("questions", 0))
    body, buttons = _prompt(vm, tr, intro, "evaluation_prompt")
    return message(tr("evaluation.prompt.notification", title=vm["title"]), body, buttons)


def evaluation_reminder(vm: dict, tr: Translator) -> dict:
    intro = tr("evaluation.reminder.body", title=vm["title"], when=when(vm, tr.lang))
    body, buttons = _prompt(vm, tr, intro, "evaluation_reminder")
    return message(tr("evaluation.reminder.notification", title=vm["title"]), body, buttons)


# -- the form ---------------------------------------------------------------------


def _question(q: dict, tr: Translator, answer: Any, problem: str | None) -> list[Element]:
    kind, key = q["type"], q["key"]
    required = not q.get("optional")
    required_text = tr("evaluation.errors.required")
    label = mark(q["question"])
    if kind == "rating":
        scale = int(q.get("scale") or 5)
        element = choice_input(input_id(key), label, [(str(n), str(n)) for n in range(1, scale + 1)], required=required,
                               value=str(answer) if answer is not None else None, expanded=True, error_message=required_text)
        hint = note(tr("evaluation.form.scale_hint", scale=scale))
    elif kind in ("choice", "multi"):
        options = q.get("options") or []
        chosen = answer if isinstance(answer, list) else ([answer] if answer is not None else [])
        picked = ",".join(str(i) for i, o in enumerate(options) if o in chosen)
        element = choice_input(input_id(key), label, [(o, str(i)) for i, o in enumerate(options)], required=required,
                               value=picked or None, expanded=True, multi=kind == "multi", error_message=required_text)
        hint = note(tr("evaluation.form.multi_hint")) if kind == "multi" else []
    else:
        element = text_input(input_id(key), label, required=required, max_length=ANSWER_LIMIT,
                             value=str(answer) if answer else None, error_message=required_text)
        hint = []
    out = [element] + hint
    if problem:
        out += error(problem)
    return out


def evaluation_form(view: FormView, tr: Translator, errors: dict[str, str] | None = None, answers: dict | None = None) -> dict:
    """One card with every question; required ones are checked again on the server.
    Its ``data`` is the typed :class:`PromptForm`; ``answers`` refill it after an error."""
    vm = view.vm
    body = heading(tr("evaluation.form.modal_title")) + text(tr("evaluation.form.intro", title=vm["title"], when=when(vm, tr.lang)))
    body += note(tr("evaluation.form.anonymous") if vm["anonymous"] else tr("evaluation.form.named", closes=closes(vm, tr.lang)))
    answers = (vm.get("answers") or {}) if answers is None else answers
    errors = errors or {}
    for q in vm["questions"][:60]:
        body += separator(_question(q, tr, answers.get(q["key"]), errors.get(q["key"])))
    if errors.get(""):
        body += error(errors[""])
    data = as_data(view.form)
    label = tr("evaluation.form.submit_change" if vm.get("editing") else "evaluation.form.submit")
    return card(body, [button(label, Verb.EVAL_SUBMIT, data, "positive"), button(tr("evaluation.form.close"), Verb.EVAL_BACK, data)])


def shown_answers(questions: list[dict], raw: dict) -> dict:
    """What the person typed or picked, to fill the form in again after an error."""
    shown = {}
    for q in questions:
        value = raw.get(q["key"])
        if value in (None, "", []):
            continue
        options = q.get("options") or []
        if q["type"] == "choice" and str(value).isdigit() and int(value) < len(options):
            shown[q["key"]] = options[int(value)]
        elif q["type"] == "multi":
            shown[q["key"]] = [options[int(v)] for v in value if str(v).isdigit() and int(v) < len(options)]
        else:
            shown[q["key"]] = value
    return shown


# -- results ----------------------------------------------------------------------


def _question_lines(q: dict, tr: Translator) -> list[str]:
    return result_lines(tr, q, lambda value, bar, n: f"{value}: {bar} {n}", clip=500)


def evaluation_results(vm: dict, tr: Translator) -> dict:
    body = heading(tr("evaluation.results.header", title=vm["title"]))
    status = tr("evaluation.results.closed") if vm["closed"] else tr("evaluation.results.open_until", closes=closes(vm, tr.lang))
    kind = tr("evaluation.results.anonymous") if vm["anonymous"] else tr("evaluation.results.named")
    body += note(f"{when(vm, tr.lang)} · {status} · {kind}")
    rate = round(100 * vm["responded"] / vm["prompted"]) if vm["prompted"] else 0
    body += text(tr("evaluation.results.rate", responded=vm["responded"], prompted=vm["prompted"], rate=rate))
    buttons: list[Element] = []
    if vm.get("hidden") == "threshold":
        body += text(tr("evaluation.results.below_threshold", count=vm["answers"], threshold=vm["threshold"]))
    elif vm.get("hidden") == "until_closed":
        body += text(tr("evaluation.results.until_closed", closes=closes(vm, tr.lang)))
    else:
        size = 0
        for q in vm["questions"]:
            lines = _question_lines(q, tr)
            size += sum(len(line) for line in lines)
            if size > 14000:  # stay well under Teams' ~28 KB per message
                body += text(tr("evaluation.results.truncated", key=vm["session_key"]))
                break
            body += separator(text("\n".join(lines)))
        if vm.get("evaluation_id"):
            body += note(tr("evaluation.results.export"))
            buttons = [button(tr("evaluation.button.export"), Verb.EVAL_EXPORT, {"evaluation_id": vm["evaluation_id"]})]
    return message(tr("evaluation.results.notification", title=vm["title"]), body, buttons)


BUILDERS = {
    "evaluation_prompt": evaluation_prompt,
    "evaluation_reminder": evaluation_reminder,
    "evaluation_results": evaluation_results,
}
