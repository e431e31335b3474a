"""E-mail, the third channel: the chat port over SMTP (``chat``), mails rendered at send
time from the outbox view-models (``render``, ``views``), and their MIME form (``message``)."""
