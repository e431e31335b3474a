"""``python -m bot COMMAND``: serve, import, check, manifest, db upgrade."""

from __future__ import annotations

import argparse
import asyncio
import errno
import logging
import socket
import sys
import traceback
from datetime import datetime, timezone
from pathlib import Path

from bot import db as dbmod
from bot.i18n import t
from bot.settings import Settings, SettingsError, load_settings

EXIT_INVALID = 2
EXIT_FAILED = 1
MAX_SHOWN_ERRORS = 50


def out(lang: str, name: str, /, **params) -> None:
    print(t(lang, f"cli.{name}", **params))


def warn(lang: str, name: str, /, **params) -> None:
    """A problem line for the user: on standard error."""
    print(t(lang, f"cli.{name}", **params), file=sys.stderr)


def prepare_database(settings: Settings, lang: str) -> None:
    """SQLite brings itself up to date; PostgreSQL must be upgraded on purpose.

    A database that cannot be reached raises ``DatabaseUnavailable`` (``main`` says so)."""
    with dbmod.reaching(settings.database_url):
        if settings.is_sqlite:
            dbmod.upgrade(settings.database_url)
            return
        database = dbmod.Database(settings.database_url)
        try:
            asyncio.run(dbmod.ensure_schema_current(database.engine, settings.database_url))
        except dbmod.SchemaOutOfDate as exc:
            out(lang, "schema_out_of_date", message=str(exc))
            raise SystemExit(1) from exc
        finally:
            asyncio.run(database.dispose())


def now_of(settings: Settings) -> datetime:
    """The CLI's "now": ``DIALOOGBOT_NOW`` when set (tests, demos), else the real time."""
    return settings.frozen_now or datetime.now(timezone.utc)


def load_file(path: str, lang: str, settings: Settings | None = None):
    """The parsed file, or its errors (the first 50) and exit status 2.  With ``settings``,
    sessions that already started get a warning (not an error)."""
    from bot.trajectory_file import load

    if not Path(path).exists():
        out(lang, "file_missing", file=path)
        raise SystemExit(EXIT_INVALID)
    parsed, errors = load(path)
    if errors:
        for error in errors[:MAX_SHOWN_ERRORS]:
            print(error.format(lang), file=sys.stderr)
        if len(errors) > MAX_SHOWN_ERRORS:
            warn(lang, "more_errors", count=len(errors) - MAX_SHOWN_ERRORS)
        out(lang, "errors_found", count=len(errors))
        raise SystemExit(EXIT_INVALID)
    if settings is not None:
        now = now_of(settings)
        for session in parsed.sessions:
            if not session.cancelled and session.starts < now:
                warn(lang, "past_session", key=session.key, starts=session.starts.strftime("%Y-%m-%d %H:%M"))
    return parsed


def cmd_check(args, settings: Settings) -> int:
    parsed = load_file(args.file, args.lang, settings)
    out(
        args.lang,
        "check_ok",
        file=args.file,
        organisations=len(parsed.organisations),
        people=len(parsed.people),
        sessions=len(parsed.sessions),
        commitments=len(parsed.commitments),
    )
    return 0


def cmd_import(args, settings: Settings) -> int:
    from bot.app import bootstrap
    from bot.importer import import_file

    parsed = load_file(args.file, args.lang, settings)
    prepare_database(settings, args.lang)

    async def run():
        bot = bootstrap(settings)
        try:
            return await import_file(bot.ctx, parsed, dry_run=args.dry_run)
        finally:
            await bot.ctx.db.dispose()

    report = asyncio.run(run())
    lang = args.lang
    if args.dry_run:
        out(lang, "dry_run")
    status = "import_created" if report.created else ("import_updated" if report.changed else "import_unchanged")
    out(lang, status, key=report.key)
    out(lang, "import_counts", **report.counts)
    if report.moved:
        out(lang, "moved", keys=", ".join(report.moved))
    if report.cancelled:
        out(lang, "cancelled", keys=", ".join(report.cancelled))
    if report.lookup_skipped:
        out(lang, "lookup_skipped")
    elif report.unreachable:
        out(lang, "unreachable_header", count=len(report.unreachable))
        for name, email in report.unreachable:
            out(lang, "unreachable_line", name=name, email=email)
    return 0


def cmd_manifest(args, settings: Settings) -> int:
    from bot.manifest import manifest_yaml

    url = args.url or settings.public_url
    socket_mode = args.socket or url is None
    print(manifest_yaml(url, socket_mode))
    return 0


def cmd_db(args, settings: Settings) -> int:
    with dbmod.reaching(settings.database_url):
        dbmod.upgrade(settings.database_url)
    out(args.lang, "db_upgraded", revision=dbmod.head_revision(settings.database_url))
    return 0


def check_port(port: int) -> None:
    """Raise the OSError ``site.start()`` would (port in use, not allowed) before anything
    starts: the database and scheduler stay untouched.  ``main`` turns it into one line."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as aiohttp binds
        probe.bind(("0.0.0.0", port))


def cmd_serve(args, settings: Settings) -> int:
    from bot.serve import serve

    check_port(settings.port)
    prepare_database(settings, args.lang)
    if not settings.slack_configured and not settings.slack_app_token:
        out(args.lang, "missing_settings", names=", ".join(settings.missing_slack_settings()))
    asyncio.run(serve(settings, args.lang))
    return 0


def cmd_export(args, settings: Settings) -> int:
    """``export evaluations --session KEY --format csv|xlsx``: the raw answers as a file."""
    from bot.export import export_evaluations

    prepare_database(settings, args.lang)
    result = asyncio.run(export_evaluations(settings.database_url, args.session, args.format, args.trajectory))
    to_stdout = args.output == "-"
    say = (lambda name, **p: print(t(args.lang, f"cli.export.{name}", **p), file=sys.stderr)) if to_stdout else (
        lambda name, **p: out(args.lang, f"export.{name}", **p)
    )
    if result.problem:
        say(result.problem, session=args.session, choices=", ".join(result.choices or []))
        return EXIT_INVALID
    if to_stdout and args.format == "xlsx":
        say("xlsx_to_stdout")
        return EXIT_INVALID
    if to_stdout:
        sys.stdout.buffer.write(result.content)
        sys.stdout.flush()
    else:
        output = args.output or f"evaluatie-{args.session}.{args.format}"
        Path(output).write_bytes(result.content)
        say("written", count=result.rows, file=output)
    if result.anonymous:
        say("below_threshold" if result.below_threshold else "anonymous", threshold=result.threshold)
    return 0


def cmd_teams_manifest(args, settings: Settings) -> int:
    """``teams-manifest [--out FILE.zip]``: the Teams app package, ready to upload."""
    from bot.teams.manifest import build_package

    app_id = args.app_id or settings.teams_app_id
    if not app_id:
        print(t(args.lang, "teams.cli_no_app_id"), file=sys.stderr)
        return EXIT_INVALID
    Path(args.out).write_bytes(build_package(app_id, args.url or settings.public_url))
    print(t(args.lang, "teams.cli_written", file=args.out))
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m bot", description="Dialoogbot")
    parser.add_argument("--lang", default="nl", choices=("nl", "en"), help="language of the output (nl, en)")
    parser.add_argument("--verbose", action="store_true", help="more detail, and the traceback of an unexpected error")
    sub = parser.add_subparsers(dest="command")
    sub.add_parser("serve", help="run the bot (default)")
    p = sub.add_parser("check", help="validate a trajectory file")
    p.add_argument("file")
    p = sub.add_parser("import", help="import a trajectory file")
    p.add_argument("file")
    p.add_argument("--dry-run", action="store_true", help="show what would change; save and send nothing")
    p = sub.add_parser("manifest", help="print the Slack app manifest")
    p.add_argument("--socket", action="store_true", help="Socket Mode (no public URL)")
    p.add_argument("--url", help="public base URL (default PUBLIC_URL)")
    p = sub.add_parser("teams-manifest", help="write the Teams app package (a zip to upload in Teams)")
    p.add_argument("--out", default="dialoogbot-teams.zip", help="file to write (default dialoogbot-teams.zip)")
    p.add_argument("--app-id", help="the bot's app id (default TEAMS_APP_ID)")
    p.add_argument("--url", help="public base URL for the app's web links (default PUBLIC_URL)")
    p = sub.add_parser("db", help="database maintenance")
    p.add_argument("action", choices=("upgrade",))
    p = sub.add_parser("export", help="export data, e.g. the answers of an evaluation")
    p.add_argument("what", choices=("evaluations",))
    p.add_argument("--session", required=True, help="the key of the session")
    p.add_argument("--format", choices=("csv", "xlsx"), default="csv")
    p.add_argument("--trajectory", help="the key of the trajectory (when two have a session with this key)")
    p.add_argument("--output", help="file to write (default evaluatie-<session>.<format>; - for standard output, csv only)")
    return parser


COMMANDS = {
    "serve": cmd_serve,
    "check": cmd_check,
    "import": cmd_import,
    "manifest": cmd_manifest,
    "db": cmd_db,
    "export": cmd_export,
    "teams-manifest": cmd_teams_manifest,
}


def main(argv: list[str] | None = None) -> int:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    args = build_parser().parse_args(argv)
    try:
        settings = load_settings()
    except SettingsError as exc:
        warn(args.lang, "settings_error", message=exc.message(args.lang))
        return EXIT_INVALID
    try:
        return COMMANDS[args.command or "serve"](args, settings)
    except dbmod.DatabaseUnavailable as exc:
        warn(args.lang, f"database.{exc.code}", **exc.params)
        return EXIT_INVALID
    except OSError as exc:
        # Only serve binds a port; its ``site.start()`` raises these before it listens.
        if args.command in (None, "serve") and exc.errno in (errno.EADDRINUSE, errno.EACCES):
            warn(args.lang, "port_in_use" if exc.errno == errno.EADDRINUSE else "port_forbidden", port=settings.port)
            return EXIT_INVALID
        return _unexpected(args, exc)
    except Exception as exc:  # the last resort: one line, never a traceback unless asked
        return _unexpected(args, exc)


def _unexpected(args, exc: Exception) -> int:
    if args.verbose:
        traceback.print_exc()
    warn(args.lang, "unexpected", error=f"{type(exc).__name__}: {exc}".rstrip(": ")[:300])
    return EXIT_FAILED
