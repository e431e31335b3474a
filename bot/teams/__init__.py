"""Microsoft Teams: the chat adapter, Adaptive Card builders and the Agents SDK app."""
