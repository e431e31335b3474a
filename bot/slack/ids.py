"""Every action_id and callback_id, shared by builders and listeners."""

from enum import StrEnum


class Action(StrEnum):
    RSVP_YES = "rsvp_yes"
    RSVP_NO = "rsvp_no"
    RSVP_MAYBE = "rsvp_maybe"
    RSVP_DELEGATE = "rsvp_delegate"
    CALENDAR_LINK = "calendar_link"
    COLLEAGUE = "colleague"


class View(StrEnum):
    DELEGATE = "delegate_modal"


class Block(StrEnum):
    RSVP = "rsvp"
    RSVP_REMINDER = "rsvp_reminder"
    COLLEAGUE = "colleague_block"


RSVP_ACTIONS = {Action.RSVP_YES: "yes", Action.RSVP_NO: "no", Action.RSVP_MAYBE: "maybe"}
