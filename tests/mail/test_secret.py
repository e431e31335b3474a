"""Without SECRET_KEY the bot makes a key once, keeps it in the database and signs the
links with it after a restart too; /healthz reports mail like Slack and Teams."""

from __future__ import annotations

from datetime import timedelta

from aiohttp.test_utils import TestClient, TestServer

from bot.app import bootstrap, web_app
from bot.mail.lookup import link_signer
from bot.settings import load_settings
from bot.web.links import Grant


def _env(database_url: str, **extra: str) -> dict[str, str]:
    return {"DATABASE_URL": database_url, "SMTP_URL": "smtp://127.0.0.1:9", "MAIL_FROM": "b@x.example",
            "PUBLIC_URL": "https://dialoog.example", **extra}


async def test_the_generated_key_is_kept_across_restarts(database_url, clock):
    first = bootstrap(load_settings(_env(database_url), dotenv=False), clock=clock)
    assert first.ctx.links is None
    signer = await link_signer(first.ctx)
    assert first.ctx.links is signer
    token = signer.token(Grant(1, "mine", None, clock.now() + timedelta(days=1)))
    await first.ctx.db.dispose()
    again = bootstrap(load_settings(_env(database_url), dotenv=False), clock=clock)
    assert (await link_signer(again.ctx)).read(token, clock.now()).person_id == 1
    await again.ctx.db.dispose()


async def test_secret_key_wins_over_the_kept_key(database_url, clock):
    bot = bootstrap(load_settings(_env(database_url, SECRET_KEY="s3cret"), dotenv=False), clock=clock)
    assert await link_signer(bot.ctx) is bot.ctx.links
    await bot.ctx.db.dispose()


async def test_healthz_reports_mail(database_url, clock):
    bot = bootstrap(load_settings(_env(database_url), dotenv=False), clock=clock)
    async with TestClient(TestServer(web_app(bot, run_background=False))) as client:
        body = await (await client.get("/healthz")).json()
        assert body["email"] == "unchecked" and body["ok"]
        bot.mail_state = "SMTPConnectError"
        body = await (await client.get("/healthz")).json()
        assert body["email"] == "SMTPConnectError" and not body["ok"]
    plain = bootstrap(load_settings({"DATABASE_URL": database_url}, dotenv=False), clock=clock)
    async with TestClient(TestServer(web_app(plain, run_background=False))) as client:
        assert (await (await client.get("/healthz")).json())["email"] == "not_configured"


async def test_start_up_says_when_public_url_is_missing_and_greets_the_server(database_url, clock, capsys):
    from bot.serve import check_mail
    from tests.smtp_server import SmtpSink

    with SmtpSink() as smtp:
        env = {"DATABASE_URL": database_url, "SMTP_URL": smtp.url, "MAIL_FROM": "b@x.example"}
        bot = bootstrap(load_settings(env, dotenv=False), clock=clock)
        await check_mail(bot, "nl")
        assert bot.mail_state == "ok" and bot.ctx.links is not None
        assert "PUBLIC_URL ontbreekt" in capsys.readouterr().out
        bot = bootstrap(load_settings({**env, "PUBLIC_URL": "https://dialoog.example"}, dotenv=False), clock=clock)
        await check_mail(bot, "nl")
        assert "PUBLIC_URL" not in capsys.readouterr().out
        await bot.ctx.db.dispose()
