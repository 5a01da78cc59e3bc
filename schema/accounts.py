"""Root fields of the accounts domain."""

from __future__ import annotations

import strawberry

from infra.ids import parse_id
from resolvers.accounts import queries
from resolvers.accounts.loaders import MemberByIdLoader
from schema.context import Info
from schema.types.accounts import Member


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
