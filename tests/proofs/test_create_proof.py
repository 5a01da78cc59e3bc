"""createProof: members only, input rules, leader auto-approval, optional image."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from infra.settings import Settings
from models.proofs import Proof, ProofStatus
from tests.proofs.conftest import CREATE_PROOF, PNG, World, bricks, post_proof, stored_path
from tests.support.graphql import GraphQLClient

CREATE_PROOF = CREATE_PROOF


def _vars(world: World, content: str = "인증", video_url: str | None = None) -> dict[str, object]:
    return {"challengeId": world.challenge_id, "input": {"content": content, "videoUrl": video_url}}


async def test_create_proof_by_member_is_waiting(
    world: World, client_for: Callable[..., GraphQLClient]
) -> None:
    # given a member of the challenge
    # when they post a proof
    proof = await post_proof(client_for(world.member), world.challenge_id, "  DP 3문제  ")

    # then it waits for review, earns nothing yet, and is stored as posted
    assert proof["status"] == "WAITING"
    assert proof["content"] == "DP 3문제"
    assert proof["author"] == {"id": world.member.id, "bricksCount": 0}
    assert proof["challenge"] == {"id": world.challenge_id, "title": "매일 알고리즘"}
    assert proof["imageUrl"] is None and proof["videoUrl"] is None
    row = await Proof.get(id=int(proof["id"]))
    assert (row.status, row.author_id, row.challenge_id) == (  # type: ignore[attr-defined]
        ProofStatus.WAITING,
        world.member.member.id,
        world.challenge.id,
    )
    assert await bricks(world.member) == 0


async def test_create_proof_by_leader_is_approved_and_earns_a_brick(
    world: World, client_for: Callable[..., GraphQLClient]
) -> None:
    proof = await post_proof(client_for(world.leader), world.challenge_id)

    assert proof["status"] == "APPROVED"
    assert proof["author"]["bricksCount"] == 1
    assert (await Proof.get(id=int(proof["id"]))).status == ProofStatus.APPROVED
    assert await bricks(world.leader) == 1


async def test_create_proof_by_non_member_is_forbidden(
    world: World, client_for: Callable[..., GraphQLClient]
) -> None:
    result = await client_for(world.outsider).execute(CREATE_PROOF, _vars(world))

    assert result.code == "FORBIDDEN"
    assert result.data.get("createProof") is None
    assert await Proof.filter(challenge_id=world.challenge.id).count() == 0


async def test_create_proof_anonymously_is_unauthenticated(world: World, client: GraphQLClient) -> None:
    result = await client.execute(CREATE_PROOF, _vars(world))

    assert result.code == "UNAUTHENTICATED"
    assert await Proof.filter(challenge_id=world.challenge.id).count() == 0


async def test_create_proof_in_unknown_challenge_is_not_found(
    world: World, client_for: Callable[..., GraphQLClient]
) -> None:
    result = await client_for(world.member).execute(
        CREATE_PROOF, {"challengeId": "999999999", "input": {"content": "x"}}
    )

    assert result.code == "NOT_FOUND"
    assert result.data.get("createProof") is None


@pytest.mark.parametrize("content", ["", "   ", "가" * 501])
async def test_create_proof_with_invalid_content_is_bad_user_input(
    world: World, client_for: Callable[..., GraphQLClient], content: str
) -> None:
    result = await client_for(world.member).execute(CREATE_PROOF, _vars(world, content))

    assert (result.code, result.field) == ("BAD_USER_INPUT", "content")
    assert await Proof.filter(challenge_id=world.challenge.id).count() == 0


async def test_create_proof_with_500_characters_is_accepted(
    world: World, client_for: Callable[..., GraphQLClient]
) -> None:
    proof = await post_proof(client_for(world.member), world.challenge_id, "가" * 500)

    assert len(proof["content"]) == 500
    assert len((await Proof.get(id=int(proof["id"]))).content) == 500


@pytest.mark.parametrize(
    "video_url",
    [
        "ftp://videos.example.com/a.mp4",
        "javascript:alert(1)",
        "youtube.com/watch?v=1",
        "https://" + "a" * 493 + ".com",
        "https:///nohost",
    ],
)
async def test_create_proof_with_invalid_video_url_is_bad_user_input(
    world: World, client_for: Callable[..., GraphQLClient], video_url: str
) -> None:
    result = await client_for(world.member).execute(CREATE_PROOF, _vars(world, video_url=video_url))

    assert (result.code, result.field) == ("BAD_USER_INPUT", "videoUrl")
    assert await Proof.filter(challenge_id=world.challenge.id).count() == 0


async def test_create_proof_with_video_url_keeps_it(
    world: World, client_for: Callable[..., GraphQLClient]
) -> None:
    url = "https://www.youtube.com/watch?v=dQw4w9WgXcQ"
    result = await client_for(world.member).execute(CREATE_PROOF, _vars(world, video_url=url))

    proof = result.ok()["createProof"]
    assert proof["videoUrl"] == url
    assert (await Proof.get(id=int(proof["id"]))).video_url == url


async def test_create_proof_with_image_stores_the_file(
    world: World, client_for: Callable[..., GraphQLClient], settings: Settings
) -> None:
    result = await client_for(world.member).execute(
        CREATE_PROOF, _vars(world), files={"image": ("proof.png", PNG, "image/png")}
    )

    proof = result.ok()["createProof"]
    assert proof["imageUrl"].startswith(settings.media_url + "proofs/")
    assert stored_path(settings, proof["imageUrl"]).read_bytes() == PNG
    row = await Proof.get(id=int(proof["id"]))
    assert row.image == proof["imageUrl"].removeprefix(settings.media_url)


async def test_create_proof_with_non_image_upload_is_bad_user_input(
    world: World, client_for: Callable[..., GraphQLClient], settings: Settings
) -> None:
    folder = settings.media_dir / "proofs"
    before = set(folder.glob("*"))

    result = await client_for(world.member).execute(
        CREATE_PROOF, _vars(world), files={"image": ("proof.png", b"#!/bin/sh\necho hi\n", "image/png")}
    )

    assert (result.code, result.field) == ("BAD_USER_INPUT", "image")
    assert await Proof.filter(challenge_id=world.challenge.id).count() == 0
    assert set(folder.glob("*")) == before
