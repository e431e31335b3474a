"""Outbox rows carry the version of their view-model: a row that does not fit the
builders any more (queued before a rename, or a key missing) fails visibly at send
time instead of raising a KeyError mid-render or rendering wrong."""

from __future__ import annotations

import logging
import re
from pathlib import Path

import pytest
from sqlalchemy import select

from bot import outbox, viewmodels
from bot.chat import OutMessage
from bot.mail.views import BUILDERS as MAIL_BUILDERS
from bot.mail.views import MAIL_ONLY
from bot.interactions import invitations as uc
from bot.models import OutboxMessage, Person, Session, Trajectory
from bot.services import invitations
from bot.slack.blocks import BUILDERS as SLACK_BUILDERS
from bot.slack.blocks import render as slack_render
from bot.teams.cards import BUILDERS as TEAMS_BUILDERS
from bot.teams.cards import render as teams_render

TREKKER = "trekker@voorbeeldstad.example"
OWNER = "ambassadeur@delinde.example"
ROOT = Path(__file__).resolve().parents[2]


async def queue_invitations(world) -> None:
    """Invitations for ``start`` queued, not sent yet."""
    async with world.ctx.db.sessionmaker() as s:
        tid = (await s.execute(select(Trajectory.id))).scalars().first()
    done = await uc.invite(world.ctx, world.user(TREKKER), tid, "start")
    assert done.sent == 6


async def invitation_row(world, email: str = OWNER) -> OutboxMessage:
    async with world.ctx.db.sessionmaker() as s:
        person = (await s.execute(select(Person).where(Person.email == email))).scalar_one()
        return (
            await s.execute(select(OutboxMessage).where(OutboxMessage.template == "invitation", OutboxMessage.person_id == person.id))
        ).scalar_one()


def invitations_sent_to(world, email: str) -> list:
    uid = world.users[email]
    return [m for _, target, m in messages(world) if target == uid and m.template == "invitation"]


def messages(world) -> list:
    """The transcript without the files (the calendar entries)."""
    return [entry for entry in world.chat.transcript if isinstance(entry[2], OutMessage)]


async def test_new_rows_are_stamped_with_the_current_version(world, monkeypatch):
    monkeypatch.setitem(viewmodels.VERSIONS, "invitation", 7)
    await queue_invitations(world)
    assert (await invitation_row(world)).data_version == 7


async def test_a_row_queued_with_an_older_version_is_failed_and_not_sent(world, monkeypatch, caplog):
    await queue_invitations(world)
    row = await invitation_row(world)
    assert row.data_version == 1
    # The code moves on: the invitation's view-model is now version 2.
    monkeypatch.setitem(viewmodels.VERSIONS, "invitation", 2)
    with caplog.at_level(logging.WARNING, logger="scheduling.dispatcher"):
        await world.drain()
    assert not any(m.template == "invitation" for _, _, m in messages(world))
    row = await invitation_row(world)
    assert (row.status, row.last_error) == ("failed", "viewmodel_version:1!=2")
    lines = [r.getMessage() for r in caplog.records if "view-model" in r.getMessage()]
    assert len(lines) == 6 and any(line.startswith(f"outbox row {row.id} (template invitation): ") for line in lines)
    assert "Ambassadeur" not in " ".join(lines)  # ids only, no names


async def queued_without(world, key: str) -> OutboxMessage:
    """Invitations queued, and OWNER's row stored without ``key`` (as queued before it existed)."""
    await queue_invitations(world)
    row = await invitation_row(world)
    async with world.ctx.db.transaction() as s:
        stored = await s.get(OutboxMessage, row.id)
        stored.data = {k: v for k, v in stored.data.items() if k != key}
    return row


async def test_a_row_missing_a_required_key_is_failed_and_not_sent(world):
    await queued_without(world, "title")
    await world.drain()
    assert invitations_sent_to(world, OWNER) == []
    row = await invitation_row(world)
    assert (row.status, row.last_error) == ("failed", "viewmodel_missing:title")
    # The others went out as before, and still render on both platforms.
    sent = invitations_sent_to(world, TREKKER)
    assert len(sent) == 1
    assert slack_render(sent[0])["blocks"] and teams_render(sent[0])["card"]


async def test_every_message_of_a_flow_fits_its_view_model_and_renders(world):
    await queue_invitations(world)
    await world.drain()
    async with world.ctx.db.sessionmaker() as s:
        rows = (await s.execute(select(OutboxMessage))).scalars().all()
    assert rows and {r.status for r in rows} == {"sent"}
    assert {m.template for _, _, m in messages(world)} == {"invitation"}
    for _, _, message in messages(world):
        assert slack_render(message)["blocks"] and teams_render(message)["card"]


async def test_a_row_queued_without_an_optional_key_is_sent(world):
    """``NotRequired`` keys (``organisations_more``, added later) may be missing from rows
    queued before them: such a row is sent, and lists its names without a count."""
    assert "organisations_more" not in viewmodels.required_keys("invitation")
    assert "organisations" in viewmodels.required_keys("invitation")
    assert {"engagement", "attendance"}.isdisjoint(viewmodels.required_keys("summary"))
    row = await queued_without(world, "organisations_more")
    await world.drain()
    async with world.ctx.db.sessionmaker() as s:
        assert (await s.get(OutboxMessage, row.id)).status == "sent"
    [message] = [m for _, _, m in messages(world) if m.data.get("invitation_id") == row.data["invitation_id"]]
    assert "Uitgenodigde organisaties:* Gemeente Voorbeeldstad" in str(slack_render(message)["blocks"])


async def test_sent_context_rebuilds_when_the_stored_version_is_old(world, monkeypatch):
    await queue_invitations(world)
    await world.drain()
    row = await invitation_row(world)
    async with world.ctx.db.transaction() as s:
        stored = await s.get(OutboxMessage, row.id)
        stored.data = dict(stored.data, title="Zoals verstuurd")
    async with world.ctx.db.sessionmaker() as s:
        session = (await s.execute(select(Session).where(Session.key == "start"))).scalar_one()
        person = await s.get(Person, row.person_id)
        assert (await invitations.sent_context(s, session, person))["title"] == "Zoals verstuurd"
        monkeypatch.setitem(viewmodels.VERSIONS, "invitation", 2)
        assert (await invitations.sent_context(s, session, person))["title"] == session.title


async def test_queuing_a_template_without_a_view_model_is_refused(world, clock):
    async with world.ctx.db.transaction() as s:
        with pytest.raises(viewmodels.UnknownTemplate):
            await outbox.enqueue(s, key="x", op="direct", template="no_such_template", data={}, target="U1", now=clock.now())


# -- every template the code queues is known ------------------------------------------

# template="x" (enqueue, dict(...) for enqueue_many, tell_trekkers), TEMPLATE = "x",
# channels.post(s, ctx, trajectory, key, "x", data), _tell_invitees(s, ctx, row, "x", ...).
PATTERNS = (
    r'template\s*=\s*"(\w+)"',
    r'^TEMPLATE\s*=\s*"(\w+)"',
    r'channels\.post\(\s*s,\s*ctx,\s*\w+,\s*[^,]+,\s*"(\w+)"',
    r'_tell_invitees\(\s*s,\s*ctx,\s*\w+,\s*"(\w+)"',
)


def queued_templates() -> set[str]:
    found: set[str] = set()
    for folder in ("bot", "scheduling", "handlers"):
        for path in (ROOT / folder).rglob("*.py"):
            text = path.read_text(encoding="utf-8")
            for pattern in PATTERNS:
                found |= set(re.findall(pattern, text, re.MULTILINE))
    return found


def test_every_queued_template_has_a_version_and_a_typed_view_model():
    found = queued_templates()
    # The scan sees every kind of call (a scan that finds nothing proves nothing).
    assert {"invitation", "evaluation_export", "summary", "session_changed", "channel_blocked", "chart", "file"} <= found
    assert found - set(viewmodels.VERSIONS) == set()
    assert set(viewmodels.VERSIONS) == set(viewmodels.VIEWMODELS)
    assert all(viewmodels.VIEWMODELS[t].__required_keys__ for t in found)


def test_every_rendered_template_has_a_view_model_and_every_message_view_model_a_builder():
    rendered = set(SLACK_BUILDERS) | set(TEAMS_BUILDERS)
    files = {"file", "chart", "evaluation_export"}
    assert rendered - set(viewmodels.VIEWMODELS) == set()
    assert set(viewmodels.VIEWMODELS) - files - MAIL_ONLY == set(SLACK_BUILDERS) == set(TEAMS_BUILDERS)
    assert MAIL_ONLY <= set(MAIL_BUILDERS)
