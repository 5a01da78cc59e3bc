"""createProof's rate limit (LIMIT_CREATE_PROOF) is per member per challenge, never global."""

from __future__ import annotations

from collections.abc import Callable

from models.proofs import Proof
from tests.proofs.conftest import CREATE_PROOF, World
from tests.support.factories import make_challenge
from tests.support.graphql import GraphQLClient
from tests.support.servers import AppServer

CREATE_PROOF = CREATE_PROOF


def _vars(challenge_id: str) -> dict[str, object]:
    return {"challengeId": challenge_id, "input": {"content": "인증합니다"}}


async def test_create_proof_twice_within_the_window_is_rate_limited_for_that_member_only(
    world: World, start_app: Callable[..., AppServer]
) -> None:
    # given an instance with the production-like limit of one proof per window
    app = start_app(LIMIT_CREATE_PROOF="1/60")
    second_challenge = await make_challenge(world.member, title="영어 단어")
    async with (
        GraphQLClient(app.url, token=world.member.token) as member,
        GraphQLClient(app.url, token=world.other.token) as other,
    ):
        assert (await member.execute(CREATE_PROOF, _vars(world.challenge_id))).ok()

        # when the same member posts again in the same challenge
        again = await member.execute(CREATE_PROOF, _vars(world.challenge_id))
        # and another member posts in that challenge, and the member posts in another one
        by_other = await other.execute(CREATE_PROOF, _vars(world.challenge_id))
        elsewhere = await member.execute(CREATE_PROOF, _vars(str(second_challenge.id)))

    # then only the repeat is refused, with a retry hint
    assert again.code == "RATE_LIMITED"
    assert 1 <= again.errors[0]["extensions"]["retryAfter"] <= 60
    assert by_other.ok()["createProof"]["status"] == "WAITING"
    assert elsewhere.ok()["createProof"]["status"] == "APPROVED"  # they lead that one
    assert await Proof.filter(challenge_id=world.challenge.id, author_id=world.member.member.id).count() == 1
    assert await Proof.filter(challenge_id=world.challenge.id, author_id=world.other.member.id).count() == 1
