"""The evaluation figures counted in SQL (``evaluation_results.tallies``) against the
same figures counted in Python over the loaded answer sets, on both databases: numbers
only for a rating (a stored text, a list or null is no score), texts only for a choice,
and the anonymous pool counted with the answers table."""

from __future__ import annotations

import random
import uuid
from datetime import timedelta

from sqlalchemy import select

from bot.models import Evaluation, EvaluationPoolAnswer, EvaluationResponse, Session
from bot.services import evaluation_results

QUESTIONS = [
    {"key": "waarde", "type": "rating", "scale": 5, "question": "Hoe waardevol?"},
    {"key": "tempo", "type": "rating", "scale": 5, "question": "Het tempo?"},
    {"key": "doelen", "type": "choice", "options": ["Ja", "Deels", "Nee"], "question": "Doelen bereikt?"},
    {"key": "risico", "type": "text", "question": "Welk risico?"},
]
ODD = [None, "4", "", [3], {"x": 1}, True, 2.5, "Ja"]  # what an edited form can leave behind


def answer_set(rng: random.Random) -> dict:
    answers = {}
    for key, usual in (("waarde", [1, 2, 3, 4, 5]), ("tempo", [1, 5]), ("doelen", ["Ja", "Deels", "Nee"]), ("risico", ["Hitte", "Water"])):
        roll = rng.random()
        if roll < 0.7:
            answers[key] = rng.choice(usual)
        elif roll < 0.9:
            answers[key] = rng.choice(ODD)
    return answers


def expected(sets: list[dict]) -> evaluation_results.Tallies:
    def numbers(key):
        return [a[key] for a in sets if isinstance(a.get(key), (int, float)) and not isinstance(a.get(key), bool)]

    def texts(key):
        return [a[key] for a in sets if isinstance(a.get(key), str)]

    return evaluation_results.Tallies(
        sets=len(sets),
        ratings={k: (float(sum(numbers(k))), len(numbers(k))) for k in ("waarde", "tempo")},
        choices={"doelen": (sum(1 for t in texts("doelen") if t), sum(1 for t in texts("doelen") if t == "Ja"))},
    )


async def test_tallies_count_what_python_counts(world):
    rng = random.Random(7)
    own, pool = [answer_set(rng) for _ in range(40)], [answer_set(rng) for _ in range(15)]
    async with world.ctx.db.transaction() as s:
        session = (await s.execute(select(Session).where(Session.key == "start"))).scalar_one()
        ev = Evaluation(session_id=session.id, form_key="standaard", anonymous=False, questions=QUESTIONS,
                        opened_at=world.ctx.now(), closes_at=world.ctx.now() + timedelta(days=7))
        s.add(ev)
        await s.flush()
        s.add_all(EvaluationResponse(id=uuid.uuid4().hex, evaluation_id=ev.id, answers=a) for a in own)
        s.add_all(EvaluationPoolAnswer(id=uuid.uuid4().hex, evaluation_id=ev.id, answers=a) for a in pool)
    async with world.ctx.db.sessionmaker() as s:
        found = await evaluation_results.tallies(s, await s.get(Evaluation, ev.id))
    want = expected(own + pool)
    assert found == want
    assert want.ratings["waarde"][1] > 20 and want.choices["doelen"][1] > 5  # the draw has both kinds of values
    assert found.average("waarde") == want.ratings["waarde"][0] / want.ratings["waarde"][1]
    assert found.average() == (want.ratings["waarde"][0] + want.ratings["tempo"][0]) / (want.ratings["waarde"][1] + want.ratings["tempo"][1])


async def test_no_answers_no_average(world):
    async with world.ctx.db.transaction() as s:
        session = (await s.execute(select(Session).where(Session.key == "start"))).scalar_one()
        ev = Evaluation(session_id=session.id, form_key="standaard", anonymous=True, questions=QUESTIONS,
                        opened_at=world.ctx.now(), closes_at=world.ctx.now() + timedelta(days=7))
        s.add(ev)
    async with world.ctx.db.sessionmaker() as s:
        found = await evaluation_results.tallies(s, await s.get(Evaluation, ev.id))
    assert found == evaluation_results.Tallies(sets=0, ratings={"waarde": (0.0, 0), "tempo": (0.0, 0)}, choices={"doelen": (0, 0)})
    assert found.average() is None and found.average("tempo") is None
