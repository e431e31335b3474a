"""App Home and ``/dialoog mijn``: what waits for a person, within a block budget
(100 for Home, 50 for a message), summarising the rest as "and N more"."""

from __future__ import annotations

from datetime import date, datetime
from typing import Callable

from bot.formatting import format_date, format_datetime
from bot.i18n import Translator
from bot.slack.blocks.commitments import commitment_buttons
from bot.slack.blocks.common import Blocks, button, context, header, lines_within, message, section, when
from bot.slack.blocks.evaluations import open_actions
from bot.slack.blocks.invitations import rsvp_buttons
from bot.slack.blocks.memos import read_actions
from bot.slack.blocks.signoff import decision_actions
from bot.slack.ids import Action, Block


def _evaluation(item: dict, tr: Translator) -> Blocks:
    closes = format_datetime(datetime.fromisoformat(item["closes"]), item["timezone"], tr.lang)
    return [section(tr("home.evaluation_line", title=item["title"], closes=closes)), open_actions(tr, item, f"{Block.EVAL_PROMPT}:{item['prompt_id']}")]


def _memo(item: dict, tr: Translator) -> Blocks:
    return [section(tr("home.memo_line", title=item["title"], author=item["author"], trajectory=item["trajectory"])),
            read_actions(tr, item, f"{Block.MEMO}:{item['recipient_id']}")]


def _signoff(item: dict, tr: Translator) -> Blocks:
    deadline = format_date(date.fromisoformat(item["deadline"]), tr.lang)
    return [section(tr("home.signoff_line", title=item["title"], organisation=item["organisation"], deadline=deadline)),
            decision_actions(tr, item, f"{Block.SIGN}:{item['request_id']}")]


# The things that wait for an answer: (view-model list, heading and "more" keys, two blocks per item).
WAITING: list[tuple[str, Callable[[dict, Translator], Blocks]]] = [("evaluations", _evaluation), ("memos", _memo), ("signoffs", _signoff)]


def todo_blocks(vm: dict, tr: Translator, per_kind: int) -> Blocks:
    """Open evaluations, unread memos, sign-off requests: a heading only when there are
    any; at most ``per_kind`` of each (1 + 2 * per_kind + 1 blocks a kind)."""
    blocks: Blocks = []
    for kind, render in WAITING:
        items = vm.get(kind) or []
        if not items:
            continue
        blocks.append(section(tr(f"home.{kind}")))
        for item in items[:per_kind]:
            blocks.extend(render(item, tr))
        more = len(items) - per_kind + vm.get(f"{kind}_more", 0)
        if more > 0:
            blocks.append(context(tr(f"home.{kind}_more", count=more)))
    return blocks


def overview_blocks(vm: dict, tr: Translator, budget: int) -> Blocks:
    """Evaluations, memos and sign-off requests (2 blocks each, a few of each kind),
    commitments (2 each), sessions (2 each), trekker glance (≤ 5 per trajectory)."""
    glance_cost = 5 * len(vm["trekker"][:3]) + (1 if len(vm["trekker"]) > 3 else 0)
    todo = todo_blocks(vm, tr, per_kind=max(1, budget // 25))
    room = budget - glance_cost - len(todo) - 8  # headings, notices and "more" lines
    commitment_room = min(len(vm["commitments"]), max(0, room // 2 - min(len(vm["sessions"]), room // 4)))
    session_room = min(len(vm["sessions"]), max(0, (room - 2 * commitment_room) // 2))

    blocks: Blocks = []
    if vm.get("notice"):
        blocks.append(section(vm["notice"]))
    blocks.extend(todo)
    blocks.append(section(tr("home.commitments")))
    if not vm["commitments"]:
        blocks.append(context(tr("home.no_commitments")))
    for item in vm["commitments"][:commitment_room]:
        status = tr(f"commitment.status.{item['status']}")
        due = format_date(date.fromisoformat(item["due"]), tr.lang)
        blocks.append(section(tr("home.commitment_line", organisation=item["organisation"], due=due, status=status, description=item["description"])))
        blocks.append(commitment_buttons(tr, item, f"{Block.COMMITMENT}:{item['commitment_id']}"))
    more = len(vm["commitments"]) - commitment_room + vm.get("commitments_more", 0)
    if more > 0:
        blocks.append(context(tr("home.commitments_more", count=more)))

    blocks.append(section(tr("home.sessions")))
    if not vm["sessions"]:
        blocks.append(context(tr("home.no_sessions")))
    for item in vm["sessions"][:session_room]:
        status = tr(f"rsvp.status.{item['status']}")
        blocks.append(section(tr("home.session_line", title=item["title"], when=when(item, tr.lang), status=status)))
        blocks.append(rsvp_buttons(tr, item, f"{Block.RSVP}:{item['invitation_id']}"))
    more = len(vm["sessions"]) - session_room + vm.get("sessions_more", 0)
    if more > 0:
        blocks.append(context(tr("home.more", count=more)))

    for glance in vm["trekker"][:3]:
        blocks.extend(glance_blocks(glance, tr))
    if len(vm["trekker"]) > 3:
        blocks.append(context(tr("home.more", count=len(vm["trekker"]) - 3)))
    return blocks[:budget]


def glance_blocks(glance: dict, tr: Translator) -> Blocks:
    blocks: Blocks = [header(tr("home.glance_header", title=glance["title"]))]
    lines = [tr("home.glance_sessions")]
    for item in glance["sessions"]:
        c = item["counts"]
        lines.append(tr("home.glance_session_line", title=item["title"], when=when(item, tr.lang), yes=c["yes"], maybe=c["maybe"], no=c["no"], pending=c["pending"]))
    if not glance["sessions"]:
        lines.append(tr("home.glance_no_sessions"))
    elif glance.get("sessions_more"):
        lines.append(tr("home.more", count=glance["sessions_more"]))
    blocks.append(section(lines_within(lines, tr, "home.more")))
    lines = [tr("home.glance_commitments")]
    lines += [tr("home.glance_org_line", **org) for org in glance["organisations"]]
    if not glance["organisations"]:
        lines.append(tr("home.glance_no_commitments"))
    blocks.append(section(lines_within(lines, tr, "home.commitments_more")))
    blocks.append(
        {
            "type": "actions",
            "block_id": f"round:{glance['trajectory_id']}",
            "elements": [button(tr("home.round_button"), Action.COMMIT_ROUND, str(glance["trajectory_id"]))],
        }
    )
    return blocks


def home_view(vm: dict, tr: Translator) -> dict:
    blocks = [header(tr("home.header"))] + overview_blocks(vm, tr, 99)
    return {"type": "home", "blocks": blocks[:100]}


def mine_message(vm: dict, tr: Translator) -> dict:
    blocks = [header(tr("home.mine_header"))] + overview_blocks(vm, tr, 49)
    return message(tr("home.mine_header"), blocks[:50])
