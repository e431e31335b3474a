"""Lengths of what people may type, one number per kind of text.  The services enforce
them; the Slack, Teams and web forms show the same numbers as their maximum."""

import re
from typing import Any

NOTE_LIMIT = 1000  # a note: commitment progress, phase move, sign-off remark
DESCRIPTION_LIMIT = 2000  # a commitment's description
TITLE_LIMIT = 200  # a sign-off document's title
ANSWER_LIMIT = 2000  # one text answer in an evaluation form
MEMO_TITLE_LIMIT = 150  # a memo's title
MEMO_BODY_LIMIT = 3000  # a memo's text
NAME_LIMIT = 200  # a person's name typed on a web page (a colleague sent instead)
EMAIL_LIMIT = 320  # an e-mail address (RFC 5321 path limit, the person.email column)

# -- characters no database keeps ---------------------------------------------------------
# PostgreSQL refuses U+0000 in text, and neither driver can encode a lone surrogate
# (U+D800-U+DFFF, which JSON's "\ud800" and YAML's "\ud800" escapes produce).  One rule
# for both databases: a trajectory file holding one is an error at its line; what people
# type (commands, every form field, on Slack and Teams) has them taken out at the edge.
UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


def has_unstorable(text: str) -> bool:
    return UNSTORABLE.search(text) is not None


def storable(value: Any) -> Any:
    """``value`` without unstorable characters: a string cleaned, a dict or list cleaned
    in place (keys included) and returned; anything else as it is."""
    if isinstance(value, str):
        return UNSTORABLE.sub("", value) if UNSTORABLE.search(value) else value
    if isinstance(value, list):
        value[:] = [storable(item) for item in value]
    elif isinstance(value, dict):
        cleaned = {storable(k): storable(v) for k, v in value.items()}
        value.clear()
        value.update(cleaned)
    return value
