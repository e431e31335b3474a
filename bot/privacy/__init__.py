"""The AVG (GDPR) side of the bot: access (``export``), erasure (``erase``), retention,
and logs without personal data.  ``python -m bot privacy ...`` calls these."""
