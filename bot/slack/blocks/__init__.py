"""Slack Block Kit builders, one module per area.  ``render`` turns an outbox
message (template name + view-model) into text and blocks."""

from __future__ import annotations

from typing import Callable

from bot.chat import OutMessage
from bot.i18n import Translator
from bot.slack.blocks import attendance, commitments, evaluations, invitations, memos, phases, signoff, summary
from bot.slack.blocks.common import translator

BUILDERS: dict[str, Callable[[dict, Translator], dict]] = {
    **invitations.BUILDERS,
    **commitments.BUILDERS,
    **memos.BUILDERS,
    **evaluations.BUILDERS,
    **summary.BUILDERS,
    **phases.BUILDERS,
    **signoff.BUILDERS,
    **attendance.BUILDERS,
}


def render(msg: OutMessage) -> dict:
    """Text and blocks for an outbox message."""
    return BUILDERS[msg.template](msg.data, translator(msg.language))
