"""E-mail, the third channel: the chat port over SMTP (``chat``), mails rendered at send
time from the outbox view-models (``render``, ``views``), their MIME form (``message``),
and calendar answers read back by IMAP (``imap``, ``replies``)."""
