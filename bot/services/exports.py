"""The "Download als Excel" button on the evaluation results: who may ask, and the job.

Pressing it queues an outbox ``file`` row to the trekker's direct messages (key
``eval-export:<evaluation>:<person>:<n>``).  The row holds which evaluation and
format, never the answers: ``bot.export.outbox_file`` builds the bytes from the
database at send time, with the CLI export's anonymity rules.  A second press while
the file is still on its way finds the same key (nothing new is sent); a press after
it went out makes the next ``n``: a fresh file with the answers as they are then.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select

from bot import export, outbox
from bot.context import Context
from bot.formatting import format_datetime
from bot.i18n import t
from bot.identity import User
from bot.models import Evaluation, EvaluationResponse, OutboxMessage, Session, Trajectory
from bot.services import directory, evaluations

TEMPLATE = "evaluation_export"
FORMAT = "xlsx"


@dataclass
class ExportRequest:
    ok: bool
    reason: str | None = None  # unknown | not_trekker | threshold | until_closed
    language: str = "nl"
    params: dict | None = None  # for the message: title, trajectory, threshold, closes, timezone


def key_prefix(evaluation_id: int, person_id: int) -> str:
    return f"eval-export:{evaluation_id}:{person_id}:"


async def request_export(ctx: Context, evaluation_id: int, user: User) -> ExportRequest:
    """A trekker of the evaluation's trajectory asks for the answers as a file."""
    async with ctx.db.transaction() as s:
        ev = await s.get(Evaluation, evaluation_id)
        session = await s.get(Session, ev.session_id) if ev is not None else None
        if session is None:
            return ExportRequest(False, "unknown")
        trajectory = await s.get(Trajectory, session.trajectory_id)
        requester = await directory.person_in(s, trajectory.id, user)
        lang = (requester.language if requester else None) or trajectory.language or "nl"
        params = {"title": session.title, "trajectory": trajectory.title}
        if requester is None or not requester.has_role("trekker"):
            return ExportRequest(False, "not_trekker", lang, params)
        cfg = evaluations.config(trajectory)
        answers = (
            await s.execute(select(func.count()).select_from(EvaluationResponse).where(EvaluationResponse.evaluation_id == ev.id))
        ).scalar_one()
        reason = evaluations.hidden(ev, answers, cfg, ctx.now())
        if reason:
            params |= {"threshold": cfg.threshold, "closes": ev.closes_at, "timezone": trajectory.timezone}
            return ExportRequest(False, reason, lang, params)
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
            now=ctx.now(),
        )
    return ExportRequest(True, None, lang, params)


def reply(request: ExportRequest) -> tuple[str, dict]:
    """The catalog key and parameters of the answer to the presser (both platforms)."""
    if request.ok:
        return "evaluation.export.sent", request.params or {}
    params = dict(request.params or {})
    if "closes" in params:
        params["closes"] = format_datetime(params["closes"], params.pop("timezone"), request.language)
    return f"evaluation.export.{request.reason}", params
