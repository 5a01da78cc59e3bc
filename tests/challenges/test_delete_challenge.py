"""deleteChallenge: leader only; removes memberships, proofs, room history and files."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from infra.settings import Settings
from models.challenges import Challenge, Membership
from models.chat import Message, Room
from models.proofs import Proof
from tests.challenges.inputs import png_bytes
from tests.support.factories import Account, add_member, make_challenge
from tests.support.graphql import GraphQLClient

DELETE_CHALLENGE = "mutation DeleteChallenge($id: ID!) { deleteChallenge(id: $id) }"
UPDATE_THUMBNAIL = """
mutation Thumbnail($id: ID!, $thumbnail: Upload) {
  updateChallenge(id: $id, input: {}, thumbnail: $thumbnail) { id }
}
"""

NewAccount = Callable[..., Awaitable[Account]]
ClientFor = Callable[[Account], GraphQLClient]


async def test_delete_challenge_removes_everything_it_owns(
    new_account: NewAccount, client_for: ClientFor, settings: Settings
) -> None:
    # given: members, a proof with an image, chat history and a thumbnail
    leader, member = await new_account(), await new_account()
    challenge = await make_challenge(leader)
    await add_member(challenge, member)
    graphql = client_for(leader)
    files = {"thumbnail": ("t.png", png_bytes(), "image/png")}
    (await graphql.execute(UPDATE_THUMBNAIL, {"id": str(challenge.id)}, files=files)).ok()
    thumbnail = (await Challenge.get(id=challenge.id)).thumbnail
    assert thumbnail is not None
    proof_image = settings.media_dir / "proofs" / f"delete-test-{challenge.id}.png"
    proof_image.parent.mkdir(parents=True, exist_ok=True)
    proof_image.write_bytes(png_bytes())
    await Proof.create(
        challenge=challenge, author=member.member, content="done", image=f"proofs/{proof_image.name}"
    )
    room = await Room.get(challenge_id=challenge.id)
    await Message.create(room=room, seq=1, sender=member.member, body="hello")

    # when
    result = await graphql.execute(DELETE_CHALLENGE, {"id": str(challenge.id)})

    # then
    assert result.ok() == {"deleteChallenge": str(challenge.id)}
    assert not await Challenge.filter(id=challenge.id).exists()
    assert not await Membership.filter(challenge_id=challenge.id).exists()
    assert not await Proof.filter(challenge_id=challenge.id).exists()
    assert not await Room.filter(challenge_id=challenge.id).exists()
    assert not await Message.filter(room_id=room.id).exists()
    assert not (settings.media_dir / thumbnail).exists()
    assert not proof_image.exists()


async def test_delete_challenge_by_member_is_forbidden(
    new_account: NewAccount, client_for: ClientFor
) -> None:
    # given
    leader, member = await new_account(), await new_account()
    challenge = await make_challenge(leader)
    await add_member(challenge, member)

    # when
    result = await client_for(member).execute(DELETE_CHALLENGE, {"id": str(challenge.id)})

    # then
    assert result.code == "FORBIDDEN"
    assert result.data == {}
    assert await Challenge.filter(id=challenge.id).exists()
    assert await Membership.filter(challenge_id=challenge.id).count() == 2


async def test_delete_challenge_unknown_id_is_not_found(
    new_account: NewAccount, client_for: ClientFor
) -> None:
    # given
    leader = await new_account()

    # when
    result = await client_for(leader).execute(DELETE_CHALLENGE, {"id": "987654321"})

    # then
    assert result.code == "NOT_FOUND"
    assert result.data == {}


async def test_delete_challenge_anonymous_is_unauthenticated(
    new_account: NewAccount, client: GraphQLClient
) -> None:
    # given
    challenge = await make_challenge(await new_account())

    # when
    result = await client.execute(DELETE_CHALLENGE, {"id": str(challenge.id)})

    # then
    assert result.code == "UNAUTHENTICATED"
    assert await Challenge.filter(id=challenge.id).exists()
