"""Every action_id and callback_id, shared by builders and listeners."""

from enum import StrEnum


class Action(StrEnum):
    RSVP_YES = "rsvp_yes"
    RSVP_NO = "rsvp_no"
    RSVP_MAYBE = "rsvp_maybe"
    RSVP_DELEGATE = "rsvp_delegate"
    CALENDAR_LINK = "calendar_link"
    COLLEAGUE = "colleague"
    COMMIT_DONE = "commit_done"
    COMMIT_BUSY = "commit_busy"
    COMMIT_BLOCKED = "commit_blocked"
    COMMIT_SNOOZE = "commit_snooze"
    COMMIT_NA = "commit_na"
    COMMIT_REOPEN = "commit_reopen"
    COMMIT_ROUND = "commit_round"
    NOTE = "note"
    SNOOZE_CHOICE = "snooze_choice"
    SNOOZE_DATE = "snooze_date"
    ADD_ORG = "add_org"
    ADD_OWNER = "add_owner"
    ADD_DESC = "add_desc"
    ADD_DUE = "add_due"
    ADD_PHASE = "add_phase"


class View(StrEnum):
    DELEGATE = "delegate_modal"
    COMMIT_STATUS = "commitment_status_modal"
    COMMIT_ADD = "commitment_add_modal"


class Block(StrEnum):
    RSVP = "rsvp"
    RSVP_REMINDER = "rsvp_reminder"
    COLLEAGUE = "colleague_block"
    COMMITMENT = "commitment"
    NOTE = "note_block"
    SNOOZE_CHOICE = "snooze_choice_block"
    SNOOZE_DATE = "snooze_date_block"
    ADD_ORG = "add_org_block"
    ADD_OWNER = "add_owner_block"
    ADD_DESC = "add_desc_block"
    ADD_DUE = "add_due_block"
    ADD_PHASE = "add_phase_block"


RSVP_ACTIONS = {Action.RSVP_YES: "yes", Action.RSVP_NO: "no", Action.RSVP_MAYBE: "maybe"}

# Buttons on a commitment: the status each one leads to ("snoozed" and the notes open a modal).
COMMIT_ACTIONS = {
    Action.COMMIT_DONE: "done",
    Action.COMMIT_BUSY: "busy",
    Action.COMMIT_BLOCKED: "blocked",
    Action.COMMIT_SNOOZE: "snoozed",
    Action.COMMIT_NA: "not_applicable",
    Action.COMMIT_REOPEN: "open",
}
