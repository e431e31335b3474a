"""Evaluations: the prompt and its reminder, the form modal, the results."""

from __future__ import annotations

from typing import Any

from bot.i18n import Translator
from bot.interactions.codec import encode
from bot.interactions.evaluations import FormView
from bot.limits import ANSWER_LIMIT
from bot.lines import closes, result_lines, when
from bot.slack.blocks.common import Blocks, button, context, header, message, section
from bot.slack.ids import Action, Block, View
from bot.slack.text import MODAL_TITLE, OPTION_TEXT, chunks, plain


def question_block_id(key: str) -> str:
    return f"{Block.EVAL_QUESTION}:{key}"


def question_action_id(key: str) -> str:
    return f"{Action.EVAL_ANSWER}:{key}"


# -- prompt and reminder ----------------------------------------------------------


def _prompt_blocks(vm: dict, tr: Translator, intro: str, block_id: str) -> Blocks:
    state = vm["state"]
    value = str(vm["prompt_id"])
    if state == "closed":
        return [section(tr("evaluation.prompt.closed", title=vm["title"]))]
    if state == "done":
        blocks: Blocks = [section(tr("evaluation.prompt.thanks", title=vm["title"]))]
        if vm.get("editable"):
            blocks.append(context(tr("evaluation.prompt.change_until", closes=closes(vm, tr.lang))))
            blocks.append({"type": "actions", "block_id": block_id, "elements": [button(tr("evaluation.button.change"), Action.EVAL_OPEN, value)]})
        else:
            blocks.append(context(tr("evaluation.prompt.thanks_anonymous")))
        return blocks
    note = tr("evaluation.prompt.anonymous") if vm.get("anonymous") else tr("evaluation.prompt.named")
    return [
        section(intro),
        context(note + " " + tr("evaluation.prompt.until", closes=closes(vm, tr.lang))),
        open_actions(tr, vm, block_id),
    ]


def open_actions(tr: Translator, vm: dict, block_id: str) -> dict:
    """The prompt's "Invullen" button (also on App Home and ``mijn``)."""
    return {
        "type": "actions",
        "block_id": block_id,
        "elements": [button(tr("evaluation.button.open"), Action.EVAL_OPEN, str(vm["prompt_id"]), "primary")],
    }


def evaluation_prompt(vm: dict, tr: Translator) -> dict:
    intro = tr("evaluation.prompt.body", title=vm["title"], when=when(vm, tr.lang), count=vm.get("questions", 0))
    return message(tr("evaluation.prompt.notification", title=vm["title"]), _prompt_blocks(vm, tr, intro, Block.EVAL_PROMPT))


def evaluation_reminder(vm: dict, tr: Translator) -> dict:
    intro = tr("evaluation.reminder.body", title=vm["title"], when=when(vm, tr.lang))
    return message(tr("evaluation.reminder.notification", title=vm["title"]), _prompt_blocks(vm, tr, intro, Block.EVAL_REMINDER))


# -- the form ---------------------------------------------------------------------


def _option(text: str, value: str) -> dict:
    return {"text": plain(text, OPTION_TEXT), "value": value}


def _question(q: dict, tr: Translator, answer: Any) -> dict:
    kind = q["type"]
    element: dict[str, Any]
    hint = None
    if kind == "rating":
        scale = int(q.get("scale") or 5)
        options = [_option(str(n), str(n)) for n in range(1, scale + 1)]
        element = {"type": "radio_buttons", "options": options}
        if answer is not None:
            element["initial_option"] = next((o for o in options if o["value"] == str(answer)), None)
        hint = tr("evaluation.form.scale_hint", scale=scale)
    elif kind in ("choice", "multi"):
        options = [_option(text, str(i)) for i, text in enumerate(q.get("options") or [])]
        element = {"type": "radio_buttons" if kind == "choice" else "checkboxes", "options": options}
        chosen = answer if isinstance(answer, list) else ([answer] if answer is not None else [])
        picked = [o for i, o in enumerate(options) if q["options"][i] in chosen]
        if kind == "choice" and picked:
            element["initial_option"] = picked[0]
        elif kind == "multi" and picked:
            element["initial_options"] = picked
        if kind == "multi":
            hint = tr("evaluation.form.multi_hint")
    else:
        element = {"type": "plain_text_input", "multiline": True, "max_length": ANSWER_LIMIT}
        if answer:
            element["initial_value"] = str(answer)
    element = {k: v for k, v in element.items() if v is not None}
    element["action_id"] = question_action_id(q["key"])
    block: dict[str, Any] = {
        "type": "input",
        "block_id": question_block_id(q["key"]),
        "label": plain(q["question"], 2000),
        "element": element,
    }
    if q.get("optional"):
        block["optional"] = True
    if hint:
        block["hint"] = plain(hint, 2000)
    return block


def evaluation_modal(view: FormView, tr: Translator) -> dict:
    """The form; its ``private_metadata`` is the typed :class:`PromptForm`."""
    vm = view.vm
    intro = tr("evaluation.form.intro", title=vm["title"], when=when(vm, tr.lang))
    if vm["anonymous"]:
        note = tr("evaluation.form.anonymous")
    else:
        note = tr("evaluation.form.named", closes=closes(vm, tr.lang))
    blocks: Blocks = [section(intro), context(note)]
    answers = vm.get("answers") or {}
    for q in vm["questions"][:95]:
        blocks.append(_question(q, tr, answers.get(q["key"])))
    return {
        "type": "modal",
        "callback_id": View.EVALUATION,
        "private_metadata": encode(view.form),
        "title": plain(tr("evaluation.form.modal_title"), MODAL_TITLE),
        "submit": plain(tr("evaluation.form.submit_change" if vm.get("editing") else "evaluation.form.submit"), MODAL_TITLE),
        "close": plain(tr("evaluation.form.close"), MODAL_TITLE),
        "blocks": blocks,
    }


# -- results ----------------------------------------------------------------------


def _question_blocks(q: dict, tr: Translator) -> Blocks:
    rows = result_lines(tr, q, lambda value, bar, n: f"`{value:>2}` {bar} {n}", clip=500)
    return [section(p) for p in chunks("\n".join(rows))]


def evaluation_results(vm: dict, tr: Translator) -> dict:
    blocks: Blocks = [header(tr("evaluation.results.header", title=vm["title"]))]
    status = (
        tr("evaluation.results.closed")
        if vm["closed"]
        else tr("evaluation.results.open_until", closes=closes(vm, tr.lang))
    )
    kind = tr("evaluation.results.anonymous") if vm["anonymous"] else tr("evaluation.results.named")
    blocks.append(context(f"{when(vm, tr.lang)} · {status} · {kind}"))
    rate = round(100 * vm["responded"] / vm["prompted"]) if vm["prompted"] else 0
    blocks.append(section(tr("evaluation.results.rate", responded=vm["responded"], prompted=vm["prompted"], rate=rate)))
    if vm.get("hidden") == "threshold":
        blocks.append(section(tr("evaluation.results.below_threshold", count=vm["answers"], threshold=vm["threshold"])))
    elif vm.get("hidden") == "until_closed":
        blocks.append(section(tr("evaluation.results.until_closed", closes=closes(vm, tr.lang))))
    else:
        budget = 46
        for q in vm["questions"]:
            part = _question_blocks(q, tr)
            if len(blocks) + len(part) > budget:
                blocks.append(section(tr("evaluation.results.truncated", key=vm["session_key"])))
                break
            blocks.extend(part)
        if vm.get("evaluation_id"):
            blocks.append(context(tr("evaluation.results.export")))
            blocks.append(
                {
                    "type": "actions",
                    "block_id": Block.EVAL_RESULTS,
                    "elements": [button(tr("evaluation.button.export"), Action.EVAL_EXPORT, str(vm["evaluation_id"]))],
                }
            )
    return message(tr("evaluation.results.notification", title=vm["title"]), blocks[:50])


BUILDERS = {
    "evaluation_prompt": evaluation_prompt,
    "evaluation_reminder": evaluation_reminder,
    "evaluation_results": evaluation_results,
}
