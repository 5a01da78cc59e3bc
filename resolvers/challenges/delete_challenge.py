"""deleteChallenge: the leader removes the challenge with everything that hangs off it."""

from __future__ import annotations

from tortoise.transactions import in_transaction

from events.channels import room_channel
from events.member import RoomClosed
from infra.errors import NotFound
from infra.services import Services
from infra.viewer import Viewer
from models.challenges import Challenge
from models.proofs import Proof
from resolvers.challenges.update_challenge import led_challenge


async def delete_challenge(*, services: Services, viewer: Viewer, challenge_id: int) -> int:
    challenge = await led_challenge(viewer=viewer, challenge_id=challenge_id)
    async with in_transaction() as connection:
        images = [
            str(image)
            for (image,) in await Proof.filter(challenge_id=challenge_id, image__isnull=False)
            .using_db(connection)
            .values_list("image")
        ]
        # Memberships, proofs, the room and its messages and log go with it (ON DELETE CASCADE).
        if not await Challenge.filter(id=challenge_id).using_db(connection).delete():
            raise NotFound("No such challenge.")
    for key in [challenge.thumbnail, *images]:
        await services.storage.delete(key)
    await services.bus.publish(room_channel(challenge_id), RoomClosed(challenge_id=challenge_id))
    return challenge_id
