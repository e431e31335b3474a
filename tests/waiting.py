"""Setting the stage for the overview tests (``mijn``, App Home, the Teams card): one
open evaluation form, one unread memo and one sign-off request for the people of De
Linde, nothing of the kind for the GGD.  Done through the use cases, as a trekker would."""

from __future__ import annotations

from typing import Callable

from sqlalchemy import select, update

from bot.identity import User
from bot.interactions import evaluations, memos, signoff
from bot.models import Invitation, Organisation, Person, Session
from bot.services import invitations

TREKKER = "trekker@voorbeeldstad.example"
LINDE = "ambassadeur@delinde.example"  # attends the start, reads memos, may sign for De Linde
LINDE_BOARD = "bestuur@delinde.example"  # reads the memo too, may sign for De Linde, did not attend
GGD = "ambassadeur@ggd.example"  # invited, did not attend; gets no memo, no request

MEMO_TITLE = "Verslag van de start"
SIGN_TITLE = "Convenant hitte"
SESSION_TITLE = "Startbijeenkomst lokaal hitteplan"


async def set_the_stage(ctx, user: Callable[[str], User]) -> None:
    async with ctx.db.sessionmaker() as s:
        session = (await s.execute(select(Session).where(Session.key == "start"))).scalar_one()
        orgs = {o.key: o.id for o in (await s.execute(select(Organisation))).scalars()}
    async with ctx.db.transaction() as s:
        await invitations.invite(s, ctx, await s.get(Session, session.id))
        attending = select(Person.id).where(Person.email == LINDE)
        await s.execute(update(Invitation).where(Invitation.session_id == session.id, Invitation.person_id.in_(attending)).values(status="yes"))
    await evaluations.prompt_now(ctx, user(TREKKER), session.trajectory_id, session.id)

    form = (await memos.form(ctx, user(TREKKER), session.trajectory_id))["form"]
    draft = memos.Draft(title=MEMO_TITLE, body="Dank voor jullie komst.", audience="organisations", organisations=["linde"])
    await memos.send(ctx, user(TREKKER), (await memos.preview(ctx, user(TREKKER), form, draft))["form"])

    given = signoff.StartInput(title=SIGN_TITLE, link="https://example.org/convenant", organisations=[str(orgs["linde"])], deadline="2027-03-01")
    await signoff.start(ctx, user(TREKKER), signoff.StartForm(session.trajectory_id), given)


ANSWERS = {"waarde": "4", "doelen": "1", "risico": "Geen koele ruimte"}
