"""Teams test doubles: a fake Bot Framework connector and a driver that plays Teams.

    from tests.teams_connector import FakeConnector, TeamsDriver
"""
from .driver import Response, TeamsDriver
from .server import FakeConnector, Posted, card_actions, card_inputs, validate_card

__all__ = ["FakeConnector", "TeamsDriver", "Response", "Posted", "card_actions", "card_inputs", "validate_card"]
