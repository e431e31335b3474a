"""``mijn`` in Teams: what waits for a person, as one card in the personal chat (the
App Home of Slack).  Teams refuses messages over about 28 KB, so the card shows the
first few items with their buttons and says how many more there are."""

from __future__ import annotations

from datetime import date

from bot.formatting import format_date
from bot.i18n import Translator
from bot.teams.cards.commitments import commitment_buttons
from bot.teams.cards.common import Element, actions, button, card, heading, note, separator, text, when
from bot.teams.cards.invitations import rsvp_buttons
from bot.teams.ids import ORIGIN_MINE, Verb

MAX_COMMITMENTS = 6
MAX_SESSIONS = 6
MAX_GLANCES = 2


def overview_card(vm: dict, tr: Translator) -> dict:
    body: list[Element] = heading(tr("home.mine_header"))
    if vm.get("notice"):
        body += text(vm["notice"])

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
