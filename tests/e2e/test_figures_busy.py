"""Issue 12, point 1: "bezig" is counted, in the summary text and in the chart's data,
next to every other commitment status (Slack and Teams; e-mail: test_mail_figures.py)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from bot.models import Commitment, OutboxMessage
from tests.conftest import local
from tests.e2e.conftest import dump, example_data, full_text
from tests.teams_connector.harness import *  # noqa: F401,F403  (the th fixture)
from tests.teams_connector.harness import CHANNEL

TREKKER = "trekker@voorbeeldstad.example"
LINDE = "ambassadeur@delinde.example"
EVERYONE = [TREKKER, "collega@voorbeeldstad.example", "ambassadeur@ggd.example", LINDE, "bestuur@delinde.example",
            "ambassadeur@thuiszorg.example", "bestuur@thuiszorg.example", "ambassadeur@welzijn.example"]
# key -> (due, status set in the arrangement, done on); protocol-linde (due 6 April) is set
# to "bezig" through the platform's own button and form.
EXTRA = {
    "l-open": ("2027-04-20", "open", None),
    "l-open-late": ("2027-03-15", "open", None),
    "l-busy": ("2027-05-01", "busy", None),
    "l-busy-late": ("2027-03-16", "busy", None),
    "l-done": ("2027-04-20", "done", date(2027, 3, 20)),
    "l-done-late": ("2027-03-10", "done", date(2027, 3, 20)),
    "l-blocked": ("2027-04-20", "blocked", None),
    "l-na": ("2027-04-20", "not_applicable", None),
}
# What De Linde's line and bar must show on 31 March 2027.
EXPECTED = {"done": 2, "busy": 2, "open": 1, "overdue": 2, "blocked": 1}
LINE = "Zorggroep De Linde*: 2 gedaan, 2 bezig, 1 open, 2 te laat, 1 lukt niet"


def every_status_file() -> str:
    data = example_data()
    for key, (due, _, _) in EXTRA.items():
        data["commitments"].append({"key": key, "organisation": "linde", "owner": LINDE, "description": f"Taak {key}", "due": due, "phase": 2})
    return dump(data)


async def set_statuses(ctx) -> None:
    async with ctx.db.transaction() as s:
        for row in (await s.execute(select(Commitment).where(Commitment.key.in_(list(EXTRA))))).scalars():
            _, status, done_on = EXTRA[row.key]
            row.status = status
            row.done_at = local(done_on.year, done_on.month, done_on.day, 12, 0) if done_on else None


async def chart_data(ctx) -> dict:
    async with ctx.db.sessionmaker() as s:
        rows = (await s.execute(select(OutboxMessage).where(OutboxMessage.template == "chart").order_by(OutboxMessage.id))).scalars().all()
    row = rows[-1]  # the chart of the summary asked for last
    [linde] = [o for o in row.data["organisations"] if o["name"] == "Zorggroep De Linde"]
    return linde


async def test_slack_summary_and_chart_count_busy(harness):
    h = harness
    await h.import_example(text=every_status_file())
    await set_statuses(h.ctx)
    h.clock.set(local(2027, 3, 30, 9, 0))  # D-7 of protocol-linde: its reminder goes out
    await h.tick()
    [reminder] = [m for m in h.emu.dm(h.uid(LINDE)) if "Hitteprotocol" in full_text(m)]
    await h.drv.click(h.uid(LINDE), reminder, text="Bezig")
    r = await h.drv.submit_view(h.uid(LINDE), values={"note": "Staat op de MT-agenda"})
    assert r.status == 200
    await assert_slack_summary_counts_busy(h)


async def assert_slack_summary_counts_busy(h) -> None:
    """The trekker asks for the status in Slack on 31 March: De Linde's line and bar."""
    h.clock.set(local(2027, 3, 31, 10, 0))
    await h.command(TREKKER, "status")
    await h.drain()
    post = [m for m in h.emu.messages("#hitteplan") if (m.text or "").startswith("Stand van zaken")][-1]
    assert LINE in full_text(post)
    linde = await chart_data(h.ctx)
    assert {k: linde[k] for k in EXPECTED} == EXPECTED


async def test_teams_summary_and_chart_count_busy(th):
    await th.import_example(text=every_status_file())
    th.team_of(EVERYONE)
    await th.koppel(TREKKER)
    await set_statuses(th.ctx)
    th.clock.set(local(2027, 3, 30, 9, 0))
    await th.tick()
    [card] = th.cards_with(LINDE, "Hitteprotocol")
    await th.teams.execute(th.tid(LINDE), card, "Bezig")
    await th.teams.execute(th.tid(LINDE), card, "Opslaan", {"note": "Staat op de MT-agenda"})
    th.clock.set(local(2027, 3, 31, 10, 0))
    await th.say(TREKKER, "status")
    await th.drain()
    post = [p for p in th.conn.in_conversation(CHANNEL) if p.thread is None and "Stand van zaken" in p.text][-1]
    assert LINE.replace("*", "") in post.text.replace("*", "")
    linde = await chart_data(th.ctx)
    assert {k: linde[k] for k in EXPECTED} == EXPECTED
