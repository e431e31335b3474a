"""The help lists every command of the one command table, grouped by role, in the
person's language, in Slack (signed slash command) and in Teams (a chat message)."""

from __future__ import annotations

import re

import pytest

from handlers.command_table import COMMANDS, EVERYONE, TREKKER, words
from handlers.teams.commands import KOPPEL, ONTKOPPEL
from tests.e2e.conftest import AMB_GGD, AMB_LINDE, TREKKER as TREKKER_EMAIL, dump, example_data, mrkdwn_of
from tests.e2e.conftest import BESTUUR_LINDE, START_INVITEES
from tests.teams_connector.harness import *  # noqa: F401,F403  (the th fixture)
from tests.teams_connector.server import card_texts

pytestmark = pytest.mark.one_database  # how a platform shows it; the rules run on both databases elsewhere

GROUPS = {"nl": ("Voor iedereen", "Voor trekkers"), "en": ("For everyone", "For leads")}


def english_example() -> str:
    data = example_data()
    data["trajectory"]["language"] = "en"
    return dump(data)


def has_word(text: str, word: str) -> bool:
    return re.search(rf"(?<![\w-]){re.escape(word)}(?![\w-])", text) is not None


def assert_complete(text: str, lang: str, prefix: str) -> None:
    """Every row is a help line (``prefix`` + its word in ``lang``), both groups are there,
    and every word the dispatcher accepts appears somewhere."""
    everyone, trekkers = GROUPS[lang]
    assert everyone in text and trekkers in text
    assert text.index(everyone) < text.index(trekkers)
    for row in COMMANDS:
        line = prefix + row.shown(lang)
        assert line in text, (lang, line)
        group_start = text.index(everyone if row.role == EVERYONE else trekkers)
        assert text.index(line) > group_start, (lang, line)
        if row.role == EVERYONE:
            assert text.index(line) < text.index(trekkers), (lang, line)
    for word in words():
        assert has_word(text, word), (lang, word)
    assert {row.role for row in COMMANDS} == {EVERYONE, TREKKER}


async def slack_text(h, email: str, text: str = "help") -> str:
    r = await h.command(email, text)
    [body] = h.emu.responses(r.response_url)
    return "\n".join(mrkdwn_of(body["blocks"]))


async def test_slack_help_lists_every_command_in_dutch(harness):
    await harness.import_example()
    for email in (AMB_LINDE, TREKKER_EMAIL):  # a participant sees the trekker group too
        shown = await slack_text(harness, email)
        assert_complete(shown, "nl", "/dialoog ")
        assert "Dialoogbot helpt bij de risicodialoog" in shown
        assert "• `/dialoog mijn`: wat er op je wacht" in shown


async def test_slack_help_is_english_for_an_english_trajectory(harness):
    await harness.import_example(text=english_example())
    shown = await slack_text(harness, AMB_LINDE)
    assert_complete(shown, "en", "/dialoog ")
    assert "• `/dialoog mine`: what is waiting for you" in shown
    assert "Voor iedereen" not in shown


async def test_every_word_in_the_help_runs_a_command(harness):
    """The reverse: a word the help shows is never answered with "unknown command"."""
    await harness.import_example()
    for word in words():
        r = await harness.command(TREKKER_EMAIL, word)
        assert "Dat commando ken ik niet" not in str(harness.emu.responses(r.response_url)), word


TEAMS_PEOPLE = START_INVITEES + [BESTUUR_LINDE, "bestuur@thuiszorg.example"]


async def teams_help(th, text: str | None = None) -> str:
    await th.import_example(text=text)
    th.team_of(TEAMS_PEOPLE)
    assert (await th.koppel(TREKKER_EMAIL)).status == 202
    r = await th.say(AMB_GGD, "help")
    [reply] = r.replies
    return "\n".join(card_texts(reply.card))  # the card, not the plain-text summary


async def test_teams_help_lists_every_command_in_dutch(th):
    shown = await teams_help(th)
    assert_complete(shown, "nl", "**")
    assert "/dialoog " not in shown  # in Teams you type the words without it
    for word in (KOPPEL[0], ONTKOPPEL[0]):
        assert has_word(shown, word)


async def test_teams_help_in_english(th):
    shown = await teams_help(th, english_example())
    assert_complete(shown, "en", "**")
    for word in (KOPPEL[-1], ONTKOPPEL[-1]):
        assert has_word(shown, word)
