"""``python -m bot import FILE.yaml [--dry-run] [--phase-from-file]``: save a trajectory
file and say what changed, who is reached where, and who could not be found."""

from __future__ import annotations

import asyncio
import tempfile
from dataclasses import replace
from pathlib import Path

from bot.cli import EXIT_INVALID, load_file, missing_sqlite_file, out, prepare_database, warn_ambassadors
from bot.settings import Settings


def cmd_import(args, settings: Settings) -> int:
    parsed = load_file(args.file, args.lang, settings)
    warn_ambassadors(args.lang, parsed)
    if args.dry_run and missing_sqlite_file(settings):
        # Compare against an empty database, without creating the real one.
        with tempfile.TemporaryDirectory(prefix="dialoogbot-dry-run-") as empty:
            return run_import(args, replace(settings, database_url=f"sqlite:///{Path(empty) / 'leeg.db'}"), parsed)
    return run_import(args, settings, parsed)


def run_import(args, settings: Settings, parsed) -> int:
    from bot.app import bootstrap
    from bot.importer import import_file
    from bot.progress import CliProgress
    from bot.people_port import PlatformUnavailable

    prepare_database(settings, args.lang)

    async def run():
        bot = bootstrap(settings)
        try:
            with CliProgress(args.lang) as progress:
                return await import_file(bot.ctx, parsed, dry_run=args.dry_run, progress=progress,
                                         phase_from_file=args.phase_from_file)
        finally:
            await bot.ctx.db.dispose()

    try:
        report = asyncio.run(run())
    except PlatformUnavailable as exc:  # before anything was written
        out(args.lang, {"token": "slack_refused", "permission": "slack_lookup_refused"}.get(exc.problem, "slack_unreachable"), error=exc.reason)
        out(args.lang, "nothing_saved")
        return EXIT_INVALID if exc.refused else 1
    from bot.identity import email_enabled

    lang = args.lang
    dry = "_dry" if args.dry_run else ""
    if args.dry_run:
        out(lang, "dry_run")
    status = "import_created" if report.created else ("import_updated" if report.changed else "import_unchanged")
    out(lang, status + dry, key=report.key)
    out(lang, "import_counts", **report.counts)
    if report.moved:
        out(lang, "moved" + dry, keys=", ".join(report.moved))
    if report.cancelled:
        out(lang, "cancelled" + dry, keys=", ".join(report.cancelled))
    if report.phase_kept:
        out(lang, "phase_kept" + dry, recorded=report.phase_kept[0], in_file=report.phase_kept[1])
    if report.phase_moved:
        out(lang, "phase_moved" + dry, before=report.phase_moved[0], to=report.phase_moved[1])
    if report.removed:
        out(lang, "removed_header" + dry, count=len(report.removed))
        for name, email in sorted(report.removed):
            out(lang, "removed_line", name=name, email=email)
        if not args.dry_run:
            out(lang, "removed_erase_hint", key=report.key)
    if email_enabled():
        reached = {where: report.reached.get(where, 0) for where in ("slack", "teams", "email", "nowhere")}
        out(lang, "reached", **reached)
    if report.lookup_skipped and not email_enabled():
        out(lang, "lookup_skipped")
    elif report.unreachable:
        out(lang, "unreachable_header", count=len(report.unreachable))
        for name, email in report.unreachable:
            out(lang, "unreachable_line", name=name, email=email)
    if report.unresolved:  # the look-up failed for now: the bot retries (bot.lookups)
        out(lang, "unresolved_header", count=len(report.unresolved))
        for name, email in report.unresolved:
            out(lang, "unreachable_line", name=name, email=email)
    return 0
