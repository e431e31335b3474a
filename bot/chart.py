"""The summary chart: commitments per organisation by status, and RSVP per session.

Plain data in, PNG bytes out.  Uses matplotlib's object API with the Agg canvas
(no pyplot, no display, no global backend switch).  Colours are the Okabe-Ito
palette, readable for colour-blind people, and every series also has a hatch so
it reads in grey too.
"""

from __future__ import annotations

import gc
import io
from dataclasses import dataclass

# Okabe & Ito (2008), "Color Universal Design".
COMMITMENT_SERIES = (
    ("done", "#009E73", ""),
    ("busy", "#56B4E9", ".."),
    ("open", "#E69F00", "//"),
    ("overdue", "#D55E00", "xx"),
    ("blocked", "#CC79A7", "\\\\"),
)
RSVP_SERIES = (
    ("yes", "#009E73", ""),
    ("maybe", "#F0E442", ".."),
    ("no", "#D55E00", "xx"),
    ("pending", "#999999", "//"),
)
MAX_BARS = 20


@dataclass(frozen=True)
class ChartText:
    """Titles and series names, already in the reader's language."""

    commitments_title: str
    sessions_title: str
    series: dict[str, str]
    more: str  # e.g. "en nog 12 organisaties" ("" when everything fits)
    sessions_more: str
    empty: str


def _label(text: str, limit: int = 28) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _stacked(ax, rows: list[dict], series, names: dict[str, str], label_key: str) -> None:
    labels = [_label(row[label_key]) for row in rows]
    left = [0] * len(rows)
    for key, colour, hatch in series:
        values = [row.get(key, 0) for row in rows]
        ax.barh(labels, values, left=left, color=colour, hatch=hatch, edgecolor="#333333", linewidth=0.4, label=names[key])
        left = [a + b for a, b in zip(left, values)]
    ax.invert_yaxis()
    ax.tick_params(axis="y", labelsize=8)
    ax.xaxis.get_major_locator().set_params(integer=True)
    ax.legend(loc="lower right", bbox_to_anchor=(1.0, 1.0), fontsize=7, frameon=False, ncols=len(series), borderaxespad=0.2)


def render_png(organisations: list[dict], sessions: list[dict], text: ChartText) -> bytes:
    """``organisations``: [{name, done, busy, open, overdue, blocked}];
    ``sessions``: [{title, yes, maybe, no, pending}]."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    orgs = sorted(organisations, key=lambda o: -(o["overdue"] * 4 + o["blocked"] * 3 + o["open"] + o["busy"]))[:MAX_BARS]
    shown_sessions = sessions[:MAX_BARS]
    height = min(max(2.2 + 0.28 * (len(orgs) + len(shown_sessions)), 4.0), 12.0)
    figure = Figure(figsize=(9, height), dpi=100)
    FigureCanvasAgg(figure)
    # Fixed margins (in inches) instead of constrained layout: one draw pass, not two.
    figure.subplots_adjust(left=2.0 / 9, right=0.97, top=1 - 0.45 / height, bottom=0.35 / height, hspace=1.0 / (height / 2))
    top, bottom = figure.subplots(2, 1, height_ratios=[max(len(orgs), 1), max(len(shown_sessions), 1)])
    for ax, rows, series, key, title, more in (
        (top, orgs, COMMITMENT_SERIES, "name", text.commitments_title, text.more),
        (bottom, shown_sessions, RSVP_SERIES, "title", text.sessions_title, text.sessions_more),
    ):
        ax.set_title(title + (f" ({more})" if more else ""), fontsize=10, loc="left")
        if rows:
            _stacked(ax, rows, series, text.series, key)
        else:
            ax.text(0.5, 0.5, text.empty, ha="center", va="center", transform=ax.transAxes)
            ax.set_axis_off()
    buffer = io.BytesIO()
    try:
        figure.savefig(buffer, format="png")
    finally:
        # Figures hold reference cycles; free this one now, not at some later GC.
        figure.clear()
        del figure, top, bottom
        gc.collect()
    return buffer.getvalue()


def texts(lang: str, organisations_more: int, sessions_more: int) -> ChartText:
    from bot.i18n import t

    series = {key: t(lang, f"summary.chart.series.{key}") for key, _, _ in COMMITMENT_SERIES + RSVP_SERIES}
    return ChartText(
        commitments_title=t(lang, "summary.chart.commitments_title"),
        sessions_title=t(lang, "summary.chart.sessions_title"),
        series=series,
        more=t(lang, "summary.chart.more", count=organisations_more) if organisations_more else "",
        sessions_more=t(lang, "summary.chart.more", count=sessions_more) if sessions_more else "",
        empty=t(lang, "summary.chart.empty"),
    )


def render_for_outbox(data: dict, lang: str) -> bytes:
    """The chart of a summary outbox row (``data``: organisations, sessions)."""
    organisations, sessions = data["organisations"], data["sessions"]
    more_orgs = max(0, len(organisations) - MAX_BARS)
    more_sessions = max(0, len(sessions) - MAX_BARS)
    return render_png(organisations, sessions, texts(lang, more_orgs, more_sessions))


def render_follow_through_svg(points: list[dict], title: str, y_label: str, empty: str) -> str:
    """The dashboard's follow-through over time as SVG text: ``points`` are
    [{"label": "12 mei", "share": 0.0-1.0 or None}], oldest first.  One Okabe-Ito
    colour with markers (readable in grey); the page gives the same figures as a table."""
    from matplotlib.backends.backend_svg import FigureCanvasSVG
    from matplotlib.figure import Figure

    figure = Figure(figsize=(6.4, 2.8), dpi=100)
    FigureCanvasSVG(figure)
    figure.subplots_adjust(left=0.12, right=0.98, top=0.86, bottom=0.22)
    ax = figure.subplots()
    ax.set_title(title, fontsize=10, loc="left")
    shown = [(p["label"], p["share"] * 100) for p in points if p.get("share") is not None]
    if shown:
        labels, values = zip(*shown)
        ax.plot(range(len(values)), values, color="#0072B2", marker="o", markersize=4, linewidth=2)
        step = max(1, len(labels) // 8)
        ax.set_xticks(range(0, len(labels), step), [labels[i] for i in range(0, len(labels), step)], fontsize=7)
        ax.set_ylim(0, 100)
        ax.set_ylabel(y_label, fontsize=8)
        ax.tick_params(axis="y", labelsize=7)
        ax.grid(axis="y", color="#dddddd", linewidth=0.6)
    else:
        ax.text(0.5, 0.5, empty, ha="center", va="center", transform=ax.transAxes)
        ax.set_axis_off()
    buffer = io.StringIO()
    try:
        figure.savefig(buffer, format="svg")
    finally:
        figure.clear()
    return buffer.getvalue()
