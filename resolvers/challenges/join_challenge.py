"""joinChallenge: take a seat atomically and tell the leader."""

from __future__ import annotations

from tortoise.exceptions import IntegrityError
from tortoise.expressions import F
from tortoise.transactions import in_transaction

from infra.errors import Conflict, NotFound, Unauthenticated
from infra.services import Services
from infra.viewer import Viewer
from models.accounts import Member
from models.challenges import Challenge, Membership, Role
from models.notifications import NotificationType
from resolvers.notifications.records import create_notification, publish_notifications

ALREADY_MEMBER = "You are already a member of this challenge."


async def join_challenge(*, services: Services, viewer: Viewer, challenge_id: int) -> Membership:
    now = services.clock.now()
    async with in_transaction() as connection:
        challenge = await Challenge.get_or_none(id=challenge_id, using_db=connection)
        if challenge is None:
            raise NotFound("No such challenge.")
        member = await Member.get_or_none(id=viewer.id, using_db=connection)
        if member is None:
            raise Unauthenticated("Your account no longer exists.")
        joined = Membership.filter(member_id=viewer.id, challenge_id=challenge_id).using_db(connection)
        if await joined.exists():
            raise Conflict(ALREADY_MEMBER)
        if challenge.due_date < services.clock.today():
            raise Conflict("This challenge has ended.")
        # The seat is taken by one conditional UPDATE, never read-then-write: concurrent joins on
        # any number of instances serialise on the row and the last seat goes to exactly one.
        seated = await (
            Challenge.filter(id=challenge_id, current_attendance__lt=F("limit_attendance"))
            .using_db(connection)
            .update(current_attendance=F("current_attendance") + 1)
        )
        if not seated:
            raise Conflict("This challenge is full.")
        try:
            membership = await Membership.create(
                using_db=connection,
                member_id=viewer.id,
                challenge_id=challenge_id,
                role=Role.CHALLENGER,
                joined_at=now,
            )
        except IntegrityError:
            # The same member joining twice at once: the unique index keeps one, this one rolls back.
            raise Conflict(ALREADY_MEMBER) from None
        notification = await create_notification(
            connection=connection,
            member_id=challenge.leader_id,  # type: ignore[attr-defined]
            type=NotificationType.REGISTER,
            content=f"{member.nickname}님이 {challenge.title} 챌린지에 참여했습니다.",
            challenge_id=challenge_id,
            created_at=now,
        )
    await publish_notifications(services.bus, [notification])
    return membership
