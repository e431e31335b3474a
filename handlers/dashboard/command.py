"""``/dialoog dashboard`` (Teams: ``dashboard``): the trekker's personal sign-in link,
answered to them alone."""

from __future__ import annotations

from bot.interactions.errors import Refused
from bot.web import dashboard_auth as auth
from handlers import commands


async def do_dashboard(call: commands.Call) -> None:
    trajectory = await commands.trajectory_for(call)
    try:
        link = await auth.link_for(call.ctx, trajectory.id, call.user)
    except Refused as refused:
        await call.say_lines([refused.text(call.tr)])
        return
    except auth.NotReady as missing:
        await call.say(f"dashboard.command.no_{missing.setting.lower()}")
        return
    await call.say("dashboard.command.link", **link)
