"""Every Teams card the bot sends or opens, built from real view-models: at most three
buttons in view per action set (a phone at 360 px shows no more in full; the rest go to
the "..." overflow), and a text for every required input when it is left empty."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from bot.chat import OutMessage
from bot.interactions import commitments as commitments_uc
from bot.interactions import phases as phases_uc
from bot.interactions import signoff as signoff_uc
from bot.interactions import summary as summary_uc
from bot.interactions.commitments import StatusForm
from bot.models import Organisation, Session, SignOffRequest, Trajectory
from bot.services import invitations
from bot.teams import cards
from bot.teams.cards.commitments import add_form, status_form
from bot.teams.cards.common import PRIMARY_ACTIONS, actions, button, card, link
from bot.interactions import evaluations as evaluations_uc
from bot.interactions import invitations as invitations_uc
from bot.interactions import memos as memos_uc
from bot.teams.cards.evaluations import evaluation_form
from bot.teams.cards.invitations import delegate_form
from bot.teams.cards.memos import memo_form
from bot.teams.cards.signoff import note_form, start_form
from bot.teams.cards.summary import phase_form
from bot.teams.text import translator

TREKKER = "trekker@voorbeeldstad.example"
LINDE_BOARD = "bestuur@delinde.example"
GGD = "ambassadeur@ggd.example"


def action_sets(node: Any) -> list[list[dict]]:
    """The card's own actions and those of every ActionSet in its body."""
    found: list[list[dict]] = []
    if isinstance(node, dict):
        if isinstance(node.get("actions"), list):
            found.append(node["actions"])
        for key, value in node.items():
            if key not in ("actions", "fallback"):
                found += action_sets(value)
    elif isinstance(node, list):
        for value in node:
            found += action_sets(value)
    return found


def required_inputs(node: Any) -> list[dict]:
    found: list[dict] = []
    if isinstance(node, dict):
        if str(node.get("type", "")).startswith("Input.") and node.get("isRequired"):
            found.append(node)
        for value in node.values():
            found += required_inputs(value)
    elif isinstance(node, list):
        for value in node:
            found += required_inputs(value)
    return found


def problems_of(name: str, card: dict) -> list[str]:
    out = []
    for actions in action_sets(card):
        primary = [a.get("title") for a in actions if a.get("mode") != "secondary"]
        if len(primary) > PRIMARY_ACTIONS:
            out.append(f"{name}: {len(primary)} buttons in view: {primary}")
        for a in actions:
            if a.get("mode") == "secondary" and isinstance(a.get("fallback"), dict) and a["fallback"].get("mode") != "secondary":
                out.append(f"{name}: {a.get('title')!r} is in the overflow, its fallback is not")
    for element in required_inputs(card):
        if not (element.get("errorMessage") or "").strip():
            out.append(f"{name}: required input {element['id']!r} has no errorMessage")
    return out


async def sample_cards(world) -> dict[str, dict]:
    """Do what produces each kind of message, then build its Teams card (and the forms)."""
    ctx, tr = world.ctx, translator("nl")
    async with ctx.db.sessionmaker() as s:
        t = (await s.execute(select(Trajectory))).scalars().one()
        orgs = [o.id for o in (await s.execute(select(Organisation).order_by(Organisation.name))).scalars()]
    async with ctx.db.transaction() as s:
        session = (await s.execute(select(Session).order_by(Session.starts_at))).scalars().first()
        await invitations.invite(s, ctx, session)
    await commitments_uc.reminder_round(ctx, world.user(TREKKER), t.id)
    await signoff_uc.start(ctx, world.user(TREKKER), signoff_uc.StartForm(t.id),
                           signoff_uc.StartInput("SOK", "https://example.org/sok", [str(i) for i in orgs], "2027-03-01"))
    await world.drain()
    async with ctx.db.sessionmaker() as s:
        requests = (await s.execute(select(SignOffRequest))).scalars().all()
    linde = next(r.id for r in requests if r.organisation_id == orgs[-1])
    decline = (await signoff_uc.note_form(ctx, world.user(LINDE_BOARD), linde, "decline")).form
    await signoff_uc.submit_note(ctx, world.user(LINDE_BOARD), decline, "Budget")
    question = await signoff_uc.note_form(ctx, world.user(LINDE_BOARD), linde, "question")
    await signoff_uc.submit_note(ctx, world.user(LINDE_BOARD), question.form, "Waarom?")
    await phases_uc.move(ctx, world.user(TREKKER), phases_uc.PhaseForm(t.id, 3), phases_uc.MoveInput("yes"))
    await summary_uc.post(ctx, world.user(TREKKER), t.id)
    await world.drain()

    built: dict[str, dict] = {}
    for _, _, sent in world.chat.transcript:
        if isinstance(sent, OutMessage) and sent.template in cards.BUILDERS:
            built.setdefault(sent.template, cards.render(sent)["card"])
    for kind in ("busy", "blocked", "snoozed", "not_applicable"):
        built[f"status_form:{kind}"] = status_form(StatusForm(1, kind, "Protocol"), tr)  # type: ignore[arg-type]
    built["commitment_add"] = add_form(await commitments_uc.add_form(ctx, world.user(TREKKER), t.id), tr)
    built["phase"] = phase_form({**await phases_uc.open_move(ctx, world.user(TREKKER), t.id, "1")}, tr)
    built["signoff_start"] = start_form(await signoff_uc.start_form(ctx, world.user(TREKKER), t.id), tr)
    built["signoff_note:question"] = note_form(question, tr)
    built["signoff_note:decline"] = note_form(signoff_uc.NoteView(decline, "SOK"), tr)
    built["delegate_form"] = delegate_form(
        invitations_uc.Picker(invitations_uc.DelegateForm(1), "GGD", "Start", (invitations_uc.Colleague(2, "B"),)), tr
    )
    built["memo"] = memo_form(await memos_uc.form(ctx, world.user(TREKKER), t.id), tr)
    built["evaluation_form"] = evaluation_form(evaluations_uc.FormView(evaluations_uc.PromptForm(1), {
        "title": "Start", "starts": "2027-03-09T13:00:00+00:00", "ends": "2027-03-09T15:30:00+00:00", "timezone": "Europe/Amsterdam",
        "closes": "2027-03-16T13:00:00+00:00", "anonymous": False, "prompt_id": 1,
        "questions": [{"key": "a", "type": "rating", "question": "Hoe?", "scale": 5}, {"key": "b", "type": "choice", "question": "Wat?", "options": ["x", "y"]},
                      {"key": "c", "type": "text", "question": "Nog iets?", "optional": True}],
    }), tr)
    return built


async def test_every_card_keeps_three_buttons_in_view_and_explains_each_required_input(world):
    built = await sample_cards(world)
    # The cards with many buttons are among them (or this test would prove nothing).
    for name in ("invitation", "commitment_reminder", "signoff_request", "summary", "phase_announcement",
                 "signoff_declined", "signoff_question", "status_form:snoozed", "phase", "signoff_start"):
        assert name in built, sorted(built)
    problems = [p for name, card in built.items() for p in problems_of(name, card)]
    assert problems == []
    rsvp = built["invitation"]["actions"]
    assert [a["title"] for a in rsvp] == ["Ik kom", "Ik kan niet", "Misschien", "Ik stuur een collega"]  # no calendar link here
    assert [a.get("mode") for a in rsvp] == [None, None, None, "secondary"]
    status = built["commitment_reminder"]["actions"]
    assert len(status) == 5 and [a.get("mode") for a in status][3:] == ["secondary", "secondary"]


def test_links_stay_in_view_and_the_last_choices_move_to_the_overflow():
    choices = [button(f"Keuze {n}", "verb") for n in range(1, 5)]
    calendar = link("In mijn agenda", "https://dialoog.example/ics/1")
    shown = card([], [*choices, calendar])["actions"]
    assert [a.get("mode") for a in shown] == [None, None, "secondary", "secondary", None]
    assert shown[2]["fallback"]["mode"] == "secondary" and shown[-1] == calendar
    assert actions(choices[:3])["actions"] == choices[:3]  # three or fewer: unchanged
