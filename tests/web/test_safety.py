"""What a mail scanner or an attacker can do with the pages: every GET changes nothing;
forged, expired, revoked and replayed links and POSTs without CSRF are refused and change
nothing; hostile input is escaped, cut to the limits or refused per field, and otherwise
stored intact (NUL stripped, the same on SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import timedelta

from itsdangerous import URLSafeSerializer
from sqlalchemy import select

from bot.models import Commitment, EvaluationResponse, Invitation, Person, SignOffRequest
from bot.web.links import Grant
from tests.e2e.conftest import AMB_GGD, AMB_LINDE, BESTUUR_LINDE, COLLEGA, TREKKER, dump, example_data
from tests.e2e.flows import invite_and_answer, to_prompt_time
from tests.web.conftest import SECRET, text_of

HOSTILE = "<script>alert(\"x\")</script> O'Brien & \"Zonen\" </textarea><b>"
ESCAPED = "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; O&#39;Brien &amp; &#34;Zonen&#34; &lt;/textarea&gt;&lt;b&gt;"
LONG = "x" * 10_000


async def every_page(site) -> dict[str, str]:
    """One link of each purpose, for people who may use them."""
    await site.send_memo(title=HOSTILE, body=HOSTILE)
    await site.start_signoff(deadline="2027-04-01")
    await invite_and_answer(site.h, {AMB_LINDE: "Ik kom", AMB_GGD: "Ik kom"})
    await to_prompt_time(site.h)
    await site.h.command(TREKKER, "uitnodigen doelen")
    await site.h.drain()
    return {
        "rsvp": await site.link(AMB_GGD, "rsvp", await site.invitation(AMB_GGD, "doelen")),
        "memo": await site.link(AMB_GGD, "memo", await site.recipient(AMB_GGD)),
        "commitment": await site.link(AMB_GGD, "commitment", await site.commitment("ggd-advies")),
        "evaluation": await site.link(AMB_GGD, "evaluation", await site.prompt(AMB_GGD)),
        "signoff": await site.link(BESTUUR_LINDE, "signoff", await site.signoff_request("linde")),
        "mine": await site.link(AMB_GGD, "mine", None),
    }


CHOICES = {
    "rsvp": ["yes", "no", "maybe", "delegated"],
    "commitment": ["done", "busy", "blocked", "snoozed", "not_applicable"],
    "signoff": ["agree", "decline", "question", "agreed", "declined"],
}


async def test_no_get_changes_anything(site):
    pages = await every_page(site)
    before = await site.dump()
    for purpose, page in pages.items():
        for choice in [None, *CHOICES.get(purpose, []), "<script>", ""]:
            shown = await site.get(page, **({"choice": choice} if choice is not None else {}))
            assert shown.status == 200, (purpose, choice, text_of(shown.text))
            assert "<script>" not in shown.text
        for value in ["", "yes", "done", "agree", "read", "sent", "<b>"]:
            confirmed = await site.get(page + "/klaar", v=value)
            assert confirmed.status == 200 and "<b>" not in confirmed.text
        async with site.client.head(site.base + page) as r:
            assert r.status == 200
    assert await site.dump() == before


async def test_the_memo_from_the_trekker_is_escaped(site):
    pages = await every_page(site)
    shown = await site.get(pages["memo"])
    assert ESCAPED in shown.text and "<script>" not in shown.text


async def test_forged_links_are_refused_with_a_friendly_page(site):
    pages = await every_page(site)
    real = pages["rsvp"]
    other_secret = URLSafeSerializer("another-secret", salt="dialoogbot.person-link")
    ours = URLSafeSerializer(SECRET, salt="dialoogbot.person-link")
    forged = [
        "/p/zomaar-iets",
        real[:-3] + ("abc" if not real.endswith("abc") else "xyz"),
        "/p/" + other_secret.dumps([1, "rsvp", 1, 2_000_000_000]),
        "/p/" + ours.dumps([1, "admin", 1, 2_000_000_000]),  # our signature, not a grant
        "/p/" + ours.dumps({"person": 1}),
        "/p/" + "A" * 5000,
        "/p/%00%3Cscript%3E",
    ]
    before = await site.dump()
    for path in forged:
        shown = await site.get(path)
        assert shown.status == 400, path
        text = text_of(shown.text)
        assert "Deze link werkt niet" in text and "vraag de trekker" in text and "Traceback" not in text
        assert "This link does not work" in text  # English below the Dutch
        assert (await site.post(path, {"answer": "yes"}, csrf=None)).status == 400
    assert await site.dump() == before


async def test_an_expired_link_says_so(site):
    pages = await every_page(site)
    person = await site.person(AMB_GGD)
    stale = "/p/" + site.ctx.links.token(Grant(person.id, "mine", None, site.ctx.now() - timedelta(seconds=1)))
    shown = await site.get(stale)
    assert shown.status == 410 and "Deze link is verlopen" in text_of(shown.text)
    csrf = site.ctx.links.csrf(pages["commitment"][3:])
    site.h.clock.advance(days=61)
    before = await site.dump()
    assert (await site.get(pages["commitment"])).status == 410
    assert (await site.post(pages["commitment"], {"to": "done"}, csrf=csrf)).status == 410
    assert await site.dump() == before


async def test_a_person_removed_from_the_file_loses_every_link(site):
    page = await site.link(COLLEGA, "mine", None)
    assert (await site.get(page)).status == 200
    data = example_data()
    data["people"] = [p for p in data["people"] if p["email"] != COLLEGA]
    await site.h.import_example(text=dump(data))
    shown = await site.get(page)
    assert shown.status == 403 and "Deze link werkt niet meer" in text_of(shown.text)
    unknown = "/p/" + site.ctx.links.token(Grant(99_999, "mine", None, site.ctx.now() + timedelta(days=1)))
    assert (await site.get(unknown)).status == 403


async def test_a_post_without_the_right_csrf_changes_nothing(site):
    pages = await every_page(site)
    forms = {
        "rsvp": {"answer": "yes"},
        "memo": {},
        "commitment": {"to": "done"},
        "evaluation": {"answer:waarde": "4", "answer:doelen": "Ja", "answer:risico": "x"},
        "signoff": {"decision": "agree"},
    }
    other = pages["mine"][3:]
    before = await site.dump()
    for purpose, form in forms.items():
        for csrf in (None, "", "0" * 64, site.ctx.links.csrf(other)):  # missing, empty, made up, another link's
            refused = await site.post(pages[purpose], form, csrf=csrf)
            assert refused.status == 403, (purpose, csrf)
            assert "Je antwoord is niet opgeslagen" in text_of(refused.text)
    assert await site.dump() == before
    # The right one works (the same form, now with the page's own CSRF value).
    assert (await site.post(pages["rsvp"], forms["rsvp"])).status == 303


async def test_hostile_text_is_stored_intact_and_shown_escaped(site):
    pages = await every_page(site)
    await site.submit(pages["commitment"], {"to": "blocked", "note": HOSTILE + "\x00!"})
    async with site.ctx.db.sessionmaker() as s:
        c = (await s.execute(select(Commitment).where(Commitment.key == "ggd-advies"))).scalar_one()
    assert c.last_note == HOSTILE + "!"  # NUL stripped, everything else as typed
    shown = await site.get(pages["commitment"])
    assert ESCAPED + "!" in shown.text and "<script>" not in shown.text

    await site.submit(pages["signoff"], {"decision": "decline", "note": HOSTILE})
    async with site.ctx.db.sessionmaker() as s:
        assert (await s.get(SignOffRequest, await site.signoff_request("linde"))).reason == HOSTILE
    assert ESCAPED in (await site.get(pages["signoff"])).text

    answers = {"answer:waarde": "3", "answer:doelen": "Ja", "answer:risico": HOSTILE, "answer:nodig": "a\x00b"}
    await site.submit(pages["evaluation"], answers)
    async with site.ctx.db.sessionmaker() as s:
        [row] = (await s.execute(select(EvaluationResponse))).scalars().all()
    assert row.answers["risico"] == HOSTILE and row.answers["nodig"] == "ab"
    assert ESCAPED in (await site.get(pages["evaluation"])).text

    new = {"answer": "delegated", "colleague": "new", "colleague_name": HOSTILE + "\x00", "colleague_email": "n\x00ieuw@ggd.example"}
    await site.submit(pages["rsvp"], new)
    async with site.ctx.db.sessionmaker() as s:
        person = (await s.execute(select(Person).where(Person.email == "nieuw@ggd.example"))).scalar_one()
    assert person.name == HOSTILE
    assert ESCAPED in (await site.get(pages["rsvp"])).text  # "je stuurt <name>", escaped


async def test_ten_thousand_characters_are_refused_per_field(site):
    pages = await every_page(site)
    before = await site.dump()
    cases = [
        ("commitment", {"to": "blocked", "note": LONG}, "Maak dit korter: hooguit 1000 tekens."),
        ("signoff", {"decision": "decline", "note": LONG}, "Maak dit korter: hooguit 1000 tekens."),
        ("evaluation", {"answer:waarde": "3", "answer:doelen": "Ja", "answer:risico": LONG},
         "Je antwoord is te lang (10000 tekens). Het mag maximaal 2000 tekens zijn."),
        ("rsvp", {"answer": "delegated", "colleague": "new", "colleague_name": LONG, "colleague_email": LONG + "@x.example"},
         "Die naam is te lang (hooguit 200 tekens)."),
    ]
    for purpose, form, message in cases:
        refused = await site.post(pages[purpose], form)
        assert refused.status == 400, purpose
        assert message in text_of(refused.text), purpose
        assert 'aria-invalid="true"' in refused.text
    # Repeated and unknown fields: the first value counts, the rest is ignored.
    odd = await site.post(pages["rsvp"], [("answer", "bogus"), ("answer", "yes"), ("admin", "1")])
    assert odd.status == 400
    assert await site.dump() == before
    async with site.ctx.db.sessionmaker() as s:
        assert (await s.get(Invitation, await site.invitation(AMB_GGD, "doelen"))).status == "pending"


async def test_an_unexpected_error_is_a_friendly_page_not_a_traceback(site, monkeypatch, caplog):
    from handlers.web import memo

    async def broken(page, choice):
        raise RuntimeError("database on fire")

    monkeypatch.setattr(memo, "show", broken)
    await site.send_memo()
    shown = await site.get(await site.link(AMB_GGD, "memo", await site.recipient(AMB_GGD)))
    assert shown.status == 500
    text = text_of(shown.text)
    assert "Er ging iets mis" in text and "Something went wrong" in text
    assert "database on fire" not in shown.text and "Traceback" not in shown.text
    reference = text.split("noem dan deze code aan de trekker: ")[1].split(".")[0]
    assert reference in caplog.text and "database on fire" in caplog.text  # the log has it, with the reference
