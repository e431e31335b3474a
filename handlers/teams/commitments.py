"""Teams: commitment buttons and forms (parse, call the use case, render)."""

from __future__ import annotations

from functools import partial

from microsoft_agents.hosting.core import AgentApplication, TurnContext

from bot import lines
from bot.context import Context
from bot.identity import User
from bot.interactions import commitments as uc
from bot.interactions.codec import BadContext, decode
from bot.interactions.errors import Problems, Refused
from bot.teams.cards.commitments import BUILDERS, add_form, done_card, status_form
from bot.teams.ids import ORIGIN_MINE, Input, Verb
from bot.teams.text import translator
from handlers.teams.common import Answer, acting, on_card
from handlers.teams.home import overview

CARDS = ("commitment_reminder", "commitment_new")
STATUS_FIELDS = {"note": Input.NOTE, "snooze_date": Input.SNOOZE_DATE}
ADD_FIELDS = {
    "organisation": Input.ADD_ORG,
    "owner": Input.ADD_OWNER,
    "description": Input.ADD_DESC,
    "due": Input.ADD_DUE,
    "phase": Input.ADD_PHASE,
}


def field_errors(problems: Problems, inputs: dict[str, str], tr) -> dict[str, str]:
    return {inputs[name]: text for name, text in problems.texts(tr).items() if name in inputs}


async def commitment_card(ctx: Context, user: User, data: dict, notice: str | None = None, check: bool = False) -> dict | None:
    """The card the button was on, as it is now (``check``: only if ``user`` may change it)."""
    if check and await uc.shown(ctx, data.get("commitment_id"), user) is None:
        return None
    if data.get("origin") == ORIGIN_MINE:
        return await overview(ctx, user, notice)
    found = await uc.shown(ctx, data.get("commitment_id"))
    if found is None:
        return None
    name = data.get("card") if data.get("card") in CARDS else "commitment_reminder"
    return BUILDERS[name](found.vm, translator(found.lang))["card"]


async def on_status(ctx: Context, context: TurnContext, data: dict) -> Answer:
    user, tr = await acting(ctx, context)
    try:
        pressed = await uc.press(ctx, user, data.get("commitment_id"), str(data.get("to")), str(data.get("origin") or "message"), data.get("card"))
    except Refused as refused:
        return Answer(text=refused.text(tr))
    if pressed.form is not None:
        return Answer(card=status_form(pressed.form, tr))
    return Answer(card=await commitment_card(ctx, user, data))


async def on_status_submit(ctx: Context, context: TurnContext, data: dict) -> Answer:
    """The status form, validated by the use case whatever the client checked."""
    user, tr = await acting(ctx, context)
    given = uc.StatusInput(
        note=str(data.get(Input.NOTE) or "").strip(),
        snooze=str(data.get(Input.SNOOZE_CHOICE) or "week"),
        snooze_date=str(data.get(Input.SNOOZE_DATE) or "") or None,
    )
    try:
        form = decode(uc.StatusForm, data)
        await uc.submit_status(ctx, user, form, given)
    except BadContext:
        return Answer(text=tr("commitment.unknown"))
    except Problems as problems:
        values = {k: data.get(k) for k in (Input.NOTE, Input.SNOOZE_CHOICE, Input.SNOOZE_DATE) if data.get(k)}
        return Answer(card=status_form(form, tr, field_errors(problems, STATUS_FIELDS, tr), values))
    except Refused as refused:
        return Answer(text=refused.text(tr))
    return Answer(card=await commitment_card(ctx, user, data))


async def on_round(ctx: Context, context: TurnContext, data: dict) -> Answer:
    user, tr = await acting(ctx, context)
    try:
        done = await uc.reminder_round(ctx, user, data.get("trajectory_id"))
    except Refused as refused:
        return Answer(text=refused.text(tr))
    text = "\n".join(lines.round_lines(tr, done))
    if data.get("origin") == ORIGIN_MINE:
        return Answer(card=await overview(ctx, user, text))
    return Answer(text=text)


async def on_add_submit(ctx: Context, context: TurnContext, data: dict) -> Answer:
    user, tr = await acting(ctx, context)
    given = uc.NewInput(
        organisation=data.get(Input.ADD_ORG),
        owner=data.get(Input.ADD_OWNER),
        description=str(data.get(Input.ADD_DESC) or ""),
        due=str(data.get(Input.ADD_DUE) or "") or None,
        phase=data.get(Input.ADD_PHASE),
    )
    try:
        form = decode(uc.AddForm, data)
        c = await uc.add(ctx, user, form, given)
    except BadContext:
        return Answer(text=tr("commitment.unknown"))
    except Refused as refused:
        return Answer(text=refused.text(tr))
    except Problems as problems:
        vm = await uc.add_form(ctx, user, form.trajectory_id)
        vm["values"] = {field: data.get(field) for field in ADD_FIELDS.values() if data.get(field)}
        return Answer(card=add_form(vm, tr, field_errors(problems, ADD_FIELDS, tr)))
    return Answer(card=done_card(tr("commitment.add_modal.title"), lines.commitment_added(tr, c)))


async def on_back(ctx: Context, context: TurnContext, data: dict) -> Answer:
    """"Annuleren" on a form: the card it came from, unchanged."""
    user, tr = await acting(ctx, context)
    shown = await commitment_card(ctx, user, data, check=True)
    if shown is None:
        return Answer(text=tr("teams.form_closed"))
    return Answer(card=shown)


def register(agent: AgentApplication, ctx: Context, chat) -> None:
    for verb, handler in (
        (Verb.COMMIT, on_status),
        (Verb.COMMIT_SUBMIT, on_status_submit),
        (Verb.COMMIT_ROUND, on_round),
        (Verb.COMMIT_ADD_SUBMIT, on_add_submit),
        (Verb.BACK, on_back),
    ):
        on_card(agent, verb, partial(handler, ctx))
