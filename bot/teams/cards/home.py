"""``mijn`` in Teams: what waits for a person, as one card in the personal chat (the
App Home of Slack).  Teams refuses messages over about 28 KB, so the card shows the
first few items with their buttons and says how many more there are."""

from __future__ import annotations

from datetime import date, datetime

from bot.formatting import format_date, format_datetime
from bot.i18n import Translator
from bot.teams.cards.commitments import commitment_buttons
from bot.teams.cards.common import Element, actions, button, card, heading, note, separator, text, when
from bot.teams.cards.evaluations import open_button
from bot.teams.cards.invitations import rsvp_buttons
from bot.teams.cards.memos import read_part
from bot.teams.cards.signoff import decision_buttons
from bot.teams.ids import ORIGIN_MINE, Verb

MAX_COMMITMENTS = 6
MAX_SESSIONS = 6
MAX_GLANCES = 2
MAX_WAITING = 3  # of each: open evaluations, unread memos, sign-off requests


def _evaluation(item: dict, tr: Translator) -> list[Element]:
    closes = format_datetime(datetime.fromisoformat(item["closes"]), item["timezone"], tr.lang)
    return text(tr("home.evaluation_line", title=item["title"], closes=closes), spacing="Medium") + [actions([open_button(tr, item)])]


def _memo(item: dict, tr: Translator) -> list[Element]:
    _, buttons = read_part(item, tr, "memo")
    return text(tr("home.memo_line", title=item["title"], author=item["author"], trajectory=item["trajectory"]), spacing="Medium") + [actions(buttons)]


def _signoff(item: dict, tr: Translator) -> list[Element]:
    deadline = format_date(date.fromisoformat(item["deadline"]), tr.lang)
    line = tr("home.signoff_line", title=item["title"], organisation=item["organisation"], deadline=deadline)
    return text(line, spacing="Medium") + [actions(decision_buttons(tr, item))]


WAITING = [("evaluations", _evaluation), ("memos", _memo), ("signoffs", _signoff)]


def todo_elements(vm: dict, tr: Translator) -> list[Element]:
    """Open evaluations, unread memos, sign-off requests, each with its own buttons; a
    heading only when there are any."""
    body: list[Element] = []
    for kind, render in WAITING:
        items = vm.get(kind) or []
        if not items:
            continue
        body += separator(text(tr(f"home.{kind}")))
        for item in items[:MAX_WAITING]:
            body += render(item, tr)
        more = len(items) - MAX_WAITING + vm.get(f"{kind}_more", 0)
        if more > 0:
            body += note(tr(f"home.{kind}_more", count=more))
    return body


def overview_card(vm: dict, tr: Translator) -> dict:
    body: list[Element] = heading(tr("home.mine_header"))
    if vm.get("notice"):
        body += text(vm["notice"])
    body += todo_elements(vm, tr)

    body += separator(text(tr("home.commitments")))
    if not vm["commitments"]:
        body += note(tr("home.no_commitments"))
    for item in vm["commitments"][:MAX_COMMITMENTS]:
        status = tr(f"commitment.status.{item['status']}")
        due = format_date(date.fromisoformat(item["due"]), tr.lang)
        body += text(tr("home.commitment_line", organisation=item["organisation"], due=due, status=status, description=item["description"]), spacing="Medium")
        body.append(actions(commitment_buttons(tr, item, ORIGIN_MINE)))
    more = len(vm["commitments"]) - MAX_COMMITMENTS + vm.get("commitments_more", 0)
    if more > 0:
        body += note(tr("home.commitments_more", count=more))

    body += separator(text(tr("home.sessions")))
    if not vm["sessions"]:
        body += note(tr("home.no_sessions"))
    for item in vm["sessions"][:MAX_SESSIONS]:
        status = tr(f"rsvp.status.{item['status']}")
        body += text(tr("home.session_line", title=item["title"], when=when(item, tr.lang), status=status), spacing="Medium")
        body.append(actions(rsvp_buttons(tr, item, ORIGIN_MINE)))
    more = len(vm["sessions"]) - MAX_SESSIONS + vm.get("sessions_more", 0)
    if more > 0:
        body += note(tr("home.more", count=more))

    for glance in vm["trekker"][:MAX_GLANCES]:
        body += glance_elements(glance, tr)
    if len(vm["trekker"]) > MAX_GLANCES:
        body += note(tr("home.more", count=len(vm["trekker"]) - MAX_GLANCES))
    return card(body)


def glance_elements(glance: dict, tr: Translator) -> list[Element]:
    body = separator(heading(tr("home.glance_header", title=glance["title"])))
    lines = [tr("home.glance_sessions")]
    for item in glance["sessions"]:
        c = item["counts"]
        lines.append(tr("home.glance_session_line", title=item["title"], when=when(item, tr.lang), yes=c["yes"], maybe=c["maybe"], no=c["no"], pending=c["pending"]))
    if not glance["sessions"]:
        lines.append(tr("home.glance_no_sessions"))
    elif glance.get("sessions_more"):
        lines.append(tr("home.more", count=glance["sessions_more"]))
    body += text("\n".join(lines))
    lines = [tr("home.glance_commitments")]
    lines += [tr("home.glance_org_line", **org) for org in glance["organisations"][:20]]
    if not glance["organisations"]:
        lines.append(tr("home.glance_no_commitments"))
    body += text("\n".join(lines), spacing="Medium")
    body.append(actions([button(tr("home.round_button"), Verb.COMMIT_ROUND, {"trajectory_id": glance["trajectory_id"], "origin": ORIGIN_MINE})]))
    return body
