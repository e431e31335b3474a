"""Adaptive Card builders, one module per area.  ``render`` turns an outbox message
(template name + view-model) into the notification text and one card; ``VIEWS`` and
``FORMS`` are what a command shows (``call.show`` / ``call.open_form``)."""

from __future__ import annotations

from typing import Callable

from bot.chat import OutMessage
from bot.i18n import Translator
from bot.teams.cards import attendance, commitments, evaluations, home, invitations, memos, signoff, summary
from bot.teams.cards.common import CONTENT_TYPE
from bot.teams.text import translator

Builder = Callable[[dict, Translator], dict]

BUILDERS: dict[str, Builder] = {
    **invitations.BUILDERS,
    **commitments.BUILDERS,
    **memos.BUILDERS,
    **evaluations.BUILDERS,
    **summary.BUILDERS,
    **signoff.BUILDERS,
    **attendance.BUILDERS,
}

# Answers to a command, shown to the person who typed it: view name -> card builder.
VIEWS: dict[str, Builder] = {
    "rsvp_status": invitations.rsvp_status,
    "mine": home.overview_card,
    "memo_status": memos.memo_status,
}

# Forms a command opens: form name -> card builder (the card holds the inputs).
FORMS: dict[str, Builder] = {
    "commitment_add": commitments.add_form,
    "memo": memos.memo_form,
    "phase": summary.phase_form,
    "signoff_start": signoff.start_form,
}


def attachment(card: dict) -> dict:
    return {"contentType": CONTENT_TYPE, "content": card}


def render(msg: OutMessage) -> dict:
    """``{"summary": ..., "card": {...}}`` for an outbox message."""
    builder = BUILDERS.get(msg.template)
    if builder is None:  # a message this version cannot show in Teams: fail it visibly, do not retry
        from bot.chat import ChatError

        raise ChatError(f"no_teams_card:{msg.template}", permanent=True)
    return builder(msg.data, translator(msg.language))
