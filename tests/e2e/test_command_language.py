"""Command answers are in the language of the person who types the command (their own
``language``, else their trajectory's), not the trajectory's: in Slack and in Teams."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import AMB_GGD, AMB_LINDE, BESTUUR_LINDE, START_INVITEES, TREKKER, dump, example_data, reply_text
from tests.teams_connector.harness import *  # noqa: F401,F403  (the th fixture)
from tests.teams_connector.server import card_texts

pytestmark = pytest.mark.one_database  # how a platform shows it; the rules run on both databases elsewhere

ENGLISH_REFUSAL = "Sorry, only a lead of"
DUTCH_REFUSAL = "Sorry, dit mag alleen een trekker van"
TEAMS_PEOPLE = START_INVITEES + [BESTUUR_LINDE, "bestuur@thuiszorg.example"]


def example_with(person_language: dict[str, str], trajectory_language: str = "nl") -> str:
    data = example_data()
    data["trajectory"]["language"] = trajectory_language
    for person in data["people"]:
        if person["email"] in person_language:
            person["language"] = person_language[person["email"]]
    return dump(data)


async def slack_refusal(h, email: str) -> str:
    r = await h.command(email, "uitnodigen start")
    return reply_text(h, r)


async def test_slack_refusal_in_the_persons_english(harness):
    await harness.import_example(text=example_with({AMB_LINDE: "en"}))
    shown = await slack_refusal(harness, AMB_LINDE)
    assert ENGLISH_REFUSAL in shown
    assert DUTCH_REFUSAL not in shown


async def test_slack_refusal_in_dutch_for_a_dutch_person_in_an_english_trajectory(harness):
    await harness.import_example(text=example_with({AMB_LINDE: "nl"}, trajectory_language="en"))
    shown = await slack_refusal(harness, AMB_LINDE)
    assert DUTCH_REFUSAL in shown
    assert ENGLISH_REFUSAL not in shown


async def teams_refusal(th, text: str) -> str:
    await th.import_example(text=text)
    th.team_of(TEAMS_PEOPLE)
    assert (await th.koppel(TREKKER)).status == 202
    r = await th.say(AMB_GGD, "uitnodigen start")
    [reply] = r.replies
    return "\n".join(card_texts(reply.card))


async def test_teams_refusal_in_the_persons_english(th):
    shown = await teams_refusal(th, example_with({AMB_GGD: "en"}))
    assert ENGLISH_REFUSAL in shown
    assert DUTCH_REFUSAL not in shown


async def test_teams_refusal_in_dutch_for_a_dutch_person_in_an_english_trajectory(th):
    shown = await teams_refusal(th, example_with({AMB_GGD: "nl"}, trajectory_language="en"))
    assert DUTCH_REFUSAL in shown
    assert ENGLISH_REFUSAL not in shown
