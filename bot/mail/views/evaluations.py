"""Evaluation prompts and reminders (a link to the form), and the results for the trekker."""

from __future__ import annotations

from bot.i18n import Translator
from bot.lines import closes, result_lines, when
from bot.mail.views import Button, MailView


def _prompt(vm: dict, tr: Translator, subject: str, intro: str) -> MailView:
    heading = tr("evaluation.results.header", title=vm["title"])
    if vm["state"] == "closed":
        return MailView(subject, heading, [tr("evaluation.prompt.closed", title=vm["title"])])
    button = Button(tr("evaluation.button.open"), "evaluation", vm["prompt_id"], None, vm["closes"])
    if vm["state"] == "done":
        if vm.get("editable"):
            paragraphs = [tr("evaluation.prompt.thanks", title=vm["title"]), tr("evaluation.prompt.change_until", closes=closes(vm, tr.lang))]
            return MailView(subject, heading, paragraphs, [Button(tr("evaluation.button.change"), "evaluation", vm["prompt_id"], None, vm["closes"])])
        return MailView(subject, heading, [tr("evaluation.prompt.thanks", title=vm["title"]), tr("evaluation.prompt.thanks_anonymous")])
    note = tr("evaluation.prompt.anonymous") if vm.get("anonymous") else tr("evaluation.prompt.named")
    return MailView(subject, heading, [intro, note + " " + tr("evaluation.prompt.until", closes=closes(vm, tr.lang))], [button])


def evaluation_prompt(vm: dict, tr: Translator) -> MailView:
    intro = tr("evaluation.prompt.body", title=vm["title"], when=when(vm, tr.lang), count=vm.get("questions", 0))
    return _prompt(vm, tr, tr("evaluation.prompt.notification", title=vm["title"]), intro)


def evaluation_reminder(vm: dict, tr: Translator) -> MailView:
    intro = tr("evaluation.reminder.body", title=vm["title"], when=when(vm, tr.lang))
    return _prompt(vm, tr, tr("evaluation.reminder.notification", title=vm["title"]), intro)


def _question(q: dict, tr: Translator) -> str:
    return "\n".join(result_lines(tr, q, lambda value, bar, n: f"{value:>2} {bar} {n}"))


def evaluation_results(vm: dict, tr: Translator) -> MailView:
    status = tr("evaluation.results.closed") if vm["closed"] else tr("evaluation.results.open_until", closes=closes(vm, tr.lang))
    kind = tr("evaluation.results.anonymous") if vm["anonymous"] else tr("evaluation.results.named")
    rate = round(100 * vm["responded"] / vm["prompted"]) if vm["prompted"] else 0
    paragraphs = [f"{when(vm, tr.lang)} · {status} · {kind}", tr("evaluation.results.rate", responded=vm["responded"], prompted=vm["prompted"], rate=rate)]
    if vm.get("hidden") == "threshold":
        paragraphs.append(tr("evaluation.results.below_threshold", count=vm["answers"], threshold=vm["threshold"]))
    elif vm.get("hidden") == "until_closed":
        paragraphs.append(tr("evaluation.results.until_closed", closes=closes(vm, tr.lang)))
    else:
        paragraphs += [_question(q, tr) for q in vm["questions"]]
    return MailView(tr("evaluation.results.notification", title=vm["title"]), tr("evaluation.results.header", title=vm["title"]), paragraphs)


BUILDERS = {
    "evaluation_prompt": evaluation_prompt,
    "evaluation_reminder": evaluation_reminder,
    "evaluation_results": evaluation_results,
}
