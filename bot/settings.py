"""Settings from the environment (and ``.env`` through python-dotenv)."""

from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import Mapping

from dotenv import load_dotenv

from bot.i18n import t
from bot.quiet_hours import SendingWindow

DEFAULT_DATABASE_URL = "sqlite:///dialoogbot.db"


class SettingsError(ValueError):
    """A setting has a value the bot cannot use: ``cli.settings.<code>`` with ``params``.

    ``str()`` is the English text (logs); the CLI shows ``message(lang)``.
    """

    def __init__(self, code: str, **params: object):
        self.code = code
        self.params = params
        super().__init__(self.message("en"))

    def message(self, lang: str | None) -> str:
        return t(lang, f"cli.settings.{self.code}", **self.params)


@dataclass(frozen=True)
class Settings:
    slack_bot_token: str | None = None
    slack_signing_secret: str | None = None
    slack_app_token: str | None = None
    slack_api_url: str = "https://slack.com/api/"
    database_url: str = DEFAULT_DATABASE_URL
    port: int = 3000
    public_url: str | None = None
    scheduler_interval: float = 30.0
    sending_window: SendingWindow = field(default_factory=lambda: SendingWindow.parse("08:00-18:00"))
    # Outbound pacing (messages per minute for chat.postMessage, workspace-wide).
    slack_post_per_minute: int = 300
    slack_update_per_minute: int = 50
    dispatch_concurrency: int = 8
    # Finish the listener before answering Slack's HTTP request (FaaS hosts; the tests).
    slack_process_before_response: bool = False
    # Freeze the clock at this moment (ISO 8601 with offset): for tests and demos only.
    frozen_now: datetime | None = None
    teams_app_id: str | None = None
    teams_app_password: str | None = None
    teams_tenant_id: str | None = None
    teams_anonymous: bool = False
    # A PFX certificate instead of the password (MSAL certificate credentials).
    teams_certificate_file: str | None = None
    # Where proactive messages go when a conversation's own serviceUrl is not known yet.
    teams_service_url: str = "https://smba.trafficmanager.net/teams/"
    # Signs the personal links in e-mails (bot.web.links).
    secret_key: str | None = None
    # E-mail (bot.mail): outgoing SMTP, the sender, replies, pacing; IMAP for calendar replies.
    smtp: "MailServer | None" = None
    mail_from: str | None = None
    mail_reply_to: str | None = None
    mail_per_minute: int = 60
    imap_url: "MailServer | None" = None

    @property
    def mail_configured(self) -> bool:
        """E-mail is a channel: an SMTP server and a sender are set."""
        return self.smtp is not None and bool(self.mail_from)
    # Slack's Tier 3 look-ups per minute, each method paced on its own: users.lookupByEmail
    # (the importer's and the bot's e-mail look-ups) and conversations.open / .history
    # (the checks "was this message already sent?" before a message in doubt is sent again).
    slack_lookup_per_minute: int = 50
    # Seconds to wait for Slack's answer; no answer in time is an unknown outcome.
    slack_timeout: float = 10.0

    @property
    def teams_configured(self) -> bool:
        """Teams is served at /api/messages: with an app id, or anonymously for local tests."""
        return bool(self.teams_app_id) or self.teams_anonymous

    @property
    def slack_configured(self) -> bool:
        return bool(self.slack_bot_token and self.slack_signing_secret)

    def missing_slack_settings(self) -> list[str]:
        missing = []
        if not self.slack_bot_token:
            missing.append("SLACK_BOT_TOKEN")
        if not self.slack_signing_secret and not self.slack_app_token:
            missing.append("SLACK_SIGNING_SECRET")
        return missing

    @property
    def async_database_url(self) -> str:
        return to_async_url(self.database_url)

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")


def to_async_url(url: str) -> str:
    """Map a plain database URL to the async driver SQLAlchemy needs."""
    if url.startswith("sqlite:"):
        return "sqlite+aiosqlite:" + url[len("sqlite:"):]
    for prefix in ("postgresql+psycopg2:", "postgresql:", "postgres:"):
        if url.startswith(prefix):
            return "postgresql+asyncpg:" + url[len(prefix):]
    return url


def _int(env: Mapping[str, str], name: str, default: int) -> int:
    raw = env.get(name)
    if raw in (None, ""):
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise SettingsError("not_whole_number", name=name, value=raw) from exc


def _port(env: Mapping[str, str]) -> int:
    port = _int(env, "PORT", 3000)
    if not 1 <= port <= 65535:
        raise SettingsError("not_a_port", name="PORT", value=env.get("PORT"))
    return port


def _float(env: Mapping[str, str], name: str, default: float) -> float:
    raw = env.get(name)
    if raw in (None, ""):
        return default
    try:
        value = float(raw)
    except ValueError as exc:
        raise SettingsError("not_seconds", name=name, value=raw) from exc
    if not value > 0 or value == float("inf"):
        raise SettingsError("not_positive", name=name, value=raw)
    return value


def _moment(env: Mapping[str, str], name: str) -> datetime | None:
    raw = env.get(name)
    if not raw:
        return None
    try:
        value = datetime.fromisoformat(raw)
    except ValueError as exc:
        raise SettingsError("not_a_moment", name=name, value=raw) from exc
    if value.tzinfo is None:
        raise SettingsError("moment_without_offset", name=name, value=raw)
    return value


@dataclass(frozen=True)
class MailServer:
    """An SMTP_URL or IMAP_URL taken apart: ``smtp://user:pass@host:587`` (STARTTLS),
    ``smtps://...:465`` (TLS from the start), ``imaps://user:pass@host/INBOX``."""

    scheme: str
    host: str
    port: int
    username: str | None = None
    password: str | None = None
    path: str = ""

    @property
    def implicit_tls(self) -> bool:
        return self.scheme in ("smtps", "imaps")

    def __repr__(self) -> str:  # never the password in a log line
        return f"MailServer({self.scheme}://{self.username + '@' if self.username else ''}{self.host}:{self.port}{self.path})"


_MAIL_PORTS = {"smtp": 587, "smtps": 465, "imap": 143, "imaps": 993}


def mail_server(env: Mapping[str, str], name: str, schemes: tuple[str, ...]) -> MailServer | None:
    from urllib.parse import unquote, urlsplit

    raw = (env.get(name) or "").strip()
    if not raw:
        return None
    try:
        parts = urlsplit(raw)
        port = parts.port
    except ValueError as exc:
        raise SettingsError("mail_url", name=name, value=_hide_password(raw), schemes=" of ".join(schemes)) from exc
    if parts.scheme not in schemes or not parts.hostname:
        raise SettingsError("mail_url", name=name, value=_hide_password(raw), schemes=" of ".join(schemes))
    return MailServer(
        scheme=parts.scheme,
        host=parts.hostname,
        port=port or _MAIL_PORTS[parts.scheme],
        username=unquote(parts.username) if parts.username else None,
        password=unquote(parts.password) if parts.password else None,
        path=parts.path or "",
    )


def _hide_password(raw: str) -> str:
    import re

    return re.sub(r"(://[^:/@]*:)[^@/]*@", r"\1***@", raw)


def _address(env: Mapping[str, str], name: str) -> str | None:
    from email.utils import parseaddr

    raw = (env.get(name) or "").strip()
    if not raw:
        return None
    _, address = parseaddr(raw)
    if "@" not in address or any(c in raw for c in "\r\n"):
        raise SettingsError("mail_address", name=name, value=raw)
    return raw


def dotenv_path(cwd: Path | None = None) -> Path | None:
    """The ``.env`` the user means: the one in the current directory, else the checkout's."""
    for folder in (cwd or Path.cwd(), Path(__file__).resolve().parent.parent):
        candidate = folder / ".env"
        if candidate.is_file():
            return candidate
    return None


def load_settings(env: Mapping[str, str] | None = None, dotenv: bool = True) -> Settings:
    """Read settings; ``env`` defaults to ``os.environ`` after loading ``.env``."""
    if env is None:
        if dotenv:
            path = dotenv_path()
            if path is not None:
                load_dotenv(path, override=False)
        env = os.environ

    def get(name: str) -> str | None:
        value = env.get(name)
        return value.strip() if value and value.strip() else None

    try:
        window = SendingWindow.parse(env.get("QUIET_HOURS", "08:00-18:00"))
    except ValueError as exc:
        raise SettingsError("quiet_hours", name="QUIET_HOURS", value=env.get("QUIET_HOURS")) from exc
    if (env.get("QUIET_HOURS_HOLIDAYS") or "").strip().lower() in ("off", "false", "0", "no"):
        window = replace(window, holidays=False)  # Dutch public holidays count as working days
    api_url = get("SLACK_API_URL") or "https://slack.com/api/"
    if not api_url.endswith("/"):
        api_url += "/"
    public_url = get("PUBLIC_URL")
    # The Agents SDK's own names work too (CONNECTIONS__SERVICE_CONNECTION__SETTINGS__CLIENTID, ...).
    sdk = "CONNECTIONS__SERVICE_CONNECTION__SETTINGS__"
    teams_app_id = get("TEAMS_APP_ID") or get(sdk + "CLIENTID")
    teams_anonymous = (get("TEAMS_ANONYMOUS") or get(sdk + "ANONYMOUS_ALLOWED") or "").lower() in ("1", "true", "yes")
    if teams_anonymous and teams_app_id:
        raise SettingsError("teams_anonymous_with_app_id")
    teams_service_url = get("TEAMS_SERVICE_URL") or "https://smba.trafficmanager.net/teams/"
    if not teams_service_url.endswith("/"):
        teams_service_url += "/"
    return Settings(
        slack_bot_token=get("SLACK_BOT_TOKEN"),
        slack_signing_secret=get("SLACK_SIGNING_SECRET"),
        slack_app_token=get("SLACK_APP_TOKEN"),
        slack_api_url=api_url,
        database_url=get("DATABASE_URL") or DEFAULT_DATABASE_URL,
        port=_port(env),
        public_url=public_url.rstrip("/") if public_url else None,
        scheduler_interval=_float(env, "SCHEDULER_INTERVAL", 30.0),
        sending_window=window,
        slack_post_per_minute=_int(env, "SLACK_POST_PER_MINUTE", 300),
        slack_update_per_minute=_int(env, "SLACK_UPDATE_PER_MINUTE", 50),
        dispatch_concurrency=_int(env, "DISPATCH_CONCURRENCY", 8),
        slack_process_before_response=(get("SLACK_PROCESS_BEFORE_RESPONSE") or "").lower() in ("1", "true", "yes"),
        frozen_now=_moment(env, "DIALOOGBOT_NOW"),
        teams_app_id=teams_app_id,
        teams_app_password=get("TEAMS_APP_PASSWORD") or get(sdk + "CLIENTSECRET"),
        teams_tenant_id=get("TEAMS_TENANT_ID") or get(sdk + "TENANTID"),
        teams_anonymous=teams_anonymous,
        teams_certificate_file=get("TEAMS_CERTIFICATE_FILE") or get(sdk + "CERTPFXFILE"),
        teams_service_url=teams_service_url,
        secret_key=get("SECRET_KEY"),
        **_mail_settings(env),
        slack_lookup_per_minute=_int(env, "SLACK_LOOKUP_PER_MINUTE", 50),
        slack_timeout=_float(env, "SLACK_TIMEOUT", 10.0),
    )


def _mail_settings(env: Mapping[str, str]) -> dict:
    per_minute = _int(env, "MAIL_PER_MINUTE", 60)
    if per_minute <= 0:
        raise SettingsError("not_positive", name="MAIL_PER_MINUTE", value=env.get("MAIL_PER_MINUTE"))
    smtp = mail_server(env, "SMTP_URL", ("smtp", "smtps"))
    mail_from = _address(env, "MAIL_FROM")
    if smtp is not None and not mail_from:
        raise SettingsError("mail_from_missing")
    return {
        "smtp": smtp,
        "mail_from": mail_from,
        "mail_reply_to": _address(env, "MAIL_REPLY_TO"),
        "mail_per_minute": per_minute,
        "imap_url": mail_server(env, "IMAP_URL", ("imap", "imaps")),
    }
