"""Evaluation interactions: ``/dialoog evaluatie <sessie>`` (prompt now) and
``... resultaten``, the "fill in" button on a prompt, the form, and the results'
"Download als Excel" button.  Slack and Teams call these and render what comes back.

The anonymity rules live in ``bot.services.evaluation_answers``; nothing here stores,
logs or returns anything that links an anonymous answer to a person.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, ClassVar

from sqlalchemy import select

from bot.context import Context
from bot.identity import User, is_user
from bot.interactions import actors
from bot.interactions.codec import parse_id
from bot.interactions.errors import Refused
from bot.models import Evaluation, Session, Trajectory
from bot.services import evaluation_answers, evaluation_results, evaluations, exports


@dataclass(frozen=True)
class PromptForm:
    """What the evaluation form carries back: whose prompt, and (Teams) which card the
    form replaced (``evaluation_prompt`` or ``evaluation_reminder``)."""

    VERSION: ClassVar[int] = 1
    prompt_id: int
    card: str | None = None


@dataclass(frozen=True)
class FormView:
    form: PromptForm
    vm: dict  # title, when, questions, earlier answers (named forms), ...

    @property
    def questions(self) -> list[dict]:
        return self.vm["questions"]


async def open_form(ctx: Context, user: User, prompt_id: Any, card: str | None = None) -> FormView:
    """The "fill in" (or "change") button: the form, or Refused (``evaluation.refuse.*``)."""
    async with ctx.db.sessionmaker() as s:
        vm = await evaluation_answers.form_for(s, ctx, parse_id(prompt_id), user)
    return FormView(PromptForm(vm["prompt_id"], card if card in PROMPT_CARDS else None), vm)


async def submit(ctx: Context, user: User, form: PromptForm, answers: dict[str, Any]) -> evaluation_answers.Stored:
    """The form: every answer checked by the service (Problems per question key), stored
    with the anonymity rules; Refused (``evaluation.errors.*``) when it may not be sent."""
    return await evaluation_answers.submit(ctx, form.prompt_id, user, answers)


PROMPT_CARDS = ("evaluation_prompt", "evaluation_reminder")


@dataclass(frozen=True)
class PromptView:
    template: str  # evaluation_prompt | evaluation_reminder
    vm: dict


async def prompt_view(ctx: Context, user: User, prompt_id: Any, card: str | None = None) -> PromptView:
    """The person's own prompt as it is now (open, done or closed): after sending the
    form, or when they close it (Teams)."""
    async with ctx.db.sessionmaker() as s:
        found = parse_id(prompt_id)
        prompt = await evaluations.load_prompt(s, found) if found else None
        if prompt is None or not is_user(prompt.person, user):
            raise Refused("evaluation.refuse.not_yours")
        ev = prompt.evaluation
        session = await s.get(Session, ev.session_id)
        trajectory = await s.get(Trajectory, session.trajectory_id)
        state = evaluations.prompt_state(ev, prompt, ctx.now())
        vm = evaluations.prompt_vm(ev, session, trajectory, prompt, state)
    return PromptView(card if card in PROMPT_CARDS else "evaluation_prompt", vm)


# -- the trekker's command ----------------------------------------------------------


@dataclass(frozen=True)
class Prompted:
    title: str
    sent: int
    already: int
    unreachable: list[str]
    closes: datetime
    timezone: str
    send_at: datetime | None  # when the prompts go out, if later than now (quiet hours)
    language: str  # the trekker's


async def prompt_now(ctx: Context, user: User, trajectory_id: Any, session_id: Any) -> Prompted:
    """``/dialoog evaluatie <sessie>``: open the evaluation (if needed) and prompt
    everyone who said yes or maybe and was not prompted yet.  Trekkers only."""
    async with ctx.db.transaction() as s:
        trajectory = await actors.trajectory(s, parse_id(trajectory_id))
        actor = await actors.trekker(s, trajectory, user)
        # Locked like the due task locks it: the two never open the evaluation twice.
        found = parse_id(session_id)
        session = (
            await s.execute(select(Session).where(Session.id == found, Session.trajectory_id == trajectory.id).with_for_update())
        ).scalar_one_or_none() if found else None
        if session is None:
            raise Refused("evaluation.refuse.unknown")
        ev = await evaluations.open_evaluation(s, ctx, session, trajectory)
        if ev is None:
            raise Refused("evaluation.command.no_form", title=session.title)
        result = await evaluations.send_prompts(s, ctx, ev, session, trajectory)
        if result.closed:
            raise Refused("evaluation.command.closed", title=session.title, key=session.key)
    later = result.send_at if result.sent and result.send_at and result.send_at > ctx.now() else None
    return Prompted(
        session.title, result.sent, result.already, result.unreachable, ev.closes_at, trajectory.timezone, later,
        actor.language or trajectory.language,
    )


async def request_results(ctx: Context, user: User, trajectory_id: Any, session_id: Any) -> str:
    """``/dialoog evaluatie <sessie> resultaten``: the results as a direct message to the
    trekker who asks.  Returns the trekker's language."""
    async with ctx.db.transaction() as s:
        trajectory = await actors.trajectory(s, parse_id(trajectory_id))
        actor = await actors.trekker(s, trajectory, user)
        found = parse_id(session_id)
        session = await s.get(Session, found) if found else None
        if session is None or session.trajectory_id != trajectory.id:
            raise Refused("evaluation.refuse.unknown")
        await evaluation_results.request_results(s, ctx, session, actor)
    return actor.language or trajectory.language


# -- the export button --------------------------------------------------------------


async def export(ctx: Context, user: User, evaluation_id: Any) -> dict:
    """"Download als Excel": the answers as a file in the trekker's direct messages,
    with the export's anonymity rules.  Returns the parameters of the "sent" answer."""
    async with ctx.db.transaction() as s:
        found = parse_id(evaluation_id)
        ev = await s.get(Evaluation, found) if found else None
        session = await s.get(Session, ev.session_id) if ev is not None else None
        if session is None:
            raise Refused("evaluation.export.unknown")
        trajectory = await s.get(Trajectory, session.trajectory_id)
        try:
            actor = await actors.trekker(s, trajectory, user)
        except Refused:
            raise Refused("evaluation.export.not_trekker", title=session.title, trajectory=trajectory.title) from None
        return await exports.request_export(s, ctx, ev, session, trajectory, actor)
