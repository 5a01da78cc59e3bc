"""Challenge.proofs (and the proof(id) query): visibility, status filter, cursor pages.

The challenge is reached through ``proof(id)`` on the leader's always-visible approved proof,
so the same requests also exercise that query's visibility.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest

from models.proofs import Proof
from tests.proofs.conftest import World, post_proof
from tests.support.graphql import GraphQLClient

CHALLENGE_PROOFS = """
query ChallengeProofs($via: ID!, $status: ProofStatus, $first: Int, $after: String) {
  proof(id: $via) {
    challenge {
      proofs(status: $status, first: $first, after: $after) {
        totalCount
        edges { cursor node { id status author { id } challenge { id } } }
        nodes { id }
        pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
      }
    }
  }
}
"""
PROOF = "query Proof($id: ID!) { proof(id: $id) { id status } }"
REVIEW = "mutation($id: ID!, $d: ProofDecision!) { reviewProof(id: $id, decision: $d) { id } }"


@dataclass
class Board:
    """Five proofs: the leader's (approved), the member's approved/waiting/denied, the other's waiting."""

    leader: str
    approved: str
    waiting: str
    denied: str
    others: str


@pytest.fixture
async def board(world: World, client_for: Callable[..., GraphQLClient]) -> Board:
    leader = client_for(world.leader)
    member = client_for(world.member)
    own = await post_proof(leader, world.challenge_id, "리더 인증")
    approved = await post_proof(member, world.challenge_id, "승인될 인증")
    waiting = await post_proof(member, world.challenge_id, "대기 인증")
    denied = await post_proof(member, world.challenge_id, "거절될 인증")
    others = await post_proof(client_for(world.other), world.challenge_id, "다른 멤버 인증")
    (await leader.execute(REVIEW, {"id": approved["id"], "d": "APPROVED"})).ok()
    (await leader.execute(REVIEW, {"id": denied["id"], "d": "DENIED"})).ok()
    return Board(own["id"], approved["id"], waiting["id"], denied["id"], others["id"])


async def _proofs(client: GraphQLClient, board: Board, **variables: object) -> dict[str, object]:
    result = await client.execute(CHALLENGE_PROOFS, {"via": board.leader, **variables})
    return dict(result.ok()["proof"]["challenge"]["proofs"])


def _ids(connection: dict[str, object]) -> list[str]:
    return [edge["node"]["id"] for edge in connection["edges"]]  # type: ignore[attr-defined, index]


@pytest.mark.parametrize(
    ("viewer", "visible"),
    [
        ("leader", ["others", "denied", "waiting", "approved", "leader"]),
        ("member", ["denied", "waiting", "approved", "leader"]),
        ("other", ["others", "approved", "leader"]),
        ("outsider", ["approved", "leader"]),
        ("anonymous", ["approved", "leader"]),
    ],
)
async def test_challenge_proofs_shows_each_viewer_what_they_may_see(
    world: World,
    board: Board,
    client_for: Callable[..., GraphQLClient],
    client: GraphQLClient,
    viewer: str,
    visible: list[str],
) -> None:
    # given the board of five proofs
    reader = client if viewer == "anonymous" else client_for(getattr(world, viewer))

    # when the viewer lists the challenge's proofs
    connection = await _proofs(reader, board)

    # then they see exactly their share, newest first, and the count agrees
    expected = [getattr(board, name) for name in visible]
    assert _ids(connection) == expected
    assert [node["id"] for node in connection["nodes"]] == expected  # type: ignore[attr-defined]
    assert connection["totalCount"] == len(expected)
    assert await Proof.filter(challenge_id=world.challenge.id).count() == 5


@pytest.mark.parametrize(
    ("viewer", "status", "visible"),
    [
        ("leader", "WAITING", ["others", "waiting"]),
        ("member", "WAITING", ["waiting"]),
        ("member", "DENIED", ["denied"]),
        ("outsider", "WAITING", []),
        ("outsider", "APPROVED", ["approved", "leader"]),
    ],
)
async def test_challenge_proofs_filtered_by_status_stays_within_visibility(
    world: World,
    board: Board,
    client_for: Callable[..., GraphQLClient],
    viewer: str,
    status: str,
    visible: list[str],
) -> None:
    connection = await _proofs(client_for(getattr(world, viewer)), board, status=status)

    assert _ids(connection) == [getattr(board, name) for name in visible]
    assert connection["totalCount"] == len(visible)


async def test_challenge_proofs_pages_follow_the_cursor(
    world: World, board: Board, client_for: Callable[..., GraphQLClient]
) -> None:
    leader = client_for(world.leader)

    first = await _proofs(leader, board, first=2)
    second = await _proofs(leader, board, first=2, after=first["pageInfo"]["endCursor"])  # type: ignore[index]
    third = await _proofs(leader, board, first=2, after=second["pageInfo"]["endCursor"])  # type: ignore[index]

    assert _ids(first) + _ids(second) + _ids(third) == [
        board.others,
        board.denied,
        board.waiting,
        board.approved,
        board.leader,
    ]
    assert [page["totalCount"] for page in (first, second, third)] == [5, 5, 5]
    assert first["pageInfo"] == {
        "hasNextPage": True,
        "hasPreviousPage": False,
        "startCursor": first["edges"][0]["cursor"],
        "endCursor": first["edges"][1]["cursor"],  # type: ignore[index]
    }
    assert third["pageInfo"]["hasNextPage"] is False  # type: ignore[index]
    assert third["pageInfo"]["hasPreviousPage"] is True  # type: ignore[index]


@pytest.mark.parametrize(
    ("variables", "field"),
    [({"first": 0}, "first"), ({"first": 101}, "first"), ({"after": "not-a-cursor"}, "after")],
)
async def test_challenge_proofs_with_bad_paging_is_bad_user_input(
    world: World,
    board: Board,
    client_for: Callable[..., GraphQLClient],
    variables: dict[str, object],
    field: str,
) -> None:
    result = await client_for(world.leader).execute(CHALLENGE_PROOFS, {"via": board.leader, **variables})

    assert (result.code, result.field) == ("BAD_USER_INPUT", field)
    assert result.data.get("proof") is None


@pytest.mark.parametrize(
    ("viewer", "target", "visible"),
    [
        ("leader", "waiting", True),
        ("member", "denied", True),
        ("other", "waiting", False),
        ("outsider", "waiting", False),
        ("anonymous", "denied", False),
        ("anonymous", "approved", True),
    ],
)
async def test_proof_by_id_is_null_unless_visible(
    world: World,
    board: Board,
    client_for: Callable[..., GraphQLClient],
    client: GraphQLClient,
    viewer: str,
    target: str,
    visible: bool,
) -> None:
    reader = client if viewer == "anonymous" else client_for(getattr(world, viewer))
    proof_id = getattr(board, target)

    result = await reader.execute(PROOF, {"id": proof_id})

    status = (await Proof.get(id=int(proof_id))).status.value
    assert result.ok()["proof"] == ({"id": proof_id, "status": status} if visible else None)
