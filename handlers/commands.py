"""The ``/dialoog`` slash command: parse, call a service, answer ephemerally.

Which word runs which handler is in one table, ``handlers.command_table``."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Awaitable, Callable, Protocol

from slack_bolt.async_app import AsyncApp

from bot.context import Context
from bot import lines as bot_lines
from bot.formatting import format_count, format_datetime
from bot.i18n import Translator
from bot.identity import User, slack
from bot.models import Session, Trajectory
from bot.interactions import invitations as invitations_uc
from bot.interactions import targets
from bot.interactions.errors import Refused
from bot.services import directory
from bot.slack.surface import SlackSurface

class Surface(Protocol):
    """What a subcommand may show, per platform (Slack: ephemeral answers and modals;
    Teams: replies and cards).  ``bot.slack.surface`` and ``bot.teams.surface``."""

    platform: str

    def translator(self, lang: str | None) -> Translator: ...

    async def text(self, text: str) -> None: ...

    async def lines(self, lines: list[str]) -> None: ...

    async def show(self, view: str, vm: dict, tr: Translator) -> None: ...

    async def open_form(self, form: str, vm: dict, tr: Translator) -> None: ...


@dataclass
class Call:
    ctx: Context
    user: User
    channel_id: str | None
    channel_name: str | None
    words: list[str]
    trajectory_key: str | None
    respond: Callable[..., Awaitable[Any]] | None = None
    tr: Translator | None = None
    trigger_id: str | None = None
    client: Any = None
    surface: Surface | None = None

    def __post_init__(self) -> None:
        if self.surface is None:
            self.surface = SlackSurface(self.respond, self.client, self.trigger_id)
        if self.tr is None:
            self.tr = self.surface.translator("nl")

    @property
    def user_id(self) -> str:
        return self.user.id

    @property
    def platform(self) -> str:
        return self.surface.platform

    def use_language(self, lang: str | None) -> None:
        """Answer in ``lang`` from now on.  The Call starts in the acting person's
        language (their own, else their trajectory's); few answers need another."""
        self.tr = self.surface.translator(lang)

    async def say(self, key: str, /, **params: Any) -> None:
        await self.surface.text(self.tr(key, **params))

    async def say_lines(self, lines: list[str]) -> None:
        await self.surface.lines(lines)

    async def show(self, view: str, vm: dict) -> None:
        """A ready answer for this person only (e.g. ``rsvp_status``, ``mine``)."""
        await self.surface.show(view, vm, self.tr)

    async def open_form(self, form: str, vm: dict) -> None:
        """A form to fill in (Slack: a modal; Teams: a card with inputs)."""
        await self.surface.open_form(form, vm, self.tr)


class Stop(Exception):
    """The user has been told why; nothing more to do."""


def parse(text: str) -> tuple[str | None, str, list[str]]:
    """(trajectory key, subcommand, arguments) from the command text."""
    key, rest = directory.split_trajectory_word(text or "")
    words = rest.split()
    return key, (words[0].lower() if words else "help"), words[1:]


async def trajectory_for(call: Call) -> Trajectory:
    found = await targets.trajectory(call.ctx, call.user, call.trajectory_key, call.channel_id, call.channel_name)
    if found.trajectory is None:
        choices = ", ".join(f"`{c}`" for c in found.choices or []) or "-"
        example = (found.choices or ["naam"])[0]
        await call.say(f"command.{found.problem}", word=found.word or "", choices=choices, example=example)
        raise Stop
    return found.trajectory


async def require_trekker(call: Call, trajectory: Trajectory) -> None:
    try:
        await targets.trekker(call.ctx, trajectory, call.user)
    except Refused as refused:
        await call.say_lines([refused.text(call.tr)])
        raise Stop


async def session_for(call: Call, trajectory: Trajectory, command: str) -> Session:
    found = await targets.session(call.ctx, trajectory.id, call.words[0] if call.words else None)
    session = found.session
    choices = ", ".join(f"`{k}`" for k in found.keys) or "-"
    if not call.words:
        await call.say("command.missing_session", command=command, trajectory=trajectory.title, choices=choices)
        raise Stop
    if session is None:
        await call.say("command.unknown_session", word=call.words[0], trajectory=trajectory.title, choices=choices)
        raise Stop
    if session.cancelled:
        await call.say("command.session_cancelled", title=session.title)
        raise Stop
    return session


def later_line(call: Call, trajectory: Trajectory, send_at) -> list[str]:
    if send_at is None or send_at <= call.ctx.now():
        return []
    return [call.tr("command.invite_later", when=format_datetime(send_at, trajectory.timezone, call.tr.lang))]


# -- subcommands ------------------------------------------------------------------


async def do_invite(call: Call) -> None:
    trajectory = await trajectory_for(call)
    try:
        done = await invitations_uc.invite(call.ctx, call.user, trajectory.id, _word(call), "uitnodigen")
    except Refused as refused:
        await call.say_lines([refused.text(call.tr)])
        return
    if isinstance(done, invitations_uc.Queued):
        count = format_count(done.count, call.tr.lang)
        await call.say("command.invite_busy" if done.busy else "command.invite_queued", title=done.title, count=count)
        return
    lines = [call.tr("command.invite_done", title=done.title, sent=done.sent, already=done.already)]
    lines += bot_lines.reached(call.tr, done.reached)
    if done.unreachable:
        lines.append(call.tr("command.unreachable", names=", ".join(done.unreachable)))
    await call.say_lines(lines + later_line(call, trajectory, done.send_at))


async def do_remind(call: Call) -> None:
    trajectory = await trajectory_for(call)
    try:
        done = await invitations_uc.remind(call.ctx, call.user, trajectory.id, _word(call), "herinneren")
    except Refused as refused:
        await call.say_lines([refused.text(call.tr)])
        return
    if not done.invited:
        await call.say("command.remind_not_invited", title=done.title, key=done.key)
    elif done.sent == 0 and done.already_today == 0:
        await call.say("command.remind_none", title=done.title)
    elif done.sent == 0:
        await call.say("command.remind_already", title=done.title, count=done.already_today)
    else:
        lines = [call.tr("command.remind_done", title=done.title, count=done.sent)]
        await call.say_lines(lines + later_line(call, trajectory, done.send_at))


async def do_status(call: Call) -> None:
    trajectory = await trajectory_for(call)
    try:
        vm = await invitations_uc.status(call.ctx, call.user, trajectory.id, _word(call), "status")
    except Refused as refused:
        await call.say_lines([refused.text(call.tr)])
        return
    await call.show("rsvp_status", vm)


def _word(call: Call) -> str | None:
    return call.words[0] if call.words else None


Handler = Callable[[Call], Awaitable[None]]


def register(app: AsyncApp, ctx: Context) -> None:
    @app.command("/dialoog")
    async def dialoog(ack, command: dict, respond, client, context):
        await ack()
        key, word, args = parse(command.get("text", ""))
        call = Call(
            ctx=ctx,
            user=slack(command["user_id"]),
            channel_id=command.get("channel_id"),
            channel_name=command.get("channel_name"),
            words=args,
            trajectory_key=key,
            respond=respond,
            trigger_id=command.get("trigger_id"),
            client=client,
            tr=context["tr"],  # the acting person's language (handlers.middleware)
        )
        await dispatch(call, word)


async def dispatch(call: Call, word: str) -> None:
    """Run the subcommand ``word`` (Dutch or English) for ``call``; Slack and Teams share this."""
    # Imported here: the table imports every handler module, and they import this one.
    from handlers import command_table

    row = command_table.find(word, call.words)
    if row is None:
        choices = ", ".join(f"`{w}`" for w in command_table.listed(call.tr.lang))
        await call.say("command.unknown_command", word=word, choices=choices)
        return
    try:
        await row.handler(call)
    except Stop:
        pass
