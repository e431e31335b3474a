"""The demo data behind the guide's pictures: ``examples/hitteplan.yaml`` imported into a
fresh SQLite file with everyone on e-mail, invitations sent and partly answered, the
session held and its evaluation opened.  Nothing is sent: the mails stay in the outbox,
where the Teams pictures take their messages from (the same view-models a Teams person
would get).  Used by ``docs/screenshots.py`` only."""

from __future__ import annotations

import asyncio
import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import select

from bot import db as dbmod
from bot.app import Bot, bootstrap
from bot.chat import OutMessage
from bot.clock import ManualClock
from bot.identity import email as email_user
from bot.importer import import_file
from bot.interactions import attendance as attendance_uc
from bot.interactions import commitments as commitment_uc
from bot.interactions import evaluations as evaluation_uc
from bot.interactions import invitations as invitation_uc
from bot.interactions import memos as memo_uc
from bot.interactions import signoff as signoff_uc
from bot.models import Commitment, EvaluationPrompt, Invitation, Organisation, OutboxMessage, Person, Session, Trajectory
from bot.services import attendance
from bot.settings import load_settings
from bot.trajectory_file import parse
from bot.web.dashboard_auth import sign_in_link
from bot.web.links import Grant
from scheduling.sweep import sweep

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "hitteplan.yaml"
AMSTERDAM = ZoneInfo("Europe/Amsterdam")
TREKKER = "trekker@voorbeeldstad.example"
GGD = "ambassadeur@ggd.example"
LINDE = "ambassadeur@delinde.example"
THUISZORG = "ambassadeur@thuiszorg.example"
WELZIJN = "ambassadeur@welzijn.example"
ANSWERS = {GGD: "yes", LINDE: "maybe", TREKKER: "yes"}  # the others have not answered yet


@dataclass
class Demo:
    bot: Bot
    clock: ManualClock
    links: dict[str, str] = field(default_factory=dict)  # picture name -> path on the bot
    messages: dict[str, OutMessage] = field(default_factory=dict)  # template -> one message


def settings_env(folder: Path, base: str) -> dict[str, str]:
    return {
        "DATABASE_URL": f"sqlite:///{folder / 'demo.db'}",
        "PUBLIC_URL": base,
        "SECRET_KEY": "screenshots-only-secret",
        # Mail on, to an address nobody listens on: nothing is ever sent (no dispatcher runs).
        "SMTP_URL": "smtp://127.0.0.1:9",
        "MAIL_FROM": "Dialoogbot Voorbeeldstad <dialoog@voorbeeldstad.example>",
        "QUIET_HOURS": "off",
    }


def everyone_on_email(text: str) -> str:
    return re.sub(r"(email: [^,]+,)", r"\1 platform: email,", text)


async def person(demo: Demo, address: str) -> Person:
    async with demo.bot.ctx.db.sessionmaker() as s:
        return (await s.execute(select(Person).where(Person.email == address))).scalar_one()


async def invitation_id(demo: Demo, address: str, session_key: str = "start") -> int:
    async with demo.bot.ctx.db.sessionmaker() as s:
        return (await s.execute(
            select(Invitation.id).join(Person, Person.id == Invitation.person_id)
            .join(Session, Session.id == Invitation.session_id)
            .where(Person.email == address, Session.key == session_key)
        )).scalar_one()


async def link(demo: Demo, address: str, purpose: str, record_id: int | None) -> str:
    who = await person(demo, address)
    grant = Grant(who.id, purpose, record_id, demo.clock.now() + timedelta(days=60))
    return f"/p/{demo.bot.ctx.links.token(grant)}"


async def keep_messages(demo: Demo) -> None:
    """One outbox message per template, as a participant gets it (the trekker's only when
    nobody else got one): the Teams cards and the mail are drawn from these."""
    trekker = (await person(demo, TREKKER)).id
    async with demo.bot.ctx.db.sessionmaker() as s:
        rows = (await s.execute(select(OutboxMessage).order_by(OutboxMessage.id))).scalars().all()
    for row in sorted(rows, key=lambda row: row.person_id == trekker):
        demo.messages.setdefault(row.template, OutMessage(row.template, row.data, row.language, row.key, row.person_id))
    if "attendance_ask" not in demo.messages:  # the question was not sent (yet): draw the card from its view-model
        session = await session_of(demo, "start")
        async with demo.bot.ctx.db.sessionmaker() as s:
            trajectory = await s.get(Trajectory, session.trajectory_id)
        demo.messages["attendance_ask"] = OutMessage("attendance_ask", attendance.ask_vm(session, trajectory, None), "nl")


async def build(folder: Path, base: str) -> Demo:
    """The trajectory on the day of its first session, just after the evaluation opened."""
    env = settings_env(folder, base)
    await asyncio.to_thread(dbmod.upgrade, env["DATABASE_URL"])  # alembic runs its own loop
    clock = ManualClock(datetime(2027, 3, 1, 10, 0, tzinfo=AMSTERDAM))
    demo = Demo(bootstrap(load_settings(env, dotenv=False), clock=clock), clock)
    parsed, errors = parse(everyone_on_email(EXAMPLE.read_text(encoding="utf-8")), str(EXAMPLE))
    if errors:
        raise SystemExit("\n".join(e.format() for e in errors))
    await import_file(demo.bot.ctx, parsed)
    trajectory_id = (await person(demo, TREKKER)).trajectory_id
    await invite_and_answer(demo, trajectory_id)
    await hold_the_session(demo)
    await commitment_uc.reminder_round(demo.bot.ctx, email_user(TREKKER), trajectory_id)
    await start_signoff(demo, trajectory_id)
    demo.links["evaluatie"] = await link(demo, LINDE, "evaluation", await _prompt(demo, LINDE))
    demo.links["wacht-op-mij"] = await link(demo, LINDE, "mine", None)
    await keep_messages(demo)
    return demo


async def invite_and_answer(demo: Demo, trajectory_id: int) -> None:
    """Invitations out, three answers in, a reminder for the others, and a memo."""
    ctx, trekker = demo.bot.ctx, email_user(TREKKER)
    await invitation_uc.invite(ctx, trekker, trajectory_id, "start")
    for address, value in ANSWERS.items():
        await invitation_uc.answer(ctx, email_user(address), await invitation_id(demo, address), value)
    demo.links["rsvp"] = await link(demo, THUISZORG, "rsvp", await invitation_id(demo, THUISZORG))
    demo.links["rsvp-klaar"] = await link(demo, GGD, "rsvp", await invitation_id(demo, GGD)) + "/klaar?v=yes"
    await invitation_uc.remind(ctx, trekker, trajectory_id, "start")
    draft = memo_uc.Draft(title="Verslag startbijeenkomst", body="Dank voor jullie komst. Het verslag staat in de gedeelde map.", audience="all")
    await memo_uc.send(ctx, trekker, (await memo_uc.preview(ctx, trekker, memo_uc.MemoForm(trajectory_id), draft))["form"])


async def hold_the_session(demo: Demo) -> None:
    """The session ends ("Wie was er?" answered), the evaluation opens, GGD fills it in."""
    ctx, trekker = demo.bot.ctx, email_user(TREKKER)
    demo.clock.set(datetime(2027, 3, 9, 16, 35, tzinfo=AMSTERDAM))
    await sweep(ctx)
    session_id = (await session_of(demo, "start")).id
    present = [str((await person(demo, address)).id) for address in (TREKKER, GGD, LINDE)]
    await attendance_uc.record(ctx, trekker, attendance_uc.AttendanceForm(session_id), present)
    demo.clock.set(datetime(2027, 3, 9, 16, 45, tzinfo=AMSTERDAM))
    await sweep(ctx)
    form = (await evaluation_uc.open_form(ctx, email_user(GGD), await _prompt(demo, GGD))).form
    await evaluation_uc.submit(ctx, email_user(GGD), form, {"waarde": 4, "doelen": "Deels", "risico": "Oververhitte slaapkamers in de zorgcentra"})


async def _prompt(demo: Demo, address: str) -> int:
    async with demo.bot.ctx.db.sessionmaker() as s:
        return (await s.execute(
            select(EvaluationPrompt.id).join(Person, Person.id == EvaluationPrompt.person_id).where(Person.email == address)
        )).scalar_one()


async def start_signoff(demo: Demo, trajectory_id: int) -> None:
    async with demo.bot.ctx.db.sessionmaker() as s:
        orgs = (await s.execute(select(Organisation.id).where(Organisation.trajectory_id == trajectory_id))).scalars().all()
    given = signoff_uc.StartInput(title="Samenwerkingsovereenkomst hitte", link="https://docs.example/overeenkomst",
                                  organisations=list(orgs), deadline="2027-06-01")
    await signoff_uc.start(demo.bot.ctx, email_user(TREKKER), signoff_uc.StartForm(trajectory_id), given)


async def session_of(demo: Demo, key: str) -> Session:
    async with demo.bot.ctx.db.sessionmaker() as s:
        return (await s.execute(select(Session).where(Session.key == key))).scalar_one()


async def commitment_id(demo: Demo, key: str) -> int:
    async with demo.bot.ctx.db.sessionmaker() as s:
        return (await s.execute(select(Commitment.id).where(Commitment.key == key))).scalar_one()


async def a_month_later(demo: Demo) -> None:
    """For the dashboard: De Linde did its commitment, Thuiszorg is busy, and the clock
    stands a month on, past the first due date."""
    ctx = demo.bot.ctx
    await commitment_uc.press(ctx, email_user(LINDE), await commitment_id(demo, "protocol-linde"), "done")
    busy = commitment_uc.StatusInput(note="De wijkteams maken een lijst.")
    await commitment_uc.update(ctx, email_user(THUISZORG), await commitment_id(demo, "koele-ruimte-thuiszorg"), "busy", busy)
    demo.clock.set(datetime(2027, 4, 8, 10, 0, tzinfo=AMSTERDAM))
    await sweep(ctx)
    demo.links["dashboard"] = await sign_in_link(ctx, await person(demo, TREKKER))
