"""What waits for a person (``my_overview``, behind App Home, ``mijn`` and the Teams
card): open evaluation forms, unread memos and sign-off requests for their organisation
— for the right people only, gone once answered, read or decided, in constant queries."""

from __future__ import annotations

from sqlalchemy import event, select

from bot.importer import import_file
from bot.interactions import evaluations, memos, signoff
from bot.models import EvaluationResponse, Trajectory
from bot.services.overview import my_overview
from bot.trajectory_file import parse
from tests.e2e.flows import anonymous_hitteplan
from tests.waiting import ANSWERS, GGD, LINDE, LINDE_BOARD, MEMO_TITLE, SESSION_TITLE, SIGN_TITLE, TREKKER, set_the_stage


def waiting(vm: dict) -> dict[str, list[str]]:
    return {
        "evaluations": [e["title"] for e in vm["evaluations"]],
        "memos": [m["title"] for m in vm["memos"]],
        "signoffs": [r["title"] for r in vm["signoffs"]],
    }


async def test_the_three_kinds_wait_for_the_right_people_until_done(world):
    await set_the_stage(world.ctx, world.user)
    linde = await my_overview(world.ctx, world.user(LINDE))
    assert waiting(linde) == {"evaluations": [SESSION_TITLE], "memos": [MEMO_TITLE], "signoffs": [SIGN_TITLE]}
    # The board of De Linde got the memo and may sign too; it did not attend.
    assert waiting(await my_overview(world.ctx, world.user(LINDE_BOARD))) == {"evaluations": [], "memos": [MEMO_TITLE], "signoffs": [SIGN_TITLE]}
    for other in (GGD, TREKKER):
        assert waiting(await my_overview(world.ctx, world.user(other))) == {"evaluations": [], "memos": [], "signoffs": []}

    [prompt], [memo], [request] = linde["evaluations"], linde["memos"], linde["signoffs"]
    await evaluations.submit(world.ctx, world.user(LINDE), evaluations.PromptForm(prompt["prompt_id"]), ANSWERS)
    assert waiting(await my_overview(world.ctx, world.user(LINDE)))["evaluations"] == []
    await memos.read(world.ctx, world.user(LINDE), memo["recipient_id"])
    assert waiting(await my_overview(world.ctx, world.user(LINDE)))["memos"] == []
    await signoff.agree(world.ctx, world.user(LINDE_BOARD), request["request_id"])
    assert waiting(await my_overview(world.ctx, world.user(LINDE))) == {"evaluations": [], "memos": [], "signoffs": []}
    assert waiting(await my_overview(world.ctx, world.user(LINDE_BOARD))) == {"evaluations": [], "memos": [MEMO_TITLE], "signoffs": []}


async def test_an_anonymous_form_waits_until_the_prompt_is_marked_answered(world):
    parsed, errors = parse(anonymous_hitteplan(), "hitteplan.yaml")
    assert not errors
    await import_file(world.ctx, parsed)
    await set_the_stage(world.ctx, world.user)
    [prompt] = (await my_overview(world.ctx, world.user(LINDE)))["evaluations"]
    assert prompt["anonymous"] is True
    await evaluations.submit(world.ctx, world.user(LINDE), evaluations.PromptForm(prompt["prompt_id"]), ANSWERS)
    from bot.models import EvaluationPoolAnswer

    async with world.ctx.db.sessionmaker() as s:
        [pooled] = (await s.execute(select(EvaluationPoolAnswer))).scalars().all()
    assert not hasattr(pooled, "person_id")  # nothing links the answer to her ...
    assert (await my_overview(world.ctx, world.user(LINDE)))["evaluations"] == []  # ... the prompt's marker does


async def test_after_the_deadline_a_request_no_longer_waits(world, clock):
    from datetime import timedelta

    await set_the_stage(world.ctx, world.user)
    clock.advance(timedelta(days=29))  # 2 March 2027: the deadline (1 March) has passed
    assert (await my_overview(world.ctx, world.user(LINDE)))["signoffs"] == []


async def test_the_number_of_queries_does_not_grow_with_the_items(world):
    await set_the_stage(world.ctx, world.user)

    async def queries() -> int:
        seen = []
        engine = world.ctx.db.engine.sync_engine
        listener = lambda *args: seen.append(1)  # noqa: E731
        event.listen(engine, "before_cursor_execute", listener)
        try:
            await my_overview(world.ctx, world.user(LINDE))
        finally:
            event.remove(engine, "before_cursor_execute", listener)
        return len(seen)

    one_each = await queries()
    async with world.ctx.db.sessionmaker() as s:
        trajectory_id = (await s.execute(select(Trajectory.id))).scalar_one()
    for n in range(3):  # more memos for De Linde
        form = (await memos.form(world.ctx, world.user(TREKKER), trajectory_id))["form"]
        draft = memos.Draft(title=f"Memo {n}", body="Tekst.", audience="organisations", organisations=["linde"])
        await memos.send(world.ctx, world.user(TREKKER), (await memos.preview(world.ctx, world.user(TREKKER), form, draft))["form"])
    vm = await my_overview(world.ctx, world.user(LINDE))
    assert len(vm["memos"]) == 4
    assert await queries() == one_each


async def test_many_waiting_items_keep_home_and_mine_within_slacks_block_limits(world):
    from bot.slack.blocks.common import translator
    from bot.slack.blocks.home import home_view, mine_message
    from bot.teams.cards.home import overview_card
    from bot.teams.text import translator as teams_translator

    await set_the_stage(world.ctx, world.user)
    vm = await my_overview(world.ctx, world.user(LINDE))
    for kind in ("evaluations", "memos", "signoffs", "commitments", "sessions"):
        vm[kind] = [vm[kind][0] if vm[kind] else None] * 20 if vm[kind] else vm[kind]
        vm[f"{kind}_more"] = 30
    vm["trekker"] = (await my_overview(world.ctx, world.user(TREKKER)))["trekker"] * 4
    home = home_view(vm, translator("nl"))["blocks"]
    assert len(home) <= 100 and "En nog 47 memo's." in str(home) and "En nog" in str(home[-1])
    assert len(mine_message(vm, translator("nl"))["blocks"]) <= 50
    assert "En nog 47 vragen om akkoord." in str(overview_card(vm, teams_translator("nl")))
