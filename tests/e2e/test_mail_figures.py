"""Issue 12's figures for people on e-mail (``platform: email``), driven through the
mails in the SMTP sink and the pages their links open; the trekker stays in Slack.
Point 1: "bezig" set on the commitment page is counted.  Point 2: a re-import of the
unchanged file keeps what people did on the pages.  Point 4: an answer or a read on a
page is a reaction for the engagement watch.  Point 6: mails wait for the sending
window (evenings, Dutch holidays, a backlog at send time).  Point 5 (one ambassador
per organisation) has no channel of its own: the file and the status channel."""

from __future__ import annotations

from sqlalchemy import select

from bot.models import OutboxMessage
from tests.conftest import example, local
from tests.e2e.conftest import harness_env, invitation_of, run_cli
from tests.e2e.mail_pages import on_email, pages  # noqa: F401  (the fixture)
from tests.e2e.test_figures_busy import assert_slack_summary_counts_busy, every_status_file, set_statuses
from tests.e2e.test_figures_engagement import assert_two_flagged_one_new
from tests.e2e.test_figures_reimport import state
from tests.e2e.test_memos import send_memo
from tests.e2e.test_signoff import start_round
from tests.mail.fixtures import *  # noqa: F401,F403  (smtp, public_url, extra_env)
from tests.mail.helpers import mail_env, subjects

TREKKER = "trekker@voorbeeldstad.example"
LINDE = "ambassadeur@delinde.example"
LINDE_BOARD = "bestuur@delinde.example"
GGD = "ambassadeur@ggd.example"
THUISZORG = "ambassadeur@thuiszorg.example"
ON_MAIL = [LINDE, LINDE_BOARD, GGD, THUISZORG]


def hitteplan_on_email(emails=ON_MAIL) -> str:
    return on_email(example("hitteplan.yaml").read_text(encoding="utf-8"), emails)


async def test_busy_set_on_the_commitment_page_is_counted(harness, pages):
    h = harness
    await h.import_example(text=on_email(every_status_file(), [LINDE]))
    await set_statuses(h.ctx)
    h.clock.set(local(2027, 3, 30, 9, 0))  # D-7 of protocol-linde: its reminder goes out by mail
    await h.tick()
    assert h.emu.dm(h.uid(LINDE)) == []
    done = await pages.answer(LINDE, "commitment", {"to": "busy", "note": "Staat op de MT-agenda"}, choice="busy", containing="Hitteprotocol")
    assert "bezig" in done, done
    await assert_slack_summary_counts_busy(h)


async def test_a_reimport_keeps_what_was_done_on_the_pages(harness, pages, smtp, tmp_path):
    h = harness
    text = hitteplan_on_email()
    await start_round(h, organisations=("Zorggroep De Linde", "GGD Regio Voorbeeld"), deadline="2027-04-30", text=text)
    await pages.answer(LINDE_BOARD, "signoff", {"decision": "agree"}, choice="agree")
    await h.command(TREKKER, "uitnodigen start")
    await h.drain()
    await pages.answer(LINDE, "rsvp", {"answer": "yes"}, choice="yes")
    await pages.answer(GGD, "rsvp", {"answer": "no"}, choice="no")
    await send_memo(h, memo_title="Lees mij")
    await pages.answer(LINDE, "memo", {})
    h.clock.set(local(2027, 3, 30, 9, 0))  # protocol-linde's reminder
    await h.tick()
    await pages.answer(LINDE, "commitment", {"to": "busy", "note": "In het MT"}, choice="busy", containing="Hitteprotocol")
    await h.drain()
    before = await state(h.ctx)
    assert before["commitment"] == ("busy", "In het MT") and before["reads"] == [LINDE] and before["signoff"] == ["agreed", "pending"]
    assert h.emu.dm(h.uid(LINDE)) == [] and h.emu.dm(h.uid(LINDE_BOARD)) == []  # all of it by mail

    path = tmp_path / "hitteplan.yaml"
    path.write_text(text, encoding="utf-8")
    env = harness_env(h, **mail_env(smtp.url, PUBLIC_URL=h.bot.settings.public_url))
    result = await run_cli("import", str(path), env=env, cwd=tmp_path)
    assert result.code == 0, result.both
    assert await state(h.ctx) == before
    assert (await invitation_of(h, "start", LINDE)).status == "yes"
    assert (await invitation_of(h, "start", GGD)).status == "no"


async def test_answers_and_reads_on_the_pages_count_as_reactions(harness, pages):
    async def react(h) -> None:
        await pages.answer(GGD, "rsvp", {"answer": "yes"}, choice="yes")
        await pages.answer(LINDE, "rsvp", {"answer": "no"}, choice="no")
        await pages.answer(GGD, "memo", {})
        assert h.emu.dm(h.uid(GGD)) == []

    await assert_two_flagged_one_new(harness, react, file=lambda text: on_email(text, ON_MAIL))


def blocked_mails(pages) -> list:
    return [m for m in pages.smtp.to(TREKKER) if "niet lukt" in str(m["Subject"])]


async def test_lukt_niet_at_night_before_hemelvaart_is_mailed_on_the_next_working_morning(harness, pages):
    h = harness
    await h.import_example(text=hitteplan_on_email([TREKKER, LINDE]))
    h.clock.set(local(2027, 3, 30, 9, 0))  # protocol-linde's reminder
    await h.tick()
    h.clock.set(local(2027, 5, 5, 21, 0))  # Wednesday evening; Thursday 6 May is Hemelvaart
    await pages.answer(LINDE, "commitment", {"to": "blocked", "note": "Geen budget dit jaar"}, choice="blocked", containing="Hitteprotocol")
    await h.run_until(local(2027, 5, 7, 7, 0))  # hour by hour through the holiday
    assert blocked_mails(pages) == []
    async with h.ctx.db.sessionmaker() as s:
        [held] = (await s.execute(select(OutboxMessage).where(OutboxMessage.template == "commitment_blocked"))).scalars().all()
    assert held.platform == "email" and held.status == "pending"
    await h.run_until(local(2027, 5, 7, 8, 0))
    [mail] = blocked_mails(pages)
    assert "Geen budget dit jaar" in mail.get_body(("plain",)).get_content()


async def test_a_mail_backlog_is_held_at_send_time_after_hours(harness, pages):
    h = harness
    await h.import_example(text=hitteplan_on_email())
    h.clock.set(local(2027, 2, 1, 17, 55))
    await h.command(TREKKER, "uitnodigen start")  # queued for now: the window is open
    h.clock.set(local(2027, 2, 1, 18, 30))  # the dispatcher gets to them only now
    await h.drain()
    assert pages.smtp.to(LINDE) == [] and pages.smtp.to(GGD) == []
    async with h.ctx.db.sessionmaker() as s:
        held = (await s.execute(select(OutboxMessage).where(OutboxMessage.template == "invitation", OutboxMessage.platform == "email"))).scalars().all()
    assert len(held) == 3 and all(r.status == "pending" and r.last_error == "quiet_hours" and r.attempts == 0 for r in held)
    assert {r.not_before for r in held} == {local(2027, 2, 2, 8, 0)}
    h.clock.set(local(2027, 2, 2, 8, 0))
    await h.drain()
    for email in (LINDE, GGD, THUISZORG):
        [subject] = subjects(pages.smtp.to(email))
        assert subject.startswith("Uitnodiging: Startbijeenkomst"), subject
