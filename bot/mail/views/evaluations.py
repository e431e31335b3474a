"""Evaluation prompts and reminders (a link to the form), and the results for the trekker."""

from __future__ import annotations

from datetime import datetime

from bot.formatting import format_datetime, format_period
from bot.i18n import Translator
from bot.mail.views import Button, MailView

TEXTS_SHOWN = 25
BAR = 10


def _when(vm: dict, lang: str) -> str:
    return format_period(datetime.fromisoformat(vm["starts"]), datetime.fromisoformat(vm["ends"]), vm["timezone"], lang)


def _closes(vm: dict, lang: str) -> str:
    return format_datetime(datetime.fromisoformat(vm["closes"]), vm["timezone"], lang)


def _prompt(vm: dict, tr: Translator, subject: str, intro: str) -> MailView:
    heading = tr("evaluation.results.header", title=vm["title"])
    if vm["state"] == "closed":
        return MailView(subject, heading, [tr("evaluation.prompt.closed", title=vm["title"])])
    button = Button(tr("evaluation.button.open"), "evaluation", vm["prompt_id"], None, vm["closes"])
    if vm["state"] == "done":
        if vm.get("editable"):
            paragraphs = [tr("evaluation.prompt.thanks", title=vm["title"]), tr("evaluation.prompt.change_until", closes=_closes(vm, tr.lang))]
            return MailView(subject, heading, paragraphs, [Button(tr("evaluation.button.change"), "evaluation", vm["prompt_id"], None, vm["closes"])])
        return MailView(subject, heading, [tr("evaluation.prompt.thanks", title=vm["title"]), tr("evaluation.prompt.thanks_anonymous")])
    note = tr("evaluation.prompt.anonymous") if vm.get("anonymous") else tr("evaluation.prompt.named")
    return MailView(subject, heading, [intro, note + " " + tr("evaluation.prompt.until", closes=_closes(vm, tr.lang))], [button])


def evaluation_prompt(vm: dict, tr: Translator) -> MailView:
    intro = tr("evaluation.prompt.body", title=vm["title"], when=_when(vm, tr.lang), count=vm.get("questions", 0))
    return _prompt(vm, tr, tr("evaluation.prompt.notification", title=vm["title"]), intro)


def evaluation_reminder(vm: dict, tr: Translator) -> MailView:
    intro = tr("evaluation.reminder.body", title=vm["title"], when=_when(vm, tr.lang))
    return _prompt(vm, tr, tr("evaluation.reminder.notification", title=vm["title"]), intro)


def _bar(count: int, top: int) -> str:
    filled = round(BAR * count / top) if top else 0
    return "█" * filled + "░" * (BAR - filled)


def _question(q: dict, tr: Translator) -> str:
    lines = [tr("evaluation.results.question", question=q["question"], count=q["count"])]
    if q["type"] == "rating":
        top = max((n for _, n in q["distribution"]), default=0)
        if q["average"] is not None:
            average = f"{q['average']:.1f}".replace(".", "," if tr.lang == "nl" else ".")
            lines.append(tr("evaluation.results.average", average=average, scale=q["scale"]))
        lines += [f"{value:>2} {_bar(n, top)} {n}" for value, n in q["distribution"]]
    elif q["type"] in ("choice", "multi"):
        top = max((n for _, n in q["options"]), default=0)
        lines += [tr("evaluation.results.option", option=o, bar=_bar(n, top), count=n) for o, n in q["options"]]
    else:
        answers = q.get("answers") or []
        if not answers:
            lines.append(tr("evaluation.results.no_texts"))
        for a in answers[:TEXTS_SHOWN]:
            text = " ".join(a["text"].split())
            if a.get("name"):
                lines.append(tr("evaluation.results.text_named", text=text, name=a["name"], organisation=a["organisation"]))
            else:
                lines.append(tr("evaluation.results.text", text=text))
        if len(answers) > TEXTS_SHOWN:
            lines.append(tr("evaluation.results.more_texts", count=len(answers) - TEXTS_SHOWN))
    return "\n".join(lines)


def evaluation_results(vm: dict, tr: Translator) -> MailView:
    status = tr("evaluation.results.closed") if vm["closed"] else tr("evaluation.results.open_until", closes=_closes(vm, tr.lang))
    kind = tr("evaluation.results.anonymous") if vm["anonymous"] else tr("evaluation.results.named")
    rate = round(100 * vm["responded"] / vm["prompted"]) if vm["prompted"] else 0
    paragraphs = [f"{_when(vm, tr.lang)} · {status} · {kind}", tr("evaluation.results.rate", responded=vm["responded"], prompted=vm["prompted"], rate=rate)]
    if vm.get("hidden") == "threshold":
        paragraphs.append(tr("evaluation.results.below_threshold", count=vm["answers"], threshold=vm["threshold"]))
    elif vm.get("hidden") == "until_closed":
        paragraphs.append(tr("evaluation.results.until_closed", closes=_closes(vm, tr.lang)))
    else:
        paragraphs += [_question(q, tr) for q in vm["questions"]]
    return MailView(tr("evaluation.results.notification", title=vm["title"]), tr("evaluation.results.header", title=vm["title"]), paragraphs)


BUILDERS = {
    "evaluation_prompt": evaluation_prompt,
    "evaluation_reminder": evaluation_reminder,
    "evaluation_results": evaluation_results,
}
