"""updateProof: author only; a member's edit goes back to review; image replacement."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from infra.settings import Settings
from models.proofs import Proof, ProofStatus
from tests.proofs.conftest import CREATE_PROOF, PNG, World, bricks, post_proof, stored_path
from tests.support.graphql import GraphQLClient

UPDATE_PROOF = """
mutation UpdateProof($id: ID!, $input: ProofInput!, $image: Upload) {
  updateProof(id: $id, input: $input, image: $image) {
    id content videoUrl imageUrl status author { bricksCount }
  }
}
"""
REVIEW_PROOF = "mutation($id: ID!) { reviewProof(id: $id, decision: APPROVED) { id } }"


def _vars(proof_id: str, content: str = "고친 내용", video_url: str | None = None) -> dict[str, object]:
    return {"id": proof_id, "input": {"content": content, "videoUrl": video_url}}


async def test_update_proof_of_an_approved_member_proof_returns_it_to_review_and_takes_the_brick(
    world: World, client_for: Callable[..., GraphQLClient]
) -> None:
    # given a member's approved proof
    member = client_for(world.member)
    proof = await post_proof(member, world.challenge_id)
    (await client_for(world.leader).execute(REVIEW_PROOF, {"id": proof["id"]})).ok()
    assert await bricks(world.member) == 1

    # when the author edits it
    url = "http://example.com/v/1"
    updated = (await member.execute(UPDATE_PROOF, _vars(proof["id"], "다시 올림", url))).ok()["updateProof"]

    # then it waits for a new review and no longer counts
    assert updated == {
        "id": proof["id"],
        "content": "다시 올림",
        "videoUrl": url,
        "imageUrl": None,
        "status": "WAITING",
        "author": {"bricksCount": 0},
    }
    row = await Proof.get(id=int(proof["id"]))
    assert (row.content, row.video_url, row.status) == ("다시 올림", url, ProofStatus.WAITING)
    assert await bricks(world.member) == 0


async def test_update_proof_of_a_denied_member_proof_returns_it_to_review(
    world: World, client_for: Callable[..., GraphQLClient]
) -> None:
    member = client_for(world.member)
    proof = await post_proof(member, world.challenge_id)
    await client_for(world.leader).execute(
        "mutation($id: ID!) { reviewProof(id: $id, decision: DENIED) { id } }", {"id": proof["id"]}
    )

    updated = (await member.execute(UPDATE_PROOF, _vars(proof["id"]))).ok()["updateProof"]

    assert updated["status"] == "WAITING"
    assert (await Proof.get(id=int(proof["id"]))).status == ProofStatus.WAITING
    assert await bricks(world.member) == 0


async def test_update_proof_by_the_leader_of_their_own_proof_stays_approved(
    world: World, client_for: Callable[..., GraphQLClient]
) -> None:
    leader = client_for(world.leader)
    proof = await post_proof(leader, world.challenge_id)

    updated = (await leader.execute(UPDATE_PROOF, _vars(proof["id"]))).ok()["updateProof"]

    assert (updated["status"], updated["content"]) == ("APPROVED", "고친 내용")
    assert (await Proof.get(id=int(proof["id"]))).status == ProofStatus.APPROVED
    assert await bricks(world.leader) == 1


@pytest.mark.parametrize("editor", ["leader", "other", "outsider"])
async def test_update_proof_by_someone_else_is_forbidden(
    world: World, client_for: Callable[..., GraphQLClient], editor: str
) -> None:
    proof = await post_proof(client_for(world.member), world.challenge_id, "원래 내용")

    result = await client_for(getattr(world, editor)).execute(UPDATE_PROOF, _vars(proof["id"]))

    assert result.code == "FORBIDDEN"
    assert (await Proof.get(id=int(proof["id"]))).content == "원래 내용"


async def test_update_proof_with_invalid_input_is_bad_user_input(
    world: World, client_for: Callable[..., GraphQLClient]
) -> None:
    member = client_for(world.member)
    proof = await post_proof(member, world.challenge_id, "원래 내용")

    empty = await member.execute(UPDATE_PROOF, _vars(proof["id"], ""))
    bad_url = await member.execute(UPDATE_PROOF, _vars(proof["id"], "ok", "file:///etc/passwd"))

    assert (empty.code, empty.field) == ("BAD_USER_INPUT", "content")
    assert (bad_url.code, bad_url.field) == ("BAD_USER_INPUT", "videoUrl")
    assert (await Proof.get(id=int(proof["id"]))).content == "원래 내용"


async def test_update_proof_unknown_is_not_found(
    world: World, client_for: Callable[..., GraphQLClient]
) -> None:
    result = await client_for(world.member).execute(UPDATE_PROOF, _vars("987654321"))

    assert result.code == "NOT_FOUND"


async def test_update_proof_with_a_new_image_removes_the_old_file(
    world: World, client_for: Callable[..., GraphQLClient], settings: Settings
) -> None:
    # given a proof with an image
    member = client_for(world.member)
    created = (
        await member.execute(
            CREATE_PROOF,
            {"challengeId": world.challenge_id, "input": {"content": "사진"}},
            files={"image": ("a.png", PNG, "image/png")},
        )
    ).ok()["createProof"]
    old_file = stored_path(settings, created["imageUrl"])
    assert old_file.exists()

    # when the author replaces the image
    updated = (
        await member.execute(UPDATE_PROOF, _vars(created["id"]), files={"image": ("b.png", PNG, "image/png")})
    ).ok()["updateProof"]

    # then the new file is stored and referenced, the old one is gone
    assert updated["imageUrl"] != created["imageUrl"]
    assert stored_path(settings, updated["imageUrl"]).exists()
    assert not old_file.exists()
    row = await Proof.get(id=int(created["id"]))
    assert row.image == updated["imageUrl"].removeprefix(settings.media_url)


async def test_update_proof_without_an_image_keeps_the_current_one(
    world: World, client_for: Callable[..., GraphQLClient], settings: Settings
) -> None:
    member = client_for(world.member)
    created = (
        await member.execute(
            CREATE_PROOF,
            {"challengeId": world.challenge_id, "input": {"content": "사진"}},
            files={"image": ("a.png", PNG, "image/png")},
        )
    ).ok()["createProof"]

    updated = (await member.execute(UPDATE_PROOF, _vars(created["id"]))).ok()["updateProof"]

    assert updated["imageUrl"] == created["imageUrl"]
    assert stored_path(settings, created["imageUrl"]).exists()
