"""Evaluation flows shared by the end-to-end and export tests: RSVPs, the session
ending, prompts, filling in the form through the emulator."""

from __future__ import annotations

from sqlalchemy import select

from bot.models import Evaluation, EvaluationPrompt, EvaluationResponse
from tests.conftest import local
from tests.e2e.conftest import (
    TREKKER,
    bot_messages,
    dump,
    example_data,
    invitations_to,
)


PROMPT_AT = local(2027, 3, 9, 16, 45)


def anonymous_hitteplan(threshold: int | None = None) -> str:
    data = example_data()
    data["evaluation_forms"]["standaard"] = {"anonymous": True, "questions": data["evaluation_forms"]["standaard"]}
    if threshold is not None:
        data["trajectory"]["reminders"] = {"anonymous_threshold": threshold}
    return dump(data)


async def invite_and_answer(h, answers: dict[str, str], session: str = "start") -> None:
    """Send the invitations and let people press their RSVP button (by label)."""
    r = await h.command(TREKKER, f"uitnodigen {session}")
    assert r.status == 200
    await h.drain()
    for email, label in answers.items():
        message = invitations_to(h.emu, h.uid(email))[-1]
        await h.drv.click(h.uid(email), message, text=label)
    await h.drain()


async def jump(h, when) -> None:
    """Move the clock straight to ``when``, then sweep and send: everything due by then fires."""
    h.clock.set(when)
    await h.tick()


async def to_prompt_time(h, when=PROMPT_AT) -> None:
    await jump(h, when)


def prompts_to(h, email: str) -> list:
    return [m for m in bot_messages(h.emu, h.uid(email)) if (m.text or "").startswith(("Hoe was", "Herinnering: evaluatie"))]


def prompt_of(h, email: str):
    found = prompts_to(h, email)
    assert found, f"{email} got no evaluation prompt"
    return found[0]


async def open_form(h, email: str, message=None):
    message = message or prompt_of(h, email)
    buttons = [e for block in message.blocks if block.get("type") == "actions" for e in block["elements"]]
    assert buttons, "the message has no button"
    label = buttons[0]["text"]["text"]
    r = await h.drv.click(h.uid(email), message, text=label)
    assert r.status == 200
    views = h.emu.open_views(h.uid(email))
    return r, (views[-1] if views else None)


def answer_values(rating=None, choice=None, risico=None, nodig=None, multi=None) -> dict:
    values = {}
    if rating is not None:
        values["eval_answer:waarde"] = str(rating)
    if choice is not None:
        values["eval_answer:doelen"] = choice
    if risico is not None:
        values["eval_answer:risico"] = risico
    if nodig is not None:
        values["eval_answer:nodig"] = nodig
    if multi is not None:
        values["eval_answer:lagen"] = multi
    return values


async def fill_in(h, email: str, **answers):
    """Open the form from the prompt and submit it; returns the submit response."""
    _, view = await open_form(h, email)
    assert view is not None, "the form did not open"
    r = await h.drv.submit_view(h.uid(email), values=answer_values(**answers))
    assert r.status == 200, r.body_text
    return r


async def evaluation_rows(h):
    async with h.ctx.db.sessionmaker() as s:
        evaluations = (await s.execute(select(Evaluation))).scalars().all()
        prompts = (await s.execute(select(EvaluationPrompt).order_by(EvaluationPrompt.id))).scalars().all()
        responses = (await s.execute(select(EvaluationResponse))).scalars().all()
    return evaluations, prompts, responses

