"""Platform-neutral use cases: one function per interaction (a button, a form, a command).

A use case takes the acting platform user and a typed request, checks authorisation
once, validates with the service's rules, runs the transaction and returns a typed
result.  It raises :class:`~bot.interactions.errors.Refused` (the actor may not do this,
or the record is unknown: a short answer to the actor alone, nothing changes) or
:class:`~bot.interactions.errors.Problems` (form input that breaks a rule, per field).
Slack, Teams and the web only parse the request and render the result or the error.
"""
