"""The GraphQL endpoint: HTTP (POST, GET, multipart uploads) and WebSocket subscriptions.

It turns requests into a typed :class:`schema.context.Context`: the viewer comes from an
``Authorization: Bearer`` header or the ``access_token`` cookie on HTTP, and from the
``connection_init`` payload (Apollo's ``connectionParams``) or the cookie on WebSockets.

A credential that is present but no good (invalid, expired, or of a revoked session) is never
read as anonymous: an HTTP request fails with UNAUTHENTICATED and ``extensions.reason`` unless
it selects only root fields marked ``credential_free`` (the ones that get a new session), and a
WebSocket is closed with 4403 at ``connection_init``. No credential at all is anonymous.
"""

from __future__ import annotations

import json
from datetime import timedelta
from functools import cache
from pathlib import Path
from typing import Any

import orjson
from cross_web import AsyncHTTPRequestAdapter, HTTPException
from graphql import GraphQLError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.requests import HTTPConnection, Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.types import Receive, Scope, Send
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.exceptions import ConnectionRejectionError
from strawberry.http import GraphQLRequestData
from strawberry.subscriptions import GRAPHQL_TRANSPORT_WS_PROTOCOL, GRAPHQL_WS_PROTOCOL
from strawberry.types import ExecutionResult

from infra.connection_slots import ConnectionSlots
from infra.errors import ErrorCode
from infra.sessions import CredentialRefused, authenticate
from schema.context import Context
from schema.cookies import ACCESS_COOKIE
from schema.permissions import CredentialFreeFields
from schema.root import Schema
from web.middleware.request_id import request_id_of
from web.middleware.websockets import ON_CLOSE
from web.services import Runtime
from web.socket_sessions import SocketSessions
from web.transport import LegacyWSHandler, TransportWSHandler

# Our own GraphiQL page: it loads its assets from /static/vendor/ instead of a CDN.
GRAPHIQL_PAGE = Path(__file__).resolve().parents[1] / "static" / "graphiql.html"


@cache
def graphiql_html() -> str:
    return GRAPHIQL_PAGE.read_text(encoding="utf-8")


def bearer_token(value: object) -> str | None:
    if not isinstance(value, str):
        return None
    scheme, _, token = value.strip().partition(" ")
    return token.strip() or None if scheme.lower() == "bearer" else None


def presented_credential(request: Request | WebSocket) -> str | None:
    """The access token the request presents: the Authorization header, else the cookie.
    An empty header (or a bare ``Bearer``) presents nothing; any other header that is not a
    bearer token is presented as is, and refused."""
    header = request.headers.get("authorization", "").strip()
    if header and header.lower() != "bearer":
        return bearer_token(header) or header
    return request.cookies.get(ACCESS_COOKIE) or None


def refusal(status_code: int, reason: str) -> Response:
    """A request refused before GraphQL ran, as a GraphQL error response."""
    too_many = status_code == 400 and "Too many operations" in reason
    extensions = (
        {"code": ErrorCode.QUERY_TOO_COMPLEX.value}
        if too_many
        else {"code": ErrorCode.BAD_USER_INPUT.value, "field": "body"}
    )
    body = {"data": None, "errors": [{"message": reason, "extensions": extensions}]}
    return JSONResponse(body, status_code=status_code)


def client_ip(connection: HTTPConnection) -> str:
    return connection.client.host if connection.client else "unknown"


class GraphQLView(GraphQL[Context, None]):
    graphql_transport_ws_handler_class = TransportWSHandler
    graphql_ws_handler_class = LegacyWSHandler

    def __init__(self, schema: Schema, runtime: Runtime) -> None:
        settings = runtime.settings
        protocols = [GRAPHQL_TRANSPORT_WS_PROTOCOL]
        if settings.legacy_graphql_ws:
            protocols.append(GRAPHQL_WS_PROTOCOL)
        super().__init__(
            schema,
            graphql_ide="graphiql",
            subscription_protocols=protocols,
            connection_init_wait_timeout=timedelta(seconds=settings.ws_connection_init_timeout),
            multipart_uploads_enabled=True,
            max_subscriptions_per_connection=settings.ws_max_subscriptions_per_connection,
            allowed_origins=settings.cors_origin_list,
        )
        self.runtime = runtime
        self.connection_slots = ConnectionSlots(
            runtime.services.redis, settings.ws_max_connections_per_member
        )
        self.socket_sessions = SocketSessions(runtime.services.sessions, runtime.bus)
        self.credential_free = CredentialFreeFields(schema)
        self.anonymous_sockets: dict[str, int] = {}  # client IP -> open anonymous sockets here

    def encode_json(self, data: object) -> str:
        # orjson: json.dumps was ~2 % of a 12-item list request's CPU (~550 fields). Decoded to
        # str because strawberry sends bytes as binary WebSocket frames, and graphql-transport-ws
        # clients expect text frames.
        return orjson.dumps(data).decode()

    def decode_json(self, data: str | bytes) -> object:
        """JSON bodies (and multipart ``operations``/``map``) must be objects, or a non-empty
        batch of objects: anything else is the client's 400, not a crash further down."""
        try:
            value = json.loads(data)
        except UnicodeDecodeError as error:
            raise HTTPException(400, "The request body is not valid UTF-8.") from error
        if isinstance(value, dict):
            return value
        if isinstance(value, list) and value and all(isinstance(item, dict) for item in value):
            return value
        raise HTTPException(400, "The request body must be a JSON object, or a non-empty array of them.")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await super().__call__(scope, receive, send)
            return
        # strawberry answers protocol-level refusals (bad JSON, too many batched operations,
        # wrong method) in plain text; clients get them as GraphQL errors with a code instead.
        try:
            response = await self.run(Request(scope, receive=receive))
        except HTTPException as error:
            response = refusal(error.status_code, error.reason)
        except StarletteHTTPException as error:  # e.g. a malformed multipart body
            response = refusal(error.status_code, error.detail)
        await response(scope, receive, send)

    async def render_graphql_ide(self, request: Request) -> Response:
        return HTMLResponse(graphiql_html())

    async def get_context(self, request: Request | WebSocket, response: Response | WebSocket) -> Context:
        context = Context(
            services=self.runtime.services,
            bus=self.runtime.bus,
            request=request,
            response=response if isinstance(response, Response) else None,
            client_ip=client_ip(request),
            request_id=request_id_of(request.scope),
        )
        token = presented_credential(request)
        if token:
            await self._authenticate(context, token)
        return context

    async def execute_single(
        self,
        request: Request,
        request_adapter: AsyncHTTPRequestAdapter,
        sub_response: Response,
        context: Context,
        root_value: None,
        request_data: GraphQLRequestData,
    ) -> ExecutionResult:
        refusal = context.auth_refusal
        if refusal is not None and not self.credential_free.allow(
            request_data.query, request_data.operation_name, max_tokens=self.runtime.settings.max_query_tokens
        ):
            error = GraphQLError(refusal.message, extensions=refusal.extensions)
            return ExecutionResult(data=None, errors=[error])
        return await super().execute_single(
            request, request_adapter, sub_response, context, root_value, request_data
        )

    async def on_ws_connect(self, context: Context) -> Any:
        params = context.connection_params or {}
        header = params.get("Authorization") or params.get("authorization")
        if header is not None:  # connectionParams win over the cookie
            token = bearer_token(header)
            if token is None:
                raise ConnectionRejectionError()
            await self._authenticate(context, token)
        if context.auth_refusal is not None:
            # 4403, not 4401: graphql-ws retries it, after the client refreshed its token.
            raise ConnectionRejectionError()
        if context.viewer is None:
            self._take_anonymous_slot(context)
        else:
            await self._take_connection_slot(context)
        return None

    async def _take_connection_slot(self, context: Context) -> None:
        """Refuse (4403) a member's connection beyond ``WS_MAX_CONNECTIONS_PER_MEMBER``."""
        if context.viewer is None:
            return
        member_id = context.viewer.id
        slot = await self.connection_slots.acquire(member_id)
        if slot is None:
            raise ConnectionRejectionError({"message": "Too many open connections for this member."})

        async def release() -> None:
            await self.connection_slots.release(member_id, slot)

        context.request.scope.setdefault(ON_CLOSE, []).append(release)

    def _take_anonymous_slot(self, context: Context) -> None:
        """Refuse (4403) an anonymous connection beyond ``WS_MAX_ANONYMOUS_PER_IP`` from one
        client address on this instance (anonymous sockets cost memory but prove nothing)."""
        ip = context.client_ip
        if self.anonymous_sockets.get(ip, 0) >= self.runtime.settings.ws_max_anonymous_per_ip:
            raise ConnectionRejectionError({"message": "Too many anonymous connections from this address."})
        self.anonymous_sockets[ip] = self.anonymous_sockets.get(ip, 0) + 1

        async def release() -> None:
            left = self.anonymous_sockets.get(ip, 1) - 1
            if left > 0:
                self.anonymous_sockets[ip] = left
            else:
                self.anonymous_sockets.pop(ip, None)

        context.request.scope.setdefault(ON_CLOSE, []).append(release)

    async def _authenticate(self, context: Context, token: str) -> None:
        try:
            context.viewer = await authenticate(
                token, settings=self.runtime.settings, sessions=self.runtime.services.sessions
            )
        except CredentialRefused as refused:
            context.viewer = None
            context.auth_refusal = refused
            context.auth_error = refused.message
        else:
            context.auth_refusal = None
            context.auth_error = None
