"""The dashboard's actions (POST, CSRF-checked): the same use cases as the chat
commands, their answers as a page.  Refused: the reason on the page, nothing changed;
Problems: the form again with the texts next to the fields."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Awaitable, Callable

from aiohttp import web

from bot import lines
from bot.i18n import Translator
from bot.interactions import attendance as attendance_uc
from bot.interactions import commitments as commitments_uc
from bot.interactions import evaluations as evaluations_uc
from bot.interactions import invitations as invitations_uc
from bot.interactions import memos as memos_uc
from bot.interactions import phases as phases_uc
from bot.interactions import signoff as signoff_uc
from bot.interactions import summary as summary_uc
from bot.interactions.errors import Problems, Refused
from bot.web import dashboard_auth as auth
from bot.web import dashboard_data
from handlers.dashboard import answers
from handlers.dashboard.render import html_page, refusal, told
from handlers.dashboard.signin import ctx_of, current, foreign, not_signed_in


@dataclass
class Act:
    """One POST: who, which trajectory, the form fields, the trekker's translator."""

    ctx: object
    user: object
    trajectory_id: int
    key: str
    form: dict
    tr: Translator
    csrf: str
    timezone: str

    def field(self, name: str) -> str:
        value = self.form.get(name)
        return value.strip() if isinstance(value, str) else ""

    def fields(self, name: str) -> list[str]:
        return [v for v in self.form.getall(name, []) if isinstance(v, str)] if hasattr(self.form, "getall") else []


Action = Callable[[Act], Awaitable[web.Response]]


async def act(request: web.Request) -> web.Response:
    signed = await current(request)
    if signed is None:
        return not_signed_in()
    ctx = ctx_of(request)
    key, name = request.match_info["key"], request.match_info["action"]
    form = await request.post()
    if foreign(request) or not auth.csrf_ok(ctx, signed.token, form.get("csrf")):
        return refusal(403, "dashboard.csrf")
    try:
        async with ctx.db.sessionmaker() as s:
            trajectory, actor = await dashboard_data.trajectory_of(s, key, signed.user)
    except Refused:
        return refusal(403, "dashboard.forbidden")
    action = ACTIONS.get(name)
    if action is None:
        return refusal(404, "dashboard.unknown_page")
    a = Act(ctx, signed.user, trajectory.id, key, form, Translator(actor.language or trajectory.language),
            auth.csrf(ctx, signed.token), trajectory.timezone)
    try:
        return await action(a)
    except Refused as refused:
        return told([refused.text(a.tr)], a.tr.lang, f"/dashboard/{key}", 409, "dashboard.refused.title")


def done(a: Act, out: list[str]) -> web.Response:
    return told(out, a.tr.lang, f"/dashboard/{a.key}")


async def invite(a: Act) -> web.Response:
    return done(a, answers.invited(a.tr, await invitations_uc.invite(a.ctx, a.user, a.trajectory_id, a.field("sessie"))))


async def remind(a: Act) -> web.Response:
    return done(a, answers.reminded(a.tr, await invitations_uc.remind(a.ctx, a.user, a.trajectory_id, a.field("sessie"))))


async def commitment_round(a: Act) -> web.Response:
    return done(a, lines.round_lines(a.tr, await commitments_uc.reminder_round(a.ctx, a.user, a.trajectory_id)))


async def post_summary(a: Act) -> web.Response:
    return done(a, [lines.summary_posted(a.tr, await summary_uc.post(a.ctx, a.user, a.trajectory_id))])


async def evaluate(a: Act) -> web.Response:
    session_id = await answers.session_id(a.ctx, a.trajectory_id, a.field("sessie"))
    return done(a, lines.prompted_lines(a.tr, await evaluations_uc.prompt_now(a.ctx, a.user, a.trajectory_id, session_id)))


async def results(a: Act) -> web.Response:
    session_id = await answers.session_id(a.ctx, a.trajectory_id, a.field("sessie"))
    await evaluations_uc.request_results(a.ctx, a.user, a.trajectory_id, session_id)
    return done(a, [a.tr("dashboard.done.results")])


async def add_commitment(a: Act) -> web.Response:
    given = commitments_uc.NewInput(
        organisation=a.field("organisatie") or None, owner=a.field("eigenaar") or None,
        description=a.field("omschrijving"), due=a.field("datum") or None, phase=a.field("fase") or None,
    )
    try:
        made = await commitments_uc.add(a.ctx, a.user, commitments_uc.AddForm(a.trajectory_id), given)
    except Problems as problems:
        vm = await commitments_uc.add_form(a.ctx, a.user, a.trajectory_id)
        return _again(a, "form_commitment.html", vm, problems)
    return done(a, [answers.commitment_added(a.tr, made)])


async def memo_preview(a: Act) -> web.Response:
    draft = answers.memo_draft(a)
    memo_id = answers.whole(a.field("memo"))
    form_ = memos_uc.MemoForm(a.trajectory_id, memo_id)
    try:
        vm = await memos_uc.preview(a.ctx, a.user, form_, draft)
    except Problems as problems:
        return _again(a, "form_memo.html", await memos_uc.refill(a.ctx, a.user, form_, draft), problems, given=answers.memo_given(draft))
    return html_page("memo_preview.html", a.tr.lang, preview=vm, key=a.key, csrf=a.csrf, timezone=a.timezone, back=f"/dashboard/{a.key}")


async def memo_send(a: Act) -> web.Response:
    memo_id = answers.whole(a.field("memo")) or 0
    try:
        sent = await memos_uc.send(a.ctx, a.user, memos_uc.PreviewForm(memo_id))
    except memos_uc.AlreadySent:
        return done(a, [a.tr("memo.errors.already_sent")])
    return done(a, answers.memo_sent(a.tr, sent, a.ctx.now(), a.timezone))


async def move_phase(a: Act) -> web.Response:
    to = answers.whole(a.field("naar"))
    vm = await phases_uc.open_move(a.ctx, a.user, a.trajectory_id, to)  # Refused for a phase that is not another one
    given = phases_uc.MoveInput(reached=a.field("bereikt") or None, note=a.field("toelichting"))
    try:
        moved = await phases_uc.move(a.ctx, a.user, vm["form"], given)
    except Problems as problems:
        return _again(a, "form_phase.html", vm, problems, given={"bereikt": given.reached, "toelichting": given.note})
    return done(a, [lines.phase_moved(a.tr, moved)])


async def start_signoff(a: Act) -> web.Response:
    given = signoff_uc.StartInput(
        title=a.field("titel"), link=a.field("link"), organisations=a.fields("organisaties"), deadline=a.field("deadline") or None,
    )
    try:
        started = await signoff_uc.start(a.ctx, a.user, signoff_uc.StartForm(a.trajectory_id), given)
    except Problems as problems:
        vm = await signoff_uc.start_form(a.ctx, a.user, a.trajectory_id)
        return _again(a, "form_signoff.html", vm, problems, given={"titel": given.title, "link": given.link, "deadline": given.deadline or ""})
    return done(a, lines.signoff_started(a.tr, started).split("\n"))


async def mark_attendance(a: Act) -> web.Response:
    session_id = await answers.session_id(a.ctx, a.trajectory_id, a.field("sessie"))
    present = a.fields("aanwezig")
    try:
        saved = await attendance_uc.record(a.ctx, a.user, attendance_uc.AttendanceForm(session_id or 0), present)
    except Problems as problems:
        vm = await answers.attendance_form(a.ctx, a.user, a.trajectory_id, a.field("sessie"))
        return _again(a, "form_attendance.html", vm, problems, given={"aanwezig": present})
    return done(a, [a.tr("attendance.saved", present=saved.present, invited=saved.invited, prompted=saved.prompted)])


def _again(a: Act, template: str, vm: dict, problems: Problems, given: dict | None = None) -> web.Response:
    return html_page(template, a.tr.lang, status=422, form=vm, key=a.key, back=f"/dashboard/{a.key}", csrf=a.csrf,
                     timezone=a.timezone, given=given if given is not None else dict(a.form), problems=problems.texts(a.tr))


ACTIONS: dict[str, Action] = {
    "uitnodigen": invite,
    "herinneren": remind,
    "afspraken-herinneren": commitment_round,
    "status": post_summary,
    "evaluatie": evaluate,
    "resultaten": results,
    "afspraak": add_commitment,
    "memo-voorbeeld": memo_preview,
    "memo-versturen": memo_send,
    "fase": move_phase,
    "ondertekenen": start_signoff,
    "aanwezigheid": mark_attendance,
}
