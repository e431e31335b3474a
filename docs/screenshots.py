"""Make every picture of the guide (docs/handleiding.md, docs/guide.md) again.

    python docs/screenshots.py [--out docs/img]

It builds the demo data (``docs/screenshot_data.py``: the example trajectory in a fresh
SQLite file, everyone on e-mail), starts the real web application on a free loopback
port and takes the pictures in headless Chromium through Selenium: the web pages and the
trekker's dashboard as the bot serves them, the mails as the bot writes them, and the
Teams cards built by the bot's own card builders, drawn by Microsoft's ``adaptivecards``
renderer (npm) with a Teams-like host configuration (``docs/teams-hostconfig.json``).

Needs Debian's ``chromium`` and ``chromium-driver`` and ``npm``; ``adaptivecards`` is
installed once into a cache folder (``$DIALOOGBOT_CACHE``, default
``~/.cache/dialoogbot``).  Exits with status 3 and the reason when a program is missing.
"""

from __future__ import annotations

import argparse
import asyncio
import io
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMEDRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"
NPM_PACKAGES = ("adaptivecards@3", "markdown-it@14")
FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--hide-scrollbars", "--window-size=1280,900")
PHONE = (390, 844)
DESKTOP = (1280, 900)
MAX_HEIGHT = 2400  # a full-page picture is cut here
MAIL_HEIGHT = 740

# picture name -> (page key in Demo.links, width, height or None for the whole page)
PAGES = {
    "web-uitnodiging": ("rsvp", PHONE, None),
    "web-bevestiging": ("rsvp-klaar", PHONE, PHONE[1] // 2),
    "web-evaluatie": ("evaluatie", PHONE, None),
    "web-wacht-op-mij": ("wacht-op-mij", PHONE, None),
}
# picture name -> outbox template of the message shown as a Teams card / as a mail
CARDS = {
    "teams-uitnodiging": "invitation",
    "teams-herinnering": "rsvp_reminder",
    "teams-memo": "memo",
    "teams-evaluatie": "evaluation_prompt",
    "teams-afspraak": "commitment_reminder",
    "teams-ondertekenen": "signoff_request",
    "teams-aanwezigheid": "attendance_ask",
}
MAILS = {"mail-uitnodiging": "invitation"}
DASHBOARD = ("dashboard", "dashboard-telefoon")
PICTURES = (*PAGES, *CARDS, *MAILS, *DASHBOARD)


def missing() -> str | None:
    """Why the pictures cannot be made on this machine, or None."""
    if not (Path(CHROMIUM).exists() and Path(CHROMEDRIVER).exists()):
        return "headless Chromium needs Debian's chromium and chromium-driver (apt-get install -y chromium chromium-driver)"
    if shutil.which("npm") is None:
        return "npm is missing (apt-get install -y npm): it installs Microsoft's adaptivecards renderer"
    return None


def cache_dir() -> Path:
    return Path(os.environ.get("DIALOOGBOT_CACHE") or Path.home() / ".cache" / "dialoogbot")


def renderer() -> Path:
    """node_modules with adaptivecards and markdown-it, installed once with npm."""
    prefix = cache_dir() / "adaptivecards"
    modules = prefix / "node_modules"
    if not (modules / "adaptivecards" / "dist" / "adaptivecards.min.js").is_file() or not (modules / "markdown-it").is_dir():
        prefix.mkdir(parents=True, exist_ok=True)
        subprocess.run(["npm", "install", "--prefix", str(prefix), "--no-audit", "--no-fund", "--no-save", *NPM_PACKAGES],
                       check=True, stdout=subprocess.DEVNULL, timeout=300)
    return modules


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def browser(profile: Path):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in (*FLAGS, f"--user-data-dir={profile}"):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.set_page_load_timeout(30)
    driver.set_script_timeout(30)
    return driver


def save_png(data: bytes, path: Path) -> None:
    """Keep the picture small: a 256-colour palette is plenty for a screen."""
    from PIL import Image

    image = Image.open(io.BytesIO(data)).convert("RGB")
    image.quantize(colors=256, method=Image.Quantize.MEDIANCUT).save(path, optimize=True)


def shoot(driver, url: str, size: tuple[int, int], height: int | None, path: Path) -> None:
    width, view = size
    mobile = width < 600
    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                           {"width": width, "height": view, "deviceScaleFactor": 1, "mobile": mobile})
    driver.get(url)
    full = driver.execute_script("return document.documentElement.scrollHeight")
    shown = min(height or full, MAX_HEIGHT)
    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                           {"width": width, "height": shown, "deviceScaleFactor": 1, "mobile": mobile})
    save_png(driver.get_screenshot_as_png(), path)


def dashboard(driver, sign_in: str, out: Path) -> None:
    """Sign in with the trekker's link (a real session cookie), then the page twice."""
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import WebDriverWait

    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                           {"width": DESKTOP[0], "height": DESKTOP[1], "deviceScaleFactor": 1, "mobile": False})
    driver.get(sign_in)
    old = driver.find_element("tag name", "html")
    driver.find_element("css selector", "form button[type=submit]").click()
    WebDriverWait(driver, 20).until(ec.staleness_of(old))
    page = driver.current_url
    if "/dashboard/" not in page or "/dashboard/in/" in page:
        raise SystemExit(f"signing in to the dashboard failed: {page}")
    shoot(driver, page, DESKTOP, None, out / "dashboard.png")
    shoot(driver, page, PHONE, PHONE[1], out / "dashboard-telefoon.png")


CARD_PAGE = """<!doctype html><html lang="nl"><head><meta charset="utf-8">
<link rel="stylesheet" href="{modules}/adaptivecards/dist/adaptivecards.css">
<style>
body {{ margin: 0; background: #F5F5F5; font-family: 'Segoe UI', Arial, sans-serif; }}
#card {{ width: 520px; margin: 16px; background: #FFF; border-radius: 6px; overflow: hidden;
        box-shadow: 0 1px 3px rgba(0,0,0,.2); display: inline-block; }}
.ac-pushButton {{ border: 1px solid #D1D1D1; border-radius: 4px; background: #FFF; color: #242424;
                 padding: 5px 12px; font: 600 14px 'Segoe UI', Arial, sans-serif; cursor: pointer; }}
.ac-pushButton.style-positive, .ac-pushButton.primary {{ background: #5B5FC7; color: #FFF; border-color: #5B5FC7; }}
.ac-actionSet {{ flex-wrap: wrap !important; row-gap: 8px; }}
.ac-actionSet > .ac-pushButton {{ flex: 0 0 auto !important; }}
.ac-input {{ font: 14px 'Segoe UI', Arial, sans-serif; }}
</style>
<script src="{modules}/markdown-it/dist/markdown-it.min.js"></script>
<script src="{modules}/adaptivecards/dist/adaptivecards.min.js"></script>
</head><body><div id="card"></div>
<script>
const md = window.markdownit();
AdaptiveCards.AdaptiveCard.onProcessMarkdown = (text, result) => {{
  result.outputHtml = md.render(text); result.didProcess = true; }};
const card = new AdaptiveCards.AdaptiveCard();
card.hostConfig = new AdaptiveCards.HostConfig({host});
card.parse({card});
document.getElementById('card').appendChild(card.render());
document.title = 'rendered';
</script></body></html>"""


def card_picture(driver, modules: Path, card: dict, folder: Path, path: Path) -> None:
    host = (HERE / "teams-hostconfig.json").read_text(encoding="utf-8")
    page = folder / f"{path.stem}.html"
    page.write_text(CARD_PAGE.format(modules=modules.as_uri(), host=host, card=json.dumps(card)), encoding="utf-8")
    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                           {"width": 560, "height": 1600, "deviceScaleFactor": 1, "mobile": False})
    driver.get(page.as_uri())
    if driver.title != "rendered":
        raise SystemExit(f"the adaptivecards renderer failed on {path.name}")
    save_png(driver.find_element("id", "card").screenshot_as_png, path)


def mail_picture(driver, html: str, folder: Path, path: Path) -> None:
    """The Dutch half of the mail (the English one follows below it)."""
    page = folder / f"{path.stem}.html"
    page.write_text(html, encoding="utf-8")
    shoot(driver, page.as_uri(), (640, 900), MAIL_HEIGHT, path)


def take_pictures(driver, demo, base: str, out: Path, modules: Path, folder: Path) -> None:
    """The web pages, the Teams cards and the mail, on the day after the session."""
    from bot.mail.render import render as render_mail
    from bot.teams.cards import render as render_card

    for name, (key, size, height) in PAGES.items():
        shoot(driver, base + demo.links[key], size, height, out / f"{name}.png")
    for name, template in CARDS.items():
        card_picture(driver, modules, render_card(demo.messages[template])["card"], folder, out / f"{name}.png")
    for name, template in MAILS.items():
        mail = render_mail(demo.messages[template], demo.bot.ctx.links, demo.clock.now())
        mail_picture(driver, mail.html, folder, out / f"{name}.png")


async def run(out: Path, modules: Path, folder: Path) -> None:
    from aiohttp import web

    from bot.app import web_app
    from screenshot_data import a_month_later, build

    port = free_port()
    base = f"http://localhost:{port}"  # Chromium keeps the Secure dashboard cookie on localhost
    demo = await build(folder, base)
    runner = web.AppRunner(web_app(demo.bot, run_background=False), access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    driver = await asyncio.to_thread(browser, folder / "profile")
    try:
        await asyncio.to_thread(take_pictures, driver, demo, base, out, modules, folder)
        await a_month_later(demo)
        await asyncio.to_thread(dashboard, driver, demo.links["dashboard"], out)
    finally:
        await asyncio.to_thread(driver.quit)
        await runner.cleanup()
        await demo.bot.ctx.db.dispose()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Make the pictures of the guide again.")
    parser.add_argument("--out", type=Path, default=HERE / "img", help="folder for the PNG files (default docs/img)")
    args = parser.parse_args(argv)
    sys.path[:0] = [str(HERE.parent), str(HERE)]  # the bot's packages and screenshot_data
    reason = missing()
    if reason:
        print(f"screenshots skipped: {reason}", file=sys.stderr)
        return 3
    modules = renderer()
    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="dialoogbot-screenshots-") as folder:
        asyncio.run(run(args.out, modules, Path(folder)))
    for name in PICTURES:
        print(args.out / f"{name}.png")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
