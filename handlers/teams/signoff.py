"""Teams: the ``ondertekenen`` form, and the decision buttons on the request (agree at
once; "Niet akkoord" and "Vraag stellen" turn the card into a short form).  Parse, call
the use case, render; answers are in the language of the person who acts."""

from __future__ import annotations

from functools import partial

from microsoft_agents.hosting.core import AgentApplication, TurnContext

from bot import lines
from bot.context import Context
from bot.identity import User
from bot.interactions import signoff as uc
from bot.interactions.codec import BadContext, decode
from bot.interactions.errors import Problems, Refused
from bot.teams.cards.commitments import done_card
from bot.teams.cards.signoff import BUILDERS, FIELDS, SignInput, note_form, start_form
from bot.teams.ids import Verb
from handlers.teams.common import Answer, acting, on_card

NOTE_FIELDS = {"note": SignInput.NOTE}


def _ids(value) -> list:
    return value if isinstance(value, list) else [v for v in str(value or "").split(",") if v]


async def request_card(ctx: Context, user: User, tr, data: dict) -> dict:
    """The request as it is now, on the card the button was pressed on."""
    vm = await uc.request_view(ctx, user, data.get("request_id"))
    name = data.get("card") if data.get("card") in uc.CARDS else "signoff_request"
    return BUILDERS[name](vm, tr)["card"]


async def on_start_submit(ctx: Context, context: TurnContext, data: dict) -> Answer:
    user, tr = await acting(ctx, context)
    given = uc.StartInput(
        title=str(data.get(SignInput.TITLE) or ""),
        link=str(data.get(SignInput.LINK) or "").strip(),
        organisations=_ids(data.get(SignInput.ORGANISATIONS)),
        deadline=str(data.get(SignInput.DEADLINE) or "") or None,
    )
    try:
        form = decode(uc.StartForm, data)
        started = await uc.start(ctx, user, form, given)
    except BadContext:
        return Answer(text=tr("command.unknown_trajectory_record"))
    except Refused as refused:
        return Answer(text=refused.text(tr))
    except Problems as problems:
        vm = await uc.start_form(ctx, user, form.trajectory_id)
        vm["values"] = {k: str(data.get(k)) for k in FIELDS.values() if data.get(k) is not None}
        errors = {FIELDS[name]: text for name, text in problems.texts(tr).items()}
        return Answer(card=start_form(vm, tr, errors))
    return Answer(card=done_card(tr("signoff.modal.start_title"), lines.signoff_started(tr, started)))


async def on_agree(ctx: Context, context: TurnContext, data: dict) -> Answer:
    user, tr = await acting(ctx, context)
    try:
        await uc.agree(ctx, user, data.get("request_id"))
        return Answer(card=await request_card(ctx, user, tr, data))
    except Refused as refused:
        return Answer(text=refused.text(tr))


async def open_note(ctx: Context, context: TurnContext, data: dict, kind: str) -> Answer:
    user, tr = await acting(ctx, context)
    try:
        return Answer(card=note_form(await uc.note_form(ctx, user, data.get("request_id"), kind, data.get("card")), tr))
    except Refused as refused:
        return Answer(text=refused.text(tr))


async def on_decline(ctx: Context, context: TurnContext, data: dict) -> Answer:
    return await open_note(ctx, context, data, "decline")


async def on_question(ctx: Context, context: TurnContext, data: dict) -> Answer:
    return await open_note(ctx, context, data, "question")


async def on_note_submit(ctx: Context, context: TurnContext, data: dict) -> Answer:
    user, tr = await acting(ctx, context)
    note = str(data.get(SignInput.NOTE) or "").strip()
    try:
        form = decode(uc.NoteForm, data)
        await uc.submit_note(ctx, user, form, note)
        if form.kind == "question":
            return Answer(card=done_card(tr("signoff.modal.question_title"), tr("signoff.saved_question")))
        return Answer(card=await request_card(ctx, user, tr, {"request_id": form.request_id, "card": form.card}))
    except BadContext:
        return Answer(text=tr("signoff.unknown"))
    except Refused as refused:
        return Answer(text=refused.text(tr))
    except Problems as problems:
        shown = await uc.note_form(ctx, user, form.request_id, form.kind, form.card)
        errors = {NOTE_FIELDS[name]: text for name, text in problems.texts(tr).items()}
        return Answer(card=note_form(shown, tr, errors, {SignInput.NOTE: note}))


async def on_back(ctx: Context, context: TurnContext, data: dict) -> Answer:
    """"Annuleren" on the note form: the request again (also after the deadline)."""
    user, tr = await acting(ctx, context)
    try:
        return Answer(card=await request_card(ctx, user, tr, data))
    except Refused as refused:
        return Answer(text=refused.text(tr))


def register(agent: AgentApplication, ctx: Context, chat) -> None:
    for verb, handler in (
        (Verb.SIGN_START_SUBMIT, on_start_submit),
        (Verb.SIGN_AGREE, on_agree),
        (Verb.SIGN_DECLINE, on_decline),
        (Verb.SIGN_QUESTION, on_question),
        (Verb.SIGN_NOTE_SUBMIT, on_note_submit),
        (Verb.SIGN_BACK, on_back),
    ):
        on_card(agent, verb, partial(handler, ctx))
