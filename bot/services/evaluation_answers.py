"""Answering an evaluation: who may open the form, checking every answer, storing it.

The anonymity of an anonymous form is kept here.  Three things must never be
linkable: the person, the fact that they answered, and their answers; not by a
column, a row order, a timestamp, a transaction id, a log line or a page of the
SQLite WAL.  How:

1. *Marked at once.*  Sending the form claims the prompt's "has responded" marker
   (a boolean, no time) atomically, withdraws the reminder and queues the "bedankt"
   update of the prompt message, in one transaction that holds no answers.
2. *A pending pool.*  The answers go in a second transaction, with no person and no
   time, into ``evaluation_pool``.  That transaction rewrites the evaluation's whole
   pool: every pending answer set is deleted and written again, in random order, with
   fresh random keys (SQLite: a table without rowid, so the file's order is the random
   key's; PostgreSQL: every pool row carries the same ``xmin``).  A reader of the
   database sees a bag of answers that were all written at the same moment.
3. *Batches in random order.*  When the pool holds ``POOL_BATCH`` answer sets, and
   when the evaluation closes, the pool is moved into ``evaluation_response`` by
   rewriting the evaluation's whole answer set in random order with fresh random ids
   (``_shuffle_in``).  So the answers table only changes every ``POOL_BATCH`` answers,
   and then says nothing about who came last.
4. *No trace on disk.*  SQLite runs with ``secure_delete`` (deleted rows are zeroed)
   and, after every pool write, the WAL is checkpointed and truncated
   (``Database.checkpoint``), so the WAL holds no page images in submission order.
   Nothing here logs at the moment of answering.

The "bedankt" outbox rows do carry the person and the time of answering, as any
message to that person does; nothing of the answers carries a time or an order, so
they match nothing.  Results of an anonymous form appear only once it has closed and
from the threshold (``evaluation_results.hidden``).  An anonymous answer cannot be
changed later: nothing links it to its author any more.
"""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot import outbox
from bot.context import Context
from bot.identity import User, is_user
from bot.interactions.errors import Problem, Problems, Refused
from bot.limits import ANSWER_LIMIT
from bot.models import Evaluation, EvaluationPoolAnswer, EvaluationPrompt, EvaluationResponse, Session, Trajectory
from bot.services.evaluations import is_open, load_prompt, refresh_prompt, reminder_key

_random = random.SystemRandom()
POOL_BATCH = 5  # anonymous answer sets that wait in the pool before they move to the answers table


def check_access(prompt: EvaluationPrompt | None, user: User, now, refusals: str) -> EvaluationPrompt:
    """The prompt, if ``user`` may answer it now; else Refused(``<refusals>.<reason>``):
    unknown | not_yours | closed | already_anonymous."""
    if prompt is None:
        raise Refused(f"{refusals}.unknown")
    if not is_user(prompt.person, user):
        raise Refused(f"{refusals}.not_yours")
    ev = prompt.evaluation
    if not is_open(ev, now):
        raise Refused(f"{refusals}.closed")
    if ev.anonymous and prompt.responded:
        raise Refused(f"{refusals}.already_anonymous")
    return prompt


async def _named_answers(s: AsyncSession, ev: Evaluation, prompt: EvaluationPrompt) -> EvaluationResponse | None:
    return (
        await s.execute(
            select(EvaluationResponse).where(EvaluationResponse.evaluation_id == ev.id, EvaluationResponse.person_id == prompt.person_id)
        )
    ).scalar_one_or_none()


async def form_for(s: AsyncSession, ctx: Context, prompt_id: int | None, user: User) -> dict:
    """What the form needs (a named form comes back filled in); Refused
    (``evaluation.refuse.*``) when this person cannot open it."""
    prompt = check_access(await load_prompt(s, prompt_id) if prompt_id else None, user, ctx.now(), "evaluation.refuse")
    ev = prompt.evaluation
    session = await s.get(Session, ev.session_id)
    trajectory = await s.get(Trajectory, session.trajectory_id)
    answers: dict[str, Any] = {}
    if not ev.anonymous and prompt.responded:
        row = await _named_answers(s, ev, prompt)
        answers = dict(row.answers) if row is not None else {}
    return {
        "prompt_id": prompt.id,
        "title": session.title,
        "starts": session.starts_at.isoformat(),
        "ends": session.ends_at.isoformat(),
        "timezone": trajectory.timezone,
        "closes": ev.closes_at.isoformat(),
        "anonymous": ev.anonymous,
        "questions": ev.questions,
        "answers": answers,
        "editing": bool(answers),
    }


def validate(questions: list[dict], raw: dict[str, Any]) -> dict[str, Any]:
    """The answers, checked against the questions whatever the client allowed.

    ``raw`` maps a question key to: the chosen value ("3", or an option's index or
    text), a list of them (multi), or the typed text.  Raises Problems per question
    key (``evaluation.errors.required | too_long | not_an_option``).
    """
    answers: dict[str, Any] = {}
    errors: dict[str, Problem] = {}
    for q in questions:
        key = q["key"]
        try:
            value = _answer(q, raw.get(key))
        except _Bad as bad:
            errors[key] = Problem(f"evaluation.errors.{bad.code}", bad.params)
            continue
        if value is not None:
            answers[key] = value
        elif not q.get("optional"):
            errors[key] = Problem("evaluation.errors.required")
    if errors:
        raise Problems(errors)
    return answers


class _Bad(Exception):
    def __init__(self, code: str, **params: Any):
        super().__init__(code)
        self.code, self.params = code, params


def _answer(q: dict, value: Any) -> Any:
    """One question's answer (None when empty), or _Bad."""
    kind = q["type"]
    if kind == "text":
        text = value.strip() if isinstance(value, str) else ""
        if len(text) > ANSWER_LIMIT:
            raise _Bad("too_long", max=ANSWER_LIMIT, length=len(text))
        return text or None
    if kind == "multi":
        values = value if isinstance(value, list) else ([] if value in (None, "") else [value])
        chosen = [_option(q, v) for v in values]
        if any(c is None for c in chosen):
            raise _Bad("not_an_option")
        return [o for o in q["options"] if o in chosen] or None  # the form's order, once each
    if value in (None, "", []):
        return None
    if kind == "rating":
        text = str(value)
        number = int(text) if text.isascii() and text.isdigit() and len(text) < 4 else 0
        if not 1 <= number <= int(q.get("scale") or 5):
            raise _Bad("not_an_option")
        return number
    option = _option(q, value)  # choice
    if option is None:
        raise _Bad("not_an_option")
    return option


def _option(q: dict, value: Any) -> str | None:
    options = q.get("options") or []
    text = str(value)
    if text.isdigit() and int(text) < len(options):
        return options[int(text)]
    return text if text in options else None


@dataclass(frozen=True)
class Stored:
    anonymous: bool
    first: bool  # the first answers of this person (not a change)


async def submit(ctx: Context, prompt_id: int, user: User, raw: dict[str, Any]) -> Stored:
    """Validate and store one person's answers; update their prompt to "bedankt".

    Raises Refused (``evaluation.errors.*``: unknown, not yours, closed, anonymous and
    already answered) or Problems per question.  Anonymous: the marker (and the
    "bedankt" update) is written first, in its own transaction; the answers follow in
    a second one into the pool (see the module's docstring).
    """
    async with ctx.db.transaction() as s:
        prompt = check_access(await load_prompt(s, prompt_id, lock=True), user, ctx.now(), "evaluation.errors")
        ev = prompt.evaluation
        answers = validate(ev.questions, raw)
        session = await s.get(Session, ev.session_id)
        trajectory = await s.get(Trajectory, session.trajectory_id)
        first = not prompt.responded
        if ev.anonymous:
            await _claim_marker(s, prompt)
            changed = True
        else:
            changed = await _store_named(s, ctx, ev, prompt, answers)
        if changed:  # the same answers submitted twice: nothing stored, no message update
            await outbox.withdraw(s, reminder_key(ev.id, prompt.person_id))
            await refresh_prompt(s, ctx, prompt, ev, session, trajectory, "done")
        evaluation_id, anonymous = ev.id, ev.anonymous
    if anonymous:
        async with ctx.db.transaction() as s:
            await _pool_in(s, evaluation_id, answers)
        await ctx.db.checkpoint()
    return Stored(anonymous=anonymous, first=first)


async def _claim_marker(s: AsyncSession, prompt: EvaluationPrompt) -> None:
    """Claim the marker atomically: a double submit stores one set of answers."""
    claimed = await s.execute(
        update(EvaluationPrompt)
        .where(EvaluationPrompt.id == prompt.id, EvaluationPrompt.responded.is_(False))
        .values(responded=True)
        .execution_options(synchronize_session=False)
    )
    if claimed.rowcount != 1:
        raise Refused("evaluation.errors.already_anonymous")
    prompt.responded = True


async def _store_named(s: AsyncSession, ctx: Context, ev: Evaluation, prompt: EvaluationPrompt, answers: dict) -> bool:
    """Store (or replace) the person's answers; False when they are the stored ones."""
    row = await _named_answers(s, ev, prompt)
    if row is not None and prompt.responded and row.answers == answers:
        return False
    if row is None:
        s.add(
            EvaluationResponse(
                id=uuid.uuid4().hex,
                evaluation_id=ev.id,
                person_id=prompt.person_id,
                answers=answers,
                submitted_at=ctx.now(),
                updated_at=ctx.now(),
            )
        )
    else:
        row.answers = answers
        row.updated_at = ctx.now()
    prompt.responded = True
    return True


async def _take_pool(s: AsyncSession, evaluation_id: int) -> list[dict[str, Any]]:
    """Lock the evaluation, and take (read and delete) its pending answer sets."""
    await s.execute(select(Evaluation.id).where(Evaluation.id == evaluation_id).with_for_update())
    pool = list(
        (await s.execute(select(EvaluationPoolAnswer.answers).where(EvaluationPoolAnswer.evaluation_id == evaluation_id))).scalars()
    )
    await s.execute(delete(EvaluationPoolAnswer).where(EvaluationPoolAnswer.evaluation_id == evaluation_id))
    return pool


async def _pool_in(s: AsyncSession, evaluation_id: int, answers: dict[str, Any]) -> None:
    """Add one anonymous answer set to the pool by rewriting the whole pool in random
    order with fresh keys; a full pool moves into the answers table."""
    pool = await _take_pool(s, evaluation_id)
    pool.append(answers)
    if len(pool) >= POOL_BATCH:
        await _shuffle_in(s, evaluation_id, pool)
        return
    _random.shuffle(pool)
    s.add_all(EvaluationPoolAnswer(id=uuid.uuid4().hex, evaluation_id=evaluation_id, answers=a) for a in pool)


async def flush_pool(s: AsyncSession, evaluation_id: int) -> int:
    """Move every pending answer set into the answers table (when the evaluation closes,
    and before the personal data of a trajectory is erased).  Returns how many moved."""
    pool = await _take_pool(s, evaluation_id)
    if pool:
        await _shuffle_in(s, evaluation_id, pool)
    return len(pool)


async def _shuffle_in(s: AsyncSession, evaluation_id: int, added: list[dict[str, Any]]) -> None:
    """Add anonymous answer sets by rewriting the evaluation's whole set: in random
    order, with fresh random ids, in one transaction.  Afterwards neither the ids, nor
    the rows' physical order (SQLite rowid, PostgreSQL ctid), nor their transaction ids
    tell which answers came when."""
    batch = list(
        (await s.execute(select(EvaluationResponse.answers).where(EvaluationResponse.evaluation_id == evaluation_id))).scalars()
    )
    await s.execute(delete(EvaluationResponse).where(EvaluationResponse.evaluation_id == evaluation_id))
    batch.extend(added)
    _random.shuffle(batch)
    s.add_all(EvaluationResponse(id=uuid.uuid4().hex, evaluation_id=evaluation_id, person_id=None, answers=a) for a in batch)
