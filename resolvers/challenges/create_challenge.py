"""createChallenge: the challenge, its leader's membership and its chat room, all or nothing."""

from __future__ import annotations

from tortoise.transactions import in_transaction

from infra.errors import Unauthenticated
from infra.services import Services
from infra.storage import StoredFile, UploadFile
from infra.viewer import Viewer
from models.accounts import Member
from models.challenges import Challenge, Membership, Role
from models.chat import Room
from resolvers.challenges.rules import ChallengeFields, check_dates, clean


async def create_challenge(
    *, services: Services, viewer: Viewer, fields: ChallengeFields, thumbnail: UploadFile | None
) -> Challenge:
    fields = clean(fields)
    assert fields.start_date is not None and fields.due_date is not None  # required by the schema
    check_dates(fields.start_date, fields.due_date, start_changed=True, today=services.clock.today())
    await services.limiter.hit(f"create_challenge:{viewer.id}", services.settings.limit_create_challenge)

    stored: StoredFile | None = None
    if thumbnail is not None:
        stored = await services.storage.save_image(thumbnail, folder="thumbnails", field="thumbnail")
    try:
        now = services.clock.now()
        async with in_transaction() as connection:
            if not await Member.filter(id=viewer.id).using_db(connection).exists():
                raise Unauthenticated("Your account no longer exists.")
            challenge = await Challenge.create(
                using_db=connection,
                **fields.changes(),
                current_attendance=1,
                leader_id=viewer.id,
                thumbnail=stored.key if stored else None,
                created_at=now,
                updated_at=now,
            )
            await Membership.create(
                using_db=connection, member_id=viewer.id, challenge=challenge, role=Role.LEADER, joined_at=now
            )
            await Room.create(using_db=connection, challenge=challenge, created_at=now)
    except BaseException:
        # The file was written before the transaction; without the row it would be an orphan.
        if stored is not None:
            await services.storage.delete(stored.key)
        raise
    return challenge
