"""Memos in Teams: the form card (``memo``), its preview, sending; *Gelezen*; who has read it.

``memo`` and ``memo gelezen`` are the Slack subcommand (``handlers.memos``), shown
through the Teams surface (the ``memo`` form and the ``memo_status`` view)."""

from __future__ import annotations

from dataclasses import asdict

from microsoft_agents.hosting.core import AgentApplication, TurnContext

from bot.context import Context
from bot.models import Memo, MemoRecipient, Session, Trajectory
from bot.services import directory, memos
from bot.teams.cards.memos import FIELD_INPUTS, BUILDERS, MemoInput, memo_form, memo_preview, memo_status
from bot.teams.cards.common import card, heading, text
from bot.teams.ids import Verb
from bot.teams.text import translator
from handlers.teams.common import Answer, number, on_card, teams_user


def _list(value) -> list[str]:
    """A multi-select answers with "a,b,c"."""
    if isinstance(value, list):
        return [str(v) for v in value if v]
    return [v for v in str(value or "").split(",") if v]


def read_draft(data: dict) -> memos.Draft:
    report = data.get(MemoInput.REPORT)
    return memos.Draft(
        title=str(data.get(MemoInput.TITLE) or ""),
        body=str(data.get(MemoInput.BODY) or ""),
        audience=data.get(MemoInput.AUDIENCE) or None,
        roles=_list(data.get(MemoInput.ROLES)),
        organisations=_list(data.get(MemoInput.ORGANISATIONS)),
        session=data.get(MemoInput.SESSION) or None,
        report=None if report in (None, "", "none") else report,
        reminder_days=number(data.get(MemoInput.REMINDER)) or None,
    )


def register(agent: AgentApplication, ctx: Context, chat) -> None:
    async def form_vm(s, trajectory: Trajectory, draft: dict | None = None, memo_id: int | None = None) -> dict:
        vm = await memos.form_options(s, ctx, trajectory)
        if draft is not None:
            vm["draft"] = draft
        if memo_id:
            vm["memo_id"] = memo_id
        return vm

    async def on_preview(context: TurnContext, data: dict) -> Answer:
        """The form was sent: check it (always on the server), then show the preview."""
        user = teams_user(context)
        draft = read_draft(data)
        async with ctx.db.transaction() as s:
            trajectory = await s.get(Trajectory, number(data.get("trajectory_id")))
            tr = translator(trajectory.language if trajectory else "nl")
            author = await directory.person_in(s, trajectory.id, user) if trajectory else None
            if author is None or not author.has_role("trekker"):
                return Answer(text=tr("memo.errors.not_yours"))
            options = await memos.form_options(s, ctx, trajectory)
            errors = memos.validate(draft, options)
            if not errors and await memos.reachable_count(s, trajectory, author, draft) == 0:
                errors["audience"] = "nobody"
            if errors:
                vm = await form_vm(s, trajectory, asdict(draft), number(data.get("memo_id")) or None)
                shown = {FIELD_INPUTS[f]: tr(f"memo.errors.{code}") for f, code in errors.items()}
                return Answer(card=memo_form(vm, tr, shown))
            memo = await memos.save_draft(s, ctx, trajectory, author, draft, number(data.get("memo_id")) or None)
            if memo is None:
                return Answer(text=tr("memo.errors.unknown"))
            vm = await memos.preview_vm(s, ctx, memo)
        return Answer(card=memo_preview(vm, tr))

    async def on_edit(context: TurnContext, data: dict) -> Answer:
        """Back from the preview to the form, filled in with the draft."""
        async with ctx.db.sessionmaker() as s:
            memo, problem = await memos.load_own_draft(s, number(data.get("memo_id")), teams_user(context))
            trajectory = await s.get(Trajectory, memo.trajectory_id) if memo else None
            tr = translator(trajectory.language if trajectory else "nl")
            if problem:
                return Answer(text=tr(f"memo.errors.{problem}"))
            session = await s.get(Session, memo.session_id) if memo.session_id else None
            draft = asdict(memos.draft_of(memo, session.key if session else None))
            vm = await form_vm(s, trajectory, draft, memo.id)
        return Answer(card=memo_form(vm, tr))

    async def on_send(context: TurnContext, data: dict) -> Answer:
        user = teams_user(context)
        memo_id = number(data.get("memo_id"))
        async with ctx.db.transaction() as s:
            result = await memos.send(s, ctx, memo_id, user)
            trajectory = await s.get(Trajectory, result.memo.trajectory_id) if result.memo else None
        tr = translator(trajectory.language if trajectory else "nl")
        if not result.ok:
            return Answer(text=tr(f"memo.errors.{result.reason}"))
        ctx.wake_dispatcher()
        done = tr("memo.sent.body", title=result.memo.title, count=result.sent)
        return Answer(card=card(heading(tr("memo.preview.modal_title")) + text(done)))

    async def on_read(context: TurnContext, data: dict) -> Answer:
        user = teams_user(context)
        recipient_id = number(data.get("recipient_id"))
        async with ctx.db.transaction() as s:
            result = await memos.mark_read(s, ctx, recipient_id, user)
        tr = translator(result.language or "nl")
        if not result.ok:
            return Answer(text=tr(f"memo.read_errors.{result.reason}"))
        if result.changed:
            ctx.wake_dispatcher()
        async with ctx.db.sessionmaker() as s:
            recipient = await s.get(MemoRecipient, recipient_id)
            memo = await s.get(Memo, recipient.memo_id)
            vm = dict(await memos.message_vm(s, memo), recipient_id=recipient.id, read_at=recipient.read_at.isoformat())
        name = data.get("card") if data.get("card") in ("memo", "memo_reminder") else "memo"
        return Answer(card=BUILDERS[name](vm, tr)["card"])

    async def on_status(context: TurnContext, data: dict) -> Answer:
        user = teams_user(context)
        async with ctx.db.sessionmaker() as s:
            memo = await s.get(Memo, number(data.get("memo_id")))
            trajectory = await s.get(Trajectory, memo.trajectory_id) if memo else None
            allowed = trajectory is not None and await directory.is_trekker(s, trajectory.id, user)
            vm = await memos.read_overview(s, ctx, trajectory, memo_id=memo.id) if allowed else None
        tr = translator(trajectory.language if trajectory else "nl")
        if not allowed:
            return Answer(text=tr("memo.errors.not_yours"))
        return Answer(reply=memo_status(vm, tr))

    on_card(agent, Verb.MEMO_PREVIEW, on_preview)
    on_card(agent, Verb.MEMO_EDIT, on_edit)
    on_card(agent, Verb.MEMO_SEND, on_send)
    on_card(agent, Verb.MEMO_READ, on_read)
    on_card(agent, Verb.MEMO_STATUS, on_status)
