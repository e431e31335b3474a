"""Teams: "Evaluatie invullen" turns the prompt card into the form; sending it checks
every answer on the server (clear messages under the questions), stores it and turns
the card into "Bedankt".  "Download als Excel" on the results sends the answers as a
file in the trekker's personal chat.  ``evaluatie <sessie>`` is in the command table.
(Parse, call the use case, render.)"""

from __future__ import annotations

from functools import partial

from microsoft_agents.hosting.core import AgentApplication, TurnContext

from bot.context import Context
from bot.i18n import Translator
from bot.identity import User
from bot.interactions import evaluations as uc
from bot.interactions.codec import BadContext, decode
from bot.interactions.errors import Problems, Refused
from bot.teams.cards.evaluations import BUILDERS, evaluation_form, input_id, shown_answers
from bot.teams.ids import Verb
from handlers.teams.common import Answer, acting, on_card


def read_answers(questions: list[dict], data: dict) -> dict:
    """Question key -> what was submitted (a multi-select answers "0,2")."""
    raw = {}
    for q in questions:
        value = data.get(input_id(q["key"]))
        if q["type"] == "multi" and isinstance(value, str):
            value = [v for v in value.split(",") if v]
        raw[q["key"]] = value
    return raw


async def prompt_card(ctx: Context, user: User, tr: Translator, prompt_id, card: str | None) -> dict:
    """The person's own prompt card as it is now (open, done or closed)."""
    shown = await uc.prompt_view(ctx, user, prompt_id, card)
    return BUILDERS[shown.template](shown.vm, tr)["card"]


async def on_open(ctx: Context, context: TurnContext, data: dict) -> Answer:
    user, tr = await acting(ctx, context)
    try:
        view = await uc.open_form(ctx, user, data.get("prompt_id"), data.get("card"))
    except Refused as refused:
        return Answer(text=refused.text(tr))
    return Answer(card=evaluation_form(view, tr))


async def on_submit(ctx: Context, context: TurnContext, data: dict) -> Answer:
    user, tr = await acting(ctx, context)
    try:
        form = decode(uc.PromptForm, data)
        view = await uc.open_form(ctx, user, form.prompt_id, form.card)
        raw = read_answers(view.questions, data)
        await uc.submit(ctx, user, view.form, raw)
        return Answer(card=await prompt_card(ctx, user, tr, form.prompt_id, form.card))
    except BadContext:
        return Answer(text=tr("evaluation.errors.unknown"))
    except Problems as problems:
        return Answer(card=evaluation_form(view, tr, problems.texts(tr), shown_answers(view.questions, raw)))
    except Refused as refused:
        return Answer(text=refused.text(tr))


async def on_back(ctx: Context, context: TurnContext, data: dict) -> Answer:
    """"Annuleren" on the form: the prompt card again."""
    user, tr = await acting(ctx, context)
    try:
        return Answer(card=await prompt_card(ctx, user, tr, data.get("prompt_id"), data.get("card")))
    except Refused as refused:
        return Answer(text=refused.text(tr))


async def on_export(ctx: Context, context: TurnContext, data: dict) -> Answer:
    user, tr = await acting(ctx, context)
    try:
        params = await uc.export(ctx, user, data.get("evaluation_id"))
    except Refused as refused:
        return Answer(text=refused.text(tr))
    return Answer(text=tr("evaluation.export.sent", **params))


def register(agent: AgentApplication, ctx: Context, chat) -> None:
    on_card(agent, Verb.EVAL_OPEN, partial(on_open, ctx))
    on_card(agent, Verb.EVAL_EXPORT, partial(on_export, ctx))
    on_card(agent, Verb.EVAL_SUBMIT, partial(on_submit, ctx))
    on_card(agent, Verb.EVAL_BACK, partial(on_back, ctx))
