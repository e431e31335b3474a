"""What the dashboard says after an action: the chat's texts (``bot.lines`` and the
``command.*`` / ``memo.*`` catalogs), parsing the memo form into the use case's Draft, and
the "Wie was er?" form of a session named by its key."""

from __future__ import annotations

from bot import lines
from bot.formatting import format_datetime
from bot.i18n import Translator
from bot.interactions import attendance as attendance_uc
from bot.services import directory
from bot.services.memo_drafts import Draft


def invited(tr: Translator, done) -> list[str]:
    out = [tr("command.invite_done", title=done.title, sent=done.sent, already=done.already)]
    if done.unreachable:
        out.append(tr("command.unreachable", names=", ".join(done.unreachable)))
    return out + _later(tr, done.send_at, done.timezone)


def reminded(tr: Translator, done) -> list[str]:
    if not done.invited:
        return [tr("dashboard.done.remind_not_invited", title=done.title)]
    if done.sent == 0 and done.already_today == 0:
        return [tr("command.remind_none", title=done.title)]
    if done.sent == 0:
        return [tr("command.remind_already", title=done.title, count=done.already_today)]
    return [tr("command.remind_done", title=done.title, count=done.sent)] + _later(tr, done.send_at, done.timezone)


def _later(tr: Translator, send_at, timezone: str) -> list[str]:
    return [tr("command.invite_later", when=format_datetime(send_at, timezone, tr.lang))] if send_at is not None else []


def commitment_added(tr: Translator, c) -> str:
    return lines.commitment_added(tr, c)


def memo_sent(tr: Translator, sent, now, timezone: str) -> list[str]:
    out = [tr("memo.sent.body", title=sent.memo.title, count=sent.sent)]
    if sent.unreachable:
        out.append(tr("command.unreachable", names=", ".join(sent.unreachable)))
    if sent.send_at is not None and sent.sent and sent.send_at > now:
        out.append(tr("memo.sent.later", when=format_datetime(sent.send_at, timezone, tr.lang)))
    return out


async def session_id(ctx, trajectory_id: int, key: str) -> int | None:
    async with ctx.db.sessionmaker() as s:
        found = await directory.session_by_key(s, trajectory_id, key) if key else None
    return found.id if found is not None else None


async def attendance_form(ctx, user, trajectory_id: int, key: str) -> dict:
    """"Wie was er?" for the session ``key`` of this trajectory (the use case refuses the
    rest), with the key for the form's hidden field."""
    vm = await attendance_uc.open_form(ctx, user, await session_id(ctx, trajectory_id, key))
    return {**vm, "session_key": key}


def whole(raw) -> int | None:
    text = str(raw or "").strip()
    return int(text) if text.isdigit() and len(text) < 12 else None


def memo_draft(a) -> Draft:
    return Draft(
        title=a.field("titel"),
        body=a.field("tekst"),
        audience=a.field("publiek") or None,
        roles=a.fields("rollen"),
        organisations=a.fields("organisaties"),
        session=a.field("sessie") or None,
        report=a.field("verslag") or None,
        reminder_days=whole(a.field("herinnering")),
    )


def memo_given(draft: Draft) -> dict:
    return {"titel": draft.title, "tekst": draft.body, "publiek": draft.audience or "", "sessie": draft.session or "",
            "verslag": draft.report or "", "herinnering": str(draft.reminder_days or ""), "rollen": draft.roles,
            "organisaties": draft.organisations}
