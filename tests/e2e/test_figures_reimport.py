"""Issue 12, point 2: a re-import never undoes what people did in chat.  The phase
reached with ``fase`` stays (the import says the file disagrees) unless
``--phase-from-file`` is given, which records a transition and announces it."""

from __future__ import annotations

from sqlalchemy import select

from bot.importer import import_file
from bot.models import Commitment, CommitmentEvent, MemoRecipient, Person, PhaseTransition, SignOffRequest, Trajectory
from bot.trajectory_file import load
from tests.conftest import example, local
from tests.e2e.conftest import full_text, harness_env, invitation_of, run_cli
from tests.e2e.test_memos import memo_dms, send_memo
from tests.e2e.test_signoff import requests_to, start_round
from tests.teams_connector.harness import *  # noqa: F401,F403  (the th fixture)
from tests.teams_connector.harness import CHANNEL

TREKKER = "trekker@voorbeeldstad.example"
LINDE = "ambassadeur@delinde.example"
LINDE_BOARD = "bestuur@delinde.example"
GGD = "ambassadeur@ggd.example"
EVERYONE = [TREKKER, "collega@voorbeeldstad.example", GGD, LINDE, LINDE_BOARD, "ambassadeur@thuiszorg.example",
            "bestuur@thuiszorg.example", "ambassadeur@welzijn.example"]


async def state(ctx) -> dict:
    """Everything people did in chat, as the database holds it."""
    async with ctx.db.sessionmaker() as s:
        trajectory = (await s.execute(select(Trajectory))).scalar_one()
        commitment = (await s.execute(select(Commitment).where(Commitment.key == "protocol-linde"))).scalar_one()
        return {
            "phase": trajectory.current_phase,
            "transitions": [(t.from_phase, t.to_phase, t.reached) for t in (await s.execute(select(PhaseTransition).order_by(PhaseTransition.id))).scalars()],
            "commitment": (commitment.status, commitment.last_note),
            "history": [(e.from_status, e.to_status, e.note) for e in (await s.execute(select(CommitmentEvent).order_by(CommitmentEvent.id))).scalars()],
            "reads": sorted((await s.execute(select(Person.email).join(MemoRecipient, MemoRecipient.person_id == Person.id).where(MemoRecipient.read_at.is_not(None)))).scalars()),
            "signoff": sorted((await s.execute(select(SignOffRequest.decision))).scalars()),
        }


async def test_slack_reimport_keeps_what_people_did_and_follows_the_file_only_when_asked(harness, tmp_path):
    h = harness
    await start_round(h, organisations=("Zorggroep De Linde", "GGD Regio Voorbeeld"), deadline="2027-04-30")
    await h.drv.click(h.uid(LINDE_BOARD), requests_to(h, LINDE_BOARD)[0], text="Akkoord namens Zorggroep De Linde")
    await h.command(TREKKER, "uitnodigen start")
    await h.drain()
    for email, answer in ((LINDE, "Ik kom"), (GGD, "Ik kan niet")):
        message = next(m for m in h.emu.dm(h.uid(email)) if "Uitnodiging" in (m.text or ""))
        await h.drv.click(h.uid(email), message, text=answer)
    await send_memo(h, memo_title="Lees mij")
    await h.drv.click(h.uid(LINDE), memo_dms(h, LINDE)[0], text="Gelezen")
    h.clock.set(local(2027, 3, 30, 9, 0))  # protocol-linde's reminder
    await h.tick()
    reminder = next(m for m in h.emu.dm(h.uid(LINDE)) if "Hitteprotocol" in full_text(m))
    await h.drv.click(h.uid(LINDE), reminder, text="Bezig")
    await h.drv.submit_view(h.uid(LINDE), values={"note": "In het MT"})
    await h.command(TREKKER, "fase 3")
    await h.drv.submit_view(h.uid(TREKKER), h.emu.open_views(h.uid(TREKKER))[-1], values={"phase_reached": "Ja"})
    await h.drain()
    before = await state(h.ctx)
    assert before["phase"] == 3 and before["transitions"] == [(2, 3, "yes")] and before["commitment"] == ("busy", "In het MT")

    result = await run_cli("import", str(example("hitteplan.yaml")), env=harness_env(h), cwd=tmp_path)
    assert result.code == 0, result.both
    assert "het bestand zegt fase 2, maar het traject is in fase 3. De fase blijft 3" in result.out
    assert await state(h.ctx) == before
    assert (await invitation_of(h, "start", LINDE)).status == "yes"
    assert (await invitation_of(h, "start", GGD)).status == "no"

    result = await run_cli("import", str(example("hitteplan.yaml")), "--phase-from-file", env=harness_env(h), cwd=tmp_path)
    assert result.code == 0, result.both
    assert "gaat van fase 3 naar fase 2, zoals in het bestand" in result.out
    after = await state(h.ctx)
    assert after["phase"] == 2 and after["transitions"] == [(2, 3, "yes"), (3, 2, "unset")]
    assert {k: v for k, v in after.items() if k not in ("phase", "transitions")} == {k: v for k, v in before.items() if k not in ("phase", "transitions")}
    await h.drain()
    [announcement] = [m for m in h.emu.messages("#hitteplan") if "Nu begint fase 2" in full_text(m)]
    assert "niet beoordeeld" in full_text(announcement)
    again = await run_cli("import", str(example("hitteplan.yaml")), "--phase-from-file", env=harness_env(h), cwd=tmp_path)
    assert "Fase:" not in again.out and len((await state(h.ctx))["transitions"]) == 2


async def test_teams_reimport_keeps_the_phase_moved_in_teams(th):
    await th.import_example()
    th.team_of(EVERYONE)
    await th.koppel(TREKKER)
    r = await th.say(TREKKER, "fase 3")
    [form] = r.replies
    await th.teams.execute(th.tid(TREKKER), form, "Bevestigen", {"phase_reached": "partly"})
    await th.say(TREKKER, "uitnodigen start")
    await th.drain()
    await th.teams.execute(th.tid(LINDE), th.cards_with(LINDE, "Uitnodiging:")[0], "Ik kom")
    before = await state(th.ctx)
    report = await th.import_example()
    assert report.phase_kept == (3, 2)
    assert await state(th.ctx) == before and before["phase"] == 3
    assert (await invitation_of(th, "start", LINDE)).status == "yes"
    parsed, _ = load(str(example("hitteplan.yaml")))
    report = await import_file(th.ctx, parsed, phase_from_file=True)
    assert report.phase_moved == (3, 2)
    await th.drain()
    announcements = [p for p in th.conn.in_conversation(CHANNEL) if "Nu begint fase 2" in p.text]
    assert len(announcements) == 1 and "niet beoordeeld" in announcements[0].text
