"""The phase-status summary for the Teams channel, the phase announcement, and the
"next phase" confirmation form, as Adaptive Cards."""

from __future__ import annotations

from datetime import date, datetime

from bot.formatting import format_date
from bot.i18n import Raw, Translator
from bot.lines import ambassadors_several, attendance_line, engagement_lines
from bot.interactions.codec import as_data
from bot.limits import NOTE_LIMIT
from bot.teams.cards.common import button, card, choice_input, heading, listing, message, note, separator, text, text_input, when, with_errors
from bot.teams.ids import Verb

ORGANISATION_LINES = 15


def percent(tr: Translator, value: float | None) -> str:
    return tr("summary.percent", value=round(value * 100)) if value is not None else tr("summary.unknown")


def _concern(org: dict) -> int:
    return org["overdue"] * 4 + org["blocked"] * 3 + org["open"] + org["busy"]


def summary(vm: dict, tr: Translator) -> dict:
    body = heading(tr("summary.header", trajectory=vm["trajectory"]))
    phase = vm["phase"]
    lines = [tr("summary.phase", number=phase["number"], name=phase["name"])]
    if phase["starting_point"]:
        lines.append(tr("summary.phase_from", text=phase["starting_point"]))
    if phase["result"]:
        lines.append(tr("summary.phase_to", text=phase["result"]))
    body += text("\n".join(lines))

    progress = [tr("summary.progress", held=vm["sessions_held"], planned=vm["sessions_planned"])]
    nxt = vm["next_session"]
    buttons = []
    if nxt:
        c = nxt["counts"]
        progress.append(tr("summary.next_session", title=nxt["title"], when=when(nxt, tr.lang), yes=c["yes"], maybe=c["maybe"], no=c["no"], pending=c["pending"]))
        if not nxt["invited"]:
            progress.append(tr("summary.next_not_invited"))
        elif nxt["organisations_missing"]:
            progress.append(tr("summary.next_missing", names=Raw(listing(tr, nxt["organisations_missing"], 20))))
        if nxt["invited"] and c["pending"]:
            buttons.append(button(tr("summary.button_remind"), Verb.SUMMARY_REMIND, {"session_id": nxt["id"]}))
    else:
        progress.append(tr("summary.no_next_session"))
    body += separator(text("\n".join(progress)))
    came = attendance_line(tr, vm)
    if came:
        body += text(came)

    ev = vm["last_evaluation"]
    if ev:
        if ev["average"] is None:
            average = tr("summary.unknown")
        else:
            average = f"{ev['average']:.1f}".replace(".", "," if tr.lang == "nl" else ".")
        body += text(tr("summary.evaluation", title=ev["title"], rate=percent(tr, ev["response_rate"]), average=average, goals=percent(tr, ev["goals_met"])))
    else:
        body += note(tr("summary.no_evaluation"))

    organisations = sorted(vm["organisations"], key=lambda o: (-_concern(o), o["name"]))
    if organisations:
        lines = [tr("summary.commitments", rate=percent(tr, vm["follow_through"]))]
        lines += [tr("summary.commitment_line", **org) for org in organisations[:ORGANISATION_LINES]]
        if len(organisations) > ORGANISATION_LINES:
            lines.append(tr("summary.more_organisations", count=len(organisations) - ORGANISATION_LINES))
        body += separator(text("\n".join(lines)))
    else:
        body += note(tr("summary.no_commitments"))
    buttons.append(button(tr("summary.button_round"), Verb.COMMIT_ROUND, {"trajectory_id": vm["trajectory_id"]}))

    if vm["memos"]:
        body += text(tr("summary.memos", lines="; ".join(tr("summary.memo_line", **m) for m in vm["memos"])))
    else:
        body += note(tr("summary.no_memos"))
    involved = engagement_lines(tr, vm)
    if involved:
        body += text("\n".join(involved))
    found = vm.get("ambassadors") or {}
    if found.get("missing"):
        body += text(tr("summary.ambassador_missing", names=Raw(listing(tr, found["missing"], 20)), count=len(found["missing"])))
    several = ambassadors_several(tr, vm)
    if several:
        body += text("\n".join(several))
    if vm["undelivered"]["count"]:
        body += text(tr("summary.undelivered", count=vm["undelivered"]["count"], names=", ".join(vm["undelivered"]["names"])))
    signoff = vm.get("signoff")
    if signoff:
        deadline = format_date(date.fromisoformat(signoff["deadline"]), tr.lang)
        body += text(tr("summary.signoff", title=signoff["title"], agreed=signoff["agreed"], declined=signoff["declined"], expected=signoff["expected"], deadline=deadline))
    elif phase["number"] == 3:
        body += note(tr("summary.no_signoff"))
    if vm["transitions"]:
        lines = "; ".join(
            tr("summary.transition_line", from_phase=x["from"], to_phase=x["to"], date=format_date(datetime.fromisoformat(x["at"]).date(), tr.lang), reached=tr(f"summary.reached.{x['reached']}"))
            for x in vm["transitions"][-5:]
        )
        body += note(tr("summary.transitions", lines=lines))
    return message(tr("summary.notification", trajectory=vm["trajectory"]), body, buttons)


def phase_announcement(vm: dict, tr: Translator) -> dict:
    current, to = vm["current"], vm["to"]
    reached = tr(f"phase.announcement_reached.{vm['reached']}")
    body = heading(tr("phase.announcement_header", name=to["name"] or str(to["number"])))
    body += text(tr("phase.announcement_done", number=current["number"], name=current["name"], reached=reached, result=current["result"]))
    if vm.get("note"):
        body += text(tr("phase.announcement_note", actor=vm["actor"], note=vm["note"]))
    body += separator(text(tr("phase.announcement_next", **to)))
    return message(tr("phase.announcement_header", name=to["name"] or str(to["number"])), body)


def channel_blocked(vm: dict, tr: Translator) -> dict:
    """To a trekker: the Slack status channel refused the bot (not in it, or not found)."""
    line = tr(f"summary.channel_blocked.{vm['error']}", trajectory=vm["trajectory"], channel=vm["channel"])
    return message(line, text(line))


def mail_undeliverable(vm: dict, tr: Translator) -> dict:
    """To a trekker: a mail to someone was refused by the mail server (5xx)."""
    line = tr("mail.undeliverable", name=vm["name"], email=vm["email"], error=vm["error"], trajectory=vm["trajectory"])
    return message(line, text(line))


BUILDERS = {"summary": summary, "phase_announcement": phase_announcement, "channel_blocked": channel_blocked, "mail_undeliverable": mail_undeliverable}


class PhaseInput:
    REACHED = "phase_reached"
    NOTE = "phase_note"


def phase_form(vm: dict, tr: Translator, errors: dict[str, str] | None = None) -> dict:
    """``fase <n>``: the current phase's result, the next phase, "reached?" and a note.
    ``vm``: ``bot.interactions.phases.open_move`` (``form`` is the PhaseForm it carries)."""
    current, to = vm["current"], vm["to"]
    values = vm.get("values") or {}
    body = heading(tr("phase.modal.title", number=to["number"]))
    body += text(tr("phase.modal.current", **current)) + separator(text(tr("phase.modal.next", **to)))
    options = [(tr(f"phase.reached.{key}"), key) for key in ("yes", "partly", "no")]
    body.append(choice_input(PhaseInput.REACHED, tr("phase.modal.reached", number=current["number"]), options, expanded=True,
                             value=values.get(PhaseInput.REACHED), error_message=tr("phase.errors.reached")))
    body.append(text_input(PhaseInput.NOTE, tr("phase.modal.note"), max_length=NOTE_LIMIT, value=values.get(PhaseInput.NOTE),
                           error_message=tr("phase.errors.note_long", limit=NOTE_LIMIT)))
    body = with_errors(body, errors or {})
    return card(body, [button(tr("phase.modal.submit"), Verb.PHASE_SUBMIT, as_data(vm["form"]), "positive")])
