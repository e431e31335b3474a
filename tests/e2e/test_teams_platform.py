"""Teams end to end: authentication on /api/messages only, outbound tokens, Teams limits
and errors in the dispatcher (429 / 412 / 5xx, size, not installed, blocked, unknown
user), and hostile text in cards."""

from __future__ import annotations

from datetime import timedelta

import aiohttp
import pytest
from sqlalchemy import select

from bot.models import OutboxMessage, Person
from bot.settings import SettingsError, load_settings
from tests.e2e.conftest import AMB_GGD, AMB_LINDE, COLLEGA, START_INVITEES, TREKKER, dump, example_data, session_spec
from tests.teams_connector.harness import *  # noqa: F401,F403  (the th fixture)
from tests.teams_connector.server import CARD, card_texts

pytestmark = pytest.mark.one_database  # how a platform shows it; the rules run on both databases elsewhere

INVITATION = "Uitnodiging: Startbijeenkomst"
EVERYONE = START_INVITEES + ["bestuur@delinde.example", "bestuur@thuiszorg.example"]


async def linked(th, text=None):
    await th.import_example(text=text)
    th.team_of(EVERYONE)
    r = await th.koppel(TREKKER)
    assert r.status == 202, r.body


async def invite(th):
    await linked(th)
    r = await th.say(TREKKER, "uitnodigen start")
    assert "6 nieuw verstuurd" in r.text, r.text


async def rows(th, prefix="invite:") -> dict[str, OutboxMessage]:
    async with th.ctx.db.sessionmaker() as s:
        found = (await s.execute(select(OutboxMessage, Person.email).join(Person, Person.id == OutboxMessage.person_id)
                                 .where(OutboxMessage.key.like(f"{prefix}%")))).all()
    return {email: row for row, email in found}


# -- authentication ----------------------------------------------------------------------


class TestWithCredentials:
    @pytest.fixture
    def teams_token(self):
        return "test-token"

    async def test_unauthenticated_requests_are_refused_and_other_routes_stay_open(self, th):
        activity = {"type": "message", "id": "x", "channelId": "msteams", "serviceUrl": th.conn.url, "text": "help",
                    "from": {"id": th.tid(TREKKER)}, "recipient": {"id": "28:bot"}, "conversation": {"id": "a:1"}}
        r = await th.teams.post(activity)
        assert r.status == 401 and r.replies == []
        r = await th.teams.post(activity, headers={"Authorization": "Bearer not.a.jwt"})
        assert r.status == 401
        r = await th.teams.post(activity, headers={"Authorization": "Basic abc"})
        assert r.status == 401
        async with aiohttp.ClientSession() as http:
            async with http.get(th.teams.url.replace("/api/messages", "/healthz")) as health:
                assert health.status == 200 and (await health.json())["teams"] is True
        r = await th.drv.command("U9999", "help")  # Slack is not behind the Teams token check
        assert r.status == 200

    async def test_outbound_calls_carry_the_token(self, th):
        await th.import_example()
        async with th.ctx.db.transaction() as s:  # linked earlier (no inbound: it would need a real token)
            for person in (await s.execute(select(Person))).scalars():
                person.teams_user_id = th.tid(person.email)
                person.teams_reference = {"serviceUrl": th.conn.url, "tenantId": "tenant-1"}
        from bot.services import invitations
        from tests.e2e.conftest import session_row

        session = await session_row(th, "start")
        async with th.ctx.db.transaction() as s:
            await invitations.invite(s, th.ctx, await s.get(type(session), session.id))
        await th.drain()
        assert len(th.chat_with(AMB_LINDE)) == 1
        assert th.conn.calls and {c.authorization for c in th.conn.calls} == {"Bearer test-token"}
        creates = th.conn.calls_to("POST", "/v3/conversations")
        assert {c.body["bot"]["id"] for c in creates} == {"28:00000000-0000-0000-0000-000000000001"}


async def test_without_teams_settings_api_messages_answers_401_and_slack_works(harness):
    async with aiohttp.ClientSession() as http:
        url = harness.drv.bot_url.replace("/slack/events", "/api/messages")
        async with http.post(url, json={"type": "message"}) as r:
            assert r.status == 401
    r = await harness.command(TREKKER, "help")
    assert r.status == 200


def test_anonymous_mode_is_refused_with_an_app_id():
    with pytest.raises(SettingsError, match="TEAMS_ANONYMOUS"):
        load_settings({"TEAMS_ANONYMOUS": "true", "TEAMS_APP_ID": "abc"}, dotenv=False)
    settings = load_settings({"TEAMS_ANONYMOUS": "true"}, dotenv=False)
    assert settings.teams_configured and settings.teams_anonymous
    assert not load_settings({}, dotenv=False).teams_configured


def test_anonymous_mode_warns_loudly(capsys):
    from bot.teams.auth import warn_if_anonymous

    warn_if_anonymous(load_settings({"TEAMS_ANONYMOUS": "true"}, dotenv=False))
    assert "WARNING: TEAMS_ANONYMOUS=true" in capsys.readouterr().out


# -- Teams says "not now" ------------------------------------------------------------------


async def test_429_with_retry_after_is_honoured_and_sent_once(th):
    await invite(th)
    th.conn.fail_next("POST", "/activities", 429, retry_after=1)
    await th.drain()
    failed = [c for c in th.conn.calls if c.status == 429]
    assert len(failed) == 1
    pending = [(email, row) for email, row in (await rows(th)).items() if row.status == "pending"]
    assert len(pending) == 1
    email, row = pending[0]
    assert row.last_error == "ratelimited" and row.not_before == th.clock.now() + timedelta(seconds=1)
    await th.tick(seconds=0.5)
    assert th.cards_with(email, INVITATION) == []
    await th.tick(seconds=0.6)
    assert len(th.cards_with(email, INVITATION)) == 1
    for _ in range(2):
        await th.tick(seconds=5)
    assert all(len(th.cards_with(e, INVITATION)) == 1 for e in START_INVITEES)


@pytest.mark.parametrize("status", [412, 502, 504])
async def test_transient_errors_are_retried(th, status):
    await invite(th)
    th.conn.fail_next("POST", "/activities", status, retry_after=1 if status == 412 else None)
    await th.drain()
    pending = [row for row in (await rows(th)).values() if row.status == "pending"]
    assert len(pending) == 1 and pending[0].last_error == f"http_{status}"
    wait = (pending[0].not_before - th.clock.now()).total_seconds()
    assert 1.0 <= wait <= 5.0
    await th.tick(seconds=wait)
    assert all(r.status == "sent" for r in (await rows(th)).values())
    assert all(len(th.cards_with(e, INVITATION)) == 1 for e in START_INVITEES)


async def test_permanent_errors_fail_and_reach_the_trekker(th):
    await linked(th)
    th.conn.not_installed.add(th.tid(AMB_LINDE))
    th.conn.blocked.add(th.tid(AMB_GGD))
    th.conn.personal_conversation(th.tid(AMB_GGD))  # GGD had a chat with the bot, then blocked it
    async with th.ctx.db.transaction() as s:
        ggd = (await s.execute(select(Person).where(Person.email == AMB_GGD))).scalar_one()
        ggd.teams_reference = {**ggd.teams_reference, "conversationId": th.conn.personal_conversation(th.tid(AMB_GGD))}
    del th.conn.users[th.tid(COLLEGA)]  # left the organisation
    r = await th.say(TREKKER, "uitnodigen start")
    await th.drain()
    outcome = {email: (row.status, row.last_error) for email, row in (await rows(th)).items()}
    assert outcome[AMB_LINDE] == ("failed", "bot_not_installed")
    assert outcome[AMB_GGD] == ("failed", "conversation_blocked")
    assert outcome[COLLEGA] == ("failed", "user_not_found")
    assert outcome[TREKKER] == ("sent", None)
    r = await th.say(TREKKER, "status start")
    assert "Niet bezorgd:**" in r.text
    for name in ("Ambassadeur De Linde", "Ambassadeur GGD", "Collega Gemeente"):
        assert name in r.text


async def test_a_card_over_the_size_limit_fails_permanently(th):
    await linked(th)
    th.conn.max_bytes = 3000
    await th.say(TREKKER, "uitnodigen start")
    await th.drain()
    assert {(r.status, r.last_error) for r in (await rows(th)).values()} == {("failed", "message_too_large")}
    assert {c.status for c in th.conn.calls_to("POST", "/activities")} == {413}


def test_pacing_buckets_for_teams():
    from bot.app import build_pacer

    pacer = build_pacer(load_settings({}, dotenv=False))
    for name in ("teams:direct", "teams:update", "teams:channel", "teams:file"):
        assert name in pacer._rates
    assert pacer._rates["teams:direct"] / 60 <= 25  # two calls each, under 50 per second per app


# -- hostile text -------------------------------------------------------------------------------


HOSTILE_TITLE = "*Hitte* <at>Iedereen</at> [klik](https://evil.example) _x_"


async def test_hostile_text_is_escaped_in_cards(th):
    data = example_data()
    spec = session_spec(data, "start")
    spec["title"] = HOSTILE_TITLE
    spec["agenda"] = "# Kop\n- punt **vet**\n1. een\n<script>alert(1)</script> & ![img](https://evil.example/x.png)"
    spec["location"] = "Zaal `code` ~~weg~~ | tabel |"
    next(p for p in data["people"] if p["email"] == AMB_LINDE)["name"] = "Ambassadeur [Linde](https://evil.example)"
    await linked(th, dump(data))
    await th.say(TREKKER, "uitnodigen start")
    await th.drain()
    [card] = th.cards_with(AMB_LINDE, "Uitnodiging:")
    text = "\n".join(card_texts(card.card))
    assert "\\*Hitte\\* \\<at\\>Iedereen\\</at\\> \\[klik\\]\\(https://evil.example\\) \\_x\\_" in text
    assert "Ambassadeur \\[Linde\\]\\(https://evil.example\\)" in text
    assert "\\# Kop" in text and "\\- punt \\*\\*vet\\*\\*" in text and "1\\. een" in text
    assert "\\<script\\>" in text and "\\!\\[img\\]" in text
    assert "Zaal \\`code\\` \\~\\~weg\\~\\~ \\| tabel \\|" in text
    for raw in ("[klik](", "<at>", "<script>", "[Linde]("):
        assert raw not in text
    # Plain places (the notification) show the text literally, not escaped.
    assert card.activity["summary"].startswith("Uitnodiging: *Hitte* <at>Iedereen</at>")
    assert card.activity["attachments"][0]["contentType"] == CARD


class TestTeamsOnly:
    @pytest.fixture
    def with_slack(self):
        return False

    async def test_a_bot_with_only_teams_settings(self, th):
        assert set(th.ctx.chats) == {"teams"} and th.bot.slack is None
        report = await th.import_example()
        assert report.lookup_skipped  # nobody to look up in Slack
        th.team_of(EVERYONE)
        r = await th.koppel(TREKKER)
        assert "8 mensen" in r.text
        r = await th.say(TREKKER, "uitnodigen start")
        assert "6 nieuw verstuurd" in r.text
        await th.drain()
        assert all(len(th.cards_with(e, INVITATION)) == 1 for e in START_INVITEES)
        for words in ("mijn", "afspraak", "memo", "evaluatie start", "fase 3", "ondertekenen"):
            r = await th.say(TREKKER, words)
            assert r.status == 202 and r.replies, words
            assert "ken ik niet" not in r.text and "werkt nog niet in Teams" not in r.text, (words, r.text)
        async with aiohttp.ClientSession() as http:
            async with http.post(th.teams.url.replace("/api/messages", "/slack/events"), data=b"x") as slack:
                assert slack.status == 503


def test_service_urls_outside_microsoft_are_refused_in_production():
    from bot.teams.auth import host_validator

    production = host_validator(load_settings({"TEAMS_APP_ID": "x"}, dotenv=False))
    assert production.enabled
    assert production.is_allowed("https://smba.trafficmanager.net/emea/v3/conversations")
    assert not production.is_allowed("https://evil.example/v3/conversations")
    assert not production.is_allowed("http://smba.trafficmanager.net/emea/")
    assert not host_validator(load_settings({"TEAMS_ANONYMOUS": "true"}, dotenv=False)).enabled


async def test_the_chat_adapter_never_sends_a_token_elsewhere():
    from bot.chat import ChatError, OutMessage
    from bot.teams.auth import fixed_token, host_validator
    from bot.teams.chat import TeamsChat

    async def reference(user_id):
        return {"serviceUrl": "https://evil.example/", "conversationId": "a:1"}

    chat = TeamsChat(app_id="x", tenant_id="t", service_url="https://smba.trafficmanager.net/teams/", tokens=fixed_token("secret"),
                     references=reference, host_allowed=host_validator(load_settings({"TEAMS_APP_ID": "x"}, dotenv=False)).is_allowed)
    with pytest.raises(ChatError) as error:
        await chat.send_direct("29:u", OutMessage("commitment_unreachable", {"owner": "A", "email": "a@x", "organisation": "O", "description": "D"}))
    assert error.value.code == "service_url_not_allowed" and error.value.permanent
    await chat.close()
