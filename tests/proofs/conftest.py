"""A challenge world for the proof tests: a leader, two members and an outsider."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from infra.settings import Settings
from models.accounts import Member
from models.challenges import Challenge
from tests.support.factories import Account, add_member, make_challenge
from tests.support.graphql import GraphQLClient

# A PNG header is all the content sniffing reads.
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 17

CREATE_PROOF = """
mutation CreateProof($challengeId: ID!, $input: ProofInput!, $image: Upload) {
  createProof(challengeId: $challengeId, input: $input, image: $image) {
    id content imageUrl videoUrl status createdAt updatedAt
    author { id bricksCount }
    challenge { id title }
  }
}
"""


@dataclass
class World:
    challenge: Challenge
    leader: Account
    member: Account
    other: Account  # a second member
    outsider: Account  # logged in, not a member

    @property
    def challenge_id(self) -> str:
        return str(self.challenge.id)


@pytest.fixture
async def world(new_account: Callable[..., Awaitable[Account]]) -> World:
    leader, member, other, outsider = [await new_account() for _ in range(4)]
    challenge = await make_challenge(leader, title="매일 알고리즘")
    await add_member(challenge, member)
    await add_member(challenge, other)
    return World(challenge=challenge, leader=leader, member=member, other=other, outsider=outsider)


async def post_proof(
    client: GraphQLClient, challenge_id: str, content: str = "오늘 문제 풀었어요", **extra: Any
) -> dict[str, Any]:
    """createProof through the API; returns the proof (asserting success)."""
    variables = {"challengeId": challenge_id, "input": {"content": content}, **extra}
    data = await client.execute(CREATE_PROOF, variables)
    return dict(data.ok()["createProof"])


async def bricks(account: Account) -> int:
    return (await Member.get(id=account.member.id)).bricks_count


def stored_path(settings: Settings, image_url: str) -> Path:
    return Path(settings.media_dir) / image_url.removeprefix(settings.media_url)
