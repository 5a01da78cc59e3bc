"""deleteProof: author or leader; bricks follow; the image file goes too."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from infra.settings import Settings
from models.proofs import Proof
from tests.proofs.conftest import CREATE_PROOF, PNG, World, bricks, post_proof, stored_path
from tests.support.graphql import GraphQLClient

DELETE_PROOF = "mutation DeleteProof($id: ID!) { deleteProof(id: $id) }"
APPROVE = "mutation($id: ID!) { reviewProof(id: $id, decision: APPROVED) { id } }"


async def test_delete_proof_by_author_removes_it_its_brick_and_its_file(
    world: World, client_for: Callable[..., GraphQLClient], settings: Settings
) -> None:
    # given a member's approved proof with an image, and a second approved one
    member = client_for(world.member)
    proof = (
        await member.execute(
            CREATE_PROOF,
            {"challengeId": world.challenge_id, "input": {"content": "사진"}},
            files={"image": ("a.png", PNG, "image/png")},
        )
    ).ok()["createProof"]
    kept = await post_proof(member, world.challenge_id, "남는 인증")
    for proof_id in (proof["id"], kept["id"]):
        (await client_for(world.leader).execute(APPROVE, {"id": proof_id})).ok()
    assert await bricks(world.member) == 2

    # when the author deletes the first
    result = await member.execute(DELETE_PROOF, {"id": proof["id"]})

    # then it is gone with its file, and one brick remains
    assert result.ok() == {"deleteProof": proof["id"]}
    assert not await Proof.exists(id=int(proof["id"]))
    assert not stored_path(settings, proof["imageUrl"]).exists()
    assert await bricks(world.member) == 1


async def test_delete_proof_by_leader_of_a_waiting_proof_leaves_bricks_alone(
    world: World, client_for: Callable[..., GraphQLClient]
) -> None:
    member = client_for(world.member)
    approved = await post_proof(member, world.challenge_id, "승인됨")
    (await client_for(world.leader).execute(APPROVE, {"id": approved["id"]})).ok()
    waiting = await post_proof(member, world.challenge_id, "대기중")

    result = await client_for(world.leader).execute(DELETE_PROOF, {"id": waiting["id"]})

    assert result.ok() == {"deleteProof": waiting["id"]}
    assert not await Proof.exists(id=int(waiting["id"]))
    assert await bricks(world.member) == 1


async def test_delete_proof_by_leader_of_an_approved_proof_takes_the_authors_brick(
    world: World, client_for: Callable[..., GraphQLClient]
) -> None:
    proof = await post_proof(client_for(world.member), world.challenge_id)
    (await client_for(world.leader).execute(APPROVE, {"id": proof["id"]})).ok()

    (await client_for(world.leader).execute(DELETE_PROOF, {"id": proof["id"]})).ok()

    assert await bricks(world.member) == 0
    assert await bricks(world.leader) == 0


@pytest.mark.parametrize("deleter", ["other", "outsider"])
async def test_delete_proof_by_someone_else_is_forbidden(
    world: World, client_for: Callable[..., GraphQLClient], deleter: str
) -> None:
    proof = await post_proof(client_for(world.member), world.challenge_id)

    result = await client_for(getattr(world, deleter)).execute(DELETE_PROOF, {"id": proof["id"]})

    assert result.code == "FORBIDDEN"
    assert await Proof.exists(id=int(proof["id"]))


async def test_delete_proof_twice_is_not_found(
    world: World, client_for: Callable[..., GraphQLClient]
) -> None:
    member = client_for(world.member)
    proof = await post_proof(member, world.challenge_id)
    (await member.execute(DELETE_PROOF, {"id": proof["id"]})).ok()

    again = await member.execute(DELETE_PROOF, {"id": proof["id"]})

    assert again.code == "NOT_FOUND"
    assert again.data.get("deleteProof") is None
