"""Sign-off in Teams: the ``ondertekenen`` form, and the decision buttons on the request
(agree at once; "Niet akkoord" and "Vraag stellen" turn the card into a short form)."""

from __future__ import annotations

from datetime import date

from microsoft_agents.hosting.core import AgentApplication, TurnContext
from sqlalchemy import select

from bot.context import Context
from bot.models import Organisation, Person, Trajectory
from bot.services import directory, signoff
from bot.teams.cards.commitments import done_card
from bot.teams.cards.signoff import BUILDERS, CARDS, FIELDS, TEXT_MAX, SignInput, note_form, start_form
from bot.teams.ids import Verb
from bot.teams.text import translator
from handlers.teams.common import Answer, number, on_card, teams_user

REFUSALS = {"not_allowed": "signoff.refused", "too_late": "signoff.too_late", "unknown": "signoff.unknown", "invalid": "signoff.errors.note"}


def _ids(value) -> list[int]:
    raw = value if isinstance(value, list) else str(value or "").split(",")
    return [n for n in (number(v) for v in raw) if n]


def register(agent: AgentApplication, ctx: Context, chat) -> None:
    async def request_card(request_id: int, card_name: str | None, user) -> dict | None:
        """The request as it is now, for the person who pressed its button."""
        async with ctx.db.sessionmaker() as s:
            request = await signoff.load(s, request_id)
            if request is None:
                return None
            trajectory = await s.get(Trajectory, request.round.trajectory_id)
            decided = await s.get(Person, request.decided_by_id) if request.decided_by_id else None
            me = await directory.person_in(s, trajectory.id, user)
            vm = signoff.request_vm(request.round, request, request.organisation, trajectory, me.name if me else "", decided.name if decided else None)
            lang = (me.language if me else None) or trajectory.language
        name = card_name if card_name in CARDS else "signoff_request"
        return BUILDERS[name](vm, translator(lang))["card"]

    async def on_start_submit(context: TurnContext, data: dict) -> Answer:
        title = str(data.get(SignInput.TITLE) or "")
        link = str(data.get(SignInput.LINK) or "").strip()
        org_ids = _ids(data.get(SignInput.ORGANISATIONS))
        try:
            deadline = date.fromisoformat(str(data.get(SignInput.DEADLINE) or ""))
        except ValueError:
            deadline = None
        async with ctx.db.transaction() as s:
            trajectory = await s.get(Trajectory, number(data.get("trajectory_id")))
            tr = translator(trajectory.language if trajectory else "nl")
            actor = await directory.person_in(s, trajectory.id, teams_user(context)) if trajectory else None
            if actor is None or not actor.has_role("trekker"):
                return Answer(text=tr("command.not_trekker", trajectory=trajectory.title if trajectory else ""))
            organisations = (
                await s.execute(select(Organisation).where(Organisation.trajectory_id == trajectory.id).order_by(Organisation.name))
            ).scalars().all()
            problems = signoff.validate(title, link, org_ids, deadline, signoff.today_in(ctx, trajectory), {o.id for o in organisations})
            if problems:
                vm = {"trajectory_id": trajectory.id, "organisations": [{"id": o.id, "name": o.name} for o in organisations],
                      "values": {k: str(data.get(k)) for k in FIELDS.values() if data.get(k) is not None}}
                return Answer(card=start_form(vm, tr, {FIELDS[field]: tr(key) for field, key in problems.items()}))
            started = await signoff.start(s, ctx, trajectory, actor, title, link, org_ids, deadline)
        lines = [tr("signoff.started", title=title, organisations=len(org_ids), sent=started.sent)]
        if started.unreachable:
            lines.append(tr("signoff.started_unreachable", names=", ".join(started.unreachable)))
        if started.without_signer:
            lines.append(tr("signoff.started_without", names=", ".join(started.without_signer)))
        ctx.wake_dispatcher()
        return Answer(card=done_card(tr("signoff.modal.start_title"), "\n".join(lines)))

    async def on_agree(context: TurnContext, data: dict) -> Answer:
        user = teams_user(context)
        async with ctx.db.transaction() as s:
            result = await signoff.decide(s, ctx, number(data.get("request_id")), user, "agreed")
        if not result.ok:
            return Answer(text=translator("nl")(REFUSALS.get(result.reason, "signoff.unknown")))
        ctx.wake_dispatcher()
        return Answer(card=await request_card(number(data.get("request_id")), data.get("card"), user))

    async def open_note(context: TurnContext, data: dict, kind: str) -> Answer:
        request_id = number(data.get("request_id"))
        async with ctx.db.sessionmaker() as s:
            allowed = await signoff.may_decide(s, ctx, request_id, teams_user(context))
            title = allowed.request.round.title if allowed.request else ""
        if not allowed.ok:
            return Answer(text=translator("nl")(REFUSALS.get(allowed.reason, "signoff.unknown")))
        return Answer(card=note_form({"request_id": request_id, "kind": kind, "title": title, "card": data.get("card")}, translator("nl")))

    async def on_decline(context: TurnContext, data: dict) -> Answer:
        return await open_note(context, data, "decline")

    async def on_question(context: TurnContext, data: dict) -> Answer:
        return await open_note(context, data, "question")

    async def on_note_submit(context: TurnContext, data: dict) -> Answer:
        user = teams_user(context)
        request_id = number(data.get("request_id"))
        kind = "question" if data.get("kind") == "question" else "decline"
        note = str(data.get(SignInput.NOTE) or "").strip()
        tr = translator("nl")
        problem = "signoff.errors.note" if not note else ("signoff.errors.note_long" if len(note) > TEXT_MAX else None)
        async with ctx.db.transaction() as s:
            if problem is None:
                if kind == "question":
                    result = await signoff.ask(s, ctx, request_id, user, note)
                else:
                    result = await signoff.decide(s, ctx, request_id, user, "declined", note)
            else:
                result = await signoff.may_decide(s, ctx, request_id, user)
            title = result.request.round.title if result.request else ""
        if not result.ok and result.reason != "invalid":
            return Answer(text=tr(REFUSALS.get(result.reason, "signoff.unknown")))
        if problem or not result.ok:
            vm = {"request_id": request_id, "kind": kind, "title": title, "card": data.get("card"), "values": {SignInput.NOTE: note}}
            return Answer(card=note_form(vm, tr, {SignInput.NOTE: tr(problem or "signoff.errors.note")}))
        ctx.wake_dispatcher()
        if kind == "question":
            return Answer(card=done_card(tr("signoff.modal.question_title"), tr("signoff.saved_question")))
        return Answer(card=await request_card(request_id, data.get("card"), user))

    async def on_back(context: TurnContext, data: dict) -> Answer:
        user = teams_user(context)
        async with ctx.db.sessionmaker() as s:
            allowed = await signoff.may_decide(s, ctx, number(data.get("request_id")), user)
        if not allowed.ok and allowed.reason != "too_late":
            return Answer(text=translator("nl")(REFUSALS.get(allowed.reason, "signoff.unknown")))
        return Answer(card=await request_card(number(data.get("request_id")), data.get("card"), user))

    on_card(agent, Verb.SIGN_START_SUBMIT, on_start_submit)
    on_card(agent, Verb.SIGN_AGREE, on_agree)
    on_card(agent, Verb.SIGN_DECLINE, on_decline)
    on_card(agent, Verb.SIGN_QUESTION, on_question)
    on_card(agent, Verb.SIGN_NOTE_SUBMIT, on_note_submit)
    on_card(agent, Verb.SIGN_BACK, on_back)
