"""Evaluations after a session: the forms, opening, prompts and their messages.

Timeline (per trajectory configurable under ``reminders:``): the sweep opens the
evaluation ``evaluation_delay_minutes`` (15) after the session ends and prompts
everyone who came: those the trekker marked present in "Wie was er?", else who said
yes or maybe (quiet hours respected); non-respondents get one
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

The rules live in four modules: this one (configuration, forms, opening, prompts),
``evaluation_answers`` (the form, validating and storing answers: the anonymity
rules above), ``evaluation_results`` (results, thresholds, the export table) and
``evaluation_tasks`` (the due work: opening, the reminder, closing).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from bot import outbox
from bot.context import Context
from bot.models import Evaluation, EvaluationForm, EvaluationPrompt, Invitation, Session, Trajectory
from bot.services.invitations import add_task
from bot.trajectory_file import FormSpec

ATTENDING = ("yes", "maybe")
MIN_THRESHOLD = 3
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
    """Prompt everyone who came and has not been prompted yet: those the trekker marked
    present ("Wie was er?", services.attendance), else who said yes or maybe."""
    result = PromptResult(send_at=ctx.send_time(trajectory.timezone))
    if not is_open(ev, ctx.now()):
        result.closed = True
        return result
    came = Invitation.attended.is_(True) if session.attendance_at is not None else Invitation.status.in_(ATTENDING)
    invitations = (
        await s.execute(
            select(Invitation)
            .where(Invitation.session_id == session.id, came)
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


async def load_prompt(s: AsyncSession, prompt_id: int, lock: bool = False) -> EvaluationPrompt | None:
    query = (
        select(EvaluationPrompt)
        .where(EvaluationPrompt.id == prompt_id)
        .options(selectinload(EvaluationPrompt.evaluation), selectinload(EvaluationPrompt.person))
    )
    if lock:
        query = query.with_for_update()
    return (await s.execute(query)).scalar_one_or_none()


def prompt_state(ev: Evaluation, prompt: EvaluationPrompt, now: datetime) -> str:
    """How the prompt message looks now: open | done | closed."""
    if not is_open(ev, now):
        return "closed"
    return "done" if prompt.responded else "open"
