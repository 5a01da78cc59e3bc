"""The GraphQL endpoint: HTTP (POST, GET, multipart uploads) and WebSocket subscriptions.

It turns requests into a typed :class:`schema.context.Context`: the viewer comes from an
``Authorization: Bearer`` header or the ``access_token`` cookie on HTTP, and from the
``connection_init`` payload (Apollo's ``connectionParams``) or the cookie on WebSockets.
"""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import orjson
from cross_web import AsyncHTTPRequestAdapter, HTTPException
from graphql import GraphQLError, parse
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.requests import HTTPConnection, Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.types import Receive, Scope, Send
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.exceptions import ConnectionRejectionError
from strawberry.http import GraphQLRequestData
from strawberry.subscriptions import GRAPHQL_TRANSPORT_WS_PROTOCOL, GRAPHQL_WS_PROTOCOL

from infra.connection_slots import ConnectionSlots
from infra.errors import ErrorCode
from infra.tokens import InvalidToken, decode_access_token
from schema.context import Context
from schema.cookies import ACCESS_COOKIE
from schema.limits.cost import operation_cost
from schema.root import Schema
from web.graphiql import content_security_policy, graphiql_html
from web.middleware.request_id import request_id_of
from web.middleware.websockets import ON_CLOSE
from web.services import Runtime
from web.transport import TransportWSHandler
from web.uploads import place_files

# Deeper JSON is no GraphQL request (our deepest input nests 3 levels), and Python's recursion
# (the decoder's, and every walk of the values after it) gives out around 1,000 levels.
MAX_JSON_DEPTH = 64


def bearer_token(value: object) -> str | None:
    if not isinstance(value, str):
        return None
    scheme, _, token = value.strip().partition(" ")
    return token.strip() or None if scheme.lower() == "bearer" else None


class BatchTooComplex(Exception):
    """The operations of one batched request cost more than ``MAX_QUERY_COST`` together."""


def nested_deeper_than(value: object, limit: int) -> bool:
    """Whether JSON ``value`` nests arrays/objects more than ``limit`` levels (no recursion)."""
    pending: list[tuple[object, int]] = [(value, 1)]
    while pending:
        item, depth = pending.pop()
        children = item.values() if isinstance(item, dict) else item if isinstance(item, list) else None
        if children is None:
            continue
        if depth > limit:
            return True
        pending.extend((child, depth + 1) for child in children)
    return False


def refusal(status_code: int, reason: str, *, too_complex: bool = False) -> Response:
    """A request refused before GraphQL ran, as a GraphQL error response."""
    too_many = too_complex or (status_code == 400 and "Too many operations" in reason)
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

    def __init__(self, schema: Schema, runtime: Runtime) -> None:
        settings = runtime.settings
        protocols = [GRAPHQL_TRANSPORT_WS_PROTOCOL]
        if settings.legacy_graphql_ws:
            protocols.append(GRAPHQL_WS_PROTOCOL)
        super().__init__(
            schema,
            graphql_ide="graphiql" if settings.graphiql else None,
            subscription_protocols=protocols,
            connection_init_wait_timeout=timedelta(seconds=settings.ws_connection_init_timeout),
            multipart_uploads_enabled=True,
            max_subscriptions_per_connection=settings.ws_max_subscriptions_per_connection,
            allowed_origins=settings.cors_origin_list,
        )
        self.runtime = runtime
        self.core_schema = schema._schema
        self.connection_slots = ConnectionSlots(
            runtime.services.redis, settings.ws_max_connections_per_member
        )

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
        except RecursionError as error:
            raise HTTPException(400, f"The JSON nests more than {MAX_JSON_DEPTH} levels.") from error
        if nested_deeper_than(value, MAX_JSON_DEPTH):
            raise HTTPException(400, f"The JSON nests more than {MAX_JSON_DEPTH} levels.")
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
        except BatchTooComplex as error:
            response = refusal(400, str(error), too_complex=True)
        except HTTPException as error:
            response = refusal(error.status_code, error.reason)
        except StarletteHTTPException as error:  # e.g. a malformed multipart body
            response = refusal(error.status_code, error.detail)
        await response(scope, receive, send)

    async def parse_multipart(self, request: AsyncHTTPRequestAdapter) -> Any:
        """strawberry's, with the files placed by :func:`web.uploads.place_files`, which answers a
        ``map`` that points anywhere but at a null variable with a 400."""
        try:
            form_data = await request.get_form_data()
        except ValueError as error:
            raise HTTPException(400, "Unable to parse the multipart body") from error
        operations, file_map = (form_data.form.get(name, "{}") for name in ("operations", "map"))
        return place_files(
            self.parse_json(operations) if isinstance(operations, str | bytes) else operations,
            self.parse_json(file_map) if isinstance(file_map, str | bytes) else file_map,
            form_data.files,
        )

    async def execute_operation(
        self,
        request: Request,
        request_adapter: Any,
        request_data: GraphQLRequestData | list[GraphQLRequestData],
        context: Context,
        root_value: Any,
        sub_response: Response,
    ) -> Any:
        if isinstance(request_data, list):
            self._check_batch_cost(request_data)
        return await super().execute_operation(
            request, request_adapter, request_data, context, root_value, sub_response
        )

    def _check_batch_cost(self, batch: list[GraphQLRequestData]) -> None:
        """A batch's operations share one ``MAX_QUERY_COST``: none runs when they pass it together
        (each is also held to it alone, when it is validated)."""
        settings = self.runtime.settings
        total = 0
        for item in batch:
            if not isinstance(item.query, str):
                continue
            try:
                document = parse(item.query, no_location=True, max_tokens=settings.max_query_tokens)
            except GraphQLError:
                continue  # refused with its own error when it runs
            variables = item.variables if isinstance(item.variables, dict) else {}
            total += operation_cost(self.core_schema, document, item.operation_name, variables, settings)
            if total > settings.max_query_cost:
                raise BatchTooComplex(
                    f"The batch costs over {settings.max_query_cost}; the limit is {settings.max_query_cost}."
                )

    async def render_graphql_ide(self, request: Request) -> Response:
        # Our own page, which loads its assets from /static/vendor/ instead of a CDN.
        html = graphiql_html()
        return HTMLResponse(html, headers={"content-security-policy": content_security_policy(request, html)})

    async def get_context(self, request: Request | WebSocket, response: Response | WebSocket) -> Context:
        context = Context(
            services=self.runtime.services,
            bus=self.runtime.bus,
            request=request,
            response=response if isinstance(response, Response) else None,
            client_ip=client_ip(request),
            request_id=request_id_of(request.scope),
        )
        token = bearer_token(request.headers.get("authorization")) or request.cookies.get(ACCESS_COOKIE)
        if token:
            self._authenticate(context, token)
        return context

    async def on_ws_connect(self, context: Context) -> Any:
        params = context.connection_params or {}
        header = params.get("Authorization") or params.get("authorization")
        if header is None:  # the cookie (checked in get_context), or anonymous
            if context.auth_error:
                raise ConnectionRejectionError()
            await self._take_connection_slot(context)
            return None
        token = bearer_token(header)
        if token is None:
            raise ConnectionRejectionError()
        self._authenticate(context, token)
        if context.auth_error:
            raise ConnectionRejectionError()
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

    def _authenticate(self, context: Context, token: str) -> None:
        try:
            context.viewer = decode_access_token(token, self.runtime.settings)
            context.auth_error = None
        except InvalidToken:
            context.viewer = None
            context.auth_error = "Your access token is invalid or has expired."
