"""Teams: the memo form card, its preview, sending; *Gelezen*; who has read it (parse,
call the use case, render).  ``memo`` and ``memo gelezen`` are the shared subcommand,
shown through the Teams surface (the ``memo`` form and the ``memo_status`` view)."""

from __future__ import annotations

from functools import partial

from microsoft_agents.hosting.core import AgentApplication, TurnContext

from bot.context import Context
from bot.interactions import memos as uc
from bot.interactions.codec import BadContext, decode, parse_id
from bot.interactions.errors import Problems, Refused
from bot.teams.cards.common import card, heading, text
from bot.teams.cards.memos import BUILDERS, MemoInput, memo_form, memo_preview, memo_status
from bot.teams.ids import Verb
from handlers.teams.common import Answer, acting, on_card

READ_CARDS = ("memo", "memo_reminder")


def _list(value) -> list[str]:
    """A multi-select answers with "a,b,c"."""
    if isinstance(value, list):
        return [str(v) for v in value if v]
    return [v for v in str(value or "").split(",") if v]


def read_draft(data: dict) -> uc.Draft:
    report = data.get(MemoInput.REPORT)
    return uc.Draft(
        title=str(data.get(MemoInput.TITLE) or ""),
        body=str(data.get(MemoInput.BODY) or ""),
        audience=str(data.get(MemoInput.AUDIENCE) or "") or None,
        roles=_list(data.get(MemoInput.ROLES)),
        organisations=_list(data.get(MemoInput.ORGANISATIONS)),
        session=str(data.get(MemoInput.SESSION) or "") or None,
        report=None if report in (None, "", "none") else str(report),
        reminder_days=parse_id(data.get(MemoInput.REMINDER)),
    )


async def on_preview(ctx: Context, context: TurnContext, data: dict) -> Answer:
    """The form was sent: checked by the use case (always on the server), then the preview."""
    user, tr = await acting(ctx, context)
    draft = read_draft(data)
    try:
        form = decode(uc.MemoForm, data)
        return Answer(card=memo_preview(await uc.preview(ctx, user, form, draft), tr))
    except BadContext:
        return Answer(text=tr("memo.errors.unknown"))
    except Refused as refused:
        return Answer(text=refused.text(tr))
    except Problems as problems:
        return Answer(card=memo_form(await uc.refill(ctx, user, form, draft), tr, problems.texts(tr)))


async def on_edit(ctx: Context, context: TurnContext, data: dict) -> Answer:
    """Back from the preview to the form, filled in with the draft."""
    user, tr = await acting(ctx, context)
    try:
        return Answer(card=memo_form(await uc.edit(ctx, user, decode(uc.PreviewForm, data)), tr))
    except BadContext:
        return Answer(text=tr("memo.errors.unknown"))
    except Refused as refused:
        return Answer(text=refused.text(tr))


async def on_send(ctx: Context, context: TurnContext, data: dict) -> Answer:
    user, tr = await acting(ctx, context)
    try:
        result = await uc.send(ctx, user, decode(uc.PreviewForm, data))
    except BadContext:
        return Answer(text=tr("memo.errors.unknown"))
    except Refused as refused:
        return Answer(text=refused.text(tr))
    done = tr("memo.sent.body", title=result.memo.title, count=result.sent)
    return Answer(card=card(heading(tr("memo.preview.modal_title")) + text(done)))


async def on_read(ctx: Context, context: TurnContext, data: dict) -> Answer:
    user, tr = await acting(ctx, context)
    try:
        vm = await uc.read(ctx, user, data.get("recipient_id"))
    except Refused as refused:
        return Answer(text=refused.text(tr))
    name = data.get("card") if data.get("card") in READ_CARDS else "memo"
    return Answer(card=BUILDERS[name](vm, tr)["card"])


async def on_status(ctx: Context, context: TurnContext, data: dict) -> Answer:
    user, tr = await acting(ctx, context)
    try:
        return Answer(reply=memo_status(await uc.memo_overview(ctx, user, data.get("memo_id")), tr))
    except Refused as refused:
        return Answer(text=refused.text(tr))


def register(agent: AgentApplication, ctx: Context, chat) -> None:
    for verb, handler in ((Verb.MEMO_PREVIEW, on_preview), (Verb.MEMO_EDIT, on_edit), (Verb.MEMO_SEND, on_send),
                          (Verb.MEMO_READ, on_read), (Verb.MEMO_STATUS, on_status)):
        on_card(agent, verb, partial(handler, ctx))
