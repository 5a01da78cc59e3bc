"""Member.challenges: "my page", newest challenge first, optionally by role."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from models.challenges import Membership, Role
from tests.support.factories import Account, add_member, make_challenge
from tests.support.graphql import GraphQLClient

MY_CHALLENGES = """
query My($role: ChallengerRole) {
  me { challenges(role: $role) { role joinedAt challenge { id title } member { id } } }
}
"""

NewAccount = Callable[..., Awaitable[Account]]
ClientFor = Callable[[Account], GraphQLClient]


async def test_my_challenges_lists_newest_challenge_first(
    new_account: NewAccount, client_for: ClientFor
) -> None:
    # given
    me, other = await new_account(), await new_account()
    led = await make_challenge(me, title="Mine")
    joined = await make_challenge(other, title="Theirs")
    await add_member(joined, me)
    await make_challenge(other, title="Not mine")

    # when
    result = await client_for(me).execute(MY_CHALLENGES)

    # then
    rows = result.ok()["me"]["challenges"]
    assert [(row["role"], row["challenge"]["title"]) for row in rows] == [
        ("CHALLENGER", "Theirs"),
        ("LEADER", "Mine"),
    ]
    assert {row["member"]["id"] for row in rows} == {me.id}
    assert all(row["joinedAt"] for row in rows)
    assert {row.challenge_id for row in await Membership.filter(member_id=me.member.id)} == {
        led.id,
        joined.id,
    }  # type: ignore[attr-defined]


async def test_my_challenges_filters_by_role(new_account: NewAccount, client_for: ClientFor) -> None:
    # given
    me, other = await new_account(), await new_account()
    await make_challenge(me, title="Mine")
    joined = await make_challenge(other, title="Theirs")
    await add_member(joined, me)

    # when
    leading = await client_for(me).execute(MY_CHALLENGES, {"role": "LEADER"})
    challenging = await client_for(me).execute(MY_CHALLENGES, {"role": "CHALLENGER"})

    # then
    assert [row["challenge"]["title"] for row in leading.ok()["me"]["challenges"]] == ["Mine"]
    assert [row["challenge"]["title"] for row in challenging.ok()["me"]["challenges"]] == ["Theirs"]
    assert await Membership.filter(member_id=me.member.id, role=Role.LEADER).count() == 1


async def test_my_challenges_empty_for_new_member(new_account: NewAccount, client_for: ClientFor) -> None:
    # given
    me = await new_account()

    # when
    result = await client_for(me).execute(MY_CHALLENGES)

    # then
    assert result.ok() == {"me": {"challenges": []}}
    assert not await Membership.filter(member_id=me.member.id).exists()
