"""Evaluations in Teams: "Evaluatie invullen" turns the prompt card into the form;
sending it checks every answer on the server (clear messages under the questions),
stores it and turns the card into "Bedankt".  "Download als Excel" on the results
sends the answers as a file in the trekker's personal chat.  ``evaluatie <sessie>``
is the Slack subcommand (``handlers.evaluations``)."""

from __future__ import annotations

from microsoft_agents.hosting.core import AgentApplication, TurnContext

from bot.context import Context
from bot.models import Session, Trajectory
from bot.services import evaluations, exports
from bot.teams.cards.evaluations import BUILDERS, CARDS, evaluation_form, input_id
from bot.teams.ids import Verb
from bot.teams.text import translator
from handlers.teams.common import Answer, number, on_card, teams_user


def read_answers(questions: list[dict], data: dict) -> dict:
    """Question key -> what was submitted (a multi-select answers "0,2")."""
    raw = {}
    for q in questions:
        value = data.get(input_id(q["key"]))
        if q["type"] == "multi" and isinstance(value, str):
            value = [v for v in value.split(",") if v]
        raw[q["key"]] = value
    return raw


def register(agent: AgentApplication, ctx: Context, chat) -> None:
    async def prompt_card(prompt_id: int, card_name: str | None) -> dict | None:
        """The prompt as it is now (open, done or closed)."""
        async with ctx.db.sessionmaker() as s:
            prompt = await evaluations.load_prompt(s, prompt_id)
            if prompt is None:
                return None
            ev = prompt.evaluation
            session = await s.get(Session, ev.session_id)
            trajectory = await s.get(Trajectory, session.trajectory_id)
            if not evaluations.is_open(ev, ctx.now()):
                state = "closed"
            else:
                state = "done" if prompt.responded else "open"
            vm = evaluations.prompt_vm(ev, session, trajectory, prompt, state)
            lang = prompt.person.language or trajectory.language
        name = card_name if card_name in CARDS else "evaluation_prompt"
        return BUILDERS[name](vm, translator(lang))["card"]

    async def on_open(context: TurnContext, data: dict) -> Answer:
        async with ctx.db.sessionmaker() as s:
            access = await evaluations.form_for(s, ctx, number(data.get("prompt_id")), teams_user(context))
        tr = translator(access.language or "nl")
        if not access.ok:
            return Answer(text=tr(f"evaluation.refuse.{access.reason}"))
        return Answer(card=evaluation_form({**access.vm, "card": data.get("card")}, tr))

    async def on_submit(context: TurnContext, data: dict) -> Answer:
        user = teams_user(context)
        prompt_id = number(data.get("prompt_id"))
        async with ctx.db.sessionmaker() as s:
            access = await evaluations.form_for(s, ctx, prompt_id, user)
        tr = translator(access.language or "nl")
        if not access.ok:
            return Answer(text=tr(f"evaluation.refuse.{access.reason}"))
        questions = access.vm["questions"]
        raw = read_answers(questions, data)
        result = await evaluations.submit(ctx, prompt_id, user, raw)
        tr = translator(result.language or access.language or "nl")
        if not result.ok:
            if result.reason != "invalid":
                return Answer(text=tr(f"evaluation.errors.{result.reason}"))
            errors = {key: tr(f"evaluation.errors.{code}", **params) for key, (code, params) in result.errors.items()}
            vm = {**access.vm, "card": data.get("card"), "answers": {k: v for k, v in _shown(questions, raw).items()}}
            return Answer(card=evaluation_form(vm, tr, errors))
        ctx.wake_dispatcher()
        return Answer(card=await prompt_card(prompt_id, data.get("card")))

    async def on_back(context: TurnContext, data: dict) -> Answer:
        async with ctx.db.sessionmaker() as s:
            prompt = await evaluations.load_prompt(s, number(data.get("prompt_id")))
            from bot.identity import is_user

            mine = prompt is not None and is_user(prompt.person, teams_user(context))
        if not mine:
            return Answer(text=translator("nl")("evaluation.refuse.not_yours"))
        return Answer(card=await prompt_card(prompt.id, data.get("card")))

    async def on_export(context: TurnContext, data: dict) -> Answer:
        request = await exports.request_export(ctx, number(data.get("evaluation_id")), teams_user(context))
        if request.ok:
            ctx.wake_dispatcher()
        key, params = exports.reply(request)
        return Answer(text=translator(request.language)(key, **params))

    on_card(agent, Verb.EVAL_OPEN, on_open)
    on_card(agent, Verb.EVAL_EXPORT, on_export)
    on_card(agent, Verb.EVAL_SUBMIT, on_submit)
    on_card(agent, Verb.EVAL_BACK, on_back)


def _shown(questions: list[dict], raw: dict) -> dict:
    """What the person typed or picked, to fill the form in again after an error."""
    shown = {}
    for q in questions:
        value = raw.get(q["key"])
        if value in (None, "", []):
            continue
        options = q.get("options") or []
        if q["type"] == "choice" and str(value).isdigit() and int(value) < len(options):
            shown[q["key"]] = options[int(value)]
        elif q["type"] == "multi":
            shown[q["key"]] = [options[int(v)] for v in value if str(v).isdigit() and int(v) < len(options)]
        else:
            shown[q["key"]] = value
    return shown
