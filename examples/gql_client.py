"""E-room from Python with `gql` (HTTP for queries and mutations, WebSocket for subscriptions).

    python examples/gql_client.py --url http://127.0.0.1:8000/graphql \\
        --email you@example.com --password 'secret1!' --challenge-id 1

Logs in, reads `me` and the newest challenges, then (with --challenge-id) sends a message to
that challenge's room and follows the room from right after it, printing events until the
second message it sends comes back. Every step prints one JSON line.
"""

from __future__ import annotations

import argparse
import asyncio
import json
from typing import Any

from gql import Client, GraphQLRequest
from gql.client import AsyncClientSession
from gql.transport.exceptions import TransportQueryError
from gql.transport.httpx import HTTPXAsyncTransport
from gql.transport.websockets import WebsocketsTransport

LOG_IN = """
mutation LogIn($email: String!, $password: String!) {
  logIn(email: $email, password: $password) { accessToken refreshToken member { id nickname } }
}
"""

ME = "query Me { me { id nickname email bricksCount } }"

CHALLENGES = """
query Challenges($first: Int) {
  challenges(first: $first) { totalCount nodes { id title currentAttendance limitAttendance } }
}
"""

SEND_MESSAGE = """
mutation SendMessage($challengeId: ID!, $body: String!) {
  sendMessage(challengeId: $challengeId, body: $body) { id cursor body }
}
"""

ROOM_EVENTS = """
subscription RoomEvents($challengeId: ID!, $after: String) {
  roomEvents(challengeId: $challengeId, after: $after) {
    type cursor message { id body sender { nickname } } member { nickname }
  }
}
"""


def show(step: str, data: Any) -> None:
    print(json.dumps({"step": step, "data": data}, ensure_ascii=False), flush=True)


def http_client(url: str, token: str | None = None) -> Client:
    # The server refuses file uploads (multipart) without this header, as cross-site forgeries.
    headers = {"Apollo-Require-Preflight": "true"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    return Client(transport=HTTPXAsyncTransport(url=url, headers=headers, timeout=30))


def ws_client(url: str, token: str) -> Client:
    ws_url = url.replace("https://", "wss://", 1).replace("http://", "ws://", 1)
    transport = WebsocketsTransport(
        url=ws_url,
        # The server reads the token from connection_init, as Apollo's connectionParams sends it.
        init_payload={"Authorization": f"Bearer {token}"},
        subprotocols=[WebsocketsTransport.GRAPHQLWS_SUBPROTOCOL],
    )
    return Client(transport=transport)


async def send_message(http: AsyncClientSession, challenge_id: str, body: str) -> dict[str, Any]:
    variables = {"challengeId": challenge_id, "body": body}
    result = await http.execute(GraphQLRequest(SEND_MESSAGE, variable_values=variables))
    return dict(result["sendMessage"])


async def follow_room(url: str, token: str, challenge_id: str) -> None:
    async with http_client(url, token) as http:
        first = await send_message(http, challenge_id, "hello from gql")
        show("sendMessage", first)

        # Resuming right after a known cursor: the server replays anything newer from the
        # database before streaming live events, so the next message cannot be missed.
        after = first["cursor"]
        async with ws_client(url, token) as ws:
            events = ws.subscribe(
                GraphQLRequest(ROOM_EVENTS, variable_values={"challengeId": challenge_id, "after": after})
            )
            second = await send_message(http, challenge_id, "and again")
            async for event in events:
                show("roomEvents", event["roomEvents"])
                message = event["roomEvents"]["message"]
                if message and message["id"] == second["id"]:
                    break


async def main(url: str, email: str, password: str, challenge_id: str | None) -> int:
    async with http_client(url) as anonymous:
        try:
            login = await anonymous.execute(
                GraphQLRequest(LOG_IN, variable_values={"email": email, "password": password})
            )
        except TransportQueryError as error:
            # extensions.code says what went wrong: UNAUTHENTICATED, RATE_LIMITED (retryAfter), ...
            show("logIn failed", error.errors)
            return 1
    token = login["logIn"]["accessToken"]
    show("logIn", login["logIn"]["member"])

    async with http_client(url, token) as http:
        show("me", (await http.execute(GraphQLRequest(ME)))["me"])
        listing = await http.execute(GraphQLRequest(CHALLENGES, variable_values={"first": 5}))
        show("challenges", listing["challenges"])

    if challenge_id is not None:
        await asyncio.wait_for(follow_room(url, token, challenge_id), timeout=30)
    return 0


if __name__ == "__main__":
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--url", default="http://127.0.0.1:8000/graphql")
    parser.add_argument("--email", required=True)
    parser.add_argument("--password", required=True)
    parser.add_argument("--challenge-id")
    args = parser.parse_args()
    raise SystemExit(asyncio.run(main(args.url, args.email, args.password, args.challenge_id)))
