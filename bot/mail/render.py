"""An outbox message as a mail: subject, text/plain and text/html, rendered at send time
from the template's mail view (``bot.mail.views``) and the layout in ``templates/mail/``.

Each mail is in the person's language first and the other language second.  Buttons are
links to the person's own pages (``bot.web.links``); a button that preselects an answer
adds ``?choice=<value>`` (opening a link never records anything: the page does, on POST).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timezone
from functools import lru_cache

import jinja2
from markupsafe import Markup

from bot.chat import ChatError, OutMessage
from bot.i18n import LANGUAGES, TEMPLATES_DIR, normalise_language
from bot.mail import text as mailtext
from bot.mail.views import BUILDERS, Button, MailView
from bot.web.links import Grant, LinkSigner, expiry

SUBJECT_LIMIT = 150


@dataclass(frozen=True)
class RenderedMail:
    subject: str
    text: str
    html: str
    language: str


@lru_cache(maxsize=1)
def _env() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES_DIR / "mail"),
        autoescape=jinja2.select_autoescape(["html"]),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def view_of(message: OutMessage, lang: str) -> MailView:
    builder = BUILDERS.get(message.template)
    if builder is None:  # a message this version cannot mail: fail it visibly, do not retry
        raise ChatError(f"no_mail_view:{message.template}", permanent=True)
    return builder(message.data, mailtext.translator(lang))


def _anchor(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        moment = datetime.combine(date.fromisoformat(value), datetime.min.time())
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=timezone.utc)


@lru_cache(maxsize=64)
def _signed(links: LinkSigner, grant: Grant) -> str:
    """``links.url(grant)`` (deterministic): a mail's two language sections carry the same
    buttons, signed once instead of twice."""
    return links.url(grant)


def button_url(button: Button, person_id: int | None, links: LinkSigner | None, now: datetime) -> str | None:
    if button.url:
        return button.url
    if person_id is None or links is None or not links.public_url:
        return None
    url = _signed(links, Grant(person_id, button.purpose, button.record_id, expiry(_anchor(button.anchor), now)))
    return f"{url}?choice={button.choice}" if button.choice else url


def _section(view: MailView, lang: str, person_id: int | None, links: LinkSigner | None, now: datetime) -> dict:
    buttons = [(mailtext.plain(b.label), button_url(b, person_id, links, now)) for b in view.buttons]
    tr = mailtext.translator(lang)
    return {
        "lang": lang,
        "heading": mailtext.plain(view.heading),
        "paragraphs": [mailtext.to_text(p) for p in view.paragraphs],
        "html_paragraphs": [Markup(mailtext.to_html(p)) for p in view.paragraphs],
        "buttons": [(label, url) for label, url in buttons if url],
        "notes": [mailtext.to_text(n) for n in view.notes],
        "html_notes": [Markup(mailtext.to_html(n)) for n in view.notes],
        "links_hint": tr("mail.links_hint") if any(url for _, url in buttons) else None,
        "footer": tr("mail.greeting_footer"),
        "mine_hint": tr("mail.mine_hint"),
        "mine_label": tr("mail.mine"),
        "other_language": tr("mail.other_language"),
    }


def render(message: OutMessage, links: LinkSigner | None, now: datetime) -> RenderedMail:
    first = normalise_language(message.language)
    order = [first] + [lang for lang in LANGUAGES if lang != first]
    person_id = getattr(message, "person_id", None)
    views = [view_of(message, lang) for lang in order]
    sections = [_section(view, lang, person_id, links, now) for view, lang in zip(views, order)]
    mine = None
    if person_id is not None and links is not None and links.public_url:
        mine = _signed(links, Grant(person_id, "mine", None, expiry(None, now)))
    subject = mailtext.plain(views[0].subject)
    if len(subject) > SUBJECT_LIMIT:
        subject = subject[: SUBJECT_LIMIT - 1] + "…"
    env = _env()
    values = {"sections": sections, "mine": mine, "lang": first}
    return RenderedMail(
        subject=subject,
        text=env.get_template("layout.txt").render(**values),
        html=env.get_template("layout.html").render(**values),
        language=first,
    )


def render_file(title: str, comment: str | None, language: str, person_id: int | None, links: LinkSigner | None, now: datetime) -> RenderedMail:
    """A file sent by mail (an evaluation export): its title and comment, the file attached."""
    lang = normalise_language(language)
    view = MailView(mailtext.mark(title), mailtext.mark(title), [mailtext.mark(comment)] if comment else [])
    mine = links.url(Grant(person_id, "mine", None, expiry(None, now))) if person_id and links and links.public_url else None
    values = {"sections": [_section(view, lang, person_id, links, now)], "mine": mine, "lang": lang}
    env = _env()
    return RenderedMail(mailtext.plain(view.subject)[:SUBJECT_LIMIT], env.get_template("layout.txt").render(**values),
                        env.get_template("layout.html").render(**values), lang)
