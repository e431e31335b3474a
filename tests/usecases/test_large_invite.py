"""``uitnodigen`` for 2,000 people: an answer at once, the invitations written in
committed chunks in the background (a click gets in between), a constant number of
statements per chunk, and a crash or a second run in the middle loses and doubles
nothing (issue 15 point 1; issue 14 point 5)."""

from __future__ import annotations

import asyncio
import itertools
from datetime import timedelta

import pytest
from sqlalchemy import event, func, select

from bot.app import bootstrap
from bot.chat import RecordingChat
from bot.identity import User
from bot.importer import import_file
from bot.interactions import invitations as uc
from bot.models import Invitation, OutboxMessage, Person, ScheduledTask, Session, Trajectory
from bot.services import invitations, invite_chunks, invite_runs
from bot.settings import load_settings
from bot.slack.blocks import render
from bot.trajectory_file import parse
from scheduling.ratelimit import Pacer
from scheduling.sweep import sweep
from tests.large import email, large_yaml, user_id

N = 2000
TREKKER = User("slack", user_id(0))
REMINDERS_PER_INVITATION = 3  # 7 and 2 days before, and the working day before (10:00)


@pytest.fixture
async def big(database_url, clock):
    users = {email(i): user_id(i) for i in range(N)}
    chat = RecordingChat(platform="slack", users=users)
    env = {"DATABASE_URL": database_url, "QUIET_HOURS": "off", "SLACK_BOT_TOKEN": "xoxb-unused",
           "SLACK_LOOKUP_PER_MINUTE": "600000", "PUBLIC_URL": "https://dialoog.example"}
    bot = bootstrap(load_settings(env, dotenv=False), clock=clock, chats={"slack": chat})
    bot.dispatcher.pacer = Pacer({}, default_per_minute=600_000)  # sending is not what is tested here
    parsed, errors = parse(large_yaml(N, extra_sessions=1), "groot.yaml")
    assert not errors
    await import_file(bot.ctx, parsed)
    try:
        yield bot
    finally:
        await bot.ctx.jobs.stop()
        await bot.ctx.db.dispose()


async def trajectory_id(ctx) -> int:
    async with ctx.db.sessionmaker() as s:
        return (await s.execute(select(Trajectory.id))).scalar_one()


async def invited(ctx) -> int:
    """Invitations committed as sent (what any other connection sees now)."""
    async with ctx.db.sessionmaker() as s:
        return (await s.execute(select(func.count()).select_from(Invitation).where(Invitation.invited_at.is_not(None)))).scalar_one()


def chunk_ends() -> list[int]:
    """How many invitations are committed after each chunk of the run."""
    return list(itertools.accumulate(len(chunk) for chunk in invite_chunks.run_chunks(list(range(N)))))


async def wait_for_invited(ctx, at_least: int) -> int:
    for _ in range(100_000):
        found = await invited(ctx)
        if found >= at_least:
            return found
        await asyncio.sleep(0.001)
    raise AssertionError("the run wrote nothing")


async def assert_exactly_once(ctx) -> None:
    async with ctx.db.sessionmaker() as s:
        rows = (await s.execute(select(Invitation.person_id, Invitation.invited_at))).all()
        messages = (await s.execute(select(OutboxMessage.key).where(OutboxMessage.template == "invitation"))).scalars().all()
        tasks = (
            await s.execute(select(ScheduledTask.ref_id, func.count()).where(ScheduledTask.kind.in_(("rsvp_reminder", "attendee_reminder")))
                     .group_by(ScheduledTask.ref_id))
        ).all()
    assert len(rows) == N and len({p for p, _ in rows}) == N and all(at is not None for _, at in rows)  # one session
    assert len(messages) == N and len(set(messages)) == N
    assert len(tasks) == N and {count for _, count in tasks} == {REMINDERS_PER_INVITATION}


async def test_the_trekker_gets_an_answer_at_once_and_the_rows_follow_in_chunks(big):
    ctx = big.ctx
    done = await uc.invite(ctx, TREKKER, await trajectory_id(ctx), "start")
    assert isinstance(done, uc.Queued) and done.count == N and not done.busy
    first = await wait_for_invited(ctx, 1)
    assert first < N, "all invitations appeared at once: one transaction, not chunks"
    assert first in chunk_ends()
    await ctx.jobs.idle()
    assert await invited(ctx) == N
    await assert_exactly_once(ctx)


class Commits:
    """The order of committed transactions, by what they wrote: ``chunk`` (a chunk of
    the invite run wrote its invitations) or ``answer`` (an RSVP was stored)."""

    def __init__(self, engine):
        self.order: list[str] = []
        self.chunks = {n: asyncio.Event() for n in (1, 2)}  # set when that many chunks are committed
        self.third_chunk_writing = asyncio.Event()  # its invitation rows sent, not yet committed
        self.engine = engine
        event.listen(engine, "before_cursor_execute", self._statement)
        event.listen(engine, "commit", self._commit)

    def _statement(self, conn, cursor, statement, *rest):
        conn.info.setdefault("written", []).append(statement)
        if statement.startswith("INSERT INTO invitation") and self.order.count("chunk") == 2:
            self.third_chunk_writing.set()

    def _commit(self, conn):
        written = " ".join(conn.info.pop("written", []))
        if "INSERT INTO invitation" in written:
            self.order.append("chunk")
            if self.order.count("chunk") in self.chunks:
                self.chunks[self.order.count("chunk")].set()
        elif "UPDATE invitation SET status" in written:
            self.order.append("answer")

    def close(self):
        event.remove(self.engine, "before_cursor_execute", self._statement)
        event.remove(self.engine, "commit", self._commit)


async def test_an_rsvp_click_is_stored_while_the_invitations_are_written(big):
    ctx = big.ctx
    tid = await trajectory_id(ctx)
    assert (await uc.invite(ctx, TREKKER, tid, "s000")).sent == 40  # a small session, answered below
    async with ctx.db.sessionmaker() as s:
        other = (await s.execute(select(Invitation).join(Person, Invitation.person_id == Person.id).where(Person.email == email(1)))).scalar_one()
    commits = Commits(ctx.db.engine.sync_engine)
    try:
        await uc.invite(ctx, TREKKER, tid, "start")
        await asyncio.wait_for(commits.chunks[1].wait(), 60)
        await uc.answer(ctx, User("slack", user_id(1)), other.id, "yes")
        await ctx.jobs.idle()
    finally:
        commits.close()
    # The click was committed between two chunks, not after the whole run.
    assert commits.order.count("chunk") == len(chunk_ends())
    assert "answer" in commits.order[: -1] and commits.order[-1] == "chunk", commits.order
    async with ctx.db.sessionmaker() as s:
        assert (await s.get(Invitation, other.id)).status == "yes"
    assert await invited(ctx) == N + 40


async def test_a_read_that_waits_for_a_chunk_gets_in_before_the_next_one(big):
    """On SQLite a plain read begins IMMEDIATE too, and waits in SQLite's busy handler
    (retrying up to 100 ms apart), not at the write gate: the run, seeing a connection
    in use, lets it in before it starts the next chunk."""
    ctx = big.ctx
    commits = Commits(ctx.db.engine.sync_engine)
    try:
        await uc.invite(ctx, TREKKER, await trajectory_id(ctx), "start")
        await asyncio.wait_for(commits.third_chunk_writing.wait(), 60)
        seen = await invited(ctx)  # started while the third chunk holds the lock
        chunks_when_read = commits.order.count("chunk")
        await ctx.jobs.idle()
    finally:
        commits.close()
    assert seen == chunk_ends()[chunks_when_read - 1]
    assert chunks_when_read <= 3, f"the read waited until chunk {chunks_when_read} was committed"


async def test_the_bulk_written_rows_hold_what_the_bot_builds_one_by_one(big):
    """The run encodes the session's part of the view-model once and splices each invitee's
    part in, and makes the reminder tasks in SQL: what is stored is what ``invitation_vm``
    and ``reminder_tasks`` give, key for key."""
    ctx = big.ctx
    await uc.invite(ctx, TREKKER, await trajectory_id(ctx), "start")
    await ctx.jobs.idle()
    async with ctx.db.sessionmaker() as s:
        session = (await s.execute(select(Session).where(Session.key == "start"))).scalar_one()
        for who in (0, N - 1):
            inv = (
                await s.execute(select(Invitation).join(Person, Invitation.person_id == Person.id)
                                .where(Invitation.session_id == session.id, Person.email == email(who)))
            ).scalar_one()
            inv = await invitations.load_invitation(s, inv.id)
            stored = (await s.execute(select(OutboxMessage.data).where(OutboxMessage.key == invitations.invite_key(session, inv.person)))).scalar_one()
            base = await invitations.session_context(s, session)
            assert list(stored.items()) == list(invitations.invitation_vm(ctx, base, session, inv, inv.person).items())
            tasks = (await s.execute(select(ScheduledTask.key, ScheduledTask.kind, ScheduledTask.due_at, ScheduledTask.expires_at)
                                     .where(ScheduledTask.ref_id == inv.id, ScheduledTask.kind.like("%_reminder")))).all()
            trajectory = await s.get(Trajectory, session.trajectory_id)
            expected = invitations.reminder_tasks(ctx, trajectory, session, inv.id)  # the keys made in SQL are these
            assert sorted(tuple(t) for t in tasks) == sorted((t["key"], t["kind"], t["due_at"], t["expires_at"]) for t in expected)


async def test_statements_per_invitee_stay_far_below_one(big):
    ctx = big.ctx
    tid = await trajectory_id(ctx)
    statements = []
    listener = lambda conn, cursor, statement, *rest: statements.append(statement)  # noqa: E731
    event.listen(ctx.db.engine.sync_engine, "before_cursor_execute", listener)
    try:
        await uc.invite(ctx, TREKKER, tid, "start")
        await ctx.jobs.idle()
    finally:
        event.remove(ctx.db.engine.sync_engine, "before_cursor_execute", listener)
    assert await invited(ctx) == N
    assert len(statements) / N <= 0.1, f"{len(statements)} statements for {N} invitees"


async def test_a_crash_mid_enqueue_then_the_sweep_completes_it_without_doubles(big, clock):
    ctx = big.ctx
    tid = await trajectory_id(ctx)
    commits = Commits(ctx.db.engine.sync_engine)
    try:
        await uc.invite(ctx, TREKKER, tid, "start")
        await asyncio.wait_for(commits.chunks[2].wait(), 60)
        await ctx.jobs.stop()  # the process dies mid-run (the open chunk rolls back)
    finally:
        commits.close()
    written = await invited(ctx)
    assert 0 < written < N
    again = await uc.invite(ctx, TREKKER, tid, "start")  # a second command: the run is still on record
    assert isinstance(again, uc.Queued) and again.busy
    clock.advance(seconds=invite_runs.LEASE.total_seconds() + 60)
    await sweep(ctx)  # the lease ran out: the sweep starts the run again
    await ctx.jobs.idle()
    await assert_exactly_once(ctx)


async def test_two_runs_at_the_same_time_write_everything_once(big):
    ctx = big.ctx
    async with ctx.db.sessionmaker() as s:
        session = (await s.execute(select(Session))).scalars().first()
        trekker = (await s.execute(select(Person).where(Person.email == email(0)))).scalar_one()
    assert await invite_runs.start(ctx, session.id, trekker.id)
    async with ctx.db.sessionmaker() as s:
        task = await invite_runs.open_run(s, session.id)
    await asyncio.gather(invite_runs.run(ctx, task.id), invite_runs.run(ctx, task.id))
    await ctx.jobs.idle()
    await assert_exactly_once(ctx)


async def test_the_trekker_hears_when_they_are_all_sent(big, clock):
    ctx = big.ctx
    await uc.invite(ctx, TREKKER, await trajectory_id(ctx), "start")
    await ctx.jobs.idle()
    await sweep(ctx)  # the report waits: nothing has been sent yet
    assert await big.dispatcher.drain() >= N
    clock.advance(seconds=120)
    await sweep(ctx)
    await big.dispatcher.drain()
    chat = ctx.chats["slack"]
    reports = [m for _, target, m in chat.transcript if target == user_id(0) and m.template == "invite_report"]
    assert len(reports) == 1
    assert reports[0].data["sent"] == N and reports[0].data["failed"] == 0
    assert "2.000 aangekomen" in render(reports[0])["text"]
