"""``python -m bot teams-manifest``: a Teams app package Teams accepts."""

from __future__ import annotations

import io
import json
import re
import subprocess
import sys
import zipfile
from html.parser import HTMLParser
from urllib.parse import urlparse

import aiohttp
import jsonschema
import pytest
from PIL import Image

from bot.teams.manifest import PERSONAL_COMMANDS, TEAM_COMMANDS, build_package
from tests.conftest import ROOT

SCHEMAS = ROOT / "tests" / "schemas"  # Microsoft's published schemas for manifest 1.17 (see README there)

APP_ID = "11111111-2222-3333-4444-555555555555"
GUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")


def run(*args: str, **env: str) -> subprocess.CompletedProcess:
    import os

    clean = {k: v for k, v in os.environ.items() if not k.startswith(("TEAMS_", "SLACK_", "CONNECTIONS__"))}
    clean.update({"TEAMS_APP_ID": "", "PUBLIC_URL": "", "PYTHONPATH": str(ROOT), **env})
    return subprocess.run([sys.executable, "-m", "bot", *args], capture_output=True, text=True, cwd=ROOT, env=clean, timeout=60)


def test_package_has_a_valid_manifest_icons_and_command_lists(tmp_path):
    out = tmp_path / "app.zip"
    result = run("teams-manifest", "--out", str(out), TEAMS_APP_ID=APP_ID, PUBLIC_URL="https://dialoog.example")
    assert result.returncode == 0, result.stderr
    assert str(out) in result.stdout
    with zipfile.ZipFile(out) as archive:
        assert sorted(archive.namelist()) == ["color.png", "en-us.json", "manifest.json", "outline.png"]
        manifest = json.loads(archive.read("manifest.json"))
        english = json.loads(archive.read("en-us.json"))
        color = Image.open(io.BytesIO(archive.read("color.png")))
        outline = Image.open(io.BytesIO(archive.read("outline.png")))

    assert manifest["manifestVersion"] == "1.17" and "v1.17" in manifest["$schema"]
    assert manifest["id"] == APP_ID and GUID.match(manifest["id"])
    assert re.match(r"^\d+\.\d+\.\d+$", manifest["version"])
    for key in ("websiteUrl", "privacyUrl", "termsOfUseUrl"):
        assert manifest["developer"][key].startswith("https://dialoog.example")
    assert len(manifest["name"]["short"]) <= 30 and len(manifest["description"]["short"]) <= 80
    assert manifest["icons"] == {"color": "color.png", "outline": "outline.png"}
    assert manifest["validDomains"] == ["dialoog.example"]
    [bot] = manifest["bots"]
    assert bot["botId"] == APP_ID and sorted(bot["scopes"]) == ["personal", "team"]
    lists = {tuple(cl["scopes"]): cl["commands"] for cl in bot["commandLists"]}
    assert set(lists) == {("personal",), ("team",)}
    for commands in lists.values():
        assert 1 <= len(commands) <= 10
        assert all(len(c["title"]) <= 32 and 0 < len(c["description"]) <= 128 for c in commands)
    personal = [c["title"] for c in lists[("personal",)]]
    assert personal[:6] == ["help", "mijn", "uitnodigen", "herinneren", "status", "afspraak"]
    assert [c["title"] for c in lists[("team",)]][0] == "koppel"
    # English: the same commands with their English aliases.
    assert manifest["localizationInfo"]["additionalLanguages"] == [{"languageTag": "en-us", "file": "en-us.json"}]
    assert english["bots[0].commandLists[0].commands[2].title"] == "invite"
    assert english["bots[0].commandLists[1].commands[0].title"] == "link"

    assert color.format == "PNG" and color.size == (192, 192)
    assert outline.format == "PNG" and outline.size == (32, 32)
    outline = outline.convert("RGBA")
    # The outline icon is white on transparent, as Teams requires.
    pixels = [outline.getpixel((x, y)) for x in range(32) for y in range(32)]
    assert any(a == 0 for *_, a in pixels)
    assert all((r, g, b) == (255, 255, 255) for r, g, b, a in pixels if a > 0)


def test_command_words_are_the_slack_subcommands():
    """Every word (Dutch and English) reaches the same subcommand as in Slack."""
    from handlers.command_table import COMMANDS

    known = {word: row.key for row in COMMANDS if not row.variant and not row.bare for word in row.words}
    for dutch, english in PERSONAL_COMMANDS + TEAM_COMMANDS:
        if dutch == "koppel":
            continue  # Teams only
        if dutch in known:  # the subcommands other issues add register when their handlers load
            assert known.get(english) == known[dutch], (dutch, english)
    for word in ("help", "mijn", "uitnodigen", "herinneren", "status", "afspraak"):
        assert word in known


def test_without_an_app_id_it_says_what_to_do(tmp_path):
    result = run("teams-manifest", "--out", str(tmp_path / "app.zip"))
    assert result.returncode == 2
    assert "TEAMS_APP_ID" in result.stderr
    assert not (tmp_path / "app.zip").exists()


def package_files(app_id: str = APP_ID, url: str | None = "https://dialoog.example") -> tuple[dict, dict]:
    with zipfile.ZipFile(io.BytesIO(build_package(app_id, url))) as archive:
        return json.loads(archive.read("manifest.json")), json.loads(archive.read("en-us.json"))


def schema_errors(document: dict, schema_file: str) -> list[str]:
    schema = json.loads((SCHEMAS / schema_file).read_text(encoding="utf-8"))
    validator = jsonschema.Draft4Validator(schema, format_checker=jsonschema.Draft4Validator.FORMAT_CHECKER)
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(document)]


@pytest.mark.parametrize("url", ["https://dialoog.example", None])
def test_package_is_valid_against_microsofts_schema(url):
    manifest, english = package_files(url=url)
    assert urlparse(manifest["$schema"]).path.endswith("/v1.17/MicrosoftTeams.schema.json")
    assert schema_errors(manifest, "MicrosoftTeams.schema.json") == []
    assert urlparse(english["$schema"]).path.endswith("/v1.17/MicrosoftTeams.Localization.schema.json")
    assert schema_errors(english, "MicrosoftTeams.Localization.schema.json") == []
    # The schema does catch mistakes (else the check above proves nothing).
    broken = manifest | {"id": "not-a-guid", "accentColor": "green"}
    assert len(schema_errors(broken, "MicrosoftTeams.schema.json")) == 2
    assert schema_errors(english | {"name.shrt": "x"}, "MicrosoftTeams.Localization.schema.json")


@pytest.mark.parametrize("app_id", ["dialoogbot", "11111111222233334444555555555555", APP_ID + "0"])
def test_an_app_id_that_is_not_a_guid_is_refused(tmp_path, app_id):
    result = run("teams-manifest", "--out", str(tmp_path / "app.zip"), "--app-id", app_id)
    assert result.returncode == 2
    assert result.stderr.startswith(f"Dit is geen geldige app-ID: {app_id}.")
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "app.zip").exists()


def test_a_url_without_a_scheme_is_refused(tmp_path):
    result = run("teams-manifest", "--out", str(tmp_path / "app.zip"), "--url", "dialoog.example",
                 TEAMS_APP_ID=APP_ID)
    assert result.returncode == 2
    assert result.stderr.strip() == "Dit adres moet met https:// beginnen: dialoog.example"
    assert not (tmp_path / "app.zip").exists()


VOID = {"meta", "link", "br", "hr", "img", "input"}


class Page(HTMLParser):
    """Checks the structure: every element closed in order; collects lang and text."""

    def __init__(self):
        super().__init__()
        self.open: list[str] = []
        self.problems: list[str] = []
        self.seen: dict[str, int] = {}
        self.attrs: dict[str, dict] = {}
        self.doctype = None
        self.text: list[str] = []

    def handle_decl(self, decl):
        self.doctype = decl

    def handle_starttag(self, tag, attrs):
        self.seen[tag] = self.seen.get(tag, 0) + 1
        self.attrs.setdefault(tag, dict(attrs))
        if tag == "meta" and ("name", "viewport") in attrs:
            self.attrs["viewport"] = dict(attrs)
        if tag not in VOID:
            self.open.append(tag)

    def handle_endtag(self, tag):
        if not self.open or self.open[-1] != tag:
            self.problems.append(f"</{tag}> closes {self.open[-1:]}")
        else:
            self.open.pop()

    def handle_data(self, data):
        self.text.append(data)


@pytest.fixture
async def bot_server(database_url):
    from aiohttp.test_utils import TestServer

    from bot.app import bootstrap, web_app
    from bot.settings import load_settings

    bot = bootstrap(load_settings({"DATABASE_URL": database_url, "PUBLIC_URL": "https://dialoog.example"}))
    server = TestServer(web_app(bot, run_background=False), host="127.0.0.1")
    await server.start_server()
    try:
        yield server
    finally:
        await server.close()
        await bot.ctx.db.dispose()


async def test_the_bot_serves_the_pages_the_manifest_points_to(bot_server):
    manifest, _ = package_files()
    pages = {}
    async with aiohttp.ClientSession() as http:
        for key in ("privacyUrl", "termsOfUseUrl"):
            path = urlparse(manifest["developer"][key]).path
            async with http.get(bot_server.make_url(path)) as resp:
                assert resp.status == 200, path
                assert resp.content_type == "text/html" and resp.charset == "utf-8"
                pages[key] = await resp.text()
    for html in pages.values():
        page = Page()
        page.feed(html)
        page.close()
        assert page.doctype and page.doctype.lower() == "doctype html"
        assert page.problems == [] and page.open == []
        assert page.attrs["html"]["lang"] == "nl"
        assert all(page.seen.get(tag) == 1 for tag in ("html", "head", "body", "title", "main"))
        assert "width=device-width" in page.attrs["viewport"]["content"]  # readable on a phone
        assert page.attrs["section"]["lang"] == "en"  # the English text, below the Dutch

    privacy = " ".join(_text(pages["privacyUrl"]).split())
    for words in ("naam", "e-mailadres", "organisatie", "id in Slack of Teams", "uitnodiging", "Afspraken",
                  "evaluaties", "zonder link naar jou", "Ondertekeningen", "berichten", "trekker",
                  "verwijderd", "Waarom", "What the bot stores", "erased"):
        assert words in privacy, words
    terms = " ".join(_text(pages["termsOfUseUrl"]).split())
    assert "Gebruiksvoorwaarden" in terms and "Terms of use" in terms and "/privacy" in pages["termsOfUseUrl"]


def _text(html: str) -> str:
    page = Page()
    page.feed(html)
    return "".join(page.text)
