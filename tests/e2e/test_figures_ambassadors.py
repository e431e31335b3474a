"""Issue 12, point 5: one ambassador per organisation.  ``check``, ``import`` and the
summary (Slack and Teams) warn about organisations with none or with more than one;
the trekker's own organisation needs none."""

from __future__ import annotations

from tests.e2e.conftest import dump, example_data, full_text, harness_env, run_cli
from tests.teams_connector.harness import *  # noqa: F401,F403  (the th fixture)
from tests.teams_connector.harness import CHANNEL

TREKKER = "trekker@voorbeeldstad.example"
EVERYONE = [TREKKER, "collega@voorbeeldstad.example", "ambassadeur@ggd.example", "ambassadeur@delinde.example",
            "bestuur@delinde.example", "ambassadeur@thuiszorg.example", "bestuur@thuiszorg.example", "ambassadeur@welzijn.example"]
MISSING = "GGD Regio Voorbeeld heeft geen ambassadeur"
SEVERAL = "Zorggroep De Linde heeft 2 ambassadeurs"


def uneven_file() -> str:
    """GGD's ambassador is only a participant now; De Linde's board member is an ambassador too."""
    data = example_data()
    for person in data["people"]:
        if person["email"] == "ambassadeur@ggd.example":
            person["roles"] = ["deelnemer"]
        if person["email"] == "bestuur@delinde.example":
            person["roles"] = ["bestuurder", "ambassadeur"]
    return dump(data)


async def test_check_and_import_warn_and_the_example_files_do_not(harness, tmp_path):
    h = harness
    path = tmp_path / "ongelijk.yaml"
    path.write_text(uneven_file(), encoding="utf-8")
    for command in ("check", "import"):
        result = await run_cli(command, str(path), env=harness_env(h), cwd=tmp_path)
        assert result.code == 0, result.both
        assert MISSING in result.err and SEVERAL in result.err
        assert "Gemeente Voorbeeldstad" not in result.err  # the trekker's own organisation
    clean = tmp_path / "hitteplan.yaml"
    clean.write_text(dump(example_data()), encoding="utf-8")
    result = await run_cli("check", str(clean), env=harness_env(h), cwd=tmp_path)
    assert result.code == 0 and "ambassadeur" not in result.err


async def test_slack_summary_warns(harness):
    h = harness
    await h.import_example(text=uneven_file())
    await h.command(TREKKER, "status")
    await h.drain()
    [post] = [m for m in h.emu.messages("#hitteplan") if (m.text or "").startswith("Stand van zaken")]
    body = full_text(post)
    assert "Ambassadeur ontbreekt:* GGD Regio Voorbeeld." in body
    assert "*Zorggroep De Linde* heeft 2 ambassadeurs" in body
    assert "Gemeente Voorbeeldstad." not in body


async def test_teams_summary_warns(th):
    await th.import_example(text=uneven_file())
    th.team_of(EVERYONE)
    await th.koppel(TREKKER)
    await th.say(TREKKER, "status")
    await th.drain()
    [post] = [p for p in th.conn.in_conversation(CHANNEL) if p.thread is None and "Stand van zaken" in p.text]
    assert "Ambassadeur ontbreekt:** GGD Regio Voorbeeld." in post.text
    assert "**Zorggroep De Linde** heeft 2 ambassadeurs" in post.text
