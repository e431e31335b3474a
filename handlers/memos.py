"""Slack: ``/dialoog memo`` (the form, the preview, sending), *Gelezen*, who has read it
(parse, call the use case, render)."""

from __future__ import annotations

import logging

from slack_bolt.async_app import AsyncApp

from bot.interactions import memos as uc
from bot.interactions.codec import BadContext, decode, parse_id
from bot.interactions.errors import Problems, Refused
from bot.slack import surface
from bot.slack.blocks.common import lines_reply
from bot.slack.blocks.memos import memo_form, memo_notice, memo_preview, memo_status
from bot.slack.forms import state_value, values_of
from bot.slack.ids import Action, Block, View
from handlers import commands

__all__ = ["do_memo", "register", "register_commands"]

log = logging.getLogger(__name__)

STATUS_WORDS = ("gelezen", "status", "read")
FIELD_BLOCKS = {
    "title": Block.MEMO_TITLE,
    "body": Block.MEMO_BODY,
    "audience": Block.MEMO_AUDIENCE,
    "roles": Block.MEMO_ROLES,
    "organisations": Block.MEMO_ORGS,
    "session": Block.MEMO_SESSION,
    "report": Block.MEMO_REPORT,
    "reminder": Block.MEMO_REMINDER_DAYS,
}


def read_draft(view: dict) -> uc.Draft:
    values = values_of(view)
    report = state_value(values, Block.MEMO_REPORT, Action.MEMO_REPORT)
    return uc.Draft(
        title=state_value(values, Block.MEMO_TITLE, Action.MEMO_TITLE) or "",
        body=state_value(values, Block.MEMO_BODY, Action.MEMO_BODY) or "",
        audience=state_value(values, Block.MEMO_AUDIENCE, Action.MEMO_AUDIENCE),
        roles=state_value(values, Block.MEMO_ROLES, Action.MEMO_ROLES) or [],
        organisations=state_value(values, Block.MEMO_ORGS, Action.MEMO_ORGS) or [],
        session=state_value(values, Block.MEMO_SESSION, Action.MEMO_SESSION) or None,
        report=None if report in (None, "", "none") else report,
        reminder_days=parse_id(state_value(values, Block.MEMO_REMINDER_DAYS, Action.MEMO_REMINDER)),
    )


def error_blocks(view: dict, problems: Problems, tr) -> dict[str, str]:
    """Errors by input block; one whose input is not in this view goes to the audience."""
    present = {b.get("block_id") for b in view.get("blocks", [])}
    out: dict[str, str] = {}
    for name, text in problems.texts(tr).items():
        block = FIELD_BLOCKS.get(name, Block.MEMO_AUDIENCE)
        block = block if block in present else Block.MEMO_AUDIENCE
        out[block] = f"{out[block]} {text}" if block in out else text
    return out


async def tell(respond, text: str) -> None:
    """A short answer to the clicker only, when the click came with a way to answer (a
    click inside a modal has none; a refused one there is only logged)."""
    if respond is not None and respond.response_url:
        await respond(response_type="ephemeral", replace_original=False, **lines_reply([text]))


async def on_form(ack, view: dict, context):
    """The form was sent: checked by the use case, answered with the preview."""
    tr = context["tr"]
    try:
        form = decode(uc.MemoForm, view.get("private_metadata"))
        vm = await uc.preview(context["ctx"], context["user"], form, read_draft(view))
    except BadContext:
        await ack(response_action="errors", errors={Block.MEMO_TITLE: tr("memo.errors.unknown")})
    except Problems as problems:
        await ack(response_action="errors", errors=error_blocks(view, problems, tr))
    except Refused as refused:
        await ack(response_action="errors", errors={Block.MEMO_TITLE: refused.text(tr)})
    else:
        await ack(response_action="update", view=memo_preview(vm, tr))


def preview_of(view: dict, action: dict) -> uc.PreviewForm:
    """The preview this "Aanpassen" belongs to; BadContext when the click did not come
    from the clicker's open preview of that memo (no view, another modal, another memo)."""
    if not view.get("id") or view.get("callback_id") != View.MEMO_PREVIEW:
        raise BadContext("not from a memo preview")
    form = decode(uc.PreviewForm, view.get("private_metadata"))
    if parse_id(action.get("value")) != form.memo_id:
        raise BadContext("another memo")
    return form


async def on_edit(ack, body: dict, action: dict, client, respond, context):
    """Back from the preview to the form, filled in with the draft."""
    await ack()
    tr, view = context["tr"], body.get("view") or {}
    try:
        form = preview_of(view, action)
    except BadContext as bad:
        log.info("memo edit refused: %s", bad)
        await tell(respond, tr("memo.errors.unknown"))
        return
    try:
        shown = memo_form(await uc.edit(context["ctx"], context["user"], form), tr)
    except Refused as refused:
        shown = memo_notice(refused.text(tr), tr)
    await client.views_update(view_id=view["id"], hash=view.get("hash"), view=shown)


async def on_preview_read(ack):
    await ack()  # the Gelezen button inside the preview does nothing


async def on_send(ack, view: dict, context):
    """"Versturen": checked first, the modal closed, then the memo sent (hundreds of outbox
    rows must not hold up Slack's 3 seconds)."""
    tr, ctx, user = context["tr"], context["ctx"], context["user"]
    try:
        form = decode(uc.PreviewForm, view.get("private_metadata"))
        await uc.ready(ctx, user, form)
    except uc.AlreadySent:
        await ack()  # pressed twice: it is on its way
        return
    except (BadContext, Refused) as no:
        text = no.text(tr) if isinstance(no, Refused) else tr("memo.errors.unknown")
        await ack(response_action="update", view=memo_notice(text, tr))
        return
    await ack()
    try:
        await uc.send(ctx, user, form)
    except Refused as refused:  # changed in between (sent from elsewhere, audience gone)
        log.info("memo %s not sent: %s", form.memo_id, refused.key)


async def on_read(ack, action: dict, respond, context):
    await ack()
    try:
        await uc.read(context["ctx"], context["user"], action.get("value"))
    except Refused as refused:
        await tell(respond, refused.text(context["tr"]))


async def on_status(ack, action: dict, respond, context):
    await ack()
    tr = context["tr"]
    try:
        vm = await uc.memo_overview(context["ctx"], context["user"], action.get("value"))
    except Refused as refused:
        await tell(respond, refused.text(tr))
        return
    await respond(response_type="ephemeral", replace_original=False, **memo_status(vm, tr))


def register_commands() -> None:
    surface.add_view("memo_status", memo_status)
    surface.add_form("memo", memo_form)


def register(app: AsyncApp, ctx=None) -> None:
    register_commands()
    app.view(View.MEMO_FORM)(on_form)
    app.action(Action.MEMO_EDIT)(on_edit)
    app.action(Action.MEMO_PREVIEW_READ)(on_preview_read)
    app.view(View.MEMO_PREVIEW)(on_send)
    app.action(Action.MEMO_READ)(on_read)
    app.action(Action.MEMO_STATUS)(on_status)


# -- the subcommand (Slack and Teams) --------------------------------------------------


async def do_memo(call: commands.Call) -> None:
    """``/dialoog memo``: the form (a modal); ``memo gelezen``: who has read the latest memos."""
    trajectory = await commands.trajectory_for(call)
    status = bool(call.words) and call.words[0].lower() in STATUS_WORDS
    try:
        vm = await (uc.overview if status else uc.form)(call.ctx, call.user, trajectory.id)
    except Refused as refused:
        await call.say_lines([refused.text(call.tr)])
        return
    call.use_language(vm["language"])
    if status:
        await call.show("memo_status", vm)
    else:
        await call.open_form("memo", vm)
