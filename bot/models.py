"""Database models (SQLAlchemy 2, typed).  Platform-neutral except for platform ids."""

from __future__ import annotations

from datetime import date, datetime, timezone
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    DateTime,
    Float as sa_Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    false,
    TypeDecorator,
    UniqueConstraint,
    cast,
    text,
)
from sqlalchemy.ext.hybrid import hybrid_method
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


class UTCDateTime(TypeDecorator):
    """Aware UTC datetimes on every backend (SQLite stores naive UTC)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        value = value.astimezone(timezone.utc)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=timezone.utc)
        return value.astimezone(timezone.utc)


NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map = {datetime: UTCDateTime, dict[str, Any]: JSON, list[Any]: JSON}


class Trajectory(Base):
    __tablename__ = "trajectory"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(64), unique=True)
    title: Mapped[str] = mapped_column(Text)
    theme: Mapped[str | None] = mapped_column(Text)
    language: Mapped[str] = mapped_column(String(8), default="nl")
    timezone: Mapped[str] = mapped_column(String(64), default="Europe/Amsterdam")
    status_channels: Mapped[list[Any]] = mapped_column(default=list)
    summary_weekday: Mapped[int | None]
    summary_time: Mapped[str | None] = mapped_column(String(5))
    current_phase: Mapped[int] = mapped_column(default=1)
    reminders: Mapped[dict[str, Any]] = mapped_column(default=dict)
    source_file: Mapped[str | None] = mapped_column(Text)
    updated_at: Mapped[datetime | None]
    # Personal data is erased this many days after the last session (bot/privacy/retention.py).
    retention_days: Mapped[int] = mapped_column(default=365, server_default="365")
    erased_at: Mapped[datetime | None]  # when retention erased its personal data

    phases: Mapped[list[Phase]] = relationship(back_populates="trajectory", order_by="Phase.number")
    organisations: Mapped[list[Organisation]] = relationship(back_populates="trajectory")
    people: Mapped[list[Person]] = relationship(back_populates="trajectory")
    sessions: Mapped[list[Session]] = relationship(back_populates="trajectory", order_by="Session.starts_at")


class Phase(Base):
    __tablename__ = "phase"
    __table_args__ = (UniqueConstraint("trajectory_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    trajectory_id: Mapped[int] = mapped_column(ForeignKey("trajectory.id", ondelete="CASCADE"))
    number: Mapped[int]
    name: Mapped[str] = mapped_column(Text)
    starting_point: Mapped[str] = mapped_column(Text, default="")
    result: Mapped[str] = mapped_column(Text, default="")

    trajectory: Mapped[Trajectory] = relationship(back_populates="phases")


class Organisation(Base):
    __tablename__ = "organisation"
    __table_args__ = (UniqueConstraint("trajectory_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    trajectory_id: Mapped[int] = mapped_column(ForeignKey("trajectory.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(Text)
    kind: Mapped[str | None] = mapped_column(Text)
    joined_at: Mapped[datetime | None]  # first imported; NULL: before this was recorded (old)

    trajectory: Mapped[Trajectory] = relationship(back_populates="organisations")
    people: Mapped[list[Person]] = relationship(back_populates="organisation")


class Person(Base):
    """A person in one trajectory (the same e-mail in two trajectories is two rows)."""

    __tablename__ = "person"
    __table_args__ = (UniqueConstraint("trajectory_id", "email"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    trajectory_id: Mapped[int] = mapped_column(ForeignKey("trajectory.id", ondelete="CASCADE"))
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    name: Mapped[str] = mapped_column(Text)
    email: Mapped[str] = mapped_column(String(320))
    roles: Mapped[list[Any]] = mapped_column(default=list)
    language: Mapped[str | None] = mapped_column(String(8))
    platform: Mapped[str | None] = mapped_column(String(16))  # preference from the file
    slack_user_id: Mapped[str | None] = mapped_column(String(32), index=True)
    teams_user_id: Mapped[str | None] = mapped_column(String(256), index=True)
    teams_reference: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    lookup_error: Mapped[str | None] = mapped_column(String(64))
    active: Mapped[bool] = mapped_column(default=True)  # false once removed from the file
    erased_at: Mapped[datetime | None]  # a tombstone: personal data erased, kept for the counts

    trajectory: Mapped[Trajectory] = relationship(back_populates="people")
    organisation: Mapped[Organisation] = relationship(back_populates="people")

    @hybrid_method
    def has_role(self, role: str) -> bool:
        return role in (self.roles or [])

    @has_role.expression
    def has_role(cls, role: str):  # noqa: N805  (the class: the same test in SQL)
        """The JSON list, read as text, holds the quoted role (role names are plain words)."""
        return cast(cls.roles, Text).like(f'%"{role}"%')

    @property
    def reachable(self) -> bool:
        from bot.identity import route  # the one routing rule (e-mail when configured)

        return route(self) is not None


class Session(Base):
    """A meeting (bijeenkomst / dialoog / sessie)."""

    __tablename__ = "session"
    __table_args__ = (UniqueConstraint("trajectory_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    trajectory_id: Mapped[int] = mapped_column(ForeignKey("trajectory.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str | None] = mapped_column(Text)
    title: Mapped[str] = mapped_column(Text)
    phase: Mapped[int]
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime]
    location: Mapped[str | None] = mapped_column(Text)
    agenda: Mapped[str | None] = mapped_column(Text)
    invite: Mapped[dict[str, Any]] = mapped_column(default=dict)
    evaluation_form: Mapped[str | None] = mapped_column(String(64))
    sequence: Mapped[int] = mapped_column(default=0)
    cancelled: Mapped[bool] = mapped_column(default=False)
    invited_at: Mapped[datetime | None]
    ics_token: Mapped[str] = mapped_column(String(64), unique=True)
    attendance_at: Mapped[datetime | None]  # when the trekker said who came ("Wie was er?")

    trajectory: Mapped[Trajectory] = relationship(back_populates="sessions")
    invitations: Mapped[list[Invitation]] = relationship(back_populates="session")


class Invitation(Base):
    __tablename__ = "invitation"
    __table_args__ = (
        UniqueConstraint("session_id", "person_id"),
        # The per-session counts (summary, status, attendance, dashboard) read this index only.
        Index("ix_invitation_session_status", "session_id", "status", "attended"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("session.id", ondelete="CASCADE"))
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"), index=True)
    status: Mapped[str] = mapped_column(String(16), default="pending")
    delegated_to_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    delegated_from_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    answered_at: Mapped[datetime | None]
    invited_at: Mapped[datetime | None]
    attended: Mapped[bool | None]
    revision: Mapped[int] = mapped_column(default=0)  # raised on every change of the message

    session: Mapped[Session] = relationship(back_populates="invitations")
    person: Mapped[Person] = relationship(foreign_keys=[person_id])
    delegated_to: Mapped[Person | None] = relationship(foreign_keys=[delegated_to_id])
    delegated_from: Mapped[Person | None] = relationship(foreign_keys=[delegated_from_id])


class ScheduledTask(Base):
    """Due work: the sweep picks rows whose ``due_at`` has passed and are not done.

    One row per future reminder; the handler for ``kind`` checks at fire time
    whether it still applies (e.g. the invitee has answered meanwhile).
    """

    __tablename__ = "scheduled_task"
    __table_args__ = (
        Index(
            "ix_scheduled_task_open_due",
            "due_at",
            postgresql_where=text("done_at IS NULL"),
            sqlite_where=text("done_at IS NULL"),
        ),
        Index("ix_scheduled_task_ref", "kind", "ref_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(255), unique=True)
    kind: Mapped[str] = mapped_column(String(64))
    ref_id: Mapped[int]
    due_at: Mapped[datetime]
    expires_at: Mapped[datetime | None]
    done_at: Mapped[datetime | None]
    outcome: Mapped[str | None] = mapped_column(String(32))


class OutboxMessage(Base):
    """Every outbound message, written in the transaction of the change that caused it."""

    __tablename__ = "outbox"
    __table_args__ = (
        Index(
            "ix_outbox_pending",
            "not_before",
            postgresql_where=text("status = 'pending'"),
            sqlite_where=text("status = 'pending'"),
        ),
        Index("ix_outbox_status", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(255), unique=True)
    trajectory_id: Mapped[int | None] = mapped_column(ForeignKey("trajectory.id", ondelete="CASCADE"), index=True)
    person_id: Mapped[int | None] = mapped_column(ForeignKey("person.id", ondelete="SET NULL"), index=True)
    platform: Mapped[str] = mapped_column(String(16), default="slack")
    op: Mapped[str] = mapped_column(String(16))  # direct | update | channel | file
    target: Mapped[str | None] = mapped_column(String(256))  # user id / channel id
    template: Mapped[str] = mapped_column(String(64))
    language: Mapped[str] = mapped_column(String(8), default="nl")
    data: Mapped[dict[str, Any]] = mapped_column(default=dict)
    # The version of the template's view-model ``data`` was built with (bot/viewmodels.py).
    data_version: Mapped[int] = mapped_column(default=1, server_default="1")
    update_of_id: Mapped[int | None] = mapped_column(ForeignKey("outbox.id"), index=True)
    status: Mapped[str] = mapped_column(String(16), default="pending")
    attempts: Mapped[int] = mapped_column(default=0)
    not_before: Mapped[datetime]
    expires_at: Mapped[datetime | None]
    lease_until: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(Text)
    ref_channel: Mapped[str | None] = mapped_column(String(256))
    ref_ts: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime]
    sent_at: Mapped[datetime | None]
    # The answer to the recipient's own request (an export): not held by the sending window.
    at_once: Mapped[bool] = mapped_column(default=False, server_default=false())


class ProcessedEvent(Base):
    """Events Slack delivered, so a retry (same ``event_id``) is handled once."""

    __tablename__ = "processed_event"

    event_id: Mapped[str] = mapped_column(String(128), primary_key=True)
    received_at: Mapped[datetime]


RSVP_STATUSES = ("pending", "yes", "no", "maybe", "delegated")
ROLES = ("trekker", "ambassadeur", "deelnemer", "expert", "bestuurder")


# -- commitments --


class Commitment(Base):
    """An agreement (afspraak) an organisation made, owned by one person."""

    __tablename__ = "commitment"
    __table_args__ = (UniqueConstraint("trajectory_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    trajectory_id: Mapped[int] = mapped_column(ForeignKey("trajectory.id", ondelete="CASCADE"), index=True)
    key: Mapped[str] = mapped_column(String(64))
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"))
    owner_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    description: Mapped[str] = mapped_column(Text)
    due: Mapped[date]
    phase: Mapped[int | None]
    status: Mapped[str] = mapped_column(String(16), default="open")
    snoozed_until: Mapped[date | None]
    last_note: Mapped[str | None] = mapped_column(Text)
    done_at: Mapped[datetime | None]
    last_reminded_on: Mapped[date | None]
    escalated_at: Mapped[datetime | None]
    source: Mapped[str] = mapped_column(String(8), default="file")
    message_key: Mapped[str | None] = mapped_column(String(255))  # outbox key of the message to update in place

    organisation: Mapped[Organisation] = relationship()
    owner: Mapped[Person] = relationship()
    history: Mapped[list[CommitmentEvent]] = relationship(back_populates="commitment", order_by="CommitmentEvent.id")


class CommitmentEvent(Base):
    """One change of a commitment: who, when, from, to, note."""

    __tablename__ = "commitment_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    commitment_id: Mapped[int] = mapped_column(ForeignKey("commitment.id", ondelete="CASCADE"), index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    at: Mapped[datetime]
    from_status: Mapped[str] = mapped_column(String(16))
    to_status: Mapped[str] = mapped_column(String(16))
    note: Mapped[str | None] = mapped_column(Text)
    snoozed_until: Mapped[date | None]

    commitment: Mapped[Commitment] = relationship(back_populates="history")
    actor: Mapped[Person | None] = relationship()


COMMITMENT_STATUSES = ("open", "busy", "done", "blocked", "not_applicable")
REMINDED_STATUSES = ("open", "busy", "blocked")


# -- memos and evaluations --


class Memo(Base):
    """A message from a trekker to (part of) the trajectory.  A draft until the
    trekker confirms the preview; then one outbox row per recipient."""

    __tablename__ = "memo"

    id: Mapped[int] = mapped_column(primary_key=True)
    trajectory_id: Mapped[int] = mapped_column(ForeignKey("trajectory.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("person.id", ondelete="SET NULL"))
    title: Mapped[str] = mapped_column(Text)
    body: Mapped[str] = mapped_column(Text)  # as the trekker typed it; sanitised when rendered
    # {"kind": all | roles | organisations | session, "roles": [...], "organisations": [keys]}
    audience: Mapped[dict[str, Any]] = mapped_column(default=dict)
    session_id: Mapped[int | None] = mapped_column(ForeignKey("session.id", ondelete="SET NULL"))
    report: Mapped[str | None] = mapped_column(String(8))  # before | after: reports back on the session
    reminder_days: Mapped[int | None]
    status: Mapped[str] = mapped_column(String(16), default="draft")  # draft | sent
    created_at: Mapped[datetime]
    sent_at: Mapped[datetime | None]

    recipients: Mapped[list[MemoRecipient]] = relationship(back_populates="memo")


class MemoRecipient(Base):
    """One person a memo went to, and when they pressed *Gelezen*."""

    __tablename__ = "memo_recipient"
    __table_args__ = (UniqueConstraint("memo_id", "person_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    memo_id: Mapped[int] = mapped_column(ForeignKey("memo.id", ondelete="CASCADE"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"), index=True)
    read_at: Mapped[datetime | None]
    reminded_at: Mapped[datetime | None]

    memo: Mapped[Memo] = relationship(back_populates="recipients")
    person: Mapped[Person] = relationship()


class EvaluationForm(Base):
    """A form from the trajectory file (``evaluation_forms:``), updated in place by key."""

    __tablename__ = "evaluation_form"
    __table_args__ = (UniqueConstraint("trajectory_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    trajectory_id: Mapped[int] = mapped_column(ForeignKey("trajectory.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(64))
    anonymous: Mapped[bool] = mapped_column(default=False)
    # [{"key", "type": rating | choice | multi | text, "question", "scale", "options", "optional"}]
    questions: Mapped[list[Any]] = mapped_column(default=list)
    active: Mapped[bool] = mapped_column(default=True)  # false once dropped from the file


class Evaluation(Base):
    """The evaluation of one session: open from the first prompt until ``closes_at``.

    The questions are copied from the form when it opens, so answers and questions
    stay together even if the file changes the form later.
    """

    __tablename__ = "evaluation"

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("session.id", ondelete="CASCADE"), unique=True)
    form_key: Mapped[str] = mapped_column(String(64))
    anonymous: Mapped[bool] = mapped_column(default=False)
    questions: Mapped[list[Any]] = mapped_column(default=list)
    opened_at: Mapped[datetime]
    closes_at: Mapped[datetime]
    closed_at: Mapped[datetime | None]


class EvaluationPrompt(Base):
    """Who was asked to evaluate, and the "has responded" marker.

    For an anonymous form this row is the only trace of a person: it holds no answers
    and no time of answering, so it cannot be matched to a response.
    """

    __tablename__ = "evaluation_prompt"
    __table_args__ = (UniqueConstraint("evaluation_id", "person_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    evaluation_id: Mapped[int] = mapped_column(ForeignKey("evaluation.id", ondelete="CASCADE"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"), index=True)
    prompted_at: Mapped[datetime]
    responded: Mapped[bool] = mapped_column(default=False)
    revision: Mapped[int] = mapped_column(default=0)  # raised on every change of the prompt message

    evaluation: Mapped[Evaluation] = relationship()
    person: Mapped[Person] = relationship()


class EvaluationResponse(Base):
    """The answers of one respondent.

    Anonymous form: ``person_id`` and both times are NULL and the id is random, so
    neither a column nor the row order says whose answers these are or when they came.
    """

    __tablename__ = "evaluation_response"
    __table_args__ = (UniqueConstraint("evaluation_id", "person_id"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    evaluation_id: Mapped[int] = mapped_column(ForeignKey("evaluation.id", ondelete="CASCADE"), index=True)
    person_id: Mapped[int | None] = mapped_column(ForeignKey("person.id", ondelete="SET NULL"))
    answers: Mapped[dict[str, Any]] = mapped_column(default=dict)
    submitted_at: Mapped[datetime | None]
    updated_at: Mapped[datetime | None]


class EvaluationPoolAnswer(Base):
    """An anonymous answer set waiting to be moved into ``evaluation_response``.

    No person, no time; a random key and (SQLite) no rowid, so the storage order is
    the random key's.  The whole pool of an evaluation is rewritten by every answer
    and moved in random order in batches (``bot.services.evaluation_answers``).
    """

    __tablename__ = "evaluation_pool"
    __table_args__ = {"sqlite_with_rowid": False}

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    evaluation_id: Mapped[int] = mapped_column(ForeignKey("evaluation.id", ondelete="CASCADE"), index=True)
    answers: Mapped[dict[str, Any]] = mapped_column(default=dict)


class PrivacyArchive(Base):
    """What stays of a trajectory once retention erased its personal data: counts per
    organisation kind and evaluation averages, nothing about a person."""

    __tablename__ = "privacy_archive"

    id: Mapped[int] = mapped_column(primary_key=True)
    trajectory_key: Mapped[str] = mapped_column(String(64))
    title: Mapped[str] = mapped_column(Text)
    ended_at: Mapped[datetime | None]
    erased_at: Mapped[datetime]
    summary: Mapped[dict[str, Any]] = mapped_column(default=dict)


MEMO_AUDIENCES = ("all", "roles", "organisations", "session")
QUESTION_TYPES = ("rating", "choice", "multi", "text")


# -- phases, summaries and sign-off --


class PhaseTransition(Base):
    """A move of the trajectory to another phase, with whether the result was reached."""

    __tablename__ = "phase_transition"

    id: Mapped[int] = mapped_column(primary_key=True)
    trajectory_id: Mapped[int] = mapped_column(ForeignKey("trajectory.id", ondelete="CASCADE"), index=True)
    from_phase: Mapped[int]
    to_phase: Mapped[int]
    reached: Mapped[str] = mapped_column(String(16))  # yes | partly | no
    note: Mapped[str | None] = mapped_column(Text)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    at: Mapped[datetime]

    actor: Mapped[Person | None] = relationship()


class SummaryPost(Base):
    """One posted phase-status summary; a scheduled slot is posted at most once."""

    __tablename__ = "summary_post"
    __table_args__ = (UniqueConstraint("trajectory_id", "slot"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    trajectory_id: Mapped[int] = mapped_column(ForeignKey("trajectory.id", ondelete="CASCADE"))
    slot: Mapped[str] = mapped_column(String(64))  # "2027-03-08T09:00" or "manual:<uuid>"
    posted_at: Mapped[datetime]


class SignOffRound(Base):
    """Phase 3: organisations sign the proposal / cooperation agreement."""

    __tablename__ = "signoff_round"

    id: Mapped[int] = mapped_column(primary_key=True)
    trajectory_id: Mapped[int] = mapped_column(ForeignKey("trajectory.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(Text)
    link: Mapped[str] = mapped_column(Text)
    deadline: Mapped[date]
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    created_at: Mapped[datetime]
    completed_at: Mapped[datetime | None]

    requests: Mapped[list[SignOffRequest]] = relationship(back_populates="round", order_by="SignOffRequest.id")


class SignOffRequest(Base):
    """One organisation's decision on a sign-off round."""

    __tablename__ = "signoff_request"
    __table_args__ = (UniqueConstraint("round_id", "organisation_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("signoff_round.id", ondelete="CASCADE"))
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"))
    decision: Mapped[str] = mapped_column(String(16), default="pending")  # pending | agreed | declined
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    decided_at: Mapped[datetime | None]
    reason: Mapped[str | None] = mapped_column(Text)
    revision: Mapped[int] = mapped_column(default=0)

    round: Mapped[SignOffRound] = relationship(back_populates="requests")
    organisation: Mapped[Organisation] = relationship()
    decided_by: Mapped[Person | None] = relationship()


class SignOffEvent(Base):
    """History of a sign-off request: decisions and questions (who, when, what)."""

    __tablename__ = "signoff_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("signoff_request.id", ondelete="CASCADE"), index=True)
    actor_id: Mapped[int] = mapped_column(ForeignKey("person.id"))
    at: Mapped[datetime]
    kind: Mapped[str] = mapped_column(String(16))  # agreed | declined | question
    note: Mapped[str | None] = mapped_column(Text)


class MailReply(Base):
    """A mail the bot read from its IMAP folder (``IMAP_URL``), so each is handled once:
    by its place in the folder (UIDVALIDITY + UID) and by its Message-ID."""

    __tablename__ = "mail_reply"
    __table_args__ = (UniqueConstraint("mailbox", "uidvalidity", "uid"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    mailbox: Mapped[str] = mapped_column(String(512))  # user@host:port/folder, no password
    uidvalidity: Mapped[int] = mapped_column(BigInteger)
    uid: Mapped[int] = mapped_column(BigInteger)
    message_key: Mapped[str] = mapped_column(String(255), index=True)  # Message-ID, or a digest without one
    outcome: Mapped[str] = mapped_column(String(32))
    invitation_id: Mapped[int | None]  # no foreign key: the record outlives an erased invitation
    received_at: Mapped[datetime]


class AppSecret(Base):
    """A secret the bot made for itself (``link_key``: signs personal links when SECRET_KEY
    is not set), kept so that links stay valid across restarts and processes."""

    __tablename__ = "app_secret"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime]


class DashboardSignIn(Base):
    """A one-time sign-in link to the trekker's dashboard: only its SHA-256 is stored;
    valid 15 minutes, used once (``used_at``)."""

    __tablename__ = "dashboard_sign_in"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"), index=True)
    platform: Mapped[str] = mapped_column(String(16))  # slack | teams | email: who the trekker acts as
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]


class DashboardSession(Base):
    """A signed-in dashboard session (the cookie holds the token; only its SHA-256 is stored).
    Ends on sign-out (``ended_at``) or after 8 hours without a request (``last_seen_at``)."""

    __tablename__ = "dashboard_session"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"), index=True)
    platform: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime]
    last_seen_at: Mapped[datetime]
    ended_at: Mapped[datetime | None]


# -- outbound pacing shared by processes --


class RateSlot(Base):
    """The shared pacing of one platform operation (``slack:direct``, ...): every bot
    process on the database reserves its send slots here (scheduling/rate_slots.py)."""

    __tablename__ = "rate_slot"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    # The theoretical arrival time of the next call (GCRA), in seconds since the epoch.
    next_at: Mapped[float] = mapped_column(sa_Float(), default=0.0, server_default=text("0"))
