"""GraphiQL at /graphql in headless Chromium, with every request off the server aborted.

Proves the playground works without internet: its JS/CSS come from /static/vendor/, a query
runs over HTTP with the bearer header from the header editor, and a subscription runs over
graphql-ws.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from playwright.async_api import Browser, Page, Request, Route

from models.chat import Message
from tests.support.factories import Account, make_challenge
from tests.support.graphql import GraphQLClient
from tests.support.servers import AppServer

ME = "query Me { me { id nickname } }"

ROOM_EVENTS = """
subscription RoomEvents($challengeId: ID!, $after: String) {
  roomEvents(challengeId: $challengeId, after: $after) { type message { body sender { id } } }
}
"""

SEND_MESSAGE = """
mutation SendMessage($challengeId: ID!, $body: String!) {
  sendMessage(challengeId: $challengeId, body: $body) { id cursor body }
}
"""

VENDOR_ASSETS = {
    "/static/vendor/graphiql/graphiql.min.js",
    "/static/vendor/graphiql/graphiql.min.css",
    "/static/vendor/react/react.production.min.js",
    "/static/vendor/react-dom/react-dom.production.min.js",
}

# CodeMirror 5 keeps its editor object on the DOM node; the tests drive the editors through it.
SET_EDITOR = """([selector, match, value]) => {
  const editors = [...document.querySelectorAll(selector)].map((node) => node.CodeMirror);
  const editor = editors.find((cm) => cm && cm.getValue().includes(match));
  if (!editor) throw new Error(`no editor under ${selector} containing ${match}`);
  editor.setValue(value);
}"""

RECORD_RESULTS = """() => {
  const editor = document.querySelector('.result-window .CodeMirror').CodeMirror;
  window.__results = [];
  editor.on('change', () => window.__results.push(editor.getValue()));
}"""


class OfflinePage:
    """A page that may only talk to the app server; everything else is aborted and recorded."""

    def __init__(self, page: Page, server: AppServer) -> None:
        self.page = page
        self.host = urlsplit(server.url).netloc
        self.local: list[str] = []
        self.aborted: list[str] = []

    async def install(self) -> None:
        async def route(route: Route, request: Request) -> None:
            if urlsplit(request.url).netloc == self.host:
                self.local.append(urlsplit(request.url).path)
                await route.continue_()
            else:
                self.aborted.append(request.url)
                await route.abort()

        await self.page.route("**/*", route)

    async def open_graphiql(self, url: str) -> None:
        response = await self.page.goto(url)
        assert response is not None and response.status == 200
        await self.page.wait_for_selector(".graphiql-query-editor .CodeMirror")

    async def set_editor(self, selector: str, match: str, value: str) -> None:
        await self.page.evaluate(SET_EDITOR, [selector, match, value])

    async def set_token(self, token: str) -> None:
        headers = json.dumps({"Authorization": f"Bearer {token}"})
        await self.page.get_by_role("button", name="Headers").click()
        await self.set_editor(".graphiql-editor-tool .graphiql-editor:not(.hidden) .CodeMirror", "", headers)

    async def set_query(self, query: str) -> None:
        await self.set_editor(".graphiql-query-editor .CodeMirror", "", query)

    async def set_variables(self, variables: dict[str, Any]) -> None:
        await self.page.get_by_role("button", name="Variables").click()
        await self.set_editor(".graphiql-editor-tool .CodeMirror", "", json.dumps(variables))

    async def run(self) -> None:
        await self.page.click(".graphiql-execute-button")

    async def result(self, contains: str) -> dict[str, Any]:
        handle = await self.page.wait_for_function(
            """(text) => {
              const editor = document.querySelector('.result-window .CodeMirror').CodeMirror;
              const values = [...(window.__results || []), editor.getValue()];
              return values.find((value) => value.includes(text));
            }""",
            arg=contains,
            timeout=15_000,
        )
        return dict(json.loads(await handle.json_value()))


@pytest.fixture
async def graphiql(browser: Browser, app: AppServer, graphiql_assets: Path) -> AsyncIterator[OfflinePage]:
    context = await browser.new_context(viewport={"width": 1400, "height": 900})
    offline = OfflinePage(await context.new_page(), app)
    await offline.install()
    yield offline
    await context.close()


async def test_graphiql_renders_offline_from_static_assets(
    graphiql: OfflinePage, app: AppServer, artifacts: Path
) -> None:
    # given a browser that can reach nothing but the server
    # when it opens the playground
    await graphiql.open_graphiql(app.graphql_url)

    # then the editors render from our own assets, with the header hint in the query's comment
    # (not a placeholder token in the Headers tab, which would override the login cookie), and
    # nothing left the host
    query = await graphiql.page.evaluate(
        "document.querySelector('.graphiql-query-editor .CodeMirror').CodeMirror.getValue()"
    )
    assert "query Me" in query
    headers = await graphiql.page.evaluate(
        "[...document.querySelectorAll('.graphiql-editor-tool .CodeMirror')]"
        ".map((node) => node.CodeMirror.getValue()).join('\\n')"
    )
    assert '"Authorization": "Bearer <accessToken from logIn>"' in query
    assert "Bearer" not in headers
    assert set(graphiql.local) >= VENDOR_ASSETS
    assert graphiql.aborted == []
    await graphiql.page.screenshot(path=str(artifacts / "graphiql-offline.png"))


async def test_graphiql_query_runs_with_bearer_header(
    graphiql: OfflinePage, app: AppServer, new_account: Any, artifacts: Path
) -> None:
    # given a member and the playground with their token in the header editor
    account: Account = await new_account()
    await graphiql.open_graphiql(app.graphql_url)
    await graphiql.set_token(account.token)
    await graphiql.set_query(ME)

    # when the query runs
    await graphiql.run()

    # then the result pane shows that member
    result = await graphiql.result(account.id)
    assert result == {"data": {"me": {"id": account.id, "nickname": account.member.nickname}}}
    assert graphiql.aborted == []
    await graphiql.page.screenshot(path=str(artifacts / "graphiql-query.png"))


async def test_graphiql_placeholder_header_is_not_sent(graphiql: OfflinePage, app: AppServer) -> None:
    # given the playground as it opens, with the example header still unfilled
    await graphiql.open_graphiql(app.graphql_url)
    await graphiql.set_query(ME)

    # when the query runs
    await graphiql.run()

    # then it runs anonymously instead of failing on a bogus token
    assert await graphiql.result('"me"') == {"data": {"me": None}}


async def test_graphiql_subscription_receives_room_event(
    graphiql: OfflinePage,
    app: AppServer,
    client: GraphQLClient,
    client_for: Any,
    new_account: Any,
    artifacts: Path,
) -> None:
    # given a leader's challenge with one message already in its room
    leader: Account = await new_account()
    challenge = await make_challenge(leader)
    http = client_for(leader)
    first = (await http.execute(SEND_MESSAGE, {"challengeId": str(challenge.id), "body": "before"})).ok()
    await graphiql.open_graphiql(app.graphql_url)
    await graphiql.set_token(leader.token)
    await graphiql.set_query(ROOM_EVENTS)
    await graphiql.set_variables({"challengeId": str(challenge.id), "after": first["sendMessage"]["cursor"]})
    await graphiql.page.evaluate(RECORD_RESULTS)

    # when the subscription runs in the playground (it is live once its own JOIN shows: the
    # pane renders only the latest event, so a message racing the JOIN could be painted over)
    # and a message is sent
    await graphiql.run()
    await graphiql.result('"JOIN"')
    body = f"hello from graphiql {secrets.token_hex(3)}"
    sent = (await http.execute(SEND_MESSAGE, {"challengeId": str(challenge.id), "body": body})).ok()

    # then the playground receives it over graphql-ws, and the message is stored
    event = await graphiql.result(body)
    assert event["data"]["roomEvents"] == {
        "type": "MESSAGE",
        "message": {"body": body, "sender": {"id": leader.id}},
    }
    stored = await Message.get(id=int(sent["sendMessage"]["id"]))
    assert stored.body == body
    assert graphiql.aborted == []
    await graphiql.page.screenshot(path=str(artifacts / "graphiql-subscription.png"))
