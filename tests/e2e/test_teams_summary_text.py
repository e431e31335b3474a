"""The summary of a Teams activity (the line in the activity feed and the chat list)
is plain text: no Slack ``*bold*`` from the catalog; what people typed stays as typed."""

from __future__ import annotations

from tests.e2e.conftest import AMB_GGD, BESTUUR_LINDE, START_INVITEES, TREKKER, dump, example_data, session_spec
from tests.teams_connector.harness import *  # noqa: F401,F403  (the th fixture)

TITLE = "Start *heet* plan"  # a title someone typed with asterisks


async def test_reply_and_notification_summaries_are_plain_text(th):
    data = example_data()
    session_spec(data, "start")["title"] = TITLE
    await th.import_example(text=dump(data))
    th.team_of(START_INVITEES + [BESTUUR_LINDE])
    assert (await th.koppel(TREKKER)).status == 202

    r = await th.say(TREKKER, "uitnodigen start")
    summary = r.replies[0].activity["summary"]
    # The catalog says ":white_check_mark: Uitnodigingen voor *{{ title }}*: ...".
    assert summary.startswith(f"✅ Uitnodigingen voor {TITLE}: ")
    assert summary.count("*") == TITLE.count("*")
    assert "**Start \\*heet\\* plan**" in r.text  # the card itself is still bold, the title escaped

    await th.drain()
    [card] = [p for p in th.chat_with(AMB_GGD) if p.activity.get("summary", "").startswith("Uitnodiging:")]
    assert card.activity["summary"].startswith(f"Uitnodiging: {TITLE}, ")
