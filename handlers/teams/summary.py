"""Teams: the summary's buttons in the channel and the ``fase <n>`` form (parse, call
the use case, render).  The commands themselves are shared: ``handlers.summary``."""

from __future__ import annotations

from microsoft_agents.hosting.core import AgentApplication, TurnContext

from bot import lines
from bot.context import Context
from bot.interactions import phases as phase_uc
from bot.interactions import summary as uc
from bot.interactions.codec import BadContext, decode
from bot.interactions.errors import Problems, Refused
from bot.teams.cards.commitments import done_card
from bot.teams.cards.summary import PhaseInput, phase_form
from bot.teams.ids import Verb
from handlers.teams.common import Answer, acting, on_card

PHASE_FIELDS = {"reached": PhaseInput.REACHED, "note": PhaseInput.NOTE}


def register(agent: AgentApplication, ctx: Context, chat) -> None:
    async def on_remind(context: TurnContext, data: dict) -> Answer:
        """From the summary: remind the next session's non-responders (trekkers only)."""
        user, tr = await acting(ctx, context)
        try:
            return Answer(text=lines.reminded(tr, await uc.remind(ctx, user, data.get("session_id"))))
        except Refused as refused:
            return Answer(text=refused.text(tr))

    async def on_phase(context: TurnContext, data: dict) -> Answer:
        user, tr = await acting(ctx, context)
        given = phase_uc.MoveInput(reached=data.get(PhaseInput.REACHED), note=str(data.get(PhaseInput.NOTE) or "").strip())
        try:
            form = decode(phase_uc.PhaseForm, data)
            done = await phase_uc.move(ctx, user, form, given)
        except BadContext:
            return Answer(text=tr("command.unknown_trajectory_record"))
        except Refused as refused:
            return Answer(text=refused.text(tr))
        except Problems as problems:
            vm = await phase_uc.open_move(ctx, user, form.trajectory_id, form.to)
            vm["values"] = {k: data.get(k) for k in PHASE_FIELDS.values() if data.get(k)}
            errors = {PHASE_FIELDS[name]: text for name, text in problems.texts(tr).items()}
            return Answer(card=phase_form(vm, tr, errors))
        return Answer(card=done_card(tr("phase.modal.title", number=done.number), lines.phase_moved(tr, done)))

    on_card(agent, Verb.SUMMARY_REMIND, on_remind)
    on_card(agent, Verb.PHASE_SUBMIT, on_phase)
