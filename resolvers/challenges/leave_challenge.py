"""leaveChallenge: a member gives up their seat; the leader cannot."""

from __future__ import annotations

from tortoise.expressions import F
from tortoise.transactions import in_transaction

from events.channels import room_channel
from events.member import MemberLeft
from infra.errors import Forbidden, NotFound
from infra.services import Services
from infra.viewer import Viewer
from models.challenges import Challenge, Membership, Role

NOT_A_MEMBER = "You are not a member of this challenge."


async def leave_challenge(*, services: Services, viewer: Viewer, challenge_id: int) -> int:
    async with in_transaction() as connection:
        membership = await Membership.get_or_none(
            member_id=viewer.id, challenge_id=challenge_id, using_db=connection
        )
        if membership is None:
            if not await Challenge.filter(id=challenge_id).using_db(connection).exists():
                raise NotFound("No such challenge.")
            raise Forbidden(NOT_A_MEMBER)
        if membership.role == Role.LEADER:
            raise Forbidden(
                "The leader cannot leave the challenge: delete it, or hand leadership over first."
            )
        # Concurrent leaves of the same member: only the one that deletes the row frees the seat.
        if not await Membership.filter(id=membership.id).using_db(connection).delete():
            raise Forbidden(NOT_A_MEMBER)
        await (
            Challenge.filter(id=challenge_id)
            .using_db(connection)
            .update(current_attendance=F("current_attendance") - 1)
        )
    await services.bus.publish(room_channel(challenge_id), MemberLeft(member_id=viewer.id))
    return challenge_id
