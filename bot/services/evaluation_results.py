"""Evaluation results: the counts, the summary per question, when an anonymous form's
answers may be shown (``hidden``: from the threshold, and only once closed), the
results on demand, and the raw answers as a table for the export."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select, union_all
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from bot import outbox, sqljson
from bot.context import Context
from bot.interactions.errors import Refused
from bot.models import Evaluation, EvaluationPoolAnswer, EvaluationPrompt, EvaluationResponse, Person, Session, Trajectory
from bot.services.evaluations import Config, config, find, is_open


async def responses(s: AsyncSession, ev: Evaluation) -> list[EvaluationResponse]:
    """Every answer set: the answers table and (anonymous forms) the pending pool, as
    rows with no person, ordered by their random ids."""
    rows = list(
        (
            await s.execute(
                select(EvaluationResponse).where(EvaluationResponse.evaluation_id == ev.id).order_by(EvaluationResponse.id)
            )
        ).scalars()
    )
    pool = (await s.execute(select(EvaluationPoolAnswer).where(EvaluationPoolAnswer.evaluation_id == ev.id))).scalars()
    rows += [EvaluationResponse(id=p.id, evaluation_id=ev.id, person_id=None, answers=p.answers) for p in pool]
    return sorted(rows, key=lambda r: r.id)


@dataclass(frozen=True)
class Tallies:
    """Figures over every answer set of an evaluation (table and pool), counted in SQL."""

    sets: int
    ratings: dict[str, tuple[float, int]]  # rating key -> (sum, count) of its numbers
    choices: dict[str, tuple[int, int]]  # choice key -> (answered, the first option)

    def average(self, key: str | None = None) -> float | None:
        """One rating's average, or (no key) over the answers of every rating."""
        sums = [self.ratings[key]] if key else list(self.ratings.values())
        count = sum(n for _, n in sums)
        return sum(total for total, _ in sums) / count if count else None


async def tallies(s: AsyncSession, ev: Evaluation) -> Tallies:
    """One statement whatever the number of answers: no answer set is loaded."""
    sets = union_all(
        select(EvaluationResponse.answers.label("answers")).where(EvaluationResponse.evaluation_id == ev.id),
        select(EvaluationPoolAnswer.answers.label("answers")).where(EvaluationPoolAnswer.evaluation_id == ev.id),
    ).subquery()
    ratings = [q["key"] for q in ev.questions if q.get("type") == "rating"]
    choices = [q for q in ev.questions if q.get("type") == "choice" and q.get("options")]
    columns = [func.count()]
    for key in ratings:
        value = sqljson.number(sets.c.answers, key)
        columns += [func.coalesce(func.sum(value), 0), func.count(value)]
    for q in choices:
        value = sqljson.string(sets.c.answers, q["key"])
        columns += [func.count(func.nullif(value, "")), func.count().filter(value == q["options"][0])]
    row = list((await s.execute(select(*columns).select_from(sets))).one())
    found = iter(row[1:])
    return Tallies(
        sets=int(row[0]),
        ratings={key: (float(next(found)), int(next(found))) for key in ratings},
        choices={q["key"]: (int(next(found)), int(next(found))) for q in choices},
    )


async def counts(s: AsyncSession, ev: Evaluation) -> tuple[int, int]:
    """(prompted, responded), from the markers."""
    prompted, responded = (
        await s.execute(
            select(func.count(), func.count().filter(EvaluationPrompt.responded.is_(True))).where(
                EvaluationPrompt.evaluation_id == ev.id
            )
        )
    ).one()
    return int(prompted), int(responded)


def summarise(questions: list[dict], rows: list[dict], who: list[dict | None]) -> list[dict]:
    """Per question: average and distribution (rating), counts (choice, multi), texts."""
    out = []
    for q in questions:
        key, kind = q["key"], q["type"]
        given = [(row.get(key), author) for row, author in zip(rows, who) if row.get(key) not in (None, "", [])]
        item: dict[str, Any] = {"key": key, "type": kind, "question": q["question"], "count": len(given)}
        if kind == "rating":
            scale = int(q.get("scale") or 5)
            values = [int(v) for v, _ in given]
            tally = Counter(values)
            item["scale"] = scale
            item["average"] = round(sum(values) / len(values), 1) if values else None
            item["distribution"] = [[n, tally.get(n, 0)] for n in range(1, scale + 1)]
        elif kind in ("choice", "multi"):
            tally = Counter()
            for v, _ in given:
                tally.update(v if isinstance(v, list) else [v])
            item["options"] = [[o, tally.get(o, 0)] for o in q.get("options") or []]
        else:
            texts = [{"text": str(v), **(author or {})} for v, author in given]
            if not any(author for _, author in given):
                texts.sort(key=lambda t: t["text"].casefold())  # no order that hints at who or when
            item["answers"] = texts
        out.append(item)
    return out


def hidden(ev: Evaluation, answers: int, cfg: Config, now: datetime) -> str | None:
    """Why an anonymous evaluation's answers are not shown (results) or handed out (the
    export button) yet: ``threshold`` (too few) or ``until_closed``; None when they may be."""
    if ev.anonymous and answers < cfg.threshold:
        return "threshold"
    if ev.anonymous and is_open(ev, now):
        return "until_closed"
    return None


async def results_vm(s: AsyncSession, ctx: Context, ev: Evaluation, session: Session, trajectory: Trajectory) -> dict:
    cfg = config(trajectory)
    prompted, responded = await counts(s, ev)
    rows = await responses(s, ev)
    closed = not is_open(ev, ctx.now())
    vm: dict[str, Any] = {
        "session_key": session.key,
        "evaluation_id": ev.id,
        "title": session.title,
        "trajectory": trajectory.title,
        "timezone": trajectory.timezone,
        "starts": session.starts_at.isoformat(),
        "ends": session.ends_at.isoformat(),
        "closes": ev.closes_at.isoformat(),
        "closed": closed,
        "anonymous": ev.anonymous,
        "threshold": cfg.threshold,
        "prompted": prompted,
        "responded": len(rows) if not ev.anonymous else responded,
        "answers": len(rows),
        "hidden": None,
        "questions": [],
    }
    vm["hidden"] = hidden(ev, len(rows), cfg, ctx.now())
    if vm["hidden"]:
        return vm
    who: list[dict | None] = [None] * len(rows)
    if not ev.anonymous:
        people = {
            p.id: p
            for p in (
                await s.execute(
                    select(Person)
                    .where(Person.id.in_([r.person_id for r in rows if r.person_id is not None]))
                    .options(selectinload(Person.organisation))
                )
            ).scalars()
        }
        rows.sort(key=lambda r: (people[r.person_id].name.casefold() if r.person_id in people else ""))
        who = [
            {"name": people[r.person_id].name, "organisation": people[r.person_id].organisation.name}
            if r.person_id in people
            else None
            for r in rows
        ]
    vm["questions"] = summarise(ev.questions, [r.answers for r in rows], who)
    return vm


async def request_results(s: AsyncSession, ctx: Context, session: Session, requester: Person) -> None:
    """On demand: the results as a direct message to the trekker who asked; Refused
    when the evaluation has not been opened yet."""
    ev = await find(s, session.id)
    if ev is None:
        raise Refused("evaluation.command.not_open", title=session.title, key=session.key)
    trajectory = await s.get(Trajectory, session.trajectory_id)
    vm = await results_vm(s, ctx, ev, session, trajectory)
    await outbox.enqueue(
        s,
        key=f"eval-results:{ev.id}:{requester.id}:{ctx.now().isoformat()}",
        op="direct",
        template="evaluation_results",
        data=vm,
        person=requester,
        at_once=True,  # the trekker just asked for them
        now=ctx.now(),
    )


# -- export -----------------------------------------------------------------------


@dataclass
class ExportTable:
    anonymous: bool
    questions: list[dict]
    headers: list[str]
    rows: list[list[Any]]
    text_columns: set[int]
    identity_columns: int = 0  # the first headers are IDENTITY_COLUMNS codes (named forms), the rest question keys
    hidden: str | None = None  # anonymous, not handed out yet: threshold | until_closed


IDENTITY_COLUMNS = ("name", "email", "organisation", "submitted", "updated")  # headers: cli.export.col_<code>


async def export_table(s: AsyncSession, session: Session, threshold: int, now: datetime) -> ExportTable | None:
    """The raw answers, one row per respondent; anonymous forms without identities.

    None when the session has no evaluation.  An anonymous evaluation with fewer
    answers than the threshold, or still open, gives headers and no rows
    (``table.hidden`` says why: the rule of :func:`hidden`).
    """
    ev = await find(s, session.id)
    if ev is None:
        return None
    rows = await responses(s, ev)
    keys = [q["key"] for q in ev.questions]
    fixed = [] if ev.anonymous else list(IDENTITY_COLUMNS)
    table = ExportTable(ev.anonymous, ev.questions, fixed + keys, [], set(), len(fixed))
    table.text_columns = {len(fixed) + i for i, q in enumerate(ev.questions) if q["type"] in ("text", "choice", "multi")}
    if not ev.anonymous:
        table.text_columns |= {0, 1, 2}
    table.hidden = hidden(ev, len(rows), Config(threshold=threshold), now)
    if table.hidden:
        return table
    people: dict[int, Person] = {}
    if not ev.anonymous:
        ids = [r.person_id for r in rows if r.person_id is not None]
        people = {
            p.id: p
            for p in (await s.execute(select(Person).where(Person.id.in_(ids)).options(selectinload(Person.organisation)))).scalars()
        }
        rows.sort(key=lambda r: people[r.person_id].name.casefold() if r.person_id in people else "")
    for r in rows:
        values = []
        for q in ev.questions:
            v = r.answers.get(q["key"])
            values.append("; ".join(v) if isinstance(v, list) else v)
        if ev.anonymous:
            table.rows.append(values)
        else:
            p = people.get(r.person_id)
            table.rows.append(
                [
                    p.name if p else "",
                    p.email if p else "",
                    p.organisation.name if p else "",
                    r.submitted_at,
                    r.updated_at,
                    *values,
                ]
            )
    return table
