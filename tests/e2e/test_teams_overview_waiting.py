"""Teams: the overview card (``mijn``) lists the open evaluation form, the unread memo and
the sign-off request of the person, with the buttons their own cards have; the existing
handlers answer them, and the items are gone once done."""

from __future__ import annotations

from bot.identity import User
from tests.teams_connector.harness import *  # noqa: F401,F403  (the th fixture)
from tests.waiting import GGD, LINDE, MEMO_TITLE, SIGN_TITLE, TREKKER, set_the_stage

HEADINGS = ("Evaluaties om in te vullen", "Memo's die je nog niet gelezen hebt", "Vragen om akkoord voor jouw organisatie")
EVERYONE = [TREKKER, "collega@voorbeeldstad.example", GGD, LINDE, "bestuur@delinde.example", "ambassadeur@thuiszorg.example",
            "bestuur@thuiszorg.example", "ambassadeur@welzijn.example"]
AGREE = "Akkoord namens Zorggroep De Linde"


async def overview(th, email: str):
    r = await th.say(email, "mijn")
    [card] = r.replies
    return card


def titles(card) -> list[str]:
    return [a["title"] for a in card.card.get("actions", [])] + [
        a["title"] for el in card.card["body"] if el.get("type") == "ActionSet" for a in el["actions"]
    ]


async def test_the_overview_card_lists_what_waits_and_its_buttons_work(th):
    await th.import_example()
    th.team_of(EVERYONE)
    await th.koppel(TREKKER)
    await set_the_stage(th.ctx, lambda email: User("teams", th.tid(email)))
    mine = await overview(th, LINDE)
    assert all(heading in mine.text for heading in HEADINGS) and MEMO_TITLE in mine.text and SIGN_TITLE in mine.text
    assert {"Evaluatie invullen", "Gelezen", AGREE} <= set(titles(mine))
    other = (await overview(th, GGD)).text
    assert not any(heading in other for heading in HEADINGS)

    # Each button is answered by the handler of its own card.
    await th.teams.execute(th.tid(LINDE), mine, "Gelezen")
    mine = await overview(th, LINDE)
    assert MEMO_TITLE not in mine.text and SIGN_TITLE in mine.text
    await th.teams.execute(th.tid(LINDE), mine, AGREE)
    mine = await overview(th, LINDE)
    assert SIGN_TITLE not in mine.text
    await th.teams.execute(th.tid(LINDE), mine, "Evaluatie invullen")  # the card becomes the form
    await th.teams.execute(th.tid(LINDE), mine, "Versturen", {"eval_q_waarde": "4", "eval_q_doelen": "1", "eval_q_risico": "Geen koele ruimte"})
    text = (await overview(th, LINDE)).text
    assert not any(heading in text for heading in HEADINGS), text
