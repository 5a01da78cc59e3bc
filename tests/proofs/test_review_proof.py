"""reviewProof: leader only, bricks exact across re-reviews, APPROVE/DENY notifications."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import orjson
import pytest
from redis.asyncio import Redis

from events.channels import member_channel
from infra.settings import Settings
from models.notifications import Notification, NotificationType
from models.proofs import Proof, ProofStatus
from tests.conftest import postgres_only
from tests.proofs.conftest import World, bricks, post_proof
from tests.support.graphql import GraphQLClient

REVIEW_PROOF = """
mutation ReviewProof($id: ID!, $decision: ProofDecision!) {
  reviewProof(id: $id, decision: $decision) { id status author { id bricksCount } }
}
"""


async def _review(client: GraphQLClient, proof_id: str, decision: str) -> dict[str, object]:
    result = await client.execute(REVIEW_PROOF, {"id": proof_id, "decision": decision})
    return dict(result.ok()["reviewProof"])


async def test_review_proof_approved_earns_a_brick_and_notifies_the_author(
    world: World, client_for: Callable[..., GraphQLClient]
) -> None:
    # given a member's waiting proof
    proof = await post_proof(client_for(world.member), world.challenge_id)

    # when the leader approves it
    reviewed = await _review(client_for(world.leader), proof["id"], "APPROVED")

    # then it is approved, the author has a brick and an APPROVE notification
    assert reviewed == {
        "id": proof["id"],
        "status": "APPROVED",
        "author": {"id": world.member.id, "bricksCount": 1},
    }
    assert (await Proof.get(id=int(proof["id"]))).status == ProofStatus.APPROVED
    assert await bricks(world.member) == 1
    rows = await Notification.filter(member_id=world.member.member.id)
    assert [(n.type, n.content, n.challenge_id, n.proof_id, n.read) for n in rows] == [
        (
            NotificationType.APPROVE,
            "인증이 승인되었습니다: 매일 알고리즘",
            world.challenge.id,
            int(proof["id"]),
            False,
        )
    ]
    assert await Notification.filter(member_id=world.leader.member.id).count() == 0


async def test_review_proof_denied_earns_nothing_and_notifies_the_author(
    world: World, client_for: Callable[..., GraphQLClient]
) -> None:
    proof = await post_proof(client_for(world.member), world.challenge_id)

    reviewed = await _review(client_for(world.leader), proof["id"], "DENIED")

    assert reviewed["status"] == "DENIED"
    assert await bricks(world.member) == 0
    rows = await Notification.filter(member_id=world.member.member.id)
    assert [(n.type, n.content, n.proof_id) for n in rows] == [
        (NotificationType.DENY, "인증이 거절되었습니다: 매일 알고리즘", int(proof["id"]))
    ]


async def test_review_proof_approve_deny_approve_keeps_bricks_equal_to_approved_proofs(
    world: World, client_for: Callable[..., GraphQLClient]
) -> None:
    leader = client_for(world.leader)
    first = await post_proof(client_for(world.member), world.challenge_id, "첫째")
    second = await post_proof(client_for(world.member), world.challenge_id, "둘째")

    steps = [
        (first, "APPROVED", 1),
        (first, "APPROVED", 1),
        (second, "APPROVED", 2),
        (first, "DENIED", 1),
        (first, "DENIED", 1),
        (first, "APPROVED", 2),
        (second, "DENIED", 1),
    ]
    for proof, decision, expected in steps:
        reviewed = await _review(leader, proof["id"], decision)
        approved = await Proof.filter(author_id=world.member.member.id, status=ProofStatus.APPROVED).count()
        assert reviewed["author"] == {"id": world.member.id, "bricksCount": expected}
        assert await bricks(world.member) == approved == expected

    # every review told the author, in order, with a per-member sequence
    rows = await Notification.filter(member_id=world.member.member.id).order_by("seq")
    assert [n.type for n in rows] == [NotificationType.APPROVE] * 3 + [NotificationType.DENY] * 2 + [
        NotificationType.APPROVE,
        NotificationType.DENY,
    ]
    assert [n.seq for n in rows] == list(range(rows[0].seq, rows[0].seq + 7))


async def test_review_proof_concurrent_approvals_count_one_brick(
    world: World, client_for: Callable[..., GraphQLClient]
) -> None:
    proof = await post_proof(client_for(world.member), world.challenge_id)
    leader = client_for(world.leader)

    results = await asyncio.gather(
        *(leader.execute(REVIEW_PROOF, {"id": proof["id"], "decision": "APPROVED"}) for _ in range(8))
    )

    assert all(result.ok()["reviewProof"]["status"] == "APPROVED" for result in results)
    assert await bricks(world.member) == 1


@pytest.mark.parametrize("reviewer", ["member", "other", "outsider"])
async def test_review_proof_by_non_leader_is_forbidden(
    world: World, client_for: Callable[..., GraphQLClient], reviewer: str
) -> None:
    proof = await post_proof(client_for(world.member), world.challenge_id)

    result = await client_for(getattr(world, reviewer)).execute(
        REVIEW_PROOF, {"id": proof["id"], "decision": "APPROVED"}
    )

    assert result.code == "FORBIDDEN"
    assert (await Proof.get(id=int(proof["id"]))).status == ProofStatus.WAITING
    assert await bricks(world.member) == 0
    assert await Notification.filter(member_id=world.member.member.id).count() == 0


async def test_review_proof_unknown_is_not_found(
    world: World, client_for: Callable[..., GraphQLClient]
) -> None:
    result = await client_for(world.leader).execute(REVIEW_PROOF, {"id": "987654321", "decision": "DENIED"})

    assert result.code == "NOT_FOUND"
    assert result.data.get("reviewProof") is None


async def test_review_proof_with_unknown_decision_is_bad_user_input(
    world: World, client_for: Callable[..., GraphQLClient]
) -> None:
    proof = await post_proof(client_for(world.member), world.challenge_id)

    result = await client_for(world.leader).execute(REVIEW_PROOF, {"id": proof["id"], "decision": "WAITING"})

    assert (result.code, result.field) == ("BAD_USER_INPUT", "decision")
    assert (await Proof.get(id=int(proof["id"]))).status == ProofStatus.WAITING


@postgres_only
async def test_review_proof_publishes_the_notification_on_the_authors_channel(
    world: World, client_for: Callable[..., GraphQLClient], settings: Settings
) -> None:
    # given a listener on the author's channel of the app's Redis bus (plain redis pub/sub:
    # broadcaster 0.3.1's RedisBackend can miss a process's first subscription)
    proof = await post_proof(client_for(world.member), world.challenge_id)
    redis = Redis.from_url(settings.bus_url)
    pubsub = redis.pubsub()
    await pubsub.subscribe(member_channel(world.member.member.id))
    try:
        # when the leader denies the proof
        await _review(client_for(world.leader), proof["id"], "DENIED")

        # then the committed row is announced with its sequence number
        message = None
        async with asyncio.timeout(10):
            while message is None:
                message = await pubsub.get_message(ignore_subscribe_messages=True, timeout=1)
    finally:
        await pubsub.aclose()
        await redis.aclose()
    row = await Notification.get(member_id=world.member.member.id, proof_id=int(proof["id"]))
    assert orjson.loads(message["data"]) == {
        "kind": "notification",
        "member_id": world.member.member.id,
        "seq": row.seq,
        "notification_id": row.id,
    }
