"""The dashboard page, its forms and its downloads (GET: nothing changes here)."""

from __future__ import annotations

import asyncio
import re
from datetime import datetime

from aiohttp import web

from bot import chart
from bot.formatting import format_short_date
from bot.i18n import t
from bot.interactions import commitments as commitments_uc
from bot.interactions import memos as memos_uc
from bot.interactions import phases as phases_uc
from bot.interactions import signoff as signoff_uc
from bot.interactions.errors import Refused
from bot.web import dashboard_auth as auth
from bot.web import dashboard_data, dashboard_files
from handlers.dashboard import answers
from handlers.dashboard.render import download, html_page, refusal, told
from handlers.dashboard.signin import ctx_of, current, not_signed_in

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


async def dashboard(request: web.Request) -> web.Response:
    signed = await current(request)
    if signed is None:
        return not_signed_in()
    ctx = ctx_of(request)
    try:
        vm = await dashboard_data.page(ctx, signed.user, request.match_info["key"])
    except Refused:
        return refusal(403, "dashboard.forbidden")
    svg = await asyncio.to_thread(follow_through_svg, vm["series"], vm["language"])
    feed = ctx.settings.public_url or ""
    return html_page(
        "dashboard.html", vm["language"], vm=vm, chart_svg=svg, csrf=auth.csrf(ctx, signed.token),
        feed_url=f"{feed}/dashboard/ics/{auth.feed_token(ctx, signed.person_id)}.ics", timezone=vm["trajectory"]["timezone"],
        short=lambda d: format_short_date(d, vm["language"]), actor_name=vm["actor"],
    )


async def evaluation(request: web.Request) -> web.Response:
    """One evaluation's results (the page links each evaluation here)."""
    signed = await current(request)
    if signed is None:
        return not_signed_in()
    ctx = ctx_of(request)
    key = request.match_info["key"]
    try:
        vm = await dashboard_data.evaluation(ctx, signed.user, key, request.match_info["session"])
    except Refused as refused:
        if refused.key == "dashboard.forbidden":
            return refusal(403, "dashboard.forbidden")
        return refusal(404, refused.key)
    return html_page("evaluation.html", vm["language"], vm=vm, r=vm["results"], key=key, back=f"/dashboard/{key}",
                     csrf=auth.csrf(ctx, signed.token), actor_name=vm["actor"], timezone=vm["trajectory"]["timezone"],
                     closes_at=datetime.fromisoformat(vm["results"]["closes"]))


def follow_through_svg(series: list[dict], lang: str) -> str:
    """The chart as inline SVG, named for screen readers (the table below has the figures)."""
    points = [{"label": format_short_date(p["day"], lang), "share": p["share"]} for p in series]
    svg = chart.render_follow_through_svg(
        points, t(lang, "dashboard.chart.title"), t(lang, "dashboard.chart.y_label"), t(lang, "dashboard.chart.empty")
    )
    svg = svg[svg.index("<svg"):]
    label = t(lang, "dashboard.chart.alt").replace('"', "'")
    svg = re.sub(r'<svg ', f'<svg role="img" aria-label="{label}" focusable="false" ', svg, count=1)
    return re.sub(r'(<svg[^>]*?) width="[^"]*" height="[^"]*"', r"\1", svg, count=1)


FORMS = {
    "afspraak": ("form_commitment.html", lambda ctx, user, tid, q: commitments_uc.add_form(ctx, user, tid)),
    "memo": ("form_memo.html", lambda ctx, user, tid, q: _memo_form(ctx, user, tid, q.get("memo"))),
    "fase": ("form_phase.html", lambda ctx, user, tid, q: phases_uc.open_move(ctx, user, tid, q.get("naar"))),
    "ondertekenen": ("form_signoff.html", lambda ctx, user, tid, q: signoff_uc.start_form(ctx, user, tid)),
    "aanwezigheid": ("form_attendance.html", lambda ctx, user, tid, q: answers.attendance_form(ctx, user, tid, q.get("sessie", ""))),
}


async def _memo_form(ctx, user, trajectory_id: int, memo: str | None) -> dict:
    """The empty memo form, or the draft again (the preview's "Aanpassen")."""
    if memo and memo.isdigit() and len(memo) < 12:
        return await memos_uc.edit(ctx, user, memos_uc.PreviewForm(int(memo)))
    return await memos_uc.form(ctx, user, trajectory_id)


async def form(request: web.Request) -> web.Response:
    """A form of the use case (its view-model), or the refusal in the trekker's language."""
    signed = await current(request)
    if signed is None:
        return not_signed_in()
    ctx = ctx_of(request)
    key, name = request.match_info["key"], request.match_info["form"]
    if name not in FORMS:
        return refusal(404, "dashboard.unknown_page")
    try:
        async with ctx.db.sessionmaker() as s:
            trajectory, actor = await dashboard_data.trajectory_of(s, key, signed.user)
    except Refused:
        return refusal(403, "dashboard.forbidden")
    lang = actor.language or trajectory.language or "nl"
    template, opener = FORMS[name]
    back = f"/dashboard/{key}"
    try:
        form_vm = await opener(ctx, signed.user, trajectory.id, request.query)
    except Refused as refused:
        return told([t(lang, refused.key, **refused.params)], lang, back, 409, "dashboard.refused.title")
    return html_page(template, lang, form=form_vm, key=key, back=back, csrf=auth.csrf(ctx, signed.token),
                     timezone=trajectory.timezone, given={}, problems={}, actor_name=actor.name)


async def commitments_file(request: web.Request) -> web.Response:
    return await _file(request, lambda ctx, user, key: dashboard_files.commitments(ctx, user, key))


async def evaluation_file(request: web.Request) -> web.Response:
    session = request.match_info["session"]
    return await _file(request, lambda ctx, user, key: dashboard_files.evaluation_answers(ctx, user, key, session))


async def _file(request: web.Request, make) -> web.Response:
    signed = await current(request)
    if signed is None:
        return not_signed_in()
    ctx = ctx_of(request)
    key = request.match_info["key"]
    try:
        async with ctx.db.sessionmaker() as s:
            trajectory, actor = await dashboard_data.trajectory_of(s, key, signed.user)
    except Refused:
        return refusal(403, "dashboard.forbidden")
    lang = actor.language or trajectory.language or "nl"
    try:
        found = await make(ctx, signed.user, key)
    except Refused as refused:
        return told([t(lang, refused.key, **refused.params)], lang, f"/dashboard/{key}", 409, "dashboard.refused.title")
    return download(found.content, XLSX, found.filename)


async def calendar_feed(request: web.Request) -> web.Response:
    ctx = ctx_of(request)
    if ctx.links is None:
        return refusal(404, "dashboard.files.no_feed")
    found = await dashboard_files.calendar_feed(ctx, request.match_info["feed"])
    if found is None:
        return refusal(404, "dashboard.files.no_feed")
    return web.Response(body=found.content, content_type="text/calendar", charset="utf-8",
                        headers={"Content-Disposition": f'inline; filename="{found.filename}"', "Cache-Control": "no-store"})
