"""Teams: "Wie was er?": the button on the question card turns it into a form; its
submission saves who came.  Parse, call the use case, render."""

from __future__ import annotations

from functools import partial

from microsoft_agents.hosting.core import AgentApplication, TurnContext

from bot.context import Context
from bot.interactions import attendance as uc
from bot.interactions.codec import BadContext, decode
from bot.interactions.errors import Problems, Refused
from bot.teams.cards.attendance import attendance_form
from bot.teams.cards.commitments import done_card
from bot.teams.ids import Input, Verb
from handlers.teams.common import Answer, acting, on_card


def _ids(value) -> list[str]:
    return [str(v) for v in value] if isinstance(value, list) else [v for v in str(value or "").split(",") if v]


async def on_open(ctx: Context, context: TurnContext, data: dict) -> Answer:
    user, tr = await acting(ctx, context)
    try:
        return Answer(card=attendance_form(await uc.open_form(ctx, user, data.get("session_id")), tr))
    except Refused as refused:
        return Answer(text=refused.text(tr))


async def on_submit(ctx: Context, context: TurnContext, data: dict) -> Answer:
    user, tr = await acting(ctx, context)
    try:
        form = decode(uc.AttendanceForm, data)
        saved = await uc.record(ctx, user, form, _ids(data.get(Input.ATTEND_PEOPLE)))
    except BadContext:
        return Answer(text=tr("attendance.unknown_session"))
    except Refused as refused:
        return Answer(text=refused.text(tr))
    except Problems as problems:
        vm = await uc.open_form(ctx, user, form.session_id)
        errors = {Input.ATTEND_PEOPLE: text for text in problems.texts(tr).values()}
        return Answer(card=attendance_form(vm, tr, errors))
    text = tr("attendance.saved", present=saved.present, invited=saved.invited, prompted=saved.prompted)
    return Answer(card=done_card(tr("attendance.modal.title"), text))


def register(agent: AgentApplication, ctx: Context, chat) -> None:
    on_card(agent, Verb.ATTEND_OPEN, partial(on_open, ctx))
    on_card(agent, Verb.ATTEND_SUBMIT, partial(on_submit, ctx))
