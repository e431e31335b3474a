"""Anonymity that holds (e-mail): three people on ``platform: email`` say yes on the
invitation page and answer an anonymous evaluation on the page their prompt mail links
to; then every table, every outbox row, the captured log (the access log of the pages
included) and the raw SQLite files say nothing about who gave which answer.  Results
show only after closing and from the threshold."""

from __future__ import annotations

import logging

from tests.conftest import local
from tests.e2e.anonymity_checks import assert_no_trace_in_files, assert_unlinkable
from tests.e2e.conftest import AMB_GGD, AMB_LINDE, AMB_WELZIJN, TREKKER, full_text
from tests.e2e.flows import anonymous_hitteplan, jump, to_prompt_time
from tests.e2e.mail_pages import on_email, pages  # noqa: F401  (the fixture)
from tests.e2e.test_anonymity import assert_results_only_after_closing, results_to
from tests.mail.fixtures import *  # noqa: F401,F403  (smtp, public_url, extra_env)

ANSWERS = {AMB_LINDE: "Mail-Linde-6612", AMB_GGD: "Mail-GGD-2290", AMB_WELZIJN: "Mail-Welzijn-8841"}


async def prompted(h, pages, emails) -> None:
    """The invitation by mail, "Ik kom" on the page, the prompt mail after the session."""
    await h.import_example(text=on_email(anonymous_hitteplan(), emails))
    await h.command(TREKKER, "uitnodigen start")
    await h.drain()
    for email in emails:
        await pages.answer(email, "rsvp", {"answer": "yes"}, choice="yes")
    await to_prompt_time(h)


async def answer(pages, email: str, text: str) -> None:
    done = await pages.answer(email, "evaluation", {"answer:waarde": "4", "answer:doelen": "Ja", "answer:risico": text})
    assert "Dank je wel" in done, done


async def test_three_anonymous_answers_on_the_pages_cannot_be_linked(harness, pages, caplog, tmp_path):
    h = harness
    caplog.set_level(logging.DEBUG)  # before the first request: aiohttp decides per connection whether to log access
    await prompted(h, pages, ANSWERS)
    caplog.clear()
    for email, text in ANSWERS.items():
        await answer(pages, email, text)
        h.clock.advance(minutes=7)
    records = list(caplog.records)
    assert any(r.name == "aiohttp.access" and "/p/" in r.getMessage() for r in records), "the pages' access log was captured"
    await h.tick()
    await assert_unlinkable(h.ctx, ANSWERS, records)
    assert_no_trace_in_files(h.bot.settings.database_url, ANSWERS)
    mailed = b"".join(p.get_payload(decode=True) for m in pages.smtp.mails for p in m.walk() if not p.is_multipart())
    assert mailed and not any(t.encode() in mailed for t in ANSWERS.values()), "no answer in a mail"
    await assert_results_only_after_closing(h, ANSWERS, tmp_path)


async def test_below_the_threshold_nothing_shows_even_when_closed(harness, pages):
    h = harness
    two = dict(list(ANSWERS.items())[:2])
    await prompted(h, pages, two)
    for email, text in two.items():
        await answer(pages, email, text)
    await jump(h, local(2027, 3, 16, 16, 31))  # closed
    final = full_text(results_to(h)[-1])
    assert "pas zien vanaf 3 antwoorden" in final, final
    assert not any(t in final for t in two.values())
