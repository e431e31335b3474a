"""The raw answers of one session's evaluation as CSV or XLSX: for
``python -m bot export evaluations`` and for the "Download als Excel" button on the
results (an outbox ``file`` row whose bytes :func:`outbox_file` builds at send time).
Anonymous forms are exported without names, e-mail addresses or times, in an order
that says nothing (the random ids of the rows), and only from the trajectory's
anonymity threshold (``evaluation_results.export_table``: one rule for both ways out).

Headers and sheet names are in the reader's language; CSV uses ``;`` as separator in
Dutch (what Dutch Excel expects) and ``,`` in English.

Text cells that a spreadsheet would read as a formula (starting with ``=``, ``+``,
``-``, ``@``, a tab or a carriage return) get a leading apostrophe in CSV, the
usual defence against formula injection.  XLSX cells are written as plain strings,
so they hold the text exactly as typed.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import Callable, Iterator
from zoneinfo import ZoneInfo

from sqlalchemy import select

from bot.db import Database
from bot.models import Evaluation, Session, Trajectory
from bot.i18n import t
from bot.services import attendance, evaluation_results, evaluations

FORMATS = ("csv", "xlsx")
SEPARATORS = {"nl": ";", "en": ","}
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


@dataclass
class Export:
    problem: str | None = None  # unknown_session | ambiguous_session | no_evaluation
    choices: list[str] | None = None
    rows: int = 0
    anonymous: bool = False
    below_threshold: bool = False
    threshold: int = 0
    path: str | None = None
    content: bytes = b""
    attendance: dict | None = None  # {present, invited} once the trekker said who came


def _cell(value, tz: ZoneInfo):
    if isinstance(value, datetime):
        return value.astimezone(tz).replace(tzinfo=None)
    return "" if value is None else value


def _csv_safe(value):
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def headers(table: evaluation_results.ExportTable, lang: str) -> list[str]:
    """Identity columns in the reader's language; question columns by their key."""
    n = table.identity_columns
    return [t(lang, f"cli.export.col_{code}") for code in table.headers[:n]] + table.headers[n:]


def separator(lang: str) -> str:
    return SEPARATORS.get(lang, ",")


def to_csv(table: evaluation_results.ExportTable, tz: ZoneInfo, lang: str = "nl") -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=separator(lang), lineterminator="\r\n")
    writer.writerow(headers(table, lang))
    for row in table.rows:
        out = []
        for index, value in enumerate(row):
            value = _cell(value, tz)
            if isinstance(value, datetime):
                value = value.strftime("%Y-%m-%d %H:%M")
            out.append(_csv_safe(value) if index in table.text_columns else value)
        writer.writerow(out)
    return buffer.getvalue().encode("utf-8-sig")  # the BOM makes Excel read UTF-8


def to_xlsx(table: evaluation_results.ExportTable, tz: ZoneInfo, title: str, lang: str = "nl", came: dict | None = None) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = t(lang, "cli.export.sheet_answers")
    sheet.append(headers(table, lang))
    for row in table.rows:
        sheet.append([_cell(v, tz) for v in row])
        for index in table.text_columns:
            cell = sheet.cell(row=sheet.max_row, column=index + 1)
            if isinstance(cell.value, str):
                cell.data_type = "s"  # never a formula, whatever the text starts with
        for cell in sheet[sheet.max_row]:
            if isinstance(cell.value, datetime):
                cell.number_format = "yyyy-mm-dd hh:mm"
    questions = book.create_sheet(t(lang, "cli.export.sheet_questions"))
    questions.append([t(lang, f"cli.export.col_{c}") for c in ("key", "type", "question", "scale", "options", "optional")])
    for q in table.questions:
        questions.append(
            [q["key"], q["type"], q["question"], q.get("scale") or "", "; ".join(q.get("options") or []), t(lang, "cli.export.yes") if q.get("optional") else t(lang, "cli.export.no")]
        )
        questions.cell(row=questions.max_row, column=3).data_type = "s"
    if came is not None:  # who came ("Wie was er?"): counts only, never linked to an answer
        sheet_came = book.create_sheet(t(lang, "cli.export.sheet_attendance"))
        sheet_came.append([t(lang, "cli.export.col_present"), t(lang, "cli.export.col_invited")])
        sheet_came.append([came["present"], came["invited"]])
    book.properties.title = title[:200]
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def render(table: evaluation_results.ExportTable, fmt: str, timezone: str, title: str, lang: str, came: dict | None = None) -> bytes:
    tz = ZoneInfo(timezone)
    return to_csv(table, tz, lang) if fmt == "csv" else to_xlsx(table, tz, title, lang, came)


def _reporting(rows: list, progress: Callable[[str, int, int], None]) -> Iterator:
    """The rows, calling ``progress("rows", done, total)`` as each one is written."""
    progress("rows", 0, len(rows))
    for done, row in enumerate(rows, 1):
        yield row
        progress("rows", done, len(rows))


async def export_evaluations(
    database_url: str, session_key: str, fmt: str, trajectory_key: str | None = None, lang: str = "nl",
    progress: Callable[[str, int, int], None] | None = None,
) -> Export:
    """The CLI's export: find the session by key, build the file."""
    database = Database(database_url)
    try:
        async with database.sessionmaker() as s:
            query = select(Session).join(Trajectory, Trajectory.id == Session.trajectory_id).where(Session.key == session_key)
            if trajectory_key:
                query = query.where(Trajectory.key == trajectory_key)
            found = (await s.execute(query)).scalars().all()
            if not found:
                return Export("unknown_session")
            if len(found) > 1:
                keys = []
                for x in found:
                    keys.append((await s.get(Trajectory, x.trajectory_id)).key)
                return Export("ambiguous_session", choices=sorted(keys))
            session = found[0]
            trajectory = await s.get(Trajectory, session.trajectory_id)
            threshold = evaluations.config(trajectory).threshold
            table = await evaluation_results.export_table(s, session, threshold)
            if table is None:
                return Export("no_evaluation")
            came = (await attendance.counts(s, [session.id])).get(session.id)
    finally:
        await database.dispose()
    rows = len(table.rows)
    if progress is not None:
        table = replace(table, rows=_reporting(table.rows, progress))
    return Export(
        rows=rows,
        anonymous=table.anonymous,
        below_threshold=table.anonymous and not rows,
        threshold=threshold,
        content=render(table, fmt, trajectory.timezone, session.title, lang, came),
        attendance=came,
    )


def filename(session_key: str, fmt: str) -> str:
    return f"evaluatie-{session_key}.{fmt}"


async def outbox_file(db: Database, data: dict, lang: str) -> bytes:
    """The bytes of an ``evaluation_export`` outbox row, from the database as it is now.

    The row holds only which evaluation and format; the answers are never copied into
    the outbox.  The threshold applies here as in the CLI (``export_table``)."""
    from bot.chat import ChatError

    async with db.sessionmaker() as s:
        ev = await s.get(Evaluation, int(data["evaluation_id"]))
        session = await s.get(Session, ev.session_id) if ev is not None else None
        if session is None:
            raise ChatError("evaluation_gone", permanent=True)
        trajectory = await s.get(Trajectory, session.trajectory_id)
        table = await evaluation_results.export_table(s, session, evaluations.config(trajectory).threshold)
        came = (await attendance.counts(s, [session.id])).get(session.id)
    if table is None or (table.anonymous and not table.rows):
        raise ChatError("export_not_allowed", permanent=True)
    return render(table, data.get("format", "xlsx"), trajectory.timezone, session.title, lang, came)


def write(result: Export, output: str) -> None:
    Path(output).write_bytes(result.content)
