"""The phase-status summary message: one screen, under 50 blocks however large
the trajectory; lists are cut with "and N more"."""

from __future__ import annotations

from datetime import date, datetime

from bot.formatting import format_date
from bot.i18n import Translator
from bot.lines import ambassadors_several, attendance_line, engagement_lines
from bot.slack.blocks.common import Blocks, button, context, header, lines_within, listing, message, section, when
from bot.slack.ids import Action, Block

ORGANISATION_LINES = 15


def percent(tr: Translator, value: float | None) -> str:
    return tr("summary.percent", value=round(value * 100)) if value is not None else tr("summary.unknown")


def _concern(org: dict) -> int:
    return org["overdue"] * 4 + org["blocked"] * 3 + org["open"] + org["busy"]


def summary(vm: dict, tr: Translator) -> dict:
    blocks: Blocks = [header(tr("summary.header", trajectory=vm["trajectory"]))]
    phase = vm["phase"]
    phase_lines = [tr("summary.phase", number=phase["number"], name=phase["name"])]
    if phase["starting_point"]:
        phase_lines.append(tr("summary.phase_from", text=phase["starting_point"]))
    if phase["result"]:
        phase_lines.append(tr("summary.phase_to", text=phase["result"]))
    blocks.append(section(lines_within(phase_lines, tr, "summary.and_more")))

    progress = [tr("summary.progress", held=vm["sessions_held"], planned=vm["sessions_planned"])]
    nxt = vm["next_session"]
    remind = None
    if nxt:
        c = nxt["counts"]
        progress.append(tr("summary.next_session", title=nxt["title"], when=when(nxt, tr.lang), yes=c["yes"], maybe=c["maybe"], no=c["no"], pending=c["pending"]))
        if not nxt["invited"]:
            progress.append(tr("summary.next_not_invited"))
        elif nxt["organisations_missing"]:
            progress.append(tr("summary.next_missing", names=listing(tr, nxt["organisations_missing"], 20)))
        if nxt["invited"] and c["pending"]:
            remind = button(tr("summary.button_remind"), Action.SUMMARY_REMIND, str(nxt["id"]))
    else:
        progress.append(tr("summary.no_next_session"))
    blocks.append(section(lines_within(progress, tr, "summary.and_more")))
    came = attendance_line(tr, vm)
    if came:
        blocks.append(section(came))

    ev = vm["last_evaluation"]
    if ev:
        average = f"{ev['average']:.1f}".replace(".", ",") if ev["average"] is not None and tr.lang == "nl" else (f"{ev['average']:.1f}" if ev["average"] is not None else tr("summary.unknown"))
        blocks.append(section(tr("summary.evaluation", title=ev["title"], rate=percent(tr, ev["response_rate"]), average=average, goals=percent(tr, ev["goals_met"]))))
    else:
        blocks.append(context(tr("summary.no_evaluation")))

    organisations = sorted(vm["organisations"], key=lambda o: (-_concern(o), o["name"]))
    if organisations:
        lines = [tr("summary.commitments", rate=percent(tr, vm["follow_through"]))]
        lines += [tr("summary.commitment_line", **org) for org in organisations[:ORGANISATION_LINES]]
        if len(organisations) > ORGANISATION_LINES:
            lines.append(tr("summary.more_organisations", count=len(organisations) - ORGANISATION_LINES))
        blocks.append(section(lines_within(lines, tr, "summary.and_more")))
    else:
        blocks.append(context(tr("summary.no_commitments")))
    buttons = [b for b in (remind, button(tr("summary.button_round"), Action.COMMIT_ROUND, str(vm["trajectory_id"]))) if b]
    blocks.append({"type": "actions", "block_id": Block.SUMMARY, "elements": buttons})

    if vm["memos"]:
        memo_lines = "; ".join(tr("summary.memo_line", **m) for m in vm["memos"])
        blocks.append(section(tr("summary.memos", lines=memo_lines)))
    else:
        blocks.append(context(tr("summary.no_memos")))
    involved = engagement_lines(tr, vm)
    if involved:
        blocks.append(section(lines_within(involved, tr, "summary.and_more")))
    for line in ambassador_lines(vm, tr):
        blocks.append(section(line))
    if vm["undelivered"]["count"]:
        blocks.append(section(tr("summary.undelivered", count=vm["undelivered"]["count"], names=", ".join(vm["undelivered"]["names"]))))
    signoff = vm["signoff"]
    if signoff:
        deadline = format_date(date.fromisoformat(signoff["deadline"]), tr.lang)
        blocks.append(section(tr("summary.signoff", title=signoff["title"], agreed=signoff["agreed"], declined=signoff["declined"], expected=signoff["expected"], deadline=deadline)))
    elif phase["number"] == 3:
        blocks.append(context(tr("summary.no_signoff")))
    if vm["transitions"]:
        lines = "; ".join(
            tr("summary.transition_line", from_phase=x["from"], to_phase=x["to"], date=format_date(datetime.fromisoformat(x["at"]).date(), tr.lang), reached=tr(f"summary.reached.{x['reached']}"))
            for x in vm["transitions"][-5:]
        )
        blocks.append(context(tr("summary.transitions", lines=lines)))
    return message(tr("summary.notification", trajectory=vm["trajectory"]), blocks)


def ambassador_lines(vm: dict, tr: Translator) -> list[str]:
    """Organisations without an ambassador, and those with more than one (services.ambassadors):
    at most two sections, however many organisations there are."""
    found = vm.get("ambassadors") or {}
    lines = [tr("summary.ambassador_missing", names=listing(tr, found["missing"], 20), count=len(found["missing"]))] if found.get("missing") else []
    several = ambassadors_several(tr, vm)
    return lines + (["\n".join(several)] if several else [])


def channel_blocked(vm: dict, tr: Translator) -> dict:
    """To a trekker: the status channel refused the bot (not in it, or not found)."""
    line = tr(f"summary.channel_blocked.{vm['error']}", trajectory=vm["trajectory"], channel=vm["channel"])
    return message(line, [section(line)])


def mail_undeliverable(vm: dict, tr: Translator) -> dict:
    """To a trekker: a mail to someone was refused by the mail server (5xx)."""
    line = tr("mail.undeliverable", name=vm["name"], email=vm["email"], error=vm["error"], trajectory=vm["trajectory"])
    return message(line, [section(line)])


BUILDERS = {"summary": summary, "channel_blocked": channel_blocked, "mail_undeliverable": mail_undeliverable}
