"""updateChallenge: the leader edits fields and may replace the thumbnail."""

from __future__ import annotations

from tortoise.transactions import in_transaction

from infra.errors import BadInput, Forbidden, NotFound
from infra.services import Services
from infra.storage import StoredFile, UploadFile
from infra.viewer import Viewer
from models.challenges import Challenge
from resolvers.challenges.rules import ChallengeFields, check_dates, clean


def _below_attendance(current: int) -> BadInput:
    return BadInput(
        f"limitAttendance cannot be below the current attendance ({current}).", field="limitAttendance"
    )


async def led_challenge(*, viewer: Viewer, challenge_id: int) -> Challenge:
    """The challenge, if the viewer leads it: ``NotFound`` or ``Forbidden`` otherwise."""
    challenge = await Challenge.get_or_none(id=challenge_id)
    if challenge is None:
        raise NotFound("No such challenge.")
    if challenge.leader_id != viewer.id:  # type: ignore[attr-defined]
        raise Forbidden("Only the challenge's leader may do this.")
    return challenge


async def update_challenge(
    *,
    services: Services,
    viewer: Viewer,
    challenge_id: int,
    fields: ChallengeFields,
    thumbnail: UploadFile | None,
) -> Challenge:
    fields = clean(fields)
    challenge = await led_challenge(viewer=viewer, challenge_id=challenge_id)
    start_date = fields.start_date or challenge.start_date
    check_dates(
        start_date,
        fields.due_date or challenge.due_date,
        start_changed=start_date != challenge.start_date,
        today=services.clock.today(),
    )
    limit = fields.limit_attendance
    if limit is not None and limit < challenge.current_attendance:
        raise _below_attendance(challenge.current_attendance)

    stored: StoredFile | None = None
    if thumbnail is not None:
        stored = await services.storage.save_image(thumbnail, folder="thumbnails", field="thumbnail")
    changes = fields.changes()
    if stored is not None:
        changes["thumbnail"] = stored.key
    changes["updated_at"] = services.clock.now()
    try:
        async with in_transaction() as connection:
            queryset = Challenge.filter(id=challenge_id, leader_id=viewer.id).using_db(connection)
            if limit is not None:
                # Joins may have filled seats since the read above: the bound is part of the UPDATE.
                queryset = queryset.filter(current_attendance__lte=limit)
            if not await queryset.update(**changes):
                current = await Challenge.get_or_none(id=challenge_id, using_db=connection)
                if current is None:
                    raise NotFound("No such challenge.")
                raise _below_attendance(current.current_attendance)
    except BaseException:
        if stored is not None:
            await services.storage.delete(stored.key)
        raise
    if stored is not None:
        await services.storage.delete(challenge.thumbnail)
    return await Challenge.get(id=challenge_id)
