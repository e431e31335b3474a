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
    SUMMARY_REMIND = "summary_remind"
    PHASE_REACHED = "phase_reached"
    SIGN_AGREE = "sign_agree"
    SIGN_DECLINE = "sign_decline"
    SIGN_QUESTION = "sign_question"
    SIGN_TITLE = "sign_title"
    SIGN_LINK = "sign_link"
    SIGN_ORGS = "sign_orgs"
    SIGN_DEADLINE = "sign_deadline"
    NOTE = "note"
    SNOOZE_CHOICE = "snooze_choice"
    SNOOZE_DATE = "snooze_date"
    ADD_ORG = "add_org"
    ADD_OWNER = "add_owner"
    ADD_DESC = "add_desc"
    ADD_DUE = "add_due"
    ADD_PHASE = "add_phase"
    # memos
    MEMO_READ = "memo_read"
    MEMO_PREVIEW_READ = "memo_preview_read"
    MEMO_EDIT = "memo_edit"
    MEMO_STATUS = "memo_status"
    MEMO_TITLE = "memo_title"
    MEMO_BODY = "memo_body"
    MEMO_AUDIENCE = "memo_audience"
    MEMO_ROLES = "memo_roles"
    MEMO_ORGS = "memo_orgs"
    MEMO_SESSION = "memo_session"
    MEMO_REPORT = "memo_report"
    MEMO_REMINDER = "memo_reminder"
    # evaluations
    EVAL_OPEN = "eval_open"
    EVAL_ANSWER = "eval_answer"
    EVAL_EXPORT = "eval_export"  # value: evaluation id; the answers as a file (trekker)
    # attendance ("Wie was er?")
    ATTEND_OPEN = "attend_open"  # value: session id; the form (trekker)
    ATTEND_PEOPLE = "attend_people"


class View(StrEnum):
    DELEGATE = "delegate_modal"
    COMMIT_STATUS = "commitment_status_modal"
    COMMIT_ADD = "commitment_add_modal"
    PHASE = "phase_modal"
    SIGN_START = "signoff_start_modal"
    SIGN_NOTE = "signoff_note_modal"
    MEMO_FORM = "memo_form_modal"
    MEMO_PREVIEW = "memo_preview_modal"
    EVALUATION = "evaluation_modal"
    ATTENDANCE = "attendance_modal"


class Block(StrEnum):
    ATTEND = "attendance"
    ATTEND_PEOPLE = "attend_people_block"
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
    SUMMARY = "summary_actions"
    PHASE_REACHED = "phase_reached_block"
    SIGN = "signoff"
    SIGN_TITLE = "sign_title_block"
    SIGN_LINK = "sign_link_block"
    SIGN_ORGS = "sign_orgs_block"
    SIGN_DEADLINE = "sign_deadline_block"
    MEMO = "memo"
    MEMO_REMINDER = "memo_reminder"
    MEMO_PREVIEW = "memo_preview"
    MEMO_SENT = "memo_sent"
    MEMO_TITLE = "memo_title_block"
    MEMO_BODY = "memo_body_block"
    MEMO_AUDIENCE = "memo_audience_block"
    MEMO_ROLES = "memo_roles_block"
    MEMO_ORGS = "memo_orgs_block"
    MEMO_SESSION = "memo_session_block"
    MEMO_REPORT = "memo_report_block"
    MEMO_REMINDER_DAYS = "memo_reminder_block"
    EVAL_PROMPT = "eval_prompt"
    EVAL_REMINDER = "eval_reminder"
    EVAL_QUESTION = "eval_q"  # block_id of a question: "eval_q:<question key>"
    EVAL_RESULTS = "eval_results"  # the results' export button


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
