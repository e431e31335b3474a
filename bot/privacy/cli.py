"""``python -m bot privacy export|erase|status``: the AVG rights from the command line.

``export`` writes the JSON (standard output, or ``--out FILE``) and a readable summary
(on standard error when the JSON goes to standard output).  ``erase`` asks first
(j/n; ``--yes`` skips; without a terminal and without ``--yes`` it refuses).
"""

from __future__ import annotations

import asyncio
import json
import sys
from datetime import datetime
from pathlib import Path

from bot.db import Database
from bot.formatting import format_date
from bot.i18n import t
from bot.privacy import access, erase, retention

YES = ("j", "ja", "y", "yes")


def run(args, database_url: str, now: datetime) -> int:
    return {"export": _export, "erase": _erase, "status": _status}[args.action](args, database_url, now)


def _say(lang: str, key: str, /, err: bool = False, **params) -> None:
    print(t(lang, f"cli.privacy.{key}", **params), file=sys.stderr if err else sys.stdout)


async def _with_db(database_url: str, work):
    db = Database(database_url)
    try:
        return await work(db)
    finally:
        await db.dispose()


def _export(args, database_url: str, now: datetime) -> int:
    async def work(db):
        async with db.sessionmaker() as s:
            return [await access.collect(s, p) for p in await access.find_people(s, args.email, args.trajectory)]

    found = asyncio.run(_with_db(database_url, work))
    if not found:
        _say(args.lang, "not_found", err=True, email=args.email, trajectory=args.trajectory)
        return 2
    text = json.dumps(found if len(found) > 1 else found[0], ensure_ascii=False, indent=2)
    to_stdout = not args.out
    if to_stdout:
        print(text)
    else:
        Path(args.out).write_text(text + "\n", encoding="utf-8")
    for data in found:
        p = data["person"]
        _say(args.lang, "export_person", err=to_stdout, name=p["name"], email=p["email"], organisation=data["organisation"]["name"],
             trajectory=p["trajectory"]["key"], active=p["active"])
        ids = data["platform_ids"]
        _say(args.lang, "export_platform", err=to_stdout, slack=ids["slack_user_id"], teams=ids["teams_user_id"])
        _say(args.lang, "export_counts", err=to_stdout, **access.counts(data))
        if any(e["anonymous"] for e in data["evaluations"]):
            _say(args.lang, "export_anonymous", err=to_stdout)
    if not to_stdout:
        _say(args.lang, "export_written", file=args.out)
    return 0


def _confirmed(args) -> bool | None:
    """True (go), False (the user said no), None (cannot ask)."""
    if args.yes:
        return True
    if not sys.stdin.isatty():
        return None
    answer = input(t(args.lang, "cli.privacy.erase_question"))
    return answer.strip().lower() in YES


def _erase(args, database_url: str, now: datetime) -> int:
    async def people(db):
        async with db.sessionmaker() as s:
            return [(p.id, p.name, p.email, p.trajectory.key) for p in await access.find_people(s, args.email, args.trajectory)]

    found = asyncio.run(_with_db(database_url, people))
    if not found:
        _say(args.lang, "not_found", err=True, email=args.email, trajectory=args.trajectory)
        return 2
    for _, name, email, key in found:
        _say(args.lang, "erase_will", name=name, email=email, trajectory=key)
    go = _confirmed(args)
    if go is None:
        _say(args.lang, "erase_no_tty", err=True)
        return 2
    if not go:
        _say(args.lang, "erase_cancelled")
        return 1

    async def work(db):
        async with db.transaction() as s:
            results = []
            for person in await access.find_people(s, args.email, args.trajectory):
                results.append(await erase.erase_person(s, person, now))
        await db.checkpoint()
        return results

    for done in asyncio.run(_with_db(database_url, work)):
        _say(args.lang, "erase_done", trajectory=done.trajectory, withdrawn=done.withdrawn, emptied=done.emptied,
             answers=done.answers_unlinked)
        _say(args.lang, "erase_kept", invitations=done.invitations, memo_reads=done.memo_reads, commitments=done.commitments)
    return 0


def _status(args, database_url: str, now: datetime) -> int:
    async def work(db):
        async with db.sessionmaker() as s:
            return await retention.plan(s, now), await retention.messages_to_empty(s, now)

    plans, messages = asyncio.run(_with_db(database_url, work))
    lang = args.lang
    _say(lang, "status_header")
    for item in plans:
        if item.erased_at:
            _say(lang, "status_erased", key=item.key, erased=format_date(item.erased_at.date(), lang))
        elif item.ended is None:
            _say(lang, "status_running", key=item.key, days=item.days)
        else:
            _say(lang, "status_due", key=item.key, days=item.days, ended=format_date(item.ended.date(), lang),
                 erase_on=format_date(item.erase_on.date(), lang))
    if not plans:
        _say(lang, "status_none")
    _say(lang, "status_messages", days=retention.MESSAGE_DAYS, count=messages)
    return 0
