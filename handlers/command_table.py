"""The one table of ``/dialoog`` words (Slack) and chat words (Teams).

Each row: the Dutch word, its English alias, who it is for (``everyone`` or
``trekker``), the help texts (``command.help.<key>`` in the catalogs) and the
handler.  A row with ``variant`` is chosen when the first argument is one of those
words (``herinneren afspraken``); a row with ``bare`` only when there is no argument
(``status`` without a session).  Dispatch (``handlers.commands.dispatch``) and the
help (``help_text``) read this table; nothing else registers subcommands.

The role is for the help only: each handler checks the trekker itself, for the
trajectory it resolves (``commands.require_trekker``).
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.i18n import Raw, Translator
from handlers import commands, commitments, evaluations, memos, signoff, summary
from handlers.commands import Call, Handler
from handlers.dashboard import command as dashboard_command

EVERYONE = "everyone"
TREKKER = "trekker"
ROLES = (EVERYONE, TREKKER)


@dataclass(frozen=True)
class Command:
    key: str  # the use case, e.g. "invite"
    word: str  # Dutch
    alias: str  # English
    role: str
    handler: Handler
    help: tuple[str, ...]  # one help line each: command.help.<key>.args / .text
    variant: tuple[str, ...] = ()  # first-argument words that choose this row (Dutch, English)
    bare: bool = False  # only without arguments
    more: tuple[str, ...] = ()  # other words that work too

    @property
    def words(self) -> tuple[str, ...]:
        return (self.word, self.alias, *self.more)

    def shown(self, lang: str) -> str:
        """The word (with its variant) as the help shows it in ``lang``."""
        word = self.alias if lang == "en" else self.word
        if self.variant:
            word += " " + (self.variant[-1] if lang == "en" else self.variant[0])
        return word


async def do_help(call: Call) -> None:
    """The help, in the language of the person who asks (the Call's)."""
    await call.surface.text(help_text(call.tr))


COMMANDS: tuple[Command, ...] = (
    Command("mine", "mijn", "mine", EVERYONE, commitments.do_mine, ("mine",)),
    Command("help", "help", "help", EVERYONE, do_help, ("help",), more=("hulp",)),
    Command("invite", "uitnodigen", "invite", TREKKER, commands.do_invite, ("invite",)),
    Command("remind", "herinneren", "remind", TREKKER, commands.do_remind, ("remind",)),
    Command("remind_commitments", "herinneren", "remind", TREKKER, commitments.do_round, ("remind_commitments",),
            variant=("afspraken", "commitments")),
    Command("summary", "status", "status", TREKKER, summary.post_summary, ("summary",), bare=True),
    Command("status", "status", "status", TREKKER, commands.do_status, ("status",)),
    Command("commitment", "afspraak", "commitment", TREKKER, commitments.do_add, ("commitment",)),
    Command("memo", "memo", "memo", TREKKER, memos.do_memo, ("memo", "memo_read")),
    Command("evaluate", "evaluatie", "evaluate", TREKKER, evaluations.do_evaluate, ("evaluate", "evaluate_results"),
            more=("evaluation",)),
    Command("phase", "fase", "phase", TREKKER, summary.do_phase, ("phase",)),
    Command("signoff", "ondertekenen", "signoff", TREKKER, signoff.do_start, ("signoff",)),
    Command("dashboard", "dashboard", "dashboard", TREKKER, dashboard_command.do_dashboard, ("dashboard",)),
)


def find(word: str, args: list[str]) -> Command | None:
    """The row for ``word`` (any language) with these arguments, or None."""
    rows = [c for c in COMMANDS if word in c.words]
    first = args[0].lower() if args else None
    for row in rows:
        if first is not None and first in row.variant:
            return row
    for row in rows:
        if row.bare and first is None:
            return row
    return next((row for row in rows if not row.variant and not row.bare), None)


def words() -> list[str]:
    """Every word the dispatcher accepts, Dutch first, in table order."""
    out: list[str] = []
    for row in COMMANDS:
        for word in row.words:
            if word not in out:
                out.append(word)
    return out


def listed(lang: str) -> list[str]:
    """The words to suggest after a typo: one per use case, in ``lang``."""
    out: list[str] = []
    for row in COMMANDS:
        word = row.alias if lang == "en" else row.word
        if word not in out:
            out.append(word)
    return out


def help_text(tr: Translator) -> str:
    """The help, grouped by role, generated from the table (one text, one line each)."""
    lines = [tr("command.help.intro")]
    for role in ROLES:
        lines.append(tr(f"command.help.{role}"))
        for row in (c for c in COMMANDS if c.role == role):
            for key in row.help:
                args = tr(f"command.help.{key}.args")
                command = Raw(" ".join(p for p in ("/dialoog", row.shown(tr.lang), args) if p))
                lines.append(tr("command.help.line", command=command, text=Raw(tr(f"command.help.{key}.text"))))
    other = "nl" if tr.lang == "en" else "en"
    also: list[str] = []
    for row in COMMANDS:
        for word in (row.shown(other), *row.more):
            if word not in also and word != row.shown(tr.lang):
                also.append(word)
    lines.append(tr("command.help.trajectory"))
    lines.append(tr("command.help.also", words=Raw(", ".join(also))))
    return "\n".join(lines)
