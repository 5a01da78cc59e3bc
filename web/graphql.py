"""The GraphQL endpoint: HTTP (POST, GET, multipart uploads) and WebSocket subscriptions.

It turns requests into a typed :class:`schema.context.Context`: the viewer comes from an
``Authorization: Bearer`` header or the ``access_token`` cookie on HTTP, and from the
``connection_init`` payload (Apollo's ``connectionParams``) or the cookie on WebSockets.

A credential that is present but no good (invalid, expired, or of a revoked session) is never
read as anonymous: an HTTP request fails with UNAUTHENTICATED and ``extensions.reason`` unless
it selects only root fields marked ``CREDENTIAL_FREE`` (the ones that get a new session), and a
WebSocket is closed with 4403 at ``connection_init``. No credential at all is anonymous.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import orjson
from cross_web import AsyncHTTPRequestAdapter, HTTPException
from graphql import GraphQLError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.types import Receive, Scope, Send
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.exceptions import ConnectionRejectionError
from strawberry.http import GraphQLRequestData
from strawberry.subscriptions import GRAPHQL_TRANSPORT_WS_PROTOCOL, GRAPHQL_WS_PROTOCOL
from strawberry.types import ExecutionResult

from infra.connection_slots import ConnectionSlots
from infra.sessions import CredentialRefused, authenticate
from schema.context import Context
from schema.permissions import CredentialFreeFields
from schema.root import Schema
from web.credentials import bearer_token, client_ip, presented_credential
from web.graphiql import content_security_policy, graphiql_html
from web.middleware.request_id import request_id_of
from web.requests import BatchTooComplex, check_batch_cost, decode_body, refusal
from web.services import Runtime
from web.socket_admission import SocketAdmission
from web.socket_sessions import SocketSessions
from web.transport import LegacyWSHandler, TransportWSHandler
from web.uploads import place_files


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
            graphql_ide="graphiql" if settings.graphiql else None,
            subscription_protocols=protocols,
            connection_init_wait_timeout=timedelta(seconds=settings.ws_connection_init_timeout),
            multipart_uploads_enabled=True,
            max_subscriptions_per_connection=settings.ws_max_subscriptions_per_connection,
            allowed_origins=settings.cors_origin_list,
        )
        self.runtime = runtime
        self.core_schema = schema._schema
        self.admission = SocketAdmission(
            ConnectionSlots(runtime.services.redis, settings.ws_max_connections_per_member),
            max_anonymous_per_ip=settings.ws_max_anonymous_per_ip,
        )
        self.socket_sessions = SocketSessions(runtime.services.sessions, runtime.bus)
        self.credential_free = CredentialFreeFields(schema)

    def encode_json(self, data: object) -> str:
        # orjson: json.dumps was ~2 % of a 12-item list request's CPU (~550 fields). Decoded to
        # str because strawberry sends bytes as binary WebSocket frames, and graphql-transport-ws
        # clients expect text frames.
        return orjson.dumps(data).decode()

    def decode_json(self, data: str | bytes) -> object:
        return decode_body(data)

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
            check_batch_cost(self.core_schema, request_data, self.runtime.settings)
        return await super().execute_operation(
            request, request_adapter, request_data, context, root_value, sub_response
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
        await self.admission.admit(context)
        return None

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
