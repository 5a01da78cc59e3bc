"""Root fields of the accounts domain: thin wrappers over ``resolvers.accounts``."""

from __future__ import annotations

from typing import Annotated, cast

import strawberry

from infra.ids import parse_id
from infra.storage import UploadFile
from resolvers.accounts import queries
from resolvers.accounts.kakao_login import log_in_with_kakao
from resolvers.accounts.loaders import MemberByIdLoader
from resolvers.accounts.log_in import log_in
from resolvers.accounts.log_out import log_out
from resolvers.accounts.profile import change_password, update_nickname, update_profile_image
from resolvers.accounts.sessions import refresh_tokens
from resolvers.accounts.sign_up import sign_up
from resolvers.accounts.verification import request_email_verification
from schema.context import Info
from schema.cookies import clear_auth_cookies, refresh_cookie, set_auth_cookies
from schema.marks import CREDENTIAL_FREE, SENSITIVE
from schema.permissions import IsAuthenticated
from schema.scalars import Upload
from schema.types.accounts import AuthPayload, Availability, Member, SignUpInput

# A password, a token or a code: the operation log never shows its value (schema.redaction).
Secret = Annotated[str, strawberry.argument(metadata=SENSITIVE)]
OptionalSecret = Annotated[str | None, strawberry.argument(metadata=SENSITIVE)]


@strawberry.type
class Query:
    @strawberry.field(description="The logged-in member; null when anonymous.")
    async def me(self, info: Info) -> Member | None:
        viewer = info.context.viewer
        if viewer is None:
            return None
        member = await info.context.loader(MemberByIdLoader).load(viewer.id)
        return Member.from_model(member) if member else None

    @strawberry.field
    async def member(self, info: Info, id: strawberry.ID) -> Member | None:
        member = await queries.get_member(member_id=parse_id(id))
        return Member.from_model(member) if member else None

    @strawberry.field(metadata=CREDENTIAL_FREE)
    async def email_availability(self, info: Info, email: str) -> Availability:
        context = info.context
        result = await queries.email_availability(
            email=email, client_ip=context.client_ip, services=context.services
        )
        return Availability.from_result(result)

    @strawberry.field(metadata=CREDENTIAL_FREE)
    async def nickname_availability(self, info: Info, nickname: str) -> Availability:
        context = info.context
        result = await queries.nickname_availability(
            nickname=nickname, client_ip=context.client_ip, services=context.services
        )
        return Availability.from_result(result)


@strawberry.type
class Mutation:
    @strawberry.mutation(
        description="Mail a 6-digit sign-up code to an unregistered email.", metadata=CREDENTIAL_FREE
    )
    async def request_email_verification(self, info: Info, email: str) -> bool:
        context = info.context
        return await request_email_verification(
            email=email, client_ip=context.client_ip, services=context.services
        )

    @strawberry.mutation(metadata=CREDENTIAL_FREE)
    async def sign_up(self, info: Info, input: SignUpInput) -> AuthPayload:
        context = info.context
        session = await sign_up(
            email=input.email,
            password=input.password,
            nickname=input.nickname,
            verification_code=input.verification_code,
            client_ip=context.client_ip,
            services=context.services,
        )
        set_auth_cookies(info, session)
        return AuthPayload.from_session(session)

    @strawberry.mutation(metadata=CREDENTIAL_FREE)
    async def log_in(self, info: Info, email: str, password: Secret) -> AuthPayload:
        context = info.context
        session = await log_in(
            email=email, password=password, client_ip=context.client_ip, services=context.services
        )
        set_auth_cookies(info, session)
        return AuthPayload.from_session(session)

    @strawberry.mutation(metadata=CREDENTIAL_FREE)
    async def log_in_with_kakao(
        self, info: Info, code: Secret, redirect_uri: str | None = None
    ) -> AuthPayload:
        context = info.context
        session = await log_in_with_kakao(
            code=code, redirect_uri=redirect_uri, client_ip=context.client_ip, services=context.services
        )
        set_auth_cookies(info, session)
        return AuthPayload.from_session(session)

    @strawberry.mutation(
        description="Rotates: the old refresh token stops working. Uses the cookie if absent.",
        metadata=CREDENTIAL_FREE,
    )
    async def refresh_tokens(self, info: Info, refresh_token: OptionalSecret = None) -> AuthPayload:
        session = await refresh_tokens(
            refresh_token=refresh_token or refresh_cookie(info), services=info.context.services
        )
        set_auth_cookies(info, session)
        return AuthPayload.from_session(session)

    @strawberry.mutation(
        description="Ends this session (the refresh token's family) and clears the cookies.",
        metadata=CREDENTIAL_FREE,
    )
    async def log_out(self, info: Info, refresh_token: OptionalSecret = None) -> bool:
        context = info.context
        clear_auth_cookies(info)
        return await log_out(
            viewer=context.viewer,
            refresh_token=refresh_token or refresh_cookie(info),
            services=context.services,
        )

    @strawberry.mutation(permission_classes=[IsAuthenticated])
    async def update_nickname(self, info: Info, nickname: str) -> Member:
        member = await update_nickname(viewer=info.context.require_viewer(), nickname=nickname)
        return Member.from_model(member)

    @strawberry.mutation(permission_classes=[IsAuthenticated])
    async def update_profile_image(self, info: Info, image: Upload) -> Member:
        context = info.context
        upload = cast(UploadFile, image)  # Upload names the scalar; at run time it is an UploadFile
        member = await update_profile_image(
            viewer=context.require_viewer(), image=upload, services=context.services
        )
        return Member.from_model(member)

    @strawberry.mutation(permission_classes=[IsAuthenticated])
    async def change_password(self, info: Info, current_password: Secret, new_password: Secret) -> bool:
        context = info.context
        return await change_password(
            viewer=context.require_viewer(),
            current_password=current_password,
            new_password=new_password,
            services=context.services,
        )
