"""The dashboard's "Aanwezigheid invullen" (issue 13, point 3): per held session in the
timeline, the same "Wie was er?" form and use case as the Slack modal, over real HTTP,
with CSRF; it says what it saved, and refuses with the reason (a session not begun or
cancelled, an unknown one, someone not invited, another trajectory's trekker)."""

from __future__ import annotations

import re

from bot.models import Person
from sqlalchemy import select

from tests.conftest import local
from tests.dashboard.conftest import sign_in
from tests.dashboard.helpers import PAGE, act, signed_in
from tests.e2e.conftest import AMB_GGD, AMB_LINDE, AMB_THUISZORG, AMB_WELZIJN, TREKKER_NEERSLAG, dump, example_data, invitation_of
from tests.e2e.flows import PROMPT_AT, invite_and_answer, prompts_to

ENDS = local(2027, 3, 9, 16, 30)
ANSWERS = {AMB_LINDE: "Ik kom", AMB_GGD: "Ik kom", AMB_THUISZORG: "Misschien", AMB_WELZIJN: "Ik kan niet"}
FORM = f"{PAGE}/formulier/aanwezigheid?sessie=start"


async def person_id(dash, email: str) -> str:
    async with dash.h.ctx.db.sessionmaker() as s:
        return str((await s.execute(select(Person.id).where(Person.email == email))).scalars().first())


def ticked(html: str) -> set[str]:
    return set(re.findall(r'name="aanwezig" value="(\d+)" checked', html))


async def held(dash) -> None:
    await dash.h.import_example()
    await invite_and_answer(dash.h, ANSWERS)
    dash.h.clock.set(ENDS)


async def test_mark_attendance_from_the_timeline(dash, web):
    await held(dash)
    csrf = await signed_in(dash, web)
    page = (await web.get(PAGE)).text
    assert f'href="{FORM}"' in page and "Aanwezigheid invullen" in page
    assert "formulier/aanwezigheid?sessie=doelen" not in page  # not held yet: no action
    linde, ggd, welzijn = [await person_id(dash, e) for e in (AMB_LINDE, AMB_GGD, AMB_WELZIJN)]
    form = await web.get(FORM)
    assert form.status == 200 and "<legend>Aanwezig</legend>" in form.text
    assert ticked(form.text) == {linde, ggd}  # who said yes
    assert (await invitation_of(dash.h, "start", AMB_LINDE)).attended is None  # opening saved nothing

    refused = await act(web, None, "aanwezigheid", sessie="start", aanwezig=linde)
    assert refused.status == 403
    wrong = await web.post(f"{PAGE}/actie/aanwezigheid", [("csrf", csrf), ("sessie", "start"), ("aanwezig", linde), ("aanwezig", "999999")])
    assert wrong.status == 422 and "Kies alleen mensen die waren uitgenodigd." in wrong.text
    assert ticked(wrong.text) == {linde}  # the form again as it was sent (the unknown id is not listed)
    assert (await invitation_of(dash.h, "start", AMB_LINDE)).attended is None

    saved = await web.post(f"{PAGE}/actie/aanwezigheid", [("csrf", csrf), ("sessie", "start"), ("aanwezig", linde), ("aanwezig", welzijn)])
    assert saved.status == 200 and "Opgeslagen: 2 van de 6 genodigden waren er." in saved.text
    assert (await invitation_of(dash.h, "start", AMB_WELZIJN)).attended is True
    assert (await invitation_of(dash.h, "start", AMB_GGD)).attended is False
    page = (await web.get(PAGE)).text
    assert "2 waren er, 4 niet" in page and "Aanwezigheid aanpassen" in page
    assert ticked((await web.get(FORM)).text) == {linde, welzijn}

    dash.h.clock.set(PROMPT_AT)
    await dash.h.tick()
    assert [e for e in (AMB_LINDE, AMB_GGD, AMB_THUISZORG, AMB_WELZIJN) if prompts_to(dash.h, e)] == [AMB_LINDE, AMB_WELZIJN]


async def test_a_late_answer_reports_the_added_prompts(dash, web):
    await held(dash)
    dash.h.clock.set(PROMPT_AT)
    await dash.h.tick()
    csrf = await signed_in(dash, web)
    welzijn = await person_id(dash, AMB_WELZIJN)
    saved = await act(web, csrf, "aanwezigheid", sessie="start", aanwezig=welzijn)
    assert "Opgeslagen: 1 van de 6 genodigden waren er. 1 van hen krijgt nu ook de evaluatie." in saved.text


async def test_refusals_for_attendance(dash, web):
    await held(dash)
    csrf = await signed_in(dash, web)
    linde = await person_id(dash, AMB_LINDE)
    later = await act(web, csrf, "aanwezigheid", sessie="doelen", aanwezig=linde)
    assert later.status == 409 and "is nog niet begonnen" in later.text and "Traceback" not in later.text
    unknown = await web.get(f"{PAGE}/formulier/aanwezigheid?sessie=bestaat-niet")
    assert unknown.status == 409 and "Deze bijeenkomst ken ik niet" in unknown.text
    assert (await act(web, csrf, "aanwezigheid", aanwezig=linde)).status == 409
    # Cancelled after all (dropped from the file): the form and its answer are refused.
    data = example_data()
    data["sessions"] = [s for s in data["sessions"] if s["key"] != "start"]
    await dash.h.import_example(text=dump(data))
    assert "formulier/aanwezigheid?sessie=start" not in (await web.get(PAGE)).text
    cancelled = await act(web, csrf, "aanwezigheid", sessie="start", aanwezig=linde)
    assert cancelled.status == 409 and "gaat niet door" in cancelled.text
    assert (await web.get(FORM)).status == 409
    assert (await invitation_of(dash.h, "start", AMB_LINDE)).attended is None


async def test_another_trajectorys_trekker_is_refused(dash, web):
    await held(dash)
    await dash.h.import_example("neerslag.yaml")
    await sign_in(dash, web, TREKKER_NEERSLAG)
    other_csrf = (await web.get("/dashboard/neerslag-bovenregionaal")).csrf
    linde = await person_id(dash, AMB_LINDE)
    refused = await act(web, other_csrf, "aanwezigheid", sessie="start", aanwezig=linde)
    assert refused.status == 403 and "geen toegang" in refused.text
    assert (await web.get(FORM)).status == 403
    assert (await invitation_of(dash.h, "start", AMB_LINDE)).attended is None
