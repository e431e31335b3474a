"""The plain dataclasses a trajectory file is read into, and the constants of its format."""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

FILE_VERSION = 1
DEFAULT_LANGUAGE = "nl"
DEFAULT_TIMEZONE = "Europe/Amsterdam"
ROLES = ("trekker", "ambassadeur", "deelnemer", "expert", "bestuurder")
LANGUAGES = ("nl", "en")
PLATFORMS = ("slack", "teams", "email")
QUESTION_TYPES = ("rating", "choice", "multi", "text")
PHASES = (1, 2, 3)
WEEKDAYS = {
    "maandag": 0, "dinsdag": 1, "woensdag": 2, "donderdag": 3, "vrijdag": 4, "zaterdag": 5, "zondag": 6,
    "monday": 0, "tuesday": 1, "wednesday": 2, "thursday": 3, "friday": 4, "saturday": 5, "sunday": 6,
}
MAX_KEY_LENGTH = 64
MAX_OPTIONS = 10
MIN_OPTIONS = 2
MAX_OPTION_LENGTH = 75
SCALE_RANGE = (2, 10)
DEFAULT_SCALE = 5
MIN_ANONYMOUS_THRESHOLD = 3
MAX_DAYS = 365
MAX_FILE_CHARS = 5_000_000   # a real trajectory file is a few kB
MAX_NODES = 200_000          # nodes the walker visits; guards against alias bombs


@dataclass
class SummarySpec:
    weekday: int  # 0 = monday .. 6 = sunday
    time: dt.time


@dataclass
class RemindersSpec:
    rsvp_days_before: list[int] = dataclasses.field(default_factory=lambda: [7, 2])
    attendee_day_before: bool = True
    commitment_days_before: int = 7
    commitment_overdue_every: int = 7
    commitment_escalate_after: int = 7
    memo_reminder_days: int | None = None
    evaluation_delay_minutes: int = 15
    evaluation_open_days: int = 7
    evaluation_reminder_days: int = 2
    anonymous_threshold: int = 3


@dataclass
class TrajectorySpec:
    key: str
    title: str
    theme: str | None = None
    language: str = DEFAULT_LANGUAGE
    timezone: str = DEFAULT_TIMEZONE
    status_channels: list[str] = dataclasses.field(default_factory=list)
    summary: SummarySpec | None = None
    current_phase: int = 1
    reminders: RemindersSpec = dataclasses.field(default_factory=RemindersSpec)

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


@dataclass
class PhaseSpec:
    number: int
    name: str
    starting_point: str
    result: str


@dataclass
class OrganisationSpec:
    key: str
    name: str
    kind: str | None = None


@dataclass
class PersonSpec:
    name: str
    email: str
    organisation: str
    roles: list[str]
    language: str | None = None
    platform: str | None = None


@dataclass
class InviteSpec:
    roles: list[str] = dataclasses.field(default_factory=list)
    organisations: list[str] = dataclasses.field(default_factory=list)
    people: list[str] = dataclasses.field(default_factory=list)

    def includes(self, person: PersonSpec) -> bool:
        return (
            person.email in self.people
            or person.organisation in self.organisations
            or any(role in self.roles for role in person.roles)
        )


@dataclass
class SessionSpec:
    key: str
    kind: str | None
    title: str
    phase: int
    starts: dt.datetime
    ends: dt.datetime
    location: str | None = None
    agenda: str | None = None
    invite: InviteSpec = dataclasses.field(default_factory=InviteSpec)
    evaluation: str | None = None
    cancelled: bool = False


@dataclass
class CommitmentSpec:
    key: str
    organisation: str
    owner: str
    description: str
    due: dt.date
    phase: int | None = None


@dataclass
class QuestionSpec:
    key: str
    type: str
    question: str
    scale: int | None = None
    options: list[str] = dataclasses.field(default_factory=list)
    optional: bool = False


@dataclass
class FormSpec:
    key: str
    anonymous: bool = False
    questions: list[QuestionSpec] = dataclasses.field(default_factory=list)


@dataclass
class TrajectoryFile:
    path: str
    trajectory: TrajectorySpec
    phases: dict[int, PhaseSpec]
    organisations: list[OrganisationSpec]
    people: list[PersonSpec]
    sessions: list[SessionSpec]
    commitments: list[CommitmentSpec]
    evaluation_forms: dict[str, FormSpec]

    def person(self, email: str) -> PersonSpec | None:
        email = email.strip().lower()
        return next((p for p in self.people if p.email == email), None)

    def organisation(self, key: str) -> OrganisationSpec | None:
        return next((o for o in self.organisations if o.key == key), None)

    def session(self, key: str) -> SessionSpec | None:
        return next((s for s in self.sessions if s.key == key), None)

    def invitees(self, session: SessionSpec) -> list[PersonSpec]:
        """Everyone the session invites, each once, in the order of ``people``."""
        return [p for p in self.people if session.invite.includes(p)]
