"""The AVG rights of a person on e-mail (issue 12, points 7-9), after the privacy flow
done through the mails and the personal pages: ``privacy export`` holds the mails the
bot sent them; ``privacy erase`` withdraws a mail still waiting and their links stop
working; the retention job does the same for everyone and empties the outbox, the
e-mail addresses it was sent to included."""

from __future__ import annotations

import json

from sqlalchemy import select

from bot.mail.message import message_id
from bot.models import OutboxMessage, Person
from scheduling.scheduler import retention_job
from tests.conftest import local
from tests.e2e.conftest import AMB_GGD, AMB_LINDE, TREKKER, dump, example_data, harness_env, run_cli
from tests.e2e.flows import jump
from tests.e2e.mail_pages import pages  # noqa: F401  (the fixture)
from tests.e2e.privacy_flow import whole_mail_flow
from tests.e2e.test_memos import send_memo
from tests.e2e.test_privacy import assert_everything_of_linde, figures, person
from tests.mail.fixtures import *  # noqa: F401,F403  (smtp, public_url, extra_env)
from tests.mail.helpers import MAIL_FROM


async def outbox_of(h, person_id: int | None = None) -> list[OutboxMessage]:
    async with h.ctx.db.sessionmaker() as s:
        query = select(OutboxMessage).order_by(OutboxMessage.id)
        if person_id is not None:
            query = query.where(OutboxMessage.person_id == person_id)
        return list((await s.execute(query)).scalars())


async def test_export_holds_the_mails_and_erase_ends_the_links(harness, pages, smtp, tmp_path):
    h = harness
    await whole_mail_flow(h, pages)
    r = await run_cli("privacy", "export", "--email", AMB_LINDE, env=harness_env(h), cwd=tmp_path)
    assert r.code == 0, r.both
    data = json.loads(r.out)
    assert_everything_of_linde(data)
    exported = {message_id(m["key"], MAIL_FROM): m for m in data["messages"]}
    received = [str(mail["Message-ID"]).strip() for mail in smtp.to(AMB_LINDE)]
    assert len(received) >= 4 and set(received) <= set(exported), "every mail she got is in the export"
    mailed = [exported[mid] for mid in received]
    assert {"invitation", "memo", "evaluation_prompt", "commitment_reminder"} <= {m["template"] for m in mailed}
    assert all(m["platform"] == "email" and m["status"] == "sent" and m["content"] for m in mailed)

    # Evening: the trekker reminds the commitments; Linde's reminder mail waits for the morning.
    await jump(h, local(2027, 3, 31, 20, 0))
    await h.command(TREKKER, "herinneren afspraken")
    linde = await person(h, AMB_LINDE)
    waiting = [m for m in await outbox_of(h, linde.id) if m.status == "pending"]
    assert waiting and all(m.platform == "email" for m in waiting)
    links = [pages.link(AMB_LINDE, "commitment", "busy", containing="Hitteprotocol"), pages.link(AMB_LINDE, "mine"),
             pages.link(AMB_LINDE, "memo")]
    assert [await pages.status_of(link) for link in links] == [200] * 3
    before = await figures(h, linde.id)
    r = await run_cli("privacy", "erase", "--email", AMB_LINDE, "--yes", env=harness_env(h), cwd=tmp_path)
    assert r.code == 0 and "ingetrokken" in r.out, r.both
    assert [await pages.status_of(link) for link in links] == [403] * 3
    assert await figures(h, linde.id) == before
    rows = await outbox_of(h, linde.id)
    assert rows and all(m.status != "pending" and m.data == {} for m in rows)
    assert not any(AMB_LINDE in repr((m.target, m.data)) for m in await outbox_of(h)), "her address is gone from the outbox"
    mails_before = len(smtp.to(AMB_LINDE))
    await jump(h, local(2027, 4, 1, 9, 0))
    assert len(smtp.to(AMB_LINDE)) == mails_before, "the withdrawn reminder is never mailed"


async def test_retention_refuses_the_links_and_empties_the_mails(harness, pages, smtp, tmp_path):
    h = harness
    data = example_data()
    data["trajectory"]["retention_days"] = 30  # the last session ends on 18 May 2027: erased on 17 June
    await whole_mail_flow(h, pages, text=dump(data))
    await jump(h, local(2027, 6, 16, 10, 0))
    await send_memo(h, memo_title="Zomer")  # a fresh mail: its links would still work for weeks
    links = {email: pages.link(email, "memo", containing="Zomer") for email in (AMB_LINDE, AMB_GGD)}
    assert [await pages.status_of(link) for link in links.values()] == [200, 200]
    await retention_job(h.ctx)  # a day early: nothing yet
    assert [await pages.status_of(link) for link in links.values()] == [200, 200]

    h.clock.set(local(2027, 6, 17, 17, 0))
    await retention_job(h.ctx)
    assert [await pages.status_of(link) for link in links.values()] == [403, 403]
    rows = await outbox_of(h)
    assert rows and all(m.data == {} and m.target is None for m in rows)
    async with h.ctx.db.sessionmaker() as s:
        people = (await s.execute(select(Person))).scalars().all()
    assert people and not any(AMB_LINDE in p.email or AMB_GGD in p.email for p in people)
