"""The phase-status summary and phase transitions, end to end through the emulator."""

from __future__ import annotations

import struct

import pytest
from sqlalchemy import select

from bot.models import Organisation, PhaseTransition, SummaryPost, Trajectory
from tests.conftest import example, local

TREKKER = "trekker@voorbeeldstad.example"
LINDE = "ambassadeur@delinde.example"
GGD = "ambassadeur@ggd.example"
NEERSLAG_TREKKER = "trekker@provincie.example"
HITTEPLAN = example("hitteplan.yaml").read_text()


def summaries(h, channel: str = "#hitteplan") -> list:
    return [m for m in h.emu.messages(channel) if (m.text or "").startswith("Stand van zaken")]


def text_of(message) -> str:
    return "\n".join([message.text or ""] + [str(b) for b in message.blocks or []])


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    assert data[12:16] == b"IHDR"
    return struct.unpack(">II", data[16:24])


async def at(h, when) -> None:
    h.clock.set(when)
    await h.tick()


async def test_scheduled_post_and_catch_up_once_after_downtime(harness):
    h = harness
    await h.import_example()  # Monday 1 February 09:00; the summary is due on Mondays at 09:00
    await at(h, local(2027, 2, 8, 8, 59))
    assert summaries(h) == []
    await at(h, local(2027, 2, 8, 9, 0))
    assert len(summaries(h)) == 1
    for _ in range(3):
        await h.tick()
    assert len(summaries(h)) == 1
    # Down for three weeks: one catch-up post, not three.
    await at(h, local(2027, 3, 3, 11, 0))
    assert len(summaries(h)) == 2
    await at(h, local(2027, 3, 4, 11, 0))
    assert len(summaries(h)) == 2
    await at(h, local(2027, 3, 8, 9, 0))
    assert len(summaries(h)) == 3
    async with h.ctx.db.sessionmaker() as s:
        slots = (await s.execute(select(SummaryPost.slot))).scalars().all()
    assert len(slots) == len(set(slots)) == 3


async def test_on_demand_post_by_a_trekker_from_any_channel(harness):
    h = harness
    await h.import_example()
    r = await h.command(TREKKER, "status", channel_id="C0ELSEWHERE")
    assert "staat in #hitteplan" in h.reply(r)
    await h.drain()
    assert len(summaries(h)) == 1
    r = await h.command(LINDE, "status")
    assert "alleen een trekker" in h.reply(r)
    await h.drain()
    assert len(summaries(h)) == 1


async def test_chart_is_uploaded_with_the_three_steps_threaded_with_alt_text(harness):
    h = harness
    await h.import_example()
    await h.command(TREKKER, "status")
    await h.drain()
    [post] = summaries(h)
    [ticket] = h.emu.successful("files.getUploadURLExternal")
    [complete] = h.emu.successful("files.completeUploadExternal")
    assert "stand van zaken" in ticket.args["alt_txt"].lower() or "Staafdiagram" in ticket.args["alt_txt"]
    assert complete.args["thread_ts"] == post.ts and complete.args["channel_id"] == post.channel
    [stored] = h.emu.files.values()
    width, height = png_size(stored["bytes"])
    assert 600 <= width <= 2000 and 300 <= height <= 1600
    assert 5_000 < len(stored["bytes"]) < 1_000_000


async def test_content_with_realistic_data(harness):
    h = harness
    await h.import_example()
    await h.command(TREKKER, "uitnodigen start")
    await h.drain()
    for email, answer in ((LINDE, "Ik kom"), (GGD, "Ik kan niet")):
        message = next(m for m in h.emu.dm(h.uid(email)) if "Uitnodiging" in (m.text or ""))
        await h.drv.click(h.uid(email), message, text=answer)
    await h.drain()
    # De Linde's commitment was due 6 April; GGD's is done.
    h.clock.set(local(2027, 4, 20, 10, 0))
    await h.tick()
    ggd = next(m for m in h.emu.dm(h.uid(GGD)) if "Afspraak van" in (m.text or ""))
    await h.drv.click(h.uid(GGD), ggd, text="Gedaan")
    r = await h.command(TREKKER, "status")
    await h.drain()
    body = text_of(summaries(h)[-1])
    assert "Fase 2 van 3: Dialogen voeren" in body and "Startpunt" in body and "Beoogd resultaat" in body
    assert "Bijeenkomsten in deze fase:* 2 gehouden, 3 gepland" in body
    assert "Volgende bijeenkomst:* Dialoog doelen en maatregelen" in body
    assert "Zorggroep De Linde*: 0 gedaan, 0 bezig, 0 open, 1 te laat" in body
    assert "GGD Regio Voorbeeld*: 1 gedaan" in body
    assert "op tijd nagekomen" in body
    assert "commit_round" in body


async def test_neerslag_summary_lists_its_organisations(harness):
    h = harness
    await h.import_example("neerslag.yaml")
    r = await h.command(NEERSLAG_TREKKER, "status")
    assert "risicodialoog-neerslag" in h.reply(r)
    await h.drain()
    [post] = summaries(h, "#risicodialoog-neerslag")
    body = text_of(post)
    assert "Fase 1 van 3: Dialogen afbakenen" in body
    assert "Netbeheerder Voorbeeld" in body and "Brede dialoog 1" in body


def many_organisations(count: int, hostile: bool = False, ambassadors: int = 1) -> str:
    orgs = ["organisations:"]
    people = ["people:", "  - {name: Trekker, email: trekker@voorbeeldstad.example, organisation: o0, roles: [trekker]}"]
    commitments = ["commitments:"]
    for n in range(count):
        name = f"'<!channel> & Co {n}'" if hostile and n == 1 else f"Organisatie {n} met een lange naam"
        orgs.append(f"  - {{key: o{n}, name: {name}, kind: gemeente}}")
        if n:
            people.append(f"  - {{name: Persoon {n}, email: p{n}@voorbeeld.example, organisation: o{n}, roles: [ambassadeur]}}")
            people += [f"  - {{name: Collega {n}-{k}, email: p{n}-{k}@voorbeeld.example, organisation: o{n}, roles: [ambassadeur]}}" for k in range(1, ambassadors)]
            commitments.append(f"  - {{key: c{n}, organisation: o{n}, owner: p{n}@voorbeeld.example, description: Taak {n}, due: 2027-01-{(n % 28) + 1:02d}, phase: 2}}")
    head = HITTEPLAN.split("organisations:")[0]
    sessions = "sessions:" + HITTEPLAN.split("sessions:")[1].split("commitments:")[0]
    forms = "evaluation_forms:" + HITTEPLAN.split("evaluation_forms:")[1]
    return "\n".join([head] + orgs + [""] + people + ["", sessions.replace("{organisations: [gemeente, ggd, linde, thuiszorg, welzijn]}", "{roles: [ambassadeur]}")] + commitments + ["", forms])


async def invite_many_organisations(h, count: int) -> None:
    """``many_organisations(count)`` imported with its people in the workspace (``UMANY01``,
    ...), and ``start`` invited and sent."""
    for n in range(1, count):
        h.emu.add_user(f"UMANY{n:02d}", f"p{n}@voorbeeld.example", f"Persoon {n}")
    await h.import_example(text=many_organisations(count))
    await h.command(TREKKER, "uitnodigen start")
    await h.drain()


async def posted_within_limits(h, text: str):
    """The summary of this trajectory file, as the emulator took it (it rejects anything
    over Slack's limits): at most 50 blocks, sections of at most 3,000 characters."""
    await h.import_example(text=text)
    await h.command(TREKKER, "status")
    await h.drain()
    [post] = summaries(h)
    assert len(post.blocks) <= 50
    assert all(len(b.get("text", {}).get("text", "")) <= 3000 for b in post.blocks)
    return post


async def test_block_kit_limits_with_200_organisations(harness):
    h = harness
    post = await posted_within_limits(h, many_organisations(200))
    assert "En nog 184 organisaties" in text_of(post)
    [stored] = h.emu.files.values()
    png_size(stored["bytes"])


async def test_block_kit_limits_with_200_organisations_with_two_ambassadors_each(harness):
    """Every organisation has one ambassador too many: a few are named, the rest counted."""
    body = text_of(await posted_within_limits(harness, many_organisations(200, ambassadors=2)))
    assert "*Organisatie 1 met een lange naam* heeft 2 ambassadeurs" in body
    assert "En nog 194 organisaties met meer dan één ambassadeur." in body


async def test_hostile_organisation_names_are_escaped(harness):
    h = harness
    await h.import_example(text=many_organisations(3, hostile=True))
    await h.command(TREKKER, "status")
    await h.drain()
    body = text_of(summaries(h)[-1])
    assert "&lt;!channel&gt; &amp; Co 1" in body and "<!channel>" not in body
    async with h.ctx.db.sessionmaker() as s:
        names = (await s.execute(select(Organisation.name))).scalars().all()
    assert "<!channel> & Co 1" in names  # stored as written, escaped only where shown


async def test_phase_transition_with_confirmation_and_announcement(harness):
    h = harness
    await h.import_example()
    r = await h.command(TREKKER, "fase 7")
    assert "`/dialoog fase 1`, `/dialoog fase 2` of `/dialoog fase 3`" in h.reply(r)
    assert "<" not in h.reply(r)  # a raw <...> is a link or mention in Slack mrkdwn
    r = await h.command(TREKKER, "fase 2")
    assert "al in fase 2" in h.reply(r)
    r = await h.command(LINDE, "fase 3")
    assert "alleen een trekker" in h.reply(r)
    assert h.emu.open_views(h.uid(LINDE)) == []

    await h.command(TREKKER, "phase 3")
    view = h.emu.open_views(h.uid(TREKKER))[-1]
    shown = str(view["blocks"])
    assert "Gedeeld beeld van acceptabele" in shown and "Keuzes vastleggen" in shown
    r = await h.drv.submit_view(h.uid(TREKKER), view, values={"note": "zonder keuze"})
    assert r.json["response_action"] == "errors"
    hostile = "Bestuurders <!here> akkoord & blij"
    r = await h.drv.submit_view(h.uid(TREKKER), view, values={"phase_reached": "Deels", "note": hostile})
    assert r.json["response_action"] == "update"
    await h.drain()
    announcement = [m for m in h.emu.messages("#hitteplan") if "Nieuwe fase" in (m.text or "")]
    assert len(announcement) == 1
    body = text_of(announcement[0])
    assert "Fase 2 (Dialogen voeren) is afgerond" in body and "deels bereikt" in body
    assert "Nu begint fase 3: Keuzes vastleggen" in body and "ondertekend" in body
    assert "&lt;!here&gt;" in body and "<!here>" not in body
    async with h.ctx.db.sessionmaker() as s:
        trajectory = (await s.execute(select(Trajectory))).scalar_one()
        [transition] = (await s.execute(select(PhaseTransition))).scalars().all()
    assert trajectory.current_phase == 3
    assert (transition.from_phase, transition.to_phase, transition.reached, transition.note) == (2, 3, "partly", hostile)
    await h.command(TREKKER, "status")
    await h.drain()
    body = text_of(summaries(h)[-1])
    assert "Fase 3 van 3" in body and "Fasewissels" in body and "fase 2 → 3" in body
    assert "Nog geen ronde voor ondertekenen" in body
