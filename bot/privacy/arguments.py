"""The ``privacy`` subcommand's arguments: apart from ``bot.privacy.cli`` so that building
the parser (``--help``, ``manifest``) loads no database code."""

from __future__ import annotations


def add_parser(sub) -> None:
    p = sub.add_parser("privacy", help="the AVG rights: export, erase, status (retention)")
    actions = p.add_subparsers(dest="action", required=True)
    for name, text in (("export", "everything the bot holds about a person, as JSON"), ("erase", "erase a person")):
        a = actions.add_parser(name, help=text)
        a.add_argument("--email", required=True, help="the person's e-mail address")
        a.add_argument("--trajectory", help="only in this trajectory (default: every trajectory)")
        if name == "export":
            a.add_argument("--out", help="file to write the JSON to (default: standard output)")
        else:
            a.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    actions.add_parser("status", help="what will be erased when")
