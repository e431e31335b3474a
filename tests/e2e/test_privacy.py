"""The AVG rights end to end: ``privacy export`` (everything about a person, JSON and
a Dutch summary), ``privacy erase`` (asks first; keeps the counts; withdraws waiting
messages; anonymous answers untouched), the erase hint after a re-import without the
person."""

from __future__ import annotations

import json

from sqlalchemy import func, select

from bot.models import Commitment, EvaluationResponse, Invitation, MemoRecipient, OutboxMessage, Person
from tests.conftest import local
from tests.e2e.conftest import AMB_GGD, AMB_LINDE, AMB_WELZIJN, TREKKER, dump, example_data, harness_env, run_cli
from tests.e2e.flows import anonymous_hitteplan, fill_in, invite_and_answer, jump, to_prompt_time
from tests.e2e.privacy_flow import ANSWER, NOTE, whole_flow


async def person(h, email: str) -> Person | None:
    async with h.ctx.db.sessionmaker() as s:
        return (await s.execute(select(Person).where(Person.email == email))).scalar_one_or_none()


async def figures(h, person_id: int) -> dict:
    async with h.ctx.db.sessionmaker() as s:
        async def n(query):
            return (await s.execute(query)).scalar_one()
        return {
            "yes": await n(select(func.count()).select_from(Invitation).where(Invitation.status == "yes")),
            "read": await n(select(func.count()).select_from(MemoRecipient).where(MemoRecipient.read_at.is_not(None))),
            "answers": await n(select(func.count()).select_from(EvaluationResponse)),
            "busy_owner": await n(select(func.count()).select_from(Commitment).where(Commitment.status == "busy", Commitment.owner_id == person_id)),
        }


def assert_everything_of_linde(data: dict) -> None:
    """The export after the privacy flow (``privacy_flow``, in chat or by e-mail)."""
    assert data["person"]["email"] == AMB_LINDE and data["person"]["name"]
    assert data["organisation"]["key"] == "linde"
    assert {i["session"]: i["status"] for i in data["invitations"]}["start"] == "yes"
    assert any(m["title"] == "Lees mij" and m["read_at"] for m in data["memos"])
    [c] = [c for c in data["commitments"] if c["key"] == "protocol-linde"]
    assert c["status"] == "busy" and any(e["note"] == NOTE and e["by_you"] for e in c["history"])
    [ev] = data["evaluations"]
    assert ev["answers"]["risico"] == ANSWER and not ev["anonymous"]
    assert data["messages"] and all(m["key"] for m in data["messages"])


async def test_export_gives_everything_and_erase_keeps_the_figures(harness, tmp_path):
    h = harness
    await whole_flow(h)
    env = harness_env(h)
    out = tmp_path / "linde.json"
    r = await run_cli("privacy", "export", "--email", AMB_LINDE.upper(), "--out", str(out), env=env, cwd=tmp_path)
    assert r.code == 0, r.both
    data = json.loads(out.read_text(encoding="utf-8"))
    assert_everything_of_linde(data)
    assert data["platform_ids"]["slack_user_id"] == h.uid(AMB_LINDE)
    assert "Uitnodigingen: " in r.out and "Afspraken: 1" in r.out and str(out) in r.out
    r = await run_cli("privacy", "export", "--email", AMB_LINDE, env=env, cwd=tmp_path)
    assert json.loads(r.out)["person"]["email"] == AMB_LINDE and "Uitnodigingen" in r.err
    r = await run_cli("privacy", "export", "--email", "niemand@example.org", env=env, cwd=tmp_path)
    assert r.code == 2 and "Ik ken niemand met het e-mailadres niemand@example.org" in r.err

    # A waiting message: the trekker reminds the commitments in the evening; it waits for the morning.
    await jump(h, local(2027, 3, 31, 20, 0))
    await h.command(TREKKER, "herinneren afspraken")
    linde = await person(h, AMB_LINDE)
    async with h.ctx.db.sessionmaker() as s:
        waiting = (await s.execute(select(OutboxMessage).where(OutboxMessage.person_id == linde.id, OutboxMessage.status == "pending"))).scalars().all()
    assert waiting, "a reminder waits for the working morning"
    before = await figures(h, linde.id)

    env = harness_env(h)
    r = await run_cli("privacy", "erase", "--email", AMB_LINDE, env=env, cwd=tmp_path)
    assert r.code == 2 and "--yes" in r.err and "niets gewist" in r.err.lower()
    assert (await person(h, AMB_LINDE)) is not None
    r = await run_cli("privacy", "erase", "--email", AMB_LINDE, "--yes", env=env, cwd=tmp_path)
    assert r.code == 0, r.both
    assert "Gewist" in r.out and "ingetrokken" in r.out and "Anonieme antwoorden blijven" in r.out

    assert (await person(h, AMB_LINDE)) is None
    async with h.ctx.db.sessionmaker() as s:
        tomb = await s.get(Person, linde.id)
        assert tomb.erased_at is not None and not tomb.active and tomb.slack_user_id is None and tomb.teams_reference is None
        assert AMB_LINDE not in tomb.email and tomb.name == "[verwijderd]"
        rows = (await s.execute(select(OutboxMessage).where(OutboxMessage.person_id == linde.id))).scalars().all()
        assert all(r.status != "pending" for r in rows) and all(r.data == {} for r in rows if r.status != "sending")
        [answer] = (await s.execute(select(EvaluationResponse))).scalars().all()
        assert answer.person_id is None and answer.submitted_at is None and answer.answers["risico"] == ANSWER
        c = (await s.execute(select(Commitment).where(Commitment.key == "protocol-linde"))).scalar_one()
        assert c.owner_id == linde.id and c.status == "busy"
    after = await figures(h, linde.id)
    assert after == before, "the counts stay right"
    sent_before = len(h.emu.dm(h.uid(AMB_LINDE)))
    await jump(h, local(2027, 4, 1, 9, 0))
    assert len(h.emu.dm(h.uid(AMB_LINDE))) == sent_before, "the withdrawn reminder never goes out"
    r = await run_cli("privacy", "export", "--email", AMB_LINDE, env=env, cwd=tmp_path)
    assert r.code == 2


async def test_erase_leaves_anonymous_answers_untouched(harness, tmp_path):
    h = harness
    await h.import_example(text=anonymous_hitteplan())
    people = (AMB_LINDE, AMB_GGD, AMB_WELZIJN)
    await invite_and_answer(h, {e: "Ik kom" for e in people})
    await to_prompt_time(h)
    for index, email in enumerate(people):
        await fill_in(h, email, rating=index + 2, choice="Ja", risico=f"anoniem {index}")
    await jump(h, local(2027, 3, 16, 16, 31))
    async with h.ctx.db.sessionmaker() as s:
        before = sorted((r.id, str(r.answers)) for r in (await s.execute(select(EvaluationResponse))).scalars())
    r = await run_cli("privacy", "export", "--email", AMB_GGD, env=harness_env(h), cwd=tmp_path)
    data = json.loads(r.out)
    assert data["evaluations"][0]["anonymous"] and data["evaluations"][0]["answers"] is None
    assert "Anonieme antwoorden zijn aan niemand gekoppeld" in r.err
    r = await run_cli("privacy", "erase", "--email", AMB_GGD, "--yes", env=harness_env(h), cwd=tmp_path)
    assert r.code == 0, r.both
    async with h.ctx.db.sessionmaker() as s:
        after = sorted((r.id, str(r.answers)) for r in (await s.execute(select(EvaluationResponse))).scalars())
    assert after == before and len(after) == 3


async def test_a_person_removed_from_the_file_is_inactive_and_the_import_offers_erase(harness, tmp_path):
    h = harness
    await h.import_example()
    data = example_data()
    data["people"] = [p for p in data["people"] if p["email"] != AMB_WELZIJN]
    data["commitments"] = [c for c in data["commitments"] if c["owner"] != AMB_WELZIJN]
    for session in data["sessions"]:
        session.get("invite", {}).pop("people", None)
    path = tmp_path / "hitteplan.yaml"
    path.write_text(dump(data), encoding="utf-8")
    r = await run_cli("import", str(path), env=harness_env(h), cwd=tmp_path)
    assert r.code == 0, r.both
    assert AMB_WELZIJN in r.out and "python -m bot privacy erase --email" in r.out and "--trajectory hitteplan-voorbeeldstad" in r.out
    p = await person(h, AMB_WELZIJN)
    assert p is not None and not p.active and p.erased_at is None


async def _erase_at_a_terminal(h, tmp_path, answer: str):
    """``privacy erase`` with a terminal as standard input, answering ``answer``."""
    import asyncio
    import os
    import sys

    master, slave = os.openpty()
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "privacy", "erase", "--email", AMB_WELZIJN,
        stdin=slave, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE, env=harness_env(h), cwd=str(tmp_path),
    )
    os.close(slave)
    os.write(master, answer.encode() + b"\n")
    out, err = await asyncio.wait_for(proc.communicate(), 60)
    os.close(master)
    return proc.returncode, out.decode(), err.decode()


async def test_erase_asks_at_a_terminal_in_dutch(harness, tmp_path):
    h = harness
    await h.import_example()
    code, out, err = await _erase_at_a_terminal(h, tmp_path, "n")
    assert code == 1 and "Niets gewist." in out, (out, err)
    assert (await person(h, AMB_WELZIJN)) is not None
    code, out, err = await _erase_at_a_terminal(h, tmp_path, "j")
    assert code == 0 and "Gewist" in out, (out, err)
    assert (await person(h, AMB_WELZIJN)) is None
