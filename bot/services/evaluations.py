"""Evaluations after a session: prompts, answers, one reminder, closing, results.

Timeline (per trajectory configurable under ``reminders:``): the sweep opens the
evaluation ``evaluation_delay_minutes`` (15) after the session ends and prompts
everyone who said yes or maybe (quiet hours respected); non-respondents get one
reminder after ``evaluation_reminder_days`` (2); it closes
``evaluation_open_days`` (7) after the session, and then the trekkers get the
results.  ``/dialoog evaluatie <sessie>`` opens it and prompts at once.

Anonymous forms are unlinkable.  The person-side trace is the prompt row
(:class:`EvaluationPrompt`, "has responded": a boolean, no time).  The answers
(:class:`EvaluationResponse`) carry no person and no time, and are written in a
transaction of their own, after the marker's, which rewrites the evaluation's whole
answer set in random order with fresh random ids (see ``_shuffle_in``): row ids,
row order and transaction ids say nothing about who answered when.  Nothing here
logs a person together with an answer.  An anonymous answer cannot be changed later:
nothing links it to its author any more (the form says so before sending).
Results of an anonymous form show only from ``anonymous_threshold`` (never below
3) answers, and only once the evaluation has closed, so that comparing two
readings cannot reveal one person's answers.
"""

from __future__ import annotations

import logging
import random
import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from bot import outbox
from bot.context import Context
from bot.services.notify import tell_trekkers
from bot.identity import User, is_user
from bot.models import (
    Evaluation,
    EvaluationForm,
    EvaluationPrompt,
    EvaluationResponse,
    Invitation,
    OutboxMessage,
    Person,
    ScheduledTask,
    Session,
    Trajectory,
)
from bot.services.invitations import add_task
from bot.trajectory_file import FormSpec

log = logging.getLogger(__name__)
_random = random.SystemRandom()

ATTENDING = ("yes", "maybe")
MIN_THRESHOLD = 3
MAX_TEXT = 2000  # characters in one text answer
TASK_OPEN = "evaluation_open"
TASK_REMIND = "evaluation_reminder"
TASK_CLOSE = "evaluation_close"


@dataclass(frozen=True)
class Config:
    delay_minutes: int = 15
    open_days: int = 7
    reminder_days: int = 2
    threshold: int = MIN_THRESHOLD


def config(trajectory: Trajectory) -> Config:
    r = trajectory.reminders or {}
    return Config(
        delay_minutes=int(r.get("evaluation_delay_minutes", 15)),
        open_days=int(r.get("evaluation_open_days", 7)),
        reminder_days=int(r.get("evaluation_reminder_days", 2)),
        threshold=max(MIN_THRESHOLD, int(r.get("anonymous_threshold", MIN_THRESHOLD))),
    )


def prompt_key(evaluation_id: int, person_id: int) -> str:
    return f"eval-prompt:{evaluation_id}:{person_id}"


def reminder_key(evaluation_id: int, person_id: int) -> str:
    return f"eval-remind:{evaluation_id}:{person_id}"


def is_open(ev: Evaluation, now: datetime) -> bool:
    return ev.closed_at is None and now < ev.closes_at


# -- forms from the trajectory file -----------------------------------------------


def form_questions(spec: FormSpec) -> list[dict[str, Any]]:
    return [
        {
            "key": q.key,
            "type": q.type,
            "question": q.question,
            "scale": q.scale,
            "options": list(q.options),
            "optional": bool(q.optional),
        }
        for q in spec.questions
    ]


async def sync_forms(s: AsyncSession, trajectory: Trajectory, forms: dict[str, FormSpec]) -> bool:
    """Store the file's forms, updated in place by key; a dropped form becomes inactive."""
    rows = {
        f.key: f for f in (await s.execute(select(EvaluationForm).where(EvaluationForm.trajectory_id == trajectory.id))).scalars()
    }
    changed = False
    for key, spec in forms.items():
        row = rows.get(key)
        values = {"anonymous": bool(spec.anonymous), "questions": form_questions(spec), "active": True}
        if row is None:
            s.add(EvaluationForm(trajectory_id=trajectory.id, key=key, **values))
            changed = True
            continue
        for name, value in values.items():
            if getattr(row, name) != value:
                setattr(row, name, value)
                changed = True
    for key, row in rows.items():
        if key not in forms and row.active:
            row.active = False
            changed = True
    await s.flush()
    return changed


async def schedule_openings(s: AsyncSession, ctx: Context, trajectory: Trajectory) -> None:
    """A due task per session with a form: open the evaluation shortly after it ends.

    Keys carry the session's sequence, so a moved session gets a fresh task and the
    old one finds itself obsolete.  Sessions long over when imported are skipped.
    """
    cfg = config(trajectory)
    sessions = (
        await s.execute(
            select(Session).where(
                Session.trajectory_id == trajectory.id,
                Session.evaluation_form.is_not(None),
                Session.cancelled.is_(False),
            )
        )
    ).scalars().all()
    for session in sessions:
        due = session.ends_at + timedelta(minutes=cfg.delay_minutes)
        expires = session.ends_at + timedelta(days=cfg.open_days)
        if expires <= ctx.now():
            continue
        await add_task(s, f"eval-open:{session.id}:{session.sequence}", TASK_OPEN, session.id, due, expires)


# -- opening and prompting --------------------------------------------------------


def closing_time(session: Session, now: datetime, cfg: Config) -> datetime:
    """``open_days`` after the session; opened later than that (on request): ``open_days`` from now."""
    closes = session.ends_at + timedelta(days=cfg.open_days)
    return closes if closes > now else now + timedelta(days=cfg.open_days)


async def find(s: AsyncSession, session_id: int) -> Evaluation | None:
    return (await s.execute(select(Evaluation).where(Evaluation.session_id == session_id))).scalar_one_or_none()


async def open_evaluation(s: AsyncSession, ctx: Context, session: Session, trajectory: Trajectory) -> Evaluation | None:
    """The session's evaluation, opened now if it was not yet.  None when the session has no form."""
    existing = await find(s, session.id)
    if existing is not None:
        return existing
    if not session.evaluation_form:
        return None
    form = (
        await s.execute(
            select(EvaluationForm).where(
                EvaluationForm.trajectory_id == trajectory.id,
                EvaluationForm.key == session.evaluation_form,
                EvaluationForm.active.is_(True),
            )
        )
    ).scalar_one_or_none()
    if form is None:
        return None
    cfg = config(trajectory)
    now = ctx.now()
    ev = Evaluation(
        session_id=session.id,
        form_key=form.key,
        anonymous=form.anonymous,
        questions=list(form.questions),
        opened_at=now,
        closes_at=closing_time(session, now, cfg),
    )
    s.add(ev)
    await s.flush()
    await add_task(s, f"eval-close:{ev.id}", TASK_CLOSE, ev.id, ev.closes_at)
    if cfg.reminder_days > 0:
        due = max(ctx.send_time(trajectory.timezone), session.ends_at) + timedelta(days=cfg.reminder_days)
        if due < ev.closes_at:
            await add_task(s, f"eval-remind:{ev.id}", TASK_REMIND, ev.id, due, ev.closes_at)
    return ev


def prompt_vm(ev: Evaluation, session: Session, trajectory: Trajectory, prompt: EvaluationPrompt, state: str) -> dict:
    """The prompt message: ``state`` is open | done | closed."""
    return {
        "prompt_id": prompt.id,
        "trajectory": trajectory.title,
        "timezone": trajectory.timezone,
        "title": session.title,
        "starts": session.starts_at.isoformat(),
        "ends": session.ends_at.isoformat(),
        "anonymous": ev.anonymous,
        "closes": ev.closes_at.isoformat(),
        "state": state,
        "editable": not ev.anonymous,
        "questions": len(ev.questions),
    }


@dataclass
class PromptResult:
    sent: int = 0
    already: int = 0
    unreachable: list[str] = field(default_factory=list)
    send_at: datetime | None = None
    closed: bool = False


async def send_prompts(s: AsyncSession, ctx: Context, ev: Evaluation, session: Session, trajectory: Trajectory) -> PromptResult:
    """Prompt everyone who said yes or maybe and has not been prompted yet."""
    result = PromptResult(send_at=ctx.send_time(trajectory.timezone))
    if not is_open(ev, ctx.now()):
        result.closed = True
        return result
    invitations = (
        await s.execute(
            select(Invitation)
            .where(Invitation.session_id == session.id, Invitation.status.in_(ATTENDING))
            .options(selectinload(Invitation.person))
            .order_by(Invitation.id)
        )
    ).scalars().all()
    prompted = set(
        (await s.execute(select(EvaluationPrompt.person_id).where(EvaluationPrompt.evaluation_id == ev.id))).scalars()
    )
    for inv in invitations:
        person = inv.person
        if not person.active:
            continue
        if person.id in prompted:
            result.already += 1
            continue
        if not person.reachable:
            result.unreachable.append(person.name)
            continue
        prompt = EvaluationPrompt(evaluation_id=ev.id, person_id=person.id, prompted_at=ctx.now(), responded=False, revision=0)
        s.add(prompt)
        await s.flush()
        prompted.add(person.id)
        await outbox.enqueue(
            s,
            key=prompt_key(ev.id, person.id),
            op="direct",
            template="evaluation_prompt",
            data=prompt_vm(ev, session, trajectory, prompt, "open"),
            person=person,
            now=ctx.now(),
            not_before=result.send_at,
            expires_at=ev.closes_at,
        )
        result.sent += 1
    return result


async def refresh_prompt(
    s: AsyncSession, ctx: Context, prompt: EvaluationPrompt, ev: Evaluation, session: Session, trajectory: Trajectory, state: str
) -> None:
    """Update the prompt message (and the reminder, if one went out) in place."""
    prompt.revision += 1
    await s.flush()
    person = prompt.person
    data = prompt_vm(ev, session, trajectory, prompt, state)
    for prefix, key in (("eval-prompt-rev", prompt_key(ev.id, person.id)), ("eval-remind-rev", reminder_key(ev.id, person.id))):
        await outbox.revise(s, original_key=key, key=f"{prefix}:{prompt.id}:{prompt.revision}", data=data, person=person, now=ctx.now())


# -- the form ---------------------------------------------------------------------


async def load_prompt(s: AsyncSession, prompt_id: int, lock: bool = False) -> EvaluationPrompt | None:
    query = (
        select(EvaluationPrompt)
        .where(EvaluationPrompt.id == prompt_id)
        .options(selectinload(EvaluationPrompt.evaluation), selectinload(EvaluationPrompt.person))
    )
    if lock:
        query = query.with_for_update()
    return (await s.execute(query)).scalar_one_or_none()


@dataclass
class FormAccess:
    ok: bool
    reason: str | None = None  # unknown | not_yours | closed | already_anonymous
    vm: dict | None = None
    language: str | None = None


async def form_for(s: AsyncSession, ctx: Context, prompt_id: int, user: User) -> FormAccess:
    """What the modal needs, or why this person cannot open it."""
    prompt = await load_prompt(s, prompt_id)
    if prompt is None:
        return FormAccess(False, "unknown")
    lang = prompt.person.language
    if not is_user(prompt.person, user):
        return FormAccess(False, "not_yours", language=lang)
    ev = prompt.evaluation
    if not is_open(ev, ctx.now()):
        return FormAccess(False, "closed", language=lang)
    if ev.anonymous and prompt.responded:
        return FormAccess(False, "already_anonymous", language=lang)
    session = await s.get(Session, ev.session_id)
    trajectory = await s.get(Trajectory, session.trajectory_id)
    answers: dict[str, Any] = {}
    if not ev.anonymous and prompt.responded:
        row = (
            await s.execute(
                select(EvaluationResponse).where(
                    EvaluationResponse.evaluation_id == ev.id, EvaluationResponse.person_id == prompt.person_id
                )
            )
        ).scalar_one_or_none()
        answers = dict(row.answers) if row is not None else {}
    vm = {
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
    return FormAccess(True, vm=vm, language=lang or trajectory.language)


def validate(questions: list[dict], raw: dict[str, Any]) -> tuple[dict[str, Any], dict[str, tuple[str, dict]]]:
    """Check the submitted values against the questions, whatever the client allowed.

    ``raw`` maps a question key to: the chosen value ("3", or an option's index or
    text), a list of them (multi), or the typed text.  Returns (answers, errors),
    errors as question key -> (message code, parameters).
    """
    answers: dict[str, Any] = {}
    errors: dict[str, tuple[str, dict]] = {}
    for q in questions:
        key, kind = q["key"], q["type"]
        value = raw.get(key)
        if kind == "text":
            text = (value or "").strip() if isinstance(value, str) else ""
            if len(text) > MAX_TEXT:
                errors[key] = ("too_long", {"max": MAX_TEXT, "length": len(text)})
            elif text:
                answers[key] = text
        elif kind == "rating":
            scale = int(q.get("scale") or 5)
            if value not in (None, "", []):
                try:
                    number = int(str(value))
                except ValueError:
                    number = 0
                if not 1 <= number <= scale:
                    errors[key] = ("not_an_option", {})
                else:
                    answers[key] = number
        elif kind == "choice":
            if value not in (None, "", []):
                option = _option(q, value)
                if option is None:
                    errors[key] = ("not_an_option", {})
                else:
                    answers[key] = option
        elif kind == "multi":
            values = value if isinstance(value, list) else ([] if value in (None, "") else [value])
            chosen = [_option(q, v) for v in values]
            if any(c is None for c in chosen):
                errors[key] = ("not_an_option", {})
            elif chosen:
                answers[key] = [o for o in q["options"] if o in chosen]  # the form's order, once each
        if key not in answers and key not in errors and not q.get("optional"):
            errors[key] = ("required", {})
    return answers, errors


def _option(q: dict, value: Any) -> str | None:
    options = q.get("options") or []
    text = str(value)
    if text.isdigit() and int(text) < len(options):
        return options[int(text)]
    return text if text in options else None


@dataclass
class SubmitResult:
    ok: bool
    reason: str | None = None  # unknown | not_yours | closed | already_anonymous | invalid
    errors: dict[str, tuple[str, dict]] = field(default_factory=dict)
    anonymous: bool = False
    first: bool = False
    language: str | None = None


async def submit(ctx: Context, prompt_id: int, user: User, raw: dict[str, Any]) -> SubmitResult:
    """Validate and store one person's answers; update their prompt to "bedankt".

    Anonymous: the marker (and the "bedankt" update) is written first, in its own
    transaction; the answers follow in a second one with no person and no time.
    """
    async with ctx.db.transaction() as s:
        prompt = await load_prompt(s, prompt_id, lock=True)
        if prompt is None:
            return SubmitResult(False, "unknown")
        lang = prompt.person.language
        if not is_user(prompt.person, user):
            return SubmitResult(False, "not_yours", language=lang)
        ev = prompt.evaluation
        if not is_open(ev, ctx.now()):
            return SubmitResult(False, "closed", language=lang)
        if ev.anonymous and prompt.responded:
            return SubmitResult(False, "already_anonymous", anonymous=True, language=lang)
        answers, errors = validate(ev.questions, raw)
        if errors:
            return SubmitResult(False, "invalid", errors=errors, anonymous=ev.anonymous, language=lang)
        session = await s.get(Session, ev.session_id)
        trajectory = await s.get(Trajectory, session.trajectory_id)
        lang = lang or trajectory.language
        first = not prompt.responded
        if ev.anonymous:
            # Claim the marker atomically: a double submit stores one set of answers.
            claimed = await s.execute(
                update(EvaluationPrompt)
                .where(EvaluationPrompt.id == prompt.id, EvaluationPrompt.responded.is_(False))
                .values(responded=True)
                .execution_options(synchronize_session=False)
            )
            if claimed.rowcount != 1:
                return SubmitResult(False, "already_anonymous", anonymous=True, language=lang)
            prompt.responded = True
        else:
            row = (
                await s.execute(
                    select(EvaluationResponse).where(
                        EvaluationResponse.evaluation_id == ev.id, EvaluationResponse.person_id == prompt.person_id
                    )
                )
            ).scalar_one_or_none()
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
        await outbox.withdraw(s, reminder_key(ev.id, prompt.person_id))
        await refresh_prompt(s, ctx, prompt, ev, session, trajectory, "done")
        evaluation_id = ev.id
        anonymous = ev.anonymous
    if anonymous:
        async with ctx.db.transaction() as s:
            await _shuffle_in(s, evaluation_id, answers)
    log.info("evaluation %s: answers stored", evaluation_id)
    return SubmitResult(True, anonymous=anonymous, first=first, language=lang)


async def _shuffle_in(s: AsyncSession, evaluation_id: int, answers: dict[str, Any]) -> None:
    """Add one anonymous answer set by rewriting the evaluation's whole set: in random
    order, with fresh random ids, in one transaction.  Afterwards neither the ids, nor
    the rows' physical order (SQLite rowid, PostgreSQL ctid), nor their transaction ids
    tell which answers came last, so they cannot be matched to the marker written just
    before."""
    await s.execute(select(Evaluation.id).where(Evaluation.id == evaluation_id).with_for_update())
    batch = list(
        (await s.execute(select(EvaluationResponse.answers).where(EvaluationResponse.evaluation_id == evaluation_id))).scalars()
    )
    await s.execute(delete(EvaluationResponse).where(EvaluationResponse.evaluation_id == evaluation_id))
    batch.append(answers)
    _random.shuffle(batch)
    s.add_all(EvaluationResponse(id=uuid.uuid4().hex, evaluation_id=evaluation_id, person_id=None, answers=a) for a in batch)


# -- due work ---------------------------------------------------------------------


async def task_open(s: AsyncSession, ctx: Context, task: ScheduledTask) -> str:
    # Locked like ``/dialoog evaluatie`` locks it: the two never open the evaluation twice.
    session = (await s.execute(select(Session).where(Session.id == task.ref_id).with_for_update())).scalar_one_or_none()
    if session is None or session.cancelled or int(task.key.split(":")[2]) != session.sequence:
        return "obsolete"
    trajectory = await s.get(Trajectory, session.trajectory_id)
    ev = await open_evaluation(s, ctx, session, trajectory)
    if ev is None:
        return "no_form"
    result = await send_prompts(s, ctx, ev, session, trajectory)
    return "closed" if result.closed else "sent"


async def task_remind(s: AsyncSession, ctx: Context, task: ScheduledTask) -> str:
    ev = await s.get(Evaluation, task.ref_id)
    if ev is None or not is_open(ev, ctx.now()):
        return "closed"
    session = await s.get(Session, ev.session_id)
    trajectory = await s.get(Trajectory, session.trajectory_id)
    send_at = ctx.send_time(trajectory.timezone)
    waiting = (
        await s.execute(
            select(EvaluationPrompt)
            .where(EvaluationPrompt.evaluation_id == ev.id, EvaluationPrompt.responded.is_(False))
            .options(selectinload(EvaluationPrompt.person))
            .order_by(EvaluationPrompt.id)
        )
    ).scalars().all()
    delivered = set(
        (
            await s.execute(
                select(OutboxMessage.person_id).where(
                    OutboxMessage.key.like(f"eval-prompt:{ev.id}:%"), OutboxMessage.status == "sent"
                )
            )
        ).scalars()
    )
    sent = 0
    for prompt in waiting:
        person = prompt.person
        if prompt.person_id not in delivered or not person.reachable or not person.active:
            continue
        _, created = await outbox.enqueue(
            s,
            key=reminder_key(ev.id, person.id),
            op="direct",
            template="evaluation_reminder",
            data=prompt_vm(ev, session, trajectory, prompt, "open"),
            person=person,
            now=ctx.now(),
            not_before=send_at,
            expires_at=ev.closes_at,
        )
        sent += int(created)
    return f"sent:{sent}"


async def task_close(s: AsyncSession, ctx: Context, task: ScheduledTask) -> str:
    ev = await s.get(Evaluation, task.ref_id)
    if ev is None:
        return "obsolete"
    if ev.closed_at is not None:
        return "already"
    return await close(s, ctx, ev)


async def close(s: AsyncSession, ctx: Context, ev: Evaluation) -> str:
    """Close now: prompt messages say so, and every trekker gets the results."""
    ev.closed_at = ctx.now()
    session = await s.get(Session, ev.session_id)
    trajectory = await s.get(Trajectory, session.trajectory_id)
    prompts = (
        await s.execute(
            select(EvaluationPrompt).where(EvaluationPrompt.evaluation_id == ev.id).options(selectinload(EvaluationPrompt.person))
        )
    ).scalars().all()
    for prompt in prompts:
        await refresh_prompt(s, ctx, prompt, ev, session, trajectory, "closed")
    vm = await results_vm(s, ctx, ev, session, trajectory)
    await tell_trekkers(s, ctx, trajectory, key=f"eval-results:{ev.id}:closed", template="evaluation_results", data=vm)
    return "closed"


HANDLERS = {TASK_OPEN: task_open, TASK_REMIND: task_remind, TASK_CLOSE: task_close}


# -- results ----------------------------------------------------------------------


async def responses(s: AsyncSession, ev: Evaluation) -> list[EvaluationResponse]:
    return list(
        (
            await s.execute(
                select(EvaluationResponse).where(EvaluationResponse.evaluation_id == ev.id).order_by(EvaluationResponse.id)
            )
        ).scalars()
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


@dataclass
class ResultsRequest:
    ok: bool
    reason: str | None = None  # not_open
    send_at: datetime | None = None


async def request_results(s: AsyncSession, ctx: Context, session: Session, requester: Person) -> ResultsRequest:
    """On demand: the results as a direct message to the trekker who asked."""
    ev = await find(s, session.id)
    if ev is None:
        return ResultsRequest(False, "not_open")
    trajectory = await s.get(Trajectory, session.trajectory_id)
    vm = await results_vm(s, ctx, ev, session, trajectory)
    await outbox.enqueue(
        s,
        key=f"eval-results:{ev.id}:{requester.id}:{ctx.now().isoformat()}",
        op="direct",
        template="evaluation_results",
        data=vm,
        person=requester,
        now=ctx.now(),
    )
    return ResultsRequest(True, send_at=ctx.now())


# -- export -----------------------------------------------------------------------


@dataclass
class ExportTable:
    anonymous: bool
    questions: list[dict]
    headers: list[str]
    rows: list[list[Any]]
    text_columns: set[int]
    identity_columns: int = 0  # the first headers are IDENTITY_COLUMNS codes (named forms), the rest question keys


IDENTITY_COLUMNS = ("name", "email", "organisation", "submitted", "updated")  # headers: cli.export.col_<code>


async def export_table(s: AsyncSession, session: Session, threshold: int) -> ExportTable | None:
    """The raw answers, one row per respondent; anonymous forms without identities.

    None when the session has no evaluation.  An anonymous evaluation with fewer
    answers than the threshold gives headers and no rows.
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
    if ev.anonymous and len(rows) < threshold:
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
