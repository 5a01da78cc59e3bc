"""Fixtures of the chat tests: the real-time tests' crew (a challenge with a leader, alice, bob
and an outsider) and WebSockets, plus helpers to call the chat mutations."""

from __future__ import annotations

from typing import Any

from tests.realtime.conftest import Crew, crew, send, sockets
from tests.support.factories import Account
from tests.support.graphql import GraphQLClient, Result
from tests.support.servers import AppServer

__all__ = ["Crew", "call", "crew", "send", "sockets"]


async def call(app: AppServer, account: Account, operation: str, variables: dict[str, Any]) -> Result:
    """Run ``operation`` as ``account`` on ``app``."""
    async with GraphQLClient(app.url, token=account.token) as graphql:
        return await graphql.execute(operation, variables)
