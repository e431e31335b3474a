"""Retention by moving the clock: messages older than 90 days lose their content; a
trajectory's personal data is erased ``retention_days`` after its last session, by the
daily job, and an anonymous summary stays; ``privacy status`` says what happens when."""

from __future__ import annotations

from sqlalchemy import select

from bot.models import CommitmentEvent, EvaluationResponse, OutboxMessage, Person, PrivacyArchive, Trajectory
from scheduling.scheduler import retention_job
from tests.conftest import local
from tests.e2e.conftest import AMB_LINDE, HITTEPLAN, dump, example_data, harness_env, run_cli
from tests.e2e.privacy_flow import NOTE, whole_flow

LAST_SESSION_ENDS = local(2027, 5, 18, 16, 0)  # the example's last session


async def rows(h, model, *where):
    async with h.ctx.db.sessionmaker() as s:
        return list((await s.execute(select(model).where(*where))).scalars())


async def test_retention_erases_ended_trajectories_and_keeps_an_anonymous_summary(harness, tmp_path):
    h = harness
    await whole_flow(h)
    r = await run_cli("privacy", "status", env=harness_env(h), cwd=tmp_path)
    assert r.code == 0 and f"{HITTEPLAN}: loopt nog. Bewaartermijn: 365 dagen" in r.out, r.both

    # 90 days after the flow: old messages lose their content; the people stay.
    h.clock.set(local(2027, 7, 1, 9, 0))
    r = await run_cli("privacy", "status", env=harness_env(h), cwd=tmp_path)
    assert "afgelopen op dinsdag 18 mei 2027. Gewist op woensdag 17 mei 2028" in r.out, r.out
    assert "Bij de volgende dagelijkse ronde: 0 berichten" not in r.out
    await retention_job(h.ctx)
    old = await rows(h, OutboxMessage, OutboxMessage.created_at < local(2027, 4, 2, 9, 0))
    assert old and all(m.data == {} for m in old if m.status not in ("pending", "sending"))
    assert await rows(h, Person, Person.email == AMB_LINDE)
    assert (await rows(h, Trajectory))[0].erased_at is None

    # One day before the end of the retention: nothing; on the day: everything personal goes.
    h.clock.set(local(2028, 5, 16, 17, 0))
    await retention_job(h.ctx)
    assert await rows(h, Person, Person.email == AMB_LINDE)
    h.clock.set(local(2028, 5, 17, 17, 0))
    await retention_job(h.ctx)
    people = await rows(h, Person)
    assert people and all(p.erased_at and p.name == "[verwijderd]" and p.slack_user_id is None for p in people)
    assert all(e.note is None for e in await rows(h, CommitmentEvent))
    assert not await rows(h, EvaluationResponse)
    assert all(m.data == {} and m.target is None for m in await rows(h, OutboxMessage))
    [archive] = await rows(h, PrivacyArchive)
    assert archive.trajectory_key == HITTEPLAN
    kinds = archive.summary["organisation_kinds"]
    assert sum(k["organisations"] for k in kinds.values()) == len(example_data()["organisations"])
    assert sum(k.get("invitations_yes", 0) for k in kinds.values()) == 2
    [start] = [e for e in archive.summary["evaluations"] if e["session"] == "start"]
    assert start["responded"] == 1 and start["averages"] == {"waarde": 4.0}
    assert NOTE not in str(archive.summary) and "Linde" not in str(archive.summary)

    await retention_job(h.ctx)  # a second run changes nothing
    assert len(await rows(h, PrivacyArchive)) == 1
    r = await run_cli("privacy", "status", env=harness_env(h), cwd=tmp_path)
    assert f"{HITTEPLAN}: persoonsgegevens gewist op woensdag 17 mei 2028" in r.out, r.out


async def test_retention_days_come_from_the_file_and_are_checked(harness, tmp_path):
    h = harness
    data = example_data()
    data["trajectory"]["retention_days"] = 30
    await h.import_example(text=dump(data))
    h.clock.set(local(2027, 6, 17, 17, 0))
    r = await run_cli("privacy", "status", env=harness_env(h), cwd=tmp_path)
    assert "Gewist op donderdag 17 juni 2027 (na 30 dagen)" in r.out, r.out
    await retention_job(h.ctx)
    assert (await rows(h, Trajectory))[0].erased_at is not None

    data["trajectory"]["retention_days"] = 7
    path = tmp_path / "kort.yaml"
    path.write_text(dump(data), encoding="utf-8")
    r = await run_cli("check", str(path), env=harness_env(h), cwd=tmp_path)
    assert r.code == 2 and "trajectory.retention_days" in r.err and "30 tot en met 3650" in r.err, r.both
