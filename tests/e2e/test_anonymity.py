"""Anonymity that holds (Slack): three people answer an anonymous form through
/slack/events; then every table, every outbox row, the captured log and the raw
SQLite files are read, and no answer can be linked to a person, not by a column, a
time, an order, a log line or a WAL page.  Results wait until the form closes."""

from __future__ import annotations

import logging

from tests.conftest import local
from tests.e2e.anonymity_checks import assert_no_trace_in_files, assert_unlinkable
from tests.e2e.conftest import (
    AMB_GGD, AMB_LINDE, AMB_THUISZORG, AMB_WELZIJN, TREKKER, bot_messages, full_text, harness_env, run_cli,
)
from tests.e2e.flows import anonymous_hitteplan, fill_in, invite_and_answer, jump, to_prompt_time

ANSWERS = {AMB_LINDE: "Antwoord-Linde-7731", AMB_GGD: "Antwoord-GGD-1290", AMB_WELZIJN: "Antwoord-Welzijn-5512"}


def results_to(h) -> list:
    return [m for m in bot_messages(h.emu, h.uid(TREKKER)) if (m.text or "").startswith("Resultaten evaluatie")]


def summary_line(h) -> str:
    """The evaluation line of the last status summary in the status channel."""
    posts = [full_text(m) for m in h.emu.messages("C0HITTEPLAN") if "Evaluatie Startbijeenkomst" in full_text(m)]
    assert posts, "no summary with the evaluation"
    return next(line for line in posts[-1].splitlines() if "Evaluatie Startbijeenkomst" in line)


async def test_three_anonymous_answers_cannot_be_linked_to_anyone(harness, caplog, tmp_path):
    h = harness
    await h.import_example(text=anonymous_hitteplan())
    await invite_and_answer(h, {e: "Ik kom" for e in ANSWERS} | {AMB_THUISZORG: "Ik kom"})
    await to_prompt_time(h)

    caplog.set_level(logging.DEBUG)
    caplog.clear()
    for email, text in ANSWERS.items():
        await fill_in(h, email, rating=4, choice="Ja", risico=text)
        h.clock.advance(minutes=7)
    records = list(caplog.records)
    await h.tick()
    await assert_unlinkable(h.ctx, ANSWERS, records)
    assert_no_trace_in_files(h.bot.settings.database_url, ANSWERS)
    await assert_results_only_after_closing(h, ANSWERS, tmp_path)


async def assert_results_only_after_closing(h, answers: dict[str, str], tmp_path) -> None:
    """Three answers (rating 4) are in while the form is open: the trekker sees them in
    Slack and the export only once it has closed; still nothing links them then."""
    # The trekker's screens: no average and no answers while it is open (from the threshold on).
    await h.command(TREKKER, "status")
    await h.command(TREKKER, "evaluatie start resultaten")
    await h.drain()
    shown = "\n".join(full_text(m) for m in bot_messages(h.emu, h.uid(TREKKER)))
    assert not any(t in shown for t in answers.values())
    assert "zie je als hij sluit" in full_text(results_to(h)[-1])
    assert "gemiddeld 4,0" not in summary_line(h), "no average while it is open, even from the threshold on"
    r = await run_cli("export", "evaluations", "--session", "start", "--output", "-", env=harness_env(h), cwd=tmp_path)
    assert r.code == 0 and not any(t in r.out for t in answers.values()) and "staat nog open" in r.err, r.both

    # Closed: the pool moved into the answers table; still nothing links them.
    await jump(h, local(2027, 3, 16, 16, 31))
    final = full_text(results_to(h)[-1])
    assert all(t in final for t in answers.values())
    await h.command(TREKKER, "status")
    await h.drain()
    assert "gemiddeld 4,0" in summary_line(h)
    r = await run_cli("export", "evaluations", "--session", "start", "--output", "-", env=harness_env(h), cwd=tmp_path)
    assert r.code == 0 and all(t in r.out for t in answers.values()), r.both
    await assert_unlinkable(h.ctx, answers, [])
