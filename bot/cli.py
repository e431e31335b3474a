"""``python -m bot COMMAND``: serve, import, check, manifest, db upgrade."""

from __future__ import annotations

import argparse
import asyncio
import errno
import logging
import socket
import sys
import tempfile
import traceback
from dataclasses import replace
from datetime import datetime, timezone
from pathlib import Path

from sqlalchemy.engine import make_url

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

        async def check() -> None:
            database = dbmod.Database(settings.database_url)
            try:
                await dbmod.ensure_schema_current(database.engine, settings.database_url)
            finally:
                await database.dispose()  # in the same event loop as its connections (asyncpg)

        try:
            asyncio.run(check())
        except dbmod.SchemaOutOfDate as exc:
            out(lang, "schema_out_of_date", message=str(exc))
            raise SystemExit(1) from exc


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


def missing_sqlite_file(settings: Settings) -> bool:
    """True for a SQLite database whose file does not exist (yet)."""
    if not settings.is_sqlite:
        return False
    path = make_url(settings.database_url).database
    return bool(path) and path != ":memory:" and not path.startswith("file:") and not Path(path).exists()


def cmd_import(args, settings: Settings) -> int:
    parsed = load_file(args.file, args.lang, settings)
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
                return await import_file(bot.ctx, parsed, dry_run=args.dry_run, progress=progress)
        finally:
            await bot.ctx.db.dispose()

    try:
        report = asyncio.run(run())
    except PlatformUnavailable as exc:  # before anything was written
        out(args.lang, "slack_refused" if exc.refused else "slack_unreachable", error=exc.reason)
        out(args.lang, "nothing_saved")
        return EXIT_INVALID if exc.refused else 1
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
    if report.removed:
        out(lang, "removed_header" + dry, count=len(report.removed))
        for name, email in sorted(report.removed):
            out(lang, "removed_line", name=name, email=email)
    if report.lookup_skipped:
        out(lang, "lookup_skipped")
    elif report.unreachable:
        out(lang, "unreachable_header", count=len(report.unreachable))
        for name, email in report.unreachable:
            out(lang, "unreachable_line", name=name, email=email)
    if report.unresolved:
        out(lang, "unresolved_header", count=len(report.unresolved))
        for name, email in report.unresolved:
            out(lang, "unreachable_line", name=name, email=email)
    return 0


def cmd_manifest(args, settings: Settings) -> int:
    from bot.manifest import is_https_url, manifest_yaml, uses_socket_mode

    url = args.url or settings.public_url
    socket_mode = uses_socket_mode(url, settings.slack_app_token, args.socket)
    if (args.url or not socket_mode) and not is_https_url(url):
        print(t(args.lang, "cli.manifest_not_https", url=url), file=sys.stderr)
        return EXIT_INVALID
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
        print(setup_steps(settings, args.lang))
    try:
        asyncio.run(serve(settings, args.lang))  # returns on SIGINT / SIGTERM
    except KeyboardInterrupt:  # where no signal handler can be set (Windows), or a second Ctrl-C
        out(args.lang, "stopping")
    return 0


def setup_steps(settings: Settings, lang: str) -> str:
    """How to create the Slack app, for the mode ``python -m bot manifest`` prints now."""
    from bot.manifest import events_url, uses_socket_mode

    if uses_socket_mode(settings.public_url, settings.slack_app_token):
        missing = [name for name in ("SLACK_BOT_TOKEN", "SLACK_APP_TOKEN") if not getattr(settings, name.lower())]
        return t(lang, "cli.missing_settings_socket", names=", ".join(missing))
    missing = [name for name in ("SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET") if not getattr(settings, name.lower())]
    return t(lang, "cli.missing_settings_http", names=", ".join(missing), public_url=settings.public_url,
             request_url=events_url(settings.public_url))


def cmd_export(args, settings: Settings) -> int:
    """``export evaluations --session KEY --format csv|xlsx``: the raw answers as a file."""
    from bot.export import export_evaluations
    from bot.progress import CliProgress

    prepare_database(settings, args.lang)
    with CliProgress(args.lang) as progress:
        result = asyncio.run(
            export_evaluations(settings.database_url, args.session, args.format, args.trajectory, args.lang, progress=progress)
        )
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

    from bot.teams.manifest import is_guid, is_web_url

    app_id = args.app_id or settings.teams_app_id
    url = args.url or settings.public_url
    if not app_id:
        print(t(args.lang, "teams.cli_no_app_id"), file=sys.stderr)
        return EXIT_INVALID
    if not is_guid(app_id):
        print(t(args.lang, "teams.cli_app_id_not_guid", app_id=app_id), file=sys.stderr)
        return EXIT_INVALID
    if url and not is_web_url(url):
        print(t(args.lang, "teams.cli_url_without_scheme", url=url), file=sys.stderr)
        return EXIT_INVALID
    Path(args.out).write_bytes(build_package(app_id, url))
    print(t(args.lang, "teams.cli_written", file=args.out))
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m bot", description="Dialoogbot")
    parser.add_argument("--lang", default="nl", choices=("nl", "en"), help="language of the output (nl, en)")
    parser.add_argument("--verbose", action="store_true", help="also show the libraries' log lines (INFO), and the traceback of an unexpected error")
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
    p = sub.add_parser(
        "export",
        help="export data, e.g. the answers of an evaluation",
        description="Export the answers of a session's evaluation. Column headers and sheet names follow --lang. "
        "CSV uses ';' as separator with --lang nl (the default; Dutch Excel expects it) and ',' with --lang en.",
    )
    p.add_argument("what", choices=("evaluations",))
    p.add_argument("--session", required=True, help="the key of the session")
    p.add_argument("--format", choices=("csv", "xlsx"), default="csv",
                   help="csv (separator ';' with --lang nl, ',' with --lang en) or xlsx (default csv)")
    p.add_argument("--lang", choices=("nl", "en"), default=argparse.SUPPRESS,
                   help="language of headers and messages, and so the CSV separator (default nl)")
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


OWN_LOGGERS = ("bot", "dialoogbot", "handlers", "scheduling")


def setup_logging(verbose: bool, command: str) -> None:
    """Warnings only, so a command's output is its own Dutch lines; ``--verbose`` shows
    every library's INFO lines too (alembic, slack_sdk, aiohttp).  ``serve`` keeps the
    bot's own INFO lines."""
    logging.basicConfig(level=logging.INFO if verbose else logging.WARNING,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    if command == "serve" and not verbose:
        for name in OWN_LOGGERS:
            logging.getLogger(name).setLevel(logging.INFO)


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    setup_logging(args.verbose, args.command or "serve")
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
