"""Text lines that Slack blocks and Teams cards both show, built from a view-model.

Only the layout differs per platform; the words are the same.  Each function takes
the platform's Translator (which escapes user text for that platform).
"""

from __future__ import annotations

from datetime import date, datetime

from bot.formatting import format_date, format_datetime, format_period
from bot.i18n import Raw, Translator


def when(vm: dict, lang: str) -> str:
    """A session's date and time the Dutch (or English) way, in its timezone."""
    return format_period(datetime.fromisoformat(vm["starts"]), datetime.fromisoformat(vm["ends"]), vm["timezone"], lang)


def day(value: str, lang: str) -> str:
    return format_date(date.fromisoformat(value), lang)


def session_facts(tr: Translator, vm: dict) -> list[str]:
    """When, where, phase and invited organisations of a session."""
    lines = [tr("invite.when", when=when(vm, tr.lang))]
    lines.append(tr("invite.where", location=vm["location"]) if vm.get("location") else tr("invite.no_location"))
    if vm.get("phase"):
        lines.append(tr("invite.phase", number=vm["phase"]["number"], name=vm["phase"]["name"]))
    if vm.get("organisations"):
        names = ", ".join(tr.escape(name) for name in vm["organisations"])
        if vm.get("organisations_more"):  # rows queued before the cut have every name and no count
            names += ", " + tr("command.status.and_more", count=vm["organisations_more"])
        lines.append(tr("invite.organisations", names=Raw(names)))
    return lines


def commitment_status(tr: Translator, vm: dict) -> str:
    return tr(f"commitment.status.{vm['status']}")


def commitment_facts(tr: Translator, vm: dict) -> str:
    """Due date, organisation, owner, status (and snooze date, last note) of a commitment."""
    lines = [
        tr("commitment.due", due=day(vm["due"], tr.lang)),
        tr("commitment.organisation", organisation=vm["organisation"]),
        tr("commitment.owner", owner=vm["owner"]),
        tr("commitment.current", status=commitment_status(tr, vm)),
    ]
    if vm.get("snoozed_until"):
        lines.append(tr("commitment.snoozed_until", date=day(vm["snoozed_until"], tr.lang)))
    if vm.get("last_note"):
        lines.append(tr("commitment.last_note", note=vm["last_note"]))
    return "\n".join(lines)


def escalation_groups(tr: Translator, vm: dict, limit: int = 40) -> tuple[list[str], int]:
    """One text per organisation listing its overdue commitments (at most ``limit``
    in all); returns the texts and how many were left out."""
    groups: list[str] = []
    shown = total = 0
    for group in vm["groups"]:
        lines = [tr("commitment.escalation_org", organisation=group["organisation"])]
        for item in group["items"]:
            total += 1
            if shown >= limit:
                continue
            shown += 1
            note = Raw(tr("commitment.escalation_note", note=item["last_note"])) if item.get("last_note") else Raw("")
            lines.append(
                tr(
                    "commitment.escalation_item",
                    description=item["description"],
                    owner=item["owner"],
                    due=day(item["due"], tr.lang),
                    status=commitment_status(tr, item),
                    note=note,
                )
            )
        if len(lines) > 1:
            groups.append("\n".join(lines))
    return groups, total - shown


def round_lines(tr: Translator, done) -> list[str]:
    """The report of a commitment reminder round (``bot.interactions.commitments.Round``)."""
    out = [tr("commitment.round_done", trajectory=done.trajectory, sent=done.sent)]
    if done.already_today or done.snoozed or done.unreachable:
        out.append(tr("commitment.round_skipped", already=done.already_today, snoozed=done.snoozed, unreachable=done.unreachable))
    if done.send_at is not None:
        out.append(tr("commitment.round_later", when=format_datetime(done.send_at, done.timezone, tr.lang)))
    return out


def commitment_added(tr: Translator, c) -> str:
    """The confirmation after a new commitment was recorded."""
    return tr("commitment.added", organisation=c.organisation.name, owner=c.owner.name, due=format_date(c.due, tr.lang))


def summary_posted(tr: Translator, done) -> str:
    """``status`` posted the summary (``bot.interactions.summary.Posted``)."""
    if done.send_at is not None:
        return tr("summary.posted_later", channels=done.channels, when=format_datetime(done.send_at, done.timezone, tr.lang))
    return tr("summary.posted", channels=done.channels)


def reminded(tr: Translator, done) -> str:
    """The summary's remind button (``bot.interactions.summary.Reminded``)."""
    key = "command.remind_done" if done.sent else ("command.remind_already" if done.already_today else "command.remind_none")
    return tr(key, title=done.title, count=done.sent or done.already_today)


def phase_moved(tr: Translator, done) -> str:
    """The trajectory moved to another phase (``bot.interactions.phases.Moved``)."""
    if done.channels:
        return tr("phase.moved", trajectory=done.trajectory, number=done.number, channels=done.channels)
    return tr("phase.moved_no_channel", trajectory=done.trajectory, number=done.number)


def signoff_started(tr: Translator, done) -> str:
    """A sign-off round was started (``bot.interactions.signoff.Started``)."""
    out = [tr("signoff.started", title=done.title, organisations=done.organisations, sent=done.sent)]
    if done.unreachable:
        out.append(tr("signoff.started_unreachable", names=", ".join(done.unreachable)))
    if done.without_signer:
        out.append(tr("signoff.started_without", names=", ".join(done.without_signer)))
    return "\n".join(out)


def prompted_lines(tr: Translator, done) -> list[str]:
    """The answer to ``evaluatie <sessie>``: how many were asked (``interactions.evaluations.Prompted``)."""
    if done.sent == 0 and done.already == 0:
        out = [tr("evaluation.command.nobody", title=done.title)]
    else:
        closes = format_datetime(done.closes, done.timezone, tr.lang)
        out = [tr("evaluation.command.sent", title=done.title, sent=done.sent, already=done.already, closes=closes)]
    if done.unreachable:
        out.append(tr("command.unreachable", names=", ".join(done.unreachable)))
    if done.send_at is not None:
        out.append(tr("command.invite_later", when=format_datetime(done.send_at, done.timezone, tr.lang)))
    return out


def reached(tr: Translator, counts) -> list[str]:
    """Where the messages just sent went ("2 via Slack, 3 per e-mail"), when e-mail is
    one of them: the trekker sees who is reached where.  ``counts``: (platform, n) pairs."""
    counts = dict(counts)
    if not counts.get("email"):
        return []
    parts = [f"{counts[p]} {tr(f'mail.reached.{p}')}" for p in ("slack", "teams", "email") if counts.get(p)]
    return [tr("command.reached", where=", ".join(parts))]


def engagement_lines(tr: Translator, vm: dict) -> list[str]:
    """"Betrokken houden" (services.engagement): who has not reacted for 30 days and to
    what, and which organisations are new.  Old rows without ``engagement``: names only."""
    found = vm.get("engagement")
    if found is None:
        names = vm.get("keep_involved") or []
        return [tr("summary.keep_involved", names=", ".join(names), count=len(names))] if names else []
    lines = []
    if found["waiting"]:
        total = found.get("waiting_count", len(found["waiting"]))  # rows from before the cut hold every one
        lines.append(tr("summary.keep_involved_header", count=total))
        for org in found["waiting"]:
            items = "; ".join(tr(f"summary.waiting.{x['kind']}", title=x["title"]) for x in org["items"][:5])
            more = org.get("more", 0) + len(org["items"][5:])
            if more > 0:
                items += "; " + tr("summary.and_more", count=more)
            lines.append(tr("summary.keep_involved_line", name=org["name"], items=Raw(items)))
        if total > len(found["waiting"]):
            lines.append(tr("summary.more_waiting", count=total - len(found["waiting"])))
    if found["new"]:
        lines.append(tr("summary.keep_involved_new", names=", ".join(found["new"]), count=len(found["new"])))
    return lines


def ambassadors_several(tr: Translator, vm: dict, limit: int = 5) -> list[str]:
    """Organisations with more than one ambassador (services.ambassadors): the first
    ``limit``, then "and N more" (a province-wide trajectory may have hundreds)."""
    several = (vm.get("ambassadors") or {}).get("several", [])
    lines = [tr("summary.ambassador_several", **x) for x in several[:limit]]
    if len(several) > limit:
        lines.append(tr("summary.more_ambassadors", count=len(several) - limit))
    return lines


def attendance_line(tr: Translator, vm: dict) -> str | None:
    """Who came to the phase's sessions, where the trekker said so ("Wie was er?")."""
    found = vm.get("attendance") or []
    if not found:
        return None
    return tr("summary.attendance", lines=Raw("; ".join(tr("summary.attendance_line", **x) for x in found[-5:])))
def invite_report(tr: Translator, vm: dict, names: str) -> list[str]:
    """The trekker's report after a large invite (``invite_runs``); ``names``: the
    unreachable people, joined the platform's way."""
    from bot.formatting import format_count

    lines = []
    if vm.get("cancelled"):
        lines.append(tr("invite.report.cancelled"))
    lines.append(tr("invite.report.done", title=vm["title"], trajectory=vm["trajectory"], sent=format_count(vm["sent"], tr.lang)))
    if vm["failed"]:
        lines.append(tr("invite.report.failed", failed=vm["failed"], session_key=vm["session_key"]))
    if vm["unreachable"]:
        lines.append(tr("command.unreachable", names=names))
    return lines


def lookup_report(tr: Translator, vm: dict, names) -> list[str]:
    """The trekkers' message after the bot looked people up again (``bot.lookups``), in
    Slack or (``platform: teams``) in the team roster;
    ``names(list)``: the platform's way to join names."""
    base = "command.lookup_report_teams" if vm.get("platform") == "teams" else "command.lookup_report"
    lines = [tr(f"{base}.header", trajectory=vm["trajectory"])]
    for part in ("found", "not_found", "still"):
        if vm[part]:
            lines.append(tr(f"{base}.{part}", names=names(vm[part])))
    return lines


def closes(vm: dict, lang: str) -> str:
    """When an evaluation closes, in the session's timezone."""
    return format_datetime(datetime.fromisoformat(vm["closes"]), vm["timezone"], lang)


RESULT_TEXTS = 25  # text answers shown per question in the results message
RESULT_BAR = 10  # width of the bars in the results


def bar(count: int, top: int) -> str:
    filled = round(RESULT_BAR * count / top) if top else 0
    return "█" * filled + "░" * (RESULT_BAR - filled)


def result_lines(tr: Translator, q: dict, rating_row, clip: int | None = None) -> list[str]:
    """One question of an evaluation's results as lines: the title, then the average and a
    bar per rating value (``rating_row(value, bar, count)`` lays one out), a bar per option,
    or the text answers (each cut at ``clip`` characters when given)."""
    lines = [tr("evaluation.results.question", question=q["question"], count=q["count"])]
    if q["type"] == "rating":
        top = max((n for _, n in q["distribution"]), default=0)
        if q["average"] is not None:
            average = f"{q['average']:.1f}".replace(".", "," if tr.lang == "nl" else ".")
            lines.append(tr("evaluation.results.average", average=average, scale=q["scale"]))
        return lines + [rating_row(value, bar(n, top), n) for value, n in q["distribution"]]
    if q["type"] in ("choice", "multi"):
        top = max((n for _, n in q["options"]), default=0)
        return lines + [tr("evaluation.results.option", option=o, bar=bar(n, top), count=n) for o, n in q["options"]]
    answers = q.get("answers") or []
    if not answers:
        return lines + [tr("evaluation.results.no_texts")]
    for a in answers[:RESULT_TEXTS]:
        text = " ".join(a["text"].split())
        if clip and len(text) > clip:
            text = text[: clip - 1] + "…"
        if a.get("name"):
            lines.append(tr("evaluation.results.text_named", text=text, name=a["name"], organisation=a["organisation"]))
        else:
            lines.append(tr("evaluation.results.text", text=text))
    if len(answers) > RESULT_TEXTS:
        lines.append(tr("evaluation.results.more_texts", count=len(answers) - RESULT_TEXTS))
    return lines
