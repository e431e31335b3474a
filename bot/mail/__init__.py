"""E-mail: the third channel beside Slack and Teams."""
