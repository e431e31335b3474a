"""The evaluation use cases, without a platform: who may prompt, open, send and
download; every answer checked by the service; what is stored (and, for anonymous
forms, what is not); forged context."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select, update

from bot.importer import import_file
from bot.interactions import evaluations as uc
from bot.interactions.codec import BadContext, decode, encode
from bot.interactions.errors import Problems, Refused
from bot.limits import ANSWER_LIMIT
from bot.models import EvaluationPrompt, EvaluationResponse, Invitation, OutboxMessage, Person, Session, Trajectory
from bot.services import invitations
from bot.trajectory_file import parse
from tests.e2e.flows import anonymous_hitteplan

TREKKER = "trekker@voorbeeldstad.example"
LINDE = "ambassadeur@delinde.example"
GGD = "ambassadeur@ggd.example"
WELZIJN = "ambassadeur@welzijn.example"
GOOD = {"waarde": "4", "doelen": "1", "risico": "Geen koele ruimte"}


async def ids(world, key: str = "start") -> tuple[int, int]:
    async with world.ctx.db.sessionmaker() as s:
        session = (await s.execute(select(Session).where(Session.key == key))).scalar_one()
    return session.trajectory_id, session.id


async def attending(world, *emails: str) -> None:
    """Invite to the first session; ``emails`` said yes."""
    _, session_id = await ids(world)
    async with world.ctx.db.transaction() as s:
        await invitations.invite(s, world.ctx, await s.get(Session, session_id))
        people = select(Person.id).where(Person.email.in_(emails))
        await s.execute(update(Invitation).where(Invitation.session_id == session_id, Invitation.person_id.in_(people)).values(status="yes"))


async def prompt_of(world, email: str) -> int:
    async with world.ctx.db.sessionmaker() as s:
        return (
            await s.execute(select(EvaluationPrompt.id).join(Person, Person.id == EvaluationPrompt.person_id).where(Person.email == email))
        ).scalar_one()


async def prompted(world, *emails: str) -> uc.Prompted:
    await attending(world, *emails)
    trajectory_id, session_id = await ids(world)
    return await uc.prompt_now(world.ctx, world.user(TREKKER), trajectory_id, session_id)


async def stored(world) -> list:
    """The answer sets: the answers table and the pending pool of anonymous answers."""
    from bot.models import EvaluationPoolAnswer

    async with world.ctx.db.sessionmaker() as s:
        return list((await s.execute(select(EvaluationResponse))).scalars()) + list(
            (await s.execute(select(EvaluationPoolAnswer))).scalars()
        )


def templates_to(world, email: str) -> list[str]:
    """Template names of the messages the chat received for this person (no files)."""
    uid = world.users[email]
    return [getattr(m, "template", None) for _, target, m in world.chat.transcript if target in (uid, "D" + uid)]


async def anonymous(world) -> None:
    parsed, errors = parse(anonymous_hitteplan(), "hitteplan.yaml")
    assert not errors
    await import_file(world.ctx, parsed)


# -- prompting ---------------------------------------------------------------------


async def test_only_a_trekker_prompts_and_each_person_once(world):
    await attending(world, LINDE, GGD)
    trajectory_id, session_id = await ids(world)
    with pytest.raises(Refused) as refused:
        await uc.prompt_now(world.ctx, world.user(LINDE), trajectory_id, session_id)
    assert refused.value.key == "command.not_trekker"
    async with world.ctx.db.sessionmaker() as s:
        assert (await s.execute(select(func.count()).select_from(EvaluationPrompt))).scalar_one() == 0

    done = await uc.prompt_now(world.ctx, world.user(TREKKER), trajectory_id, session_id)
    assert (done.sent, done.already) == (2, 0)
    await world.drain()
    assert "evaluation_prompt" in templates_to(world, LINDE) and "evaluation_prompt" not in templates_to(world, WELZIJN)
    again = await uc.prompt_now(world.ctx, world.user(TREKKER), trajectory_id, session_id)
    assert (again.sent, again.already) == (0, 2)


async def test_a_session_of_another_trajectory_or_a_forged_id_is_unknown(world):
    trajectory_id, _ = await ids(world)
    for session_id in ("abc", "-1", 2**70, 999999):
        with pytest.raises(Refused) as refused:
            await uc.prompt_now(world.ctx, world.user(TREKKER), trajectory_id, session_id)
        assert refused.value.key == "evaluation.refuse.unknown"


async def test_results_before_the_evaluation_opened_are_refused(world):
    trajectory_id, session_id = await ids(world)
    with pytest.raises(Refused) as refused:
        await uc.request_results(world.ctx, world.user(TREKKER), trajectory_id, session_id)
    assert refused.value.key == "evaluation.command.not_open"
    await prompted(world, LINDE)
    with pytest.raises(Refused):
        await uc.request_results(world.ctx, world.user(LINDE), trajectory_id, session_id)
    assert await uc.request_results(world.ctx, world.user(TREKKER), trajectory_id, session_id) == "nl"
    await world.drain()
    assert "evaluation_results" in templates_to(world, TREKKER)


# -- the form ----------------------------------------------------------------------


async def test_only_the_prompted_person_opens_the_form(world):
    await prompted(world, LINDE, GGD)
    prompt_id = await prompt_of(world, LINDE)
    view = await uc.open_form(world.ctx, world.user(LINDE), str(prompt_id), "evaluation_reminder")
    assert view.form == uc.PromptForm(prompt_id, "evaluation_reminder")
    assert [q["key"] for q in view.questions] == ["waarde", "doelen", "risico", "nodig"]
    with pytest.raises(Refused) as refused:
        await uc.open_form(world.ctx, world.user(GGD), prompt_id)
    assert refused.value.key == "evaluation.refuse.not_yours"
    with pytest.raises(Refused) as refused:
        await uc.prompt_view(world.ctx, world.user(GGD), prompt_id)
    assert refused.value.key == "evaluation.refuse.not_yours"


@pytest.mark.parametrize("raw", ["", "abc", "-1", "1" * 30, None, 2**70])
async def test_a_damaged_prompt_id_is_unknown(world, raw):
    with pytest.raises(Refused) as refused:
        await uc.open_form(world.ctx, world.user(LINDE), raw)
    assert refused.value.key == "evaluation.refuse.unknown"


@pytest.mark.parametrize(
    "raw", ['"12"', "12", '{"v":1}', '{"v":2,"prompt_id":1}', '{"v":1,"prompt_id":-1}', '{"v":1,"prompt_id":"1"}', "{", None]
)
def test_a_forged_form_context_does_not_decode(raw):
    with pytest.raises(BadContext):
        decode(uc.PromptForm, raw)
    assert decode(uc.PromptForm, encode(uc.PromptForm(7, "evaluation_prompt"))) == uc.PromptForm(7, "evaluation_prompt")


async def test_every_answer_is_checked_and_nothing_stored_until_all_are_right(world):
    await prompted(world, LINDE)
    form = uc.PromptForm(await prompt_of(world, LINDE))
    me = world.user(LINDE)
    with pytest.raises(Problems) as problems:
        await uc.submit(world.ctx, me, form, {"risico": "   "})
    assert {k: p.key for k, p in problems.value.fields.items()} == {
        "waarde": "evaluation.errors.required", "doelen": "evaluation.errors.required", "risico": "evaluation.errors.required"
    }
    with pytest.raises(Problems) as problems:
        await uc.submit(world.ctx, me, form, GOOD | {"waarde": "9", "doelen": "Misschien", "risico": "x" * (ANSWER_LIMIT + 1)})
    fields = problems.value.fields
    assert fields["waarde"].key == fields["doelen"].key == "evaluation.errors.not_an_option"
    assert fields["risico"].key == "evaluation.errors.too_long" and fields["risico"].params["length"] == ANSWER_LIMIT + 1
    with pytest.raises(Problems) as problems:
        await uc.submit(world.ctx, me, form, GOOD | {"waarde": "0"})
    assert set(problems.value.fields) == {"waarde"}
    assert await stored(world) == []

    with pytest.raises(Refused) as refused:
        await uc.submit(world.ctx, world.user(GGD), form, GOOD)
    assert refused.value.key == "evaluation.errors.not_yours"
    assert await stored(world) == []


async def test_named_answers_are_stored_changed_and_the_prompt_revised(world, clock):
    await prompted(world, LINDE)
    await world.drain()
    form = uc.PromptForm(await prompt_of(world, LINDE))
    done = await uc.submit(world.ctx, world.user(LINDE), form, GOOD)
    assert done.first and not done.anonymous
    await world.drain()
    assert world.chat.transcript[-1][0] == "update", "the prompt says thank you"
    [row] = await stored(world)
    assert row.answers == {"waarde": 4, "doelen": "Deels", "risico": "Geen koele ruimte"} and row.person_id is not None

    view = await uc.open_form(world.ctx, world.user(LINDE), form.prompt_id)
    assert view.vm["editing"] and view.vm["answers"]["doelen"] == "Deels"
    assert (await uc.prompt_view(world.ctx, world.user(LINDE), form.prompt_id)).vm["state"] == "done"
    again = await uc.submit(world.ctx, world.user(LINDE), form, GOOD | {"waarde": "5", "nodig": "Tijd"})
    assert not again.first
    [row] = await stored(world)
    assert row.answers["waarde"] == 5 and row.answers["nodig"] == "Tijd"

    clock.advance(days=400)  # long after the session: closed
    with pytest.raises(Refused) as refused:
        await uc.submit(world.ctx, world.user(LINDE), form, GOOD | {"waarde": "1"})
    assert refused.value.key == "evaluation.errors.closed"
    with pytest.raises(Refused) as refused:
        await uc.open_form(world.ctx, world.user(LINDE), form.prompt_id)
    assert refused.value.key == "evaluation.refuse.closed"
    assert (await stored(world))[0].answers["waarde"] == 5


async def test_anonymous_answers_carry_no_person_and_cannot_be_sent_twice(world):
    await anonymous(world)
    await prompted(world, LINDE, GGD)
    form = uc.PromptForm(await prompt_of(world, LINDE))
    done = await uc.submit(world.ctx, world.user(LINDE), form, GOOD)
    assert done.anonymous
    [row] = await stored(world)
    assert not hasattr(row, "person_id") and not hasattr(row, "submitted_at"), "a pool row: no person, no time"
    with pytest.raises(Refused) as refused:
        await uc.submit(world.ctx, world.user(LINDE), form, GOOD | {"waarde": "1"})
    assert refused.value.key == "evaluation.errors.already_anonymous"
    with pytest.raises(Refused) as refused:
        await uc.open_form(world.ctx, world.user(LINDE), form.prompt_id)
    assert refused.value.key == "evaluation.refuse.already_anonymous"
    assert len(await stored(world)) == 1
    async with world.ctx.db.sessionmaker() as s:
        data = [str(m.data) for m in (await s.execute(select(OutboxMessage))).scalars()]
    assert not any("Geen koele ruimte" in d for d in data), "the answers never sit in the outbox"


# -- the export button ---------------------------------------------------------------


async def export_rows(world) -> int:
    async with world.ctx.db.sessionmaker() as s:
        return (await s.execute(select(func.count()).select_from(OutboxMessage).where(OutboxMessage.key.like("eval-export:%")))).scalar_one()


async def evaluation_id(world) -> int:
    async with world.ctx.db.sessionmaker() as s:
        return (await s.execute(select(EvaluationPrompt.evaluation_id))).scalars().first()


async def test_only_a_trekker_downloads_and_a_forged_id_is_unknown(world):
    await prompted(world, LINDE)
    await uc.submit(world.ctx, world.user(LINDE), uc.PromptForm(await prompt_of(world, LINDE)), GOOD)
    ev = await evaluation_id(world)
    with pytest.raises(Refused) as refused:
        await uc.export(world.ctx, world.user(LINDE), str(ev))
    assert refused.value.key == "evaluation.export.not_trekker"
    for forged in ("", "x", "-3", "9" * 30, 123456):
        with pytest.raises(Refused) as refused:
            await uc.export(world.ctx, world.user(TREKKER), forged)
        assert refused.value.key == "evaluation.export.unknown"
    assert await export_rows(world) == 0
    params = await uc.export(world.ctx, world.user(TREKKER), str(ev))
    assert params["title"] == "Startbijeenkomst lokaal hitteplan"
    assert await export_rows(world) == 1


async def test_an_anonymous_export_waits_for_the_threshold_and_the_closing(world, clock):
    await anonymous(world)
    await prompted(world, LINDE, GGD, WELZIJN)
    ev = await evaluation_id(world)
    with pytest.raises(Refused) as refused:
        await uc.export(world.ctx, world.user(TREKKER), ev)
    assert refused.value.key == "evaluation.export.threshold" and refused.value.params["threshold"] == 3
    for email in (LINDE, GGD, WELZIJN):
        await uc.submit(world.ctx, world.user(email), uc.PromptForm(await prompt_of(world, email)), GOOD)
    with pytest.raises(Refused) as refused:
        await uc.export(world.ctx, world.user(TREKKER), ev)
    assert refused.value.key == "evaluation.export.until_closed" and "2027" in refused.value.params["closes"]
    assert await export_rows(world) == 0
    clock.advance(days=400)
    await uc.export(world.ctx, world.user(TREKKER), ev)
    assert await export_rows(world) == 1
