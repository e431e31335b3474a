"""The AVG rights for a person reached on Teams: the export holds the Teams id and
conversation; erasing removes both, and a message still waiting for them never goes."""

from __future__ import annotations

import json

from sqlalchemy import select

from bot.models import OutboxMessage, Person
from tests.conftest import local
from tests.e2e.conftest import cli_env, run_cli
from tests.teams_connector.harness import *  # noqa: F401,F403  (the th fixture)

TREKKER = "trekker@voorbeeldstad.example"
LINDE = "ambassadeur@delinde.example"
EVERYONE = [TREKKER, "collega@voorbeeldstad.example", "ambassadeur@ggd.example", LINDE, "bestuur@delinde.example",
            "ambassadeur@thuiszorg.example", "bestuur@thuiszorg.example", "ambassadeur@welzijn.example"]


def env_of(th) -> dict:
    return cli_env(DATABASE_URL=th.bot.settings.database_url, DIALOOGBOT_NOW=th.clock.now().isoformat())


async def test_teams_person_export_and_erase(th, tmp_path):
    await th.import_example()
    th.team_of(EVERYONE)
    await th.koppel(TREKKER)
    await th.say(TREKKER, "uitnodigen start")
    await th.drain()
    await th.teams.execute(th.tid(LINDE), th.cards_with(LINDE, "Uitnodiging:")[0], "Ik kom")
    r = await run_cli("privacy", "export", "--email", LINDE, env=env_of(th), cwd=tmp_path)
    assert r.code == 0, r.both
    data = json.loads(r.out)
    assert data["platform_ids"]["teams_user_id"] == th.tid(LINDE) and data["platform_ids"]["teams_reference"]
    assert f"Teams-id: {th.tid(LINDE)}" in r.err

    # Evening: the trekker reminds the commitments; Linde's reminder waits for the morning.
    th.clock.set(local(2027, 3, 31, 20, 0))
    await th.say(TREKKER, "herinneren afspraken")
    async with th.ctx.db.sessionmaker() as s:
        linde = (await s.execute(select(Person).where(Person.email == LINDE))).scalar_one()
        waiting = (await s.execute(select(OutboxMessage).where(OutboxMessage.person_id == linde.id, OutboxMessage.status == "pending"))).scalars().all()
    assert waiting
    r = await run_cli("privacy", "erase", "--email", LINDE, "--yes", env=env_of(th), cwd=tmp_path)
    assert r.code == 0 and "ingetrokken" in r.out and "0 wachtende" not in r.out, r.both
    async with th.ctx.db.sessionmaker() as s:
        tomb = await s.get(Person, linde.id)
        assert tomb.teams_user_id is None and tomb.teams_reference is None and tomb.erased_at is not None
    before = len(th.chat_with(LINDE))
    th.clock.set(local(2027, 4, 1, 9, 0))
    await th.tick()
    assert len(th.chat_with(LINDE)) == before, "the withdrawn reminder never goes out"
