"""Challenge.viewerProgress and Membership.progress over the API: the numbers, and who sees them."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from models.proofs import Proof
from tests.progress.conftest import Race
from tests.support.factories import Account
from tests.support.graphql import GraphQLClient

PROGRESS_FIELDS = "required approved waiting rate misses currentStreak bestStreak doneThisPeriod rank"
VIEWER_PROGRESS = f"""
query ViewerProgress($id: ID!) {{
  challenge(id: $id) {{ status viewerProgress {{ {PROGRESS_FIELDS} member {{ id }} }} }}
}}
"""
MEMBERSHIP_PROGRESS = """
query MembershipProgress($id: ID!) {
  challenge(id: $id) { memberships { member { id } progress { rank approved misses } } }
}
"""
CREATE_PROOF = """
mutation CreateProof($id: ID!) { createProof(challengeId: $id, input: {content: "today"}) { id status } }
"""
REVIEW_PROOF = """
mutation Review($id: ID!, $decision: ProofDecision!) { reviewProof(id: $id, decision: $decision) { status } }
"""

NewAccount = Callable[..., Awaitable[Account]]
ClientFor = Callable[[Account], GraphQLClient]


async def test_viewer_progress_counts_the_past_days(race: Race, client_for: ClientFor) -> None:
    # when the member who kept up and the one who missed ask on day 4 (nothing posted today)
    keeper = (await client_for(race.keeper).execute(VIEWER_PROGRESS, {"id": race.id})).ok()["challenge"]
    misser = (await client_for(race.misser).execute(VIEWER_PROGRESS, {"id": race.id})).ok()["challenge"]

    # then
    assert keeper["status"] == "ONGOING"
    assert keeper["viewerProgress"] == {
        "required": 3,
        "approved": 3,
        "waiting": 0,
        "rate": 1.0,
        "misses": 0,
        "currentStreak": 3,
        "bestStreak": 3,
        "doneThisPeriod": False,
        "rank": 1,
        "member": {"id": race.keeper.id},
    }
    assert misser["viewerProgress"] == {
        "required": 3,
        "approved": 1,
        "waiting": 0,
        "rate": 1 / 3,
        "misses": 2,
        "currentStreak": 0,
        "bestStreak": 1,
        "doneThisPeriod": False,
        "rank": 2,
        "member": {"id": race.misser.id},
    }


async def test_viewer_progress_is_null_for_anonymous_and_non_members(
    race: Race, client: GraphQLClient, new_account: NewAccount, client_for: ClientFor
) -> None:
    # given
    outsider = await new_account()

    # when
    anonymous = (await client.execute(VIEWER_PROGRESS, {"id": race.id})).ok()["challenge"]
    stranger = (await client_for(outsider).execute(VIEWER_PROGRESS, {"id": race.id})).ok()["challenge"]

    # then
    assert anonymous == {"status": "ONGOING", "viewerProgress": None}
    assert stranger == {"status": "ONGOING", "viewerProgress": None}


async def test_membership_progress_is_visible_to_members_only(
    race: Race, new_account: NewAccount, client_for: ClientFor
) -> None:
    # given
    outsider = await new_account()

    # when
    member_view = (await client_for(race.misser).execute(MEMBERSHIP_PROGRESS, {"id": race.id})).ok()
    outsider_view = (await client_for(outsider).execute(MEMBERSHIP_PROGRESS, {"id": race.id})).ok()

    # then members see everyone's standing, in join order; others see none
    assert member_view["challenge"]["memberships"] == [
        {"member": {"id": race.leader.id}, "progress": {"rank": 3, "approved": 0, "misses": 3}},
        {"member": {"id": race.keeper.id}, "progress": {"rank": 1, "approved": 3, "misses": 0}},
        {"member": {"id": race.misser.id}, "progress": {"rank": 2, "approved": 1, "misses": 2}},
    ]
    assert [row["progress"] for row in outsider_view["challenge"]["memberships"]] == [None, None, None]


async def test_viewer_progress_follows_the_review_of_todays_proof(race: Race, client_for: ClientFor) -> None:
    # given the misser posts today: waiting for review
    misser, leader = client_for(race.misser), client_for(race.leader)
    proof_id = (await misser.execute(CREATE_PROOF, {"id": race.id})).ok()["createProof"]["id"]
    waiting = (await misser.execute(VIEWER_PROGRESS, {"id": race.id})).ok()["challenge"]["viewerProgress"]

    # when the leader denies it, then approves it after all
    await leader.execute(REVIEW_PROOF, {"id": proof_id, "decision": "DENIED"})
    denied = (await misser.execute(VIEWER_PROGRESS, {"id": race.id})).ok()["challenge"]["viewerProgress"]
    await leader.execute(REVIEW_PROOF, {"id": proof_id, "decision": "APPROVED"})
    approved = (await misser.execute(VIEWER_PROGRESS, {"id": race.id})).ok()["challenge"]["viewerProgress"]

    # then today is done while waiting, not once denied, and counts once approved
    assert (waiting["waiting"], waiting["doneThisPeriod"], waiting["required"]) == (1, True, 3)
    assert (denied["waiting"], denied["doneThisPeriod"], denied["required"]) == (0, False, 3)
    assert (approved["required"], approved["approved"], approved["currentStreak"]) == (4, 2, 1)
    assert approved["doneThisPeriod"] is True
    assert (await Proof.get(id=int(proof_id))).status == "APPROVED"
