"""Commands typed in Teams: in the personal chat, or with an @mention in a channel.

The same words as the Slack subcommands, parsed by the same code and dispatched from
the same table (``handlers.commands.parse`` / ``dispatch``, ``handlers.command_table``);
answers go through the Teams surface.
``koppel`` (link) is Teams only: it links the channel to the trajectory."""

from __future__ import annotations

from functools import partial, update_wrapper

from microsoft_agents.hosting.core import AgentApplication, RouteRank, TurnContext

from bot.context import Context
from bot.teams import people
from bot.teams.cards.common import listing
from bot.teams.surface import NotOnThisPlatform, TeamsSurface, is_personal
from handlers import command_table, commands
from handlers.teams.common import acting

KOPPEL = ("koppel", "koppelen", "link")
ONTKOPPEL = ("ontkoppel", "ontkoppelen", "unlink")


async def _slack_only(*args, **kwargs):
    raise NotOnThisPlatform


class _SlackOnlyClient:
    def __getattr__(self, name: str):
        raise NotOnThisPlatform


def call_for(ctx: Context, context: TurnContext, text: str, user, tr) -> tuple[commands.Call, str]:
    """The command as the shared dispatcher takes it, and its first word."""
    key, word, args = commands.parse(text)
    conversation_id = context.activity.conversation.id.split(";")[0]
    data = people.channel_data(context.activity)
    call = commands.Call(
        ctx=ctx,
        user=user,
        channel_id=None if is_personal(context) else conversation_id,
        channel_name=(data.get("channel") or {}).get("name"),
        words=args,
        trajectory_key=key,
        respond=_slack_only,
        tr=tr,  # the acting person's language
        client=_SlackOnlyClient(),
        surface=TeamsSurface(context),
    )
    return call, word


async def on_message(ctx: Context, chat, context: TurnContext, state) -> None:
    text = (context.activity.text or "").strip()
    if not text:
        return  # a card submit nobody handles, a picture, a reaction
    user, tr = await acting(ctx, context)
    call, word = call_for(ctx, context, text, user, tr)
    if word in KOPPEL or word in ONTKOPPEL:
        try:
            await (do_koppel if word in KOPPEL else do_ontkoppel)(ctx, chat, call, context)
        except commands.Stop:
            pass
        return
    row = command_table.find(word, call.words)
    if row is not None and row.handler is command_table.do_help:
        await call.say_lines([command_table.help_text(call.tr), call.tr("teams.help_extra")])
        return
    try:
        await commands.dispatch(call, word)
    except NotOnThisPlatform:
        await call.say("teams.not_in_teams_yet", word=word)


async def do_koppel(ctx: Context, chat, call: commands.Call, context: TurnContext) -> None:
    team_id, channel_id = people.channel_of(context.activity)
    if team_id is None:
        await call.say("teams.koppel_not_channel")
        return
    call.channel_id = None  # the channel is what we are about to link: resolve from the person
    trajectory = await commands.trajectory_for(call)
    await commands.require_trekker(call, trajectory)
    result = await people.link_channel(ctx, chat, trajectory, context.activity)
    key = "teams.koppel_done" if result.newly_linked_channel else "teams.koppel_again"
    lines = [call.tr(key, trajectory=trajectory.title, count=len(result.linked))]
    if result.waiting:
        lines.append(call.tr("teams.koppel_waiting", names=listing(call.tr, result.waiting)))
    if result.unreachable:  # a long list stays short: a message over ~28 KB is refused
        lines.append(call.tr("teams.koppel_unreachable", names=listing(call.tr, result.unreachable)))
    await call.say_lines(lines)


async def do_ontkoppel(ctx: Context, chat, call: commands.Call, context: TurnContext) -> None:
    team_id, channel_id = people.channel_of(context.activity)
    if team_id is None:
        await call.say("teams.koppel_not_channel")
        return
    trajectory = await commands.trajectory_for(call)  # the channel itself says which trajectory
    await commands.require_trekker(call, trajectory)
    unlinked = await people.unlink_channel(ctx, trajectory, channel_id)
    await call.say("teams.ontkoppel_done" if unlinked else "teams.ontkoppel_not_linked", trajectory=trajectory.title)


def register(agent: AgentApplication, ctx: Context, chat) -> None:
    agent.activity("message", rank=RouteRank.LAST)(update_wrapper(partial(on_message, ctx, chat), on_message))
