"""Every Adaptive Card verb and input id, shared by the card builders and the handlers.

A button is an ``Action.Execute`` (Teams sends an ``adaptiveCard/action`` invoke and
shows the card we answer with) with an ``Action.Submit`` fallback for older clients;
both carry ``{"verb": ..., ...data}``.
"""

from enum import StrEnum


class Verb(StrEnum):
    RSVP = "rsvp"  # invitation_id, answer: yes | no | maybe
    DELEGATE = "delegate"  # invitation_id: show the colleague picker
    DELEGATE_SUBMIT = "delegate_submit"  # DelegateForm + Input.colleague
    DELEGATE_BACK = "delegate_back"  # DelegateForm: close the picker, show the invitation again
    COMMIT = "commit"  # commitment_id, to: a status (busy/blocked/na/snoozed show a form)
    COMMIT_SUBMIT = "commit_submit"  # commitment_id, to + Input.note / snooze inputs
    COMMIT_ROUND = "commit_round"  # trajectory_id: the trekker's reminder round
    COMMIT_ADD_SUBMIT = "commit_add_submit"  # trajectory_id + Input.* of the new commitment
    MEMO_READ = "memo_read"  # recipient_id: "Gelezen"
    MEMO_STATUS = "memo_status"  # memo_id: who has read it (trekker)
    MEMO_PREVIEW = "memo_preview"  # trajectory_id, memo_id + Input.memo_*: check the form, show the preview
    MEMO_EDIT = "memo_edit"  # memo_id: back from the preview to the form
    MEMO_SEND = "memo_send"  # memo_id: send the previewed draft
    EVAL_OPEN = "eval_open"  # prompt_id: the evaluation form
    EVAL_SUBMIT = "eval_submit"  # prompt_id + Input.eval_q_<key>
    EVAL_BACK = "eval_back"  # prompt_id: close the form, show the prompt again
    EVAL_EXPORT = "eval_export"  # evaluation_id: the answers as a file in the personal chat (trekker)
    SUMMARY_REMIND = "summary_remind"  # session_id: remind the next session's non-responders (trekker)
    PHASE_SUBMIT = "phase_submit"  # trajectory_id, to + Input.phase_*: move to the next phase (trekker)
    SIGN_START_SUBMIT = "sign_start_submit"  # trajectory_id + Input.sign_*: ask the organisations to sign
    SIGN_AGREE = "sign_agree"  # request_id
    SIGN_DECLINE = "sign_decline"  # request_id: a reason form
    SIGN_QUESTION = "sign_question"  # request_id: a question form
    SIGN_NOTE_SUBMIT = "sign_note_submit"  # request_id, kind + Input.sign_note
    SIGN_BACK = "sign_back"  # request_id: close the form, show the request again
    ATTEND_OPEN = "attend_open"  # session_id: the "Wie was er?" form (trekker)
    ATTEND_SUBMIT = "attend_submit"  # AttendanceForm + Input.attend_people: who came
    BACK = "back"  # leave a form: show the card it came from again (card, ids, origin)


class Input(StrEnum):
    ATTEND_PEOPLE = "attend_people"
    COLLEAGUE = "colleague"
    NOTE = "note"
    SNOOZE_CHOICE = "snooze_choice"
    SNOOZE_DATE = "snooze_date"
    ADD_ORG = "add_organisation"
    ADD_OWNER = "add_owner"
    ADD_DESC = "add_description"
    ADD_DUE = "add_due"
    ADD_PHASE = "add_phase"


# Where a button was pressed: the message itself, or the overview (``mijn``) that
# must be shown again afterwards.
ORIGIN_MESSAGE = "message"
ORIGIN_MINE = "mine"


def channel_part(conversation_id: str) -> str:
    """A Teams channel message has ``<channel id>;messageid=<root>`` as its conversation:
    the channel id alone."""
    return conversation_id.split(";")[0]


def same_channel(a: str, b: str) -> bool:
    """Two conversation ids (thread or not) in the same Teams channel."""
    return channel_part(a) == channel_part(b)
