"""``python -m bot demo`` as a user runs it: a subprocess on a free port, its inbox read
over HTTP, an invitation answered through the real /p/ page (GET, then the form's POST
with its CSRF token), the clock moved from the demo page, and the reminder in the inbox
of someone who has not answered.  And: the demo refuses production settings."""

from __future__ import annotations

import asyncio
import re
import signal
import sys
from html import unescape
from html.parser import HTMLParser

import aiohttp
import pytest
from yarl import URL

from tests.e2e.conftest import ROOT, cli_env
from tests.smtp_server import free_port

READY = re.compile(r"http://127\.0\.0\.1:\d+/demo")


async def start(port: int, tmp_path):
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "demo", env=cli_env(PORT=str(port)), cwd=tmp_path,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )
    line = await asyncio.wait_for(proc.stdout.readline(), timeout=60)
    found = READY.search(line.decode())
    if found is None:
        proc.kill()
        err = await proc.stderr.read()
        pytest.fail(f"no URL printed: {line!r} {err.decode()[-2000:]}")
    return proc, found.group(0)


async def text(http: aiohttp.ClientSession, url: str) -> str:
    async with http.get(url) as response:
        assert response.status == 200, (url, response.status)
        return await response.text()


def links(html: str) -> list[tuple[str, str]]:
    """(href, text) of every link."""
    return [(unescape(h), re.sub(r"<[^>]+>", "", unescape(t)).strip()) for h, t in re.findall(r'<a href="([^"]+)">(.*?)</a>', html)]


def inbox_of(page: str, name: str) -> str:
    return next(href for href, label in links(page) if label == name)


def hidden(html: str, name: str) -> str:
    return unescape(re.search(rf'name="{name}" value="([^"]*)"', html).group(1))


async def mails(http, base: str, name: str) -> list[tuple[str, str]]:
    """(href, subject) of the mails in ``name``'s inbox, newest first."""
    page = await text(http, base + inbox_of(await text(http, base + "/demo"), name))
    return [(href, label) for href, label in links(page) if re.fullmatch(r"/demo/inbox/\d+/\d+", href)]


async def wait_for_mail(http, base: str, name: str, count: int) -> list[tuple[str, str]]:
    for _ in range(100):  # the dispatcher sends in the background; this is no timing assertion
        found = await mails(http, base, name)
        if len(found) >= count:
            return found
        await asyncio.sleep(0.1)
    pytest.fail(f"{name} has {len(found)} mails, expected {count}")


class FormReader(HTMLParser):
    """What a browser sends for the page's post form without the user changing anything:
    its action, hidden and text inputs, checked radios, each select's chosen option."""

    def __init__(self) -> None:
        super().__init__()
        self.action, self.fields, self._in_form, self._select = None, {}, False, None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form" and (a.get("method") or "").lower() == "post" and self.action is None:
            self.action, self._in_form = a.get("action") or "", True
        elif not self._in_form:
            return
        elif tag == "input" and a.get("name"):
            kind = (a.get("type") or "text").lower()
            if kind in ("radio", "checkbox"):
                if "checked" in a:
                    self.fields[a["name"]] = a.get("value") or "on"
            elif kind != "submit":
                self.fields[a["name"]] = a.get("value") or ""
        elif tag == "select":
            self._select = a.get("name")
        elif tag == "option" and self._select:
            if self._select not in self.fields or "selected" in a:
                self.fields[self._select] = a.get("value") or ""

    def handle_endtag(self, tag):
        if tag == "form":
            self._in_form = False
        elif tag == "select":
            self._select = None


async def answer_yes(http, base: str, mail_href: str) -> None:
    """Press "Ik kom" in the mail: the link opens the page (GET changes nothing), then the
    form is sent as a browser sends it (the answer preselected by the button)."""
    mail_page = await text(http, base + mail_href)
    assert '<iframe title="Uitnodiging' in mail_page and "sandbox=" in mail_page
    [button] = [href for href, label in links(mail_page) if label == "Ik kom"]
    assert button.startswith(base + "/p/")
    page = await text(http, button)
    assert "DEMO" in page
    form = FormReader()
    form.feed(page)
    assert form.fields.get("answer") == "yes" and form.fields.get("csrf")
    async with http.post(URL(button).join(URL(form.action)), data=form.fields, allow_redirects=False) as response:
        assert response.status == 303, await response.text()
        done = response.headers["Location"]
    assert "DEMO" in await text(http, str(URL(button).join(URL(done))))


async def test_demo_invitation_answer_and_reminder(tmp_path):
    proc, url = await start(free_port(), tmp_path)
    base = url.rsplit("/demo", 1)[0]
    try:
        async with aiohttp.ClientSession() as http:
            index = await text(http, url)
            assert "DEMO" in index and "dinsdag 23 februari 2027" in index
            # The invitations of the first session went out at start.
            [(ggd_mail, subject)] = await wait_for_mail(http, base, "Ambassadeur GGD", 1)
            assert subject.startswith("Uitnodiging: Startbijeenkomst")
            await answer_yes(http, base, ggd_mail)
            [(linde_mail, _)] = await wait_for_mail(http, base, "Ambassadeur De Linde", 1)

            # The clock to the day before the session, by the demo page's form.
            form = {"csrf": hidden(index, "csrf"), "stap": "eve"}
            async with http.post(url + "/klok", data=form) as response:
                assert response.status == 200  # after the redirect back to /demo
                moved = await response.text()
                assert "maandag 8 maart 2027" in moved and "nieuwe mails binnen" in moved
            # De Linde did not answer: a reminder arrives.
            linde = await wait_for_mail(http, base, "Ambassadeur De Linde", 2)
            assert linde[0][1] == "Kom je naar Startbijeenkomst lokaal hitteplan? Laat het even weten.", linde
            # GGD said yes: no reminder to answer.
            ggd = await mails(http, base, "Ambassadeur GGD")
            assert not any(subject.startswith("Kom je naar") for _, subject in ggd), ggd
            # Just after the session: GGD said yes, so GGD is asked for the evaluation.
            before = len(ggd)
            async with http.post(url + "/klok", data={"csrf": form["csrf"], "stap": "end"}) as response:
                assert response.status == 200
            ggd = await wait_for_mail(http, base, "Ambassadeur GGD", before + 1)
            assert ggd[0][1] == "Hoe was Startbijeenkomst lokaal hitteplan? Geef je mening", ggd
            # The dashboard link signs the trekker in.
            async with http.get(base + "/demo/dashboard", allow_redirects=False) as response:
                assert response.status == 303
                assert response.headers["Location"] == "/dashboard/hitteplan-voorbeeldstad"
                assert "dialoog_dashboard" in response.cookies
            # The dashboard page itself, signed in, with the banner (a browser keeps a Secure
            # cookie on a loopback address; aiohttp's jar must be told so).
            jar = aiohttp.CookieJar(unsafe=True, treat_as_secure_origin=[base])
            async with aiohttp.ClientSession(cookie_jar=jar) as browser:
                dashboard = await text(browser, base + "/demo/dashboard")
                assert "DEMO" in dashboard and "Lokaal hitteplan Voorbeeldstad" in dashboard
            # A move without the form's token does nothing.
            async with http.post(url + "/klok", data={"stap": "week"}, allow_redirects=False) as response:
                assert response.status == 403
    finally:
        proc.send_signal(signal.SIGTERM)
        out, err = await asyncio.wait_for(proc.communicate(), timeout=20)
    assert proc.returncode == 0, err.decode()[-2000:]
    assert "De demo stopt" in out.decode()
    assert "Traceback" not in err.decode(), err.decode()[-3000:]


@pytest.mark.parametrize("setting", [
    {"DATABASE_URL": "postgresql://postgres:postgres@127.0.0.1:5432/postgres"},
    {"SMTP_URL": "smtp://user:pass@smtp.example.org:587", "MAIL_FROM": "a@example.org"},
])
async def test_demo_refuses_production_settings(tmp_path, setting):
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "demo", env=cli_env(PORT=str(free_port()), **setting), cwd=tmp_path,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(proc.communicate(), timeout=30)
    assert proc.returncode == 2
    [line] = err.decode().strip().splitlines()
    assert line.startswith("De demo start niet met echte instellingen") and next(iter(setting)) in line
    assert out == b""


async def test_serve_has_no_demo_pages(tmp_path):
    """The /demo routes and the banner exist only in ``python -m bot demo``."""
    from aiohttp.test_utils import TestClient, TestServer

    from bot.app import bootstrap, web_app
    from bot.settings import load_settings

    bot = bootstrap(load_settings({"DATABASE_URL": f"sqlite:///{tmp_path / 'leeg.db'}"}, dotenv=False))
    async with TestClient(TestServer(web_app(bot, run_background=False))) as client:
        for path in ("/demo", "/demo/dashboard", "/demo/banner.css"):
            async with client.get(path) as response:
                assert response.status == 404, path
        async with client.get("/privacy") as response:
            assert response.status == 200 and "demo-banner" not in await response.text()
    await bot.ctx.db.dispose()
