"""A trekker on e-mail gets the reports by mail: the invitation round, "lukt niet" from an
ambassador, the memo confirmation, a sign-off question, the evaluation results, and a
mail that bounced."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from bot.identity import email as email_user
from bot.identity import slack
from bot.interactions import commitments as commitments_uc
from bot.interactions import evaluations as evaluations_uc
from bot.interactions import invitations as invitations_uc
from bot.interactions import memos as memos_uc
from bot.interactions import signoff as signoff_uc
from bot.models import Commitment, Organisation, Person, Session, Trajectory
from tests.e2e.conftest import AMB_LINDE, AMB_THUISZORG, BESTUUR_LINDE, TREKKER, invitation_of
from tests.mail.fixtures import *  # noqa: F401,F403  (smtp, public_url, extra_env)
from tests.mail.helpers import text_of


@pytest.fixture
def unknown_emails():
    return {TREKKER, AMB_LINDE}


async def _ids(h):
    async with h.ctx.db.sessionmaker() as s:
        tid = (await s.execute(select(Trajectory.id))).scalars().first()
        session_id = (await s.execute(select(Session.id).where(Session.key == "start"))).scalar_one()
        orgs = {o.name: o.id for o in (await s.execute(select(Organisation))).scalars()}
        commitment = (await s.execute(select(Commitment).join(Person, Person.id == Commitment.owner_id)
                                      .where(Person.email == AMB_THUISZORG))).scalars().first()
    return tid, session_id, orgs, commitment.id


async def test_the_trekker_on_email_gets_the_reports(harness, smtp):
    h = harness
    await h.import_example()
    trekker = email_user(TREKKER)
    tid, session_id, orgs, commitment_id = await _ids(h)
    done = await invitations_uc.invite(h.ctx, trekker, tid, "start")
    assert dict(done.reached) == {"slack": 4, "email": 2}
    await h.drain()
    smtp.refuse(AMB_LINDE, "550 5.1.1 Mailbox unknown")

    # "Lukt niet" from an ambassador in Slack.
    pressed = await commitments_uc.press(h.ctx, slack(h.uid(AMB_THUISZORG)), commitment_id, "blocked")
    await commitments_uc.submit_status(h.ctx, slack(h.uid(AMB_THUISZORG)), pressed.form, commitments_uc.StatusInput(note="Geen budget <b>"))
    # A memo (the confirmation goes to its author) and a sign-off round with a question.
    form = (await memos_uc.form(h.ctx, trekker, tid))["form"]
    preview = await memos_uc.preview(h.ctx, trekker, form, memos_uc.Draft(title="Doel", body="Tekst", audience="all"))
    await memos_uc.send(h.ctx, trekker, preview["form"])
    start = signoff_uc.StartInput(title="SOK hitte", link="https://example.org/sok", deadline="2027-03-01",
                                  organisations=[str(orgs["Zorggroep De Linde"])])
    await signoff_uc.start(h.ctx, trekker, signoff_uc.StartForm(tid), start)
    await h.drain()
    async with h.ctx.db.sessionmaker() as s:
        from bot.models import SignOffRequest

        request_id = (await s.execute(select(SignOffRequest.id))).scalar_one()
    note = await signoff_uc.note_form(h.ctx, slack(h.uid(BESTUUR_LINDE)), request_id, "question")
    await signoff_uc.submit_note(h.ctx, slack(h.uid(BESTUUR_LINDE)), note.form, "Wat kost het?")
    # Evaluation results on request.
    linde = await invitation_of(h, "start", AMB_THUISZORG)
    await invitations_uc.answer(h.ctx, slack(h.uid(AMB_THUISZORG)), linde.id, "yes")
    await evaluations_uc.prompt_now(h.ctx, trekker, tid, session_id)
    await evaluations_uc.request_results(h.ctx, trekker, tid, session_id)
    await h.drain()
    await h.drain()

    subjects = [str(m["Subject"]) for m in smtp.to(TREKKER)]
    assert any(s.startswith("Uitnodiging:") for s in subjects), subjects
    blocked = [m for m in smtp.to(TREKKER) if "niet lukt" in str(m["Subject"])]
    assert blocked and "Geen budget <b>" in text_of(blocked[0])
    assert any(s.startswith("Memo verstuurd") for s in subjects), subjects
    assert any("Wat kost het?" in text_of(m) for m in smtp.to(TREKKER)), subjects
    assert any(s.startswith("Resultaten evaluatie") for s in subjects), subjects
    bounced = [m for m in smtp.to(TREKKER) if "kwam niet aan" in str(m["Subject"]).lower() or "Mail kwam niet aan" in str(m["Subject"])]
    assert bounced and AMB_LINDE in text_of(bounced[0]), subjects
