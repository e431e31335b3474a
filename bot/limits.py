"""Lengths of what people may type, one number per kind of text.  The services enforce
them; the Slack, Teams and web forms show the same numbers as their maximum."""

NOTE_LIMIT = 1000  # a note: commitment progress, phase move, sign-off remark
DESCRIPTION_LIMIT = 2000  # a commitment's description
TITLE_LIMIT = 200  # a sign-off document's title
ANSWER_LIMIT = 2000  # one text answer in an evaluation form
MEMO_TITLE_LIMIT = 150  # a memo's title
MEMO_BODY_LIMIT = 3000  # a memo's text
NAME_LIMIT = 200  # a person's name typed on a web page (a colleague sent instead)
EMAIL_LIMIT = 320  # an e-mail address (RFC 5321 path limit, the person.email column)
