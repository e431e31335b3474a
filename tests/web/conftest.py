"""The personal pages through real HTTP: the harness's bot (Slack emulator, real database)
with SECRET_KEY and PUBLIC_URL set, links minted with ``ctx.links`` for people imported
from ``examples/hitteplan.yaml``, and a plain aiohttp client as the browser."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta
from html import unescape

import aiohttp
import pytest
from sqlalchemy import select

from bot.interactions import signoff as signoff_uc
from bot.interactions import memos as memo_uc
from bot.identity import slack
from bot.models import Base, Commitment, EvaluationPrompt, MemoRecipient, Organisation, Person, SignOffRequest, Trajectory
from bot.web.links import Grant
from tests.e2e.conftest import HITTEPLAN, PUBLIC, TREKKER, invitation_of

SECRET = "web-test-secret-key"
CSRF = re.compile(r'name="csrf" value="([0-9a-f]+)"')


@pytest.fixture
def public_url() -> str:
    return PUBLIC


@pytest.fixture
def extra_env() -> dict[str, str]:
    return {"SECRET_KEY": SECRET}


@dataclass
class Reply:
    status: int
    text: str
    headers: dict
    location: str | None

    @property
    def csrf(self) -> str:
        found = CSRF.search(self.text)
        assert found, self.text
        return found.group(1)


class Web:
    def __init__(self, h, client: aiohttp.ClientSession):
        self.h, self.client = h, client
        self.base = h.drv.bot_url.rsplit("/slack/events", 1)[0]

    @property
    def ctx(self):
        return self.h.ctx

    async def person(self, email: str) -> Person:
        async with self.ctx.db.sessionmaker() as s:
            return (
                await s.execute(
                    select(Person).join(Trajectory).where(Person.email == email, Trajectory.key == HITTEPLAN)
                )
            ).scalar_one()

    async def link(self, email: str, purpose: str, record_id: int | None, days: float = 60) -> str:
        person = await self.person(email)
        grant = Grant(person.id, purpose, record_id, self.ctx.now() + timedelta(days=days))
        return f"/p/{self.ctx.links.token(grant)}"

    async def get(self, path: str, **params) -> Reply:
        async with self.client.get(self.base + path, params=params, allow_redirects=False) as r:
            return Reply(r.status, await r.text(), dict(r.headers), r.headers.get("Location"))

    async def post(self, path: str, data, csrf: str | None = "page") -> Reply:
        """POST ``data`` (a dict or a list of pairs); ``csrf="page"`` takes the form's own."""
        pairs = list(data.items()) if isinstance(data, dict) else list(data)
        if csrf == "page":
            csrf = (await self.get(path)).csrf
        if csrf is not None:
            pairs.append(("csrf", csrf))
        async with self.client.post(self.base + path, data=pairs, allow_redirects=False) as r:
            return Reply(r.status, await r.text(), dict(r.headers), r.headers.get("Location"))

    async def submit(self, path: str, data) -> Reply:
        """POST and follow the redirect to the confirmation page."""
        posted = await self.post(path, data)
        assert posted.status == 303, (posted.status, text_of(posted.text))
        assert posted.location.startswith(path + "/klaar")
        return await self.get(posted.location)

    async def dump(self) -> dict:
        """Every row of every table (order-free), to show that a request changed nothing."""
        out = {}
        async with self.ctx.db.sessionmaker() as s:
            for table in Base.metadata.sorted_tables:
                rows = (await s.execute(select(table))).all()
                out[table.name] = sorted((tuple(r) for r in rows), key=repr)
        return out

    # -- records to link to ---------------------------------------------------------

    async def invitation(self, email: str, session: str = "start") -> int:
        inv = await invitation_of(self.h, session, email)
        assert inv is not None, email
        return inv.id

    async def commitment(self, key: str) -> int:
        async with self.ctx.db.sessionmaker() as s:
            return (await s.execute(select(Commitment.id).where(Commitment.key == key))).scalar_one()

    async def prompt(self, email: str) -> int:
        person = await self.person(email)
        async with self.ctx.db.sessionmaker() as s:
            return (await s.execute(select(EvaluationPrompt.id).where(EvaluationPrompt.person_id == person.id))).scalar_one()

    async def send_memo(self, title: str = "Doel en opzet", body: str = "Het doel van het traject.") -> None:
        user = slack(self.h.uid(TREKKER))
        trajectory = (await self.person(TREKKER)).trajectory_id
        vm = await memo_uc.preview(self.ctx, user, memo_uc.MemoForm(trajectory), memo_uc.Draft(title=title, body=body, audience="all"))
        await memo_uc.send(self.ctx, user, vm["form"])

    async def recipient(self, email: str) -> int:
        person = await self.person(email)
        async with self.ctx.db.sessionmaker() as s:
            return (await s.execute(select(MemoRecipient.id).where(MemoRecipient.person_id == person.id))).scalar_one()

    async def start_signoff(self, deadline: str = "2027-03-01") -> None:
        trajectory = (await self.person(TREKKER)).trajectory_id
        async with self.ctx.db.sessionmaker() as s:
            orgs = (await s.execute(select(Organisation.id).where(Organisation.trajectory_id == trajectory))).scalars().all()
        given = signoff_uc.StartInput(title="Samenwerkingsovereenkomst hitte", link="https://docs.example/overeenkomst",
                                      organisations=list(orgs), deadline=deadline)
        await signoff_uc.start(self.ctx, slack(self.h.uid(TREKKER)), signoff_uc.StartForm(trajectory), given)

    async def signoff_request(self, organisation_key: str) -> int:
        async with self.ctx.db.sessionmaker() as s:
            return (
                await s.execute(
                    select(SignOffRequest.id).join(Organisation, Organisation.id == SignOffRequest.organisation_id)
                    .where(Organisation.key == organisation_key)
                )
            ).scalar_one()


def text_of(html: str) -> str:
    """The visible text of a page, tags out, entities decoded, spaces folded."""
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


@pytest.fixture
async def site(harness):
    async with aiohttp.ClientSession() as client:
        await harness.import_example()
        yield Web(harness, client)
