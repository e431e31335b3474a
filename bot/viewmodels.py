"""The view-models stored in the outbox, one TypedDict per template, and their versions.

A message is rendered when it is sent, maybe hours after it was queued.  So a row must
still fit the builder that renders it: ``outbox`` stamps each row with its template's
version (``OutboxMessage.data_version``), and the dispatcher refuses to render a row
whose version is not the current one or whose data lacks a key of its TypedDict (see
:func:`problem`): that row fails with a clear log line instead of a KeyError mid-render.

Changing a view-model: rename or add a key here and in its service and builders, and
raise the template's number in ``VERSIONS``.  Rows queued with the old shape then fail
visibly rather than render wrong.  Services keep building plain dicts (a TypedDict is
a dict); only the top-level keys are checked.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any, NotRequired, TypedDict, get_origin, get_type_hints

# -- invitations (bot/services/invitations.py) ------------------------------------


class SessionPart(TypedDict):
    """``invitations.session_context``: the same for every invitee."""

    trajectory: str
    timezone: str
    session_key: str
    title: str
    starts: str  # ISO datetimes
    ends: str
    location: str | None
    agenda: str | None
    phase: dict[str, Any]  # number, name
    organisations: list[str]  # the first invitations.SHOWN_ORGANISATIONS
    organisations_more: NotRequired[int]  # the others, counted (rows queued before it: every name)
    cancelled: bool


class Invitation(SessionPart):
    """``invitations.invitation_vm``: also the session notices and both reminders."""

    invitation_id: int
    name: str
    status: str
    colleague: str | None
    delegated_from: str | None
    calendar_url: str | None
    calendar_file: bool


class RsvpNewColleague(SessionPart):
    """``rsvp.delegate_new``: to the trekkers, a colleague sent who is not in the file."""

    name: str  # who sent the colleague
    organisation: str
    colleague: str
    email: str
    invited: bool  # the bot could reach the colleague and sent the invitation


# -- commitments (bot/services/commitments.py) ------------------------------------


class Commitment(TypedDict):
    """``commitments.commitment_vm``."""

    commitment_id: int
    trajectory: str
    description: str
    due: str
    organisation: str
    owner: str
    status: str
    snoozed_until: str | None
    last_note: str | None
    overdue_days: int


class CommitmentBlocked(Commitment):
    actor: str


class CommitmentUnreachable(Commitment):
    email: str | None


class CommitmentEscalation(TypedDict):
    trajectory: str
    groups: list[dict[str, Any]]  # organisation, items (Commitment)


# -- memos (bot/services/memos.py) ----------------------------------------------------


class Memo(TypedDict):
    """``memos.message_vm`` with the recipient (also the reminder)."""

    memo_id: int
    title: str
    body: str
    author: str
    trajectory: str
    timezone: str
    report: str | None
    session: dict[str, Any] | None  # title, starts, ends
    recipient_id: int | None
    read_at: str | None


class MemoSent(TypedDict):
    memo_id: int
    title: str
    count: int
    unreachable: list[str]
    timezone: str
    send_at: str
    later: bool
    reminder_days: int | None


# -- evaluations (bot/services/evaluations.py, evaluation_results.py, exports.py) -----


class EvaluationPrompt(TypedDict):
    """``evaluations.prompt_vm``: the prompt and its reminder."""

    prompt_id: int
    trajectory: str
    timezone: str
    title: str
    starts: str
    ends: str
    anonymous: bool
    closes: str
    state: str  # open | done | closed
    editable: bool
    questions: int


class EvaluationResults(TypedDict):
    """``evaluation_results.results_vm``."""

    session_key: str
    evaluation_id: int
    title: str
    trajectory: str
    timezone: str
    starts: str
    ends: str
    closes: str
    closed: bool
    anonymous: bool
    threshold: int
    prompted: int
    responded: int
    answers: int
    hidden: str | None
    questions: list[dict[str, Any]]


# -- summary, phases, status channels (bot/services/summary.py, phases.py, channels.py)


class Summary(TypedDict):
    """``summary.build``."""

    trajectory: str
    trajectory_id: int
    timezone: str
    phase: dict[str, Any]
    sessions_held: int
    sessions_planned: int
    next_session: dict[str, Any] | None
    last_evaluation: dict[str, Any] | None
    organisations: list[dict[str, Any]]
    follow_through: Any
    memos: Any
    keep_involved: Any
    undelivered: Any
    signoff: Any
    transitions: Any
    session_rsvp: list[dict[str, Any]]
    engagement: NotRequired[dict[str, Any]]  # services.engagement.Watch.as_data
    attendance: NotRequired[list[dict[str, Any]]]  # [{title, present, invited}] ("Wie was er?")
    ambassadors: NotRequired[dict[str, Any]]  # services.ambassadors: {missing: [name], several: [{name, count}]}


class AttendanceAsk(TypedDict):
    """``attendance.ask_vm``: "Wie was er?" to a trekker; present/invited once answered."""

    session_id: int
    trajectory: str
    title: str
    starts: str
    ends: str
    timezone: str
    present: int | None
    invited: int | None


class PhaseAnnouncement(TypedDict):
    """``phases.confirmation_vm`` with the outcome."""

    trajectory_id: int
    trajectory: str
    current: dict[str, Any]  # phases.phase_vm
    to: dict[str, Any]
    reached: str
    note: str | None
    actor: str


class ChannelBlocked(TypedDict):
    trajectory: str
    channel: str
    error: str


class MailUndeliverable(TypedDict):
    """``channels.report_failure``: a mail the server refused for good (5xx)."""

    trajectory: str
    name: str
    email: str
    error: str


# -- sign-off (bot/services/signoff.py) -------------------------------------------


class SignoffRequest(TypedDict):
    """``signoff.request_vm``: the request, its reminder and the decline notice."""

    request_id: int
    trajectory: str
    title: str
    link: str
    deadline: str
    organisation: str
    name: str
    decision: str
    decided_by: str | None
    reason: str | None


class SignoffQuestion(SignoffRequest):
    question: str
    asker: str


class SignoffComplete(TypedDict):
    trajectory: str
    title: str
    link: str
    organisations: list[str]


# -- files (op "file": scheduling.dispatcher.file_upload) -------------------------


class File(TypedDict):
    """A stored file (the calendar entry)."""

    filename: str
    content: str
    title: NotRequired[str]
    thread: NotRequired[bool]


class Chart(TypedDict):
    """The summary's chart, rendered when sent (``bot.chart.render_for_outbox``)."""

    filename: str
    title: str
    alt_text: str
    organisations: list[dict[str, Any]]
    sessions: list[dict[str, Any]]


class EvaluationExport(TypedDict):
    """An evaluation export, built when sent (``bot.export.outbox_file``)."""

    evaluation_id: int
    format: str
    filename: str
    title: str
    comment: str


class InviteReport(TypedDict):
    """``invite_runs._report``: a large invite has been sent."""

    trajectory: str
    title: str
    session_key: str
    sent: int
    failed: int
    unreachable: list[str]
    cancelled: bool


class LookupReport(TypedDict):
    """``lookups._tell``: people looked up again in Slack or the Teams roster."""

    trajectory: str
    found: list[str]
    not_found: list[str]
    still: list[str]
    platform: NotRequired[str]  # slack (when absent) | teams


class DashboardLink(TypedDict):
    """``dashboard_auth.link_for`` / ``mail_link``: a trekker's one-time sign-in link
    (the chat answer to ``dashboard``; by mail only, when asked for on "Wat wacht er op mij")."""

    trajectory: str  # its title
    url: str


# -- the tables ---------------------------------------------------------------------

VIEWMODELS: dict[str, type] = {
    "invitation": Invitation,
    "session_changed": Invitation,
    "session_cancelled": Invitation,
    "rsvp_reminder": Invitation,
    "attendee_reminder": Invitation,
    "rsvp_new_colleague": RsvpNewColleague,
    "commitment_new": Commitment,
    "commitment_reminder": Commitment,
    "commitment_blocked": CommitmentBlocked,
    "commitment_unreachable": CommitmentUnreachable,
    "commitment_escalation": CommitmentEscalation,
    "memo": Memo,
    "memo_reminder": Memo,
    "memo_sent": MemoSent,
    "evaluation_prompt": EvaluationPrompt,
    "evaluation_reminder": EvaluationPrompt,
    "evaluation_results": EvaluationResults,
    "summary": Summary,
    "phase_announcement": PhaseAnnouncement,
    "channel_blocked": ChannelBlocked,
    "mail_undeliverable": MailUndeliverable,
    "signoff_request": SignoffRequest,
    "signoff_reminder": SignoffRequest,
    "signoff_declined": SignoffRequest,
    "signoff_question": SignoffQuestion,
    "signoff_complete": SignoffComplete,
    "file": File,
    "chart": Chart,
    "evaluation_export": EvaluationExport,
    "attendance_ask": AttendanceAsk,
    "invite_report": InviteReport,
    "lookup_report": LookupReport,
    "dashboard_link": DashboardLink,
}

# The current version of each template's view-model.  Raise a number when its keys change.
VERSIONS: dict[str, int] = {template: 1 for template in VIEWMODELS}


class UnknownTemplate(ValueError):
    """Code tried to queue a template this module does not know (a programming error)."""


def version_of(template: str) -> int:
    """The version to stamp on a new row of ``template``."""
    try:
        return VERSIONS[template]
    except KeyError:
        raise UnknownTemplate(f"outbox template {template!r} has no entry in bot.viewmodels.VERSIONS") from None


@lru_cache(maxsize=None)
def required_keys(template: str) -> frozenset[str]:
    """The keys of the template's TypedDict not ``NotRequired``, from the resolved hints
    (with the future import ``__required_keys__`` holds every key on Python 3.11)."""
    hints = get_type_hints(VIEWMODELS[template], include_extras=True)
    return frozenset(key for key, hint in hints.items() if get_origin(hint) is not NotRequired)


def missing_keys(template: str, data: dict[str, Any]) -> list[str]:
    """The required keys of the template's TypedDict that ``data`` lacks."""
    return sorted(key for key in required_keys(template) if key not in data)


def problem(template: str, version: int | None, data: Any) -> str | None:
    """Why a stored row cannot be rendered now (an error code), or None when it fits."""
    current = VERSIONS.get(template)
    if current is None:
        return "viewmodel_unknown_template"
    if version != current:
        return f"viewmodel_version:{version}!={current}"
    if not isinstance(data, dict):
        return "viewmodel_not_a_dict"
    missing = missing_keys(template, data)
    if missing:
        return "viewmodel_missing:" + ",".join(missing)
    return None
