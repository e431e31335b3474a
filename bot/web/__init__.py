"""The bot's own web pages: personal pages reached from e-mail (``/p/<token>``)."""
