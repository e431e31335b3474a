"""The "Download als Excel" button on the evaluation results: the job (who may ask is
the use case's check, ``bot.interactions.evaluations.export``).

Pressing it queues an outbox ``file`` row to the trekker's direct messages (key
``eval-export:<evaluation>:<person>:<n>``).  The row holds which evaluation and
format, never the answers: ``bot.export.outbox_file`` builds the bytes from the
database at send time, with the CLI export's anonymity rules.  A second press while
the file is still on its way finds the same key (nothing new is sent); a press after
it went out makes the next ``n``: a fresh file with the answers as they are then.
"""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot import export, outbox
from bot.context import Context
from bot.formatting import format_datetime
from bot.i18n import t
from bot.interactions.errors import Refused
from bot.models import Evaluation, EvaluationResponse, OutboxMessage, Person, Session, Trajectory
from bot.services import evaluation_results, evaluations

TEMPLATE = "evaluation_export"
FORMAT = "xlsx"


def key_prefix(evaluation_id: int, person_id: int) -> str:
    return f"eval-export:{evaluation_id}:{person_id}:"


async def check_handout(s: AsyncSession, ctx: Context, ev: Evaluation, session: Session, trajectory: Trajectory, lang: str) -> dict:
    """Refused (``evaluation.export.threshold | until_closed``) while an anonymous
    evaluation's answers may not be handed out (the export button, the dashboard's
    download).  Returns the texts' parameters (title, trajectory)."""
    params = {"title": session.title, "trajectory": trajectory.title}
    cfg = evaluations.config(trajectory)
    answers = (
        await s.execute(select(func.count()).select_from(EvaluationResponse).where(EvaluationResponse.evaluation_id == ev.id))
    ).scalar_one()
    reason = evaluation_results.hidden(ev, answers, cfg, ctx.now())
    if reason:
        closes = format_datetime(ev.closes_at, trajectory.timezone, lang)
        raise Refused(f"evaluation.export.{reason}", **params, threshold=cfg.threshold, closes=closes)
    return params


async def request_export(
    s: AsyncSession, ctx: Context, ev: Evaluation, session: Session, trajectory: Trajectory, requester: Person
) -> dict:
    """Queue the file for ``requester`` (a trekker of the trajectory: checked by the use
    case).  Refused (``evaluation.export.threshold | until_closed``) while an anonymous
    evaluation's answers may not be handed out.  Returns the "sent" message's parameters."""
    lang = requester.language or trajectory.language or "nl"
    params = await check_handout(s, ctx, ev, session, trajectory, lang)
    prefix = key_prefix(ev.id, requester.id)
    done = (
        await s.execute(
            select(func.count()).select_from(OutboxMessage).where(
                OutboxMessage.key.startswith(prefix, autoescape=True), OutboxMessage.status.not_in(("pending", "sending"))
            )
        )
    ).scalar_one()
    comment = "evaluation.export.file_comment_anonymous" if ev.anonymous else "evaluation.export.file_comment"
    await outbox.enqueue(
        s,
        key=f"{prefix}{done + 1}",
        op="file",
        template=TEMPLATE,
        data={
            "evaluation_id": ev.id,
            "format": FORMAT,
            "filename": export.filename(session.key, FORMAT),
            "title": t(lang, "evaluation.export.file_title", title=session.title),
            "comment": t(lang, comment),
        },
        person=requester,
        at_once=True,  # the file the trekker just asked for
        now=ctx.now(),
    )
    return params
