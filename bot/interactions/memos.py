"""Memo interactions: the form, its preview, back to the form, sending; *Gelezen*; who has
read it.  Slack and Teams call these and render what comes back."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import ClassVar

from bot.context import Context
from bot.identity import User
from bot.interactions import actors
from bot.interactions.codec import parse_id
from bot.interactions.errors import Problems, Refused
from bot.models import Memo, Trajectory
from bot.services import memo_drafts, memos
from bot.services.memo_drafts import Draft
from bot.services.memos import AlreadySent, SendResult

__all__ = ["AlreadySent", "Draft", "MemoForm", "PreviewForm", "SendResult"]


@dataclass(frozen=True)
class MemoForm:
    """What the memo form carries back: the trajectory, and the draft when it is edited."""

    VERSION: ClassVar[int] = 1
    trajectory_id: int
    memo_id: int | None = None


@dataclass(frozen=True)
class PreviewForm:
    """What the preview carries back: the draft it shows."""

    VERSION: ClassVar[int] = 1
    memo_id: int


async def _form_vm(s, trajectory: Trajectory, user: User, memo: Memo | None = None, draft: Draft | None = None) -> dict:
    vm = await memo_drafts.form_options(s, trajectory)
    vm["form"] = MemoForm(trajectory.id, memo.id if memo is not None else None)
    vm["language"] = await actors.language_of(s, user, trajectory.language)
    if memo is not None and draft is None:
        draft = await memo_drafts.draft_of(s, memo)
    if draft is not None:
        vm["draft"] = asdict(draft)
    return vm


async def form(ctx: Context, user: User, trajectory_id) -> dict:
    """The empty memo form of a trajectory (trekkers only)."""
    async with ctx.db.sessionmaker() as s:
        trajectory = await actors.trajectory(s, parse_id(trajectory_id))
        await actors.trekker(s, trajectory, user)
        return await _form_vm(s, trajectory, user)


async def refill(ctx: Context, user: User, form_: MemoForm, draft: Draft) -> dict:
    """The form again, filled in with what was typed (to show its Problems next to it)."""
    async with ctx.db.sessionmaker() as s:
        trajectory = await actors.trajectory(s, form_.trajectory_id)
        await actors.trekker(s, trajectory, user)
        vm = await _form_vm(s, trajectory, user, draft=draft)
    vm["form"] = form_
    return vm


async def preview(ctx: Context, user: User, form_: MemoForm, draft: Draft) -> dict:
    """The filled-in form: checked with the service's rules (Problems per field), saved as
    the trekker's draft, and shown as it will arrive."""
    async with ctx.db.transaction() as s:
        trajectory = await actors.trajectory(s, form_.trajectory_id)
        author = await actors.trekker(s, trajectory, user)
        draft = memo_drafts.check(draft, await memo_drafts.form_options(s, trajectory))
        if await memo_drafts.reachable_count(s, trajectory, author, draft) == 0:
            raise Problems.one("audience", "memo.errors.nobody")
        memo = await memo_drafts.save_draft(s, ctx, trajectory, author, draft, form_.memo_id)
        vm = await memos.preview_vm(s, ctx, memo)
    vm["form"] = PreviewForm(memo.id)
    return vm


async def edit(ctx: Context, user: User, form_: PreviewForm) -> dict:
    """Back from the preview to the form, filled in with the draft (its author only)."""
    async with ctx.db.sessionmaker() as s:
        memo = await memos.load_own_draft(s, form_.memo_id, user)
        trajectory = await actors.trajectory(s, memo.trajectory_id)
        return await _form_vm(s, trajectory, user, memo)


async def ready(ctx: Context, user: User, form_: PreviewForm) -> None:
    """Refused (or AlreadySent) unless the draft can be sent now; changes nothing.
    Slack checks this before closing the modal, then sends."""
    async with ctx.db.sessionmaker() as s:
        memo = await memos.load_own_draft(s, form_.memo_id, user)
        await memos.check_reachable(s, memo)


async def send(ctx: Context, user: User, form_: PreviewForm) -> SendResult:
    """Send the previewed draft to its audience, in one transaction."""
    async with ctx.db.transaction() as s:
        return await memos.send(s, ctx, form_.memo_id, user)


async def read(ctx: Context, user: User, recipient_id) -> dict:
    """*Gelezen*: the memo as its recipient now sees it."""
    async with ctx.db.transaction() as s:
        return await memos.mark_read(s, ctx, parse_id(recipient_id), user)


async def shown(ctx: Context, user: User, recipient_id) -> dict:
    """The memo as its recipient sees it now, changing nothing (a web page's GET)."""
    async with ctx.db.sessionmaker() as s:
        return await memos.recipient_view(s, parse_id(recipient_id), user)


async def overview(ctx: Context, user: User, trajectory_id) -> dict:
    """Who has read the latest memos of a trajectory (trekkers only)."""
    async with ctx.db.sessionmaker() as s:
        trajectory = await actors.trajectory(s, parse_id(trajectory_id))
        await actors.trekker(s, trajectory, user)
        vm = await memos.read_overview(s, ctx, trajectory)
        vm["language"] = await actors.language_of(s, user, trajectory.language)
        return vm


async def memo_overview(ctx: Context, user: User, memo_id) -> dict:
    """Who has read one sent memo (the button on the trekker's confirmation)."""
    async with ctx.db.sessionmaker() as s:
        memo = await s.get(Memo, parse_id(memo_id) or 0)
        if memo is None or memo.status != "sent":
            raise Refused("memo.read_errors.unknown")
        trajectory = await actors.trajectory(s, memo.trajectory_id)
        await actors.trekker(s, trajectory, user)
        return await memos.read_overview(s, ctx, trajectory, memo_id=memo.id)
