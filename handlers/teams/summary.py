"""The summary's buttons in the Teams channel and the ``fase <n>`` form.  ``status``
(without a session) and ``fase <n>`` are the Slack subcommands (``handlers.summary``)."""

from __future__ import annotations

from microsoft_agents.hosting.core import AgentApplication, TurnContext

from bot.context import Context
from bot.models import Session, Trajectory
from bot.services import channels, directory, invitations, phases, summary
from bot.teams.cards.commitments import done_card
from bot.teams.cards.summary import NOTE_MAX, PhaseInput, phase_form
from bot.teams.ids import Verb
from bot.teams.text import translator
from handlers.teams.common import Answer, number, on_card, teams_user


def register(agent: AgentApplication, ctx: Context, chat) -> None:
    async def on_remind(context: TurnContext, data: dict) -> Answer:
        """From the summary: remind the next session's non-responders (trekkers only)."""
        user = teams_user(context)
        async with ctx.db.transaction() as s:
            session = await s.get(Session, number(data.get("session_id")))
            trajectory = await s.get(Trajectory, session.trajectory_id) if session else None
            tr = translator(trajectory.language if trajectory else "nl")
            if session is None or not await directory.is_trekker(s, trajectory.id, user):
                return Answer(text=tr("command.not_trekker", trajectory=trajectory.title if trajectory else ""))
            result = await invitations.remind_now(s, ctx, session)
        ctx.wake_dispatcher()
        key = "command.remind_done" if result.sent else ("command.remind_already" if result.already_today else "command.remind_none")
        return Answer(text=tr(key, title=session.title, count=result.sent or result.already_today))

    async def on_phase(context: TurnContext, data: dict) -> Answer:
        reached = data.get(PhaseInput.REACHED)
        note = str(data.get(PhaseInput.NOTE) or "").strip()
        to = number(data.get("to"))
        async with ctx.db.transaction() as s:
            trajectory = await s.get(Trajectory, number(data.get("trajectory_id")))
            tr = translator(trajectory.language if trajectory else "nl")
            actor = await directory.person_in(s, trajectory.id, teams_user(context)) if trajectory else None
            if actor is None or not actor.has_role("trekker"):
                return Answer(text=tr("command.not_trekker", trajectory=trajectory.title if trajectory else ""))
            if to == trajectory.current_phase or to not in (1, 2, 3):
                return Answer(text=tr("phase.same_phase", trajectory=trajectory.title, current=trajectory.current_phase))
            problems = {}
            if reached not in phases.REACHED:
                problems[PhaseInput.REACHED] = tr("phase.errors.reached")
            if len(note) > NOTE_MAX:
                problems[PhaseInput.NOTE] = tr("phase.errors.note_long")
            if problems:
                vm = await phases.confirmation_vm(s, trajectory, to)
                vm["values"] = {k: data.get(k) for k in (PhaseInput.REACHED, PhaseInput.NOTE) if data.get(k)}
                return Answer(card=phase_form(vm, tr, problems))
            await phases.move(s, ctx, trajectory, to, reached, note, actor)
            await summary.schedule(s, ctx, trajectory)
            names = channels.channel_names(trajectory)
            done = tr("phase.moved", trajectory=trajectory.title, number=to, channels=names) if names else tr("phase.moved_no_channel", trajectory=trajectory.title, number=to)
        ctx.wake_dispatcher()
        return Answer(card=done_card(tr("phase.modal.title", number=to), done))

    on_card(agent, Verb.SUMMARY_REMIND, on_remind)
    on_card(agent, Verb.PHASE_SUBMIT, on_phase)
